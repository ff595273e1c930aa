import Foundation
import Multilevel

/// emmeans' printed tables (`summary(emmeans(…), infer = TRUE)` and of `pairs()`) and their JSON.
enum EmmeansReport {
    static func text(_ result: EstimatedMarginalMeans) -> String {
        var out = table(result, rows: result.means, labelColumns: result.specs)
        if !result.contrasts.isEmpty { out += "\n" + table(result, rows: result.contrasts, labelColumns: ["contrast"]) }
        return out
    }

    /// One table per `by` cell, then emmeans' notes.
    private static func table(_ result: EstimatedMarginalMeans, rows: [EstimatedMarginalMeans.Row], labelColumns: [String]) -> String {
        let bayesian = result.bayesian
        let isContrast = labelColumns == ["contrast"]
        let value = isContrast ? "estimate" : "emmean"
        let asymptotic = result.degreesOfFreedomMethod == .asymptotic
        let header = labelColumns + (bayesian ? [value, "lower.HPD", "upper.HPD"]
            : [value, "SE", "df", asymptotic ? "asymp.LCL" : "lower.CL", asymptotic ? "asymp.UCL" : "upper.CL",
               asymptotic ? "z.ratio" : "t.ratio", "p.value"])
        var out = ""
        var groups: [[String]] = []
        for row in rows where !groups.contains(row.byLevels) { groups.append(row.byLevels) }
        for group in groups {
            if !result.by.isEmpty {
                out += zip(result.by, group).map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + ":\n"
            }
            var lines = [header]
            for row in rows where row.byLevels == group {
                var fields = row.labels
                fields.append(significant(row.estimate))
                if bayesian {
                    fields += [significant(row.lower), significant(row.upper)]
                } else {
                    let df = row.degreesOfFreedom ?? .infinity
                    fields += [significant(row.standardError), df.isFinite ? significant(df) : "Inf",
                               significant(row.lower), significant(row.upper), String(format: "%.3f", row.statistic ?? .nan),
                               (row.pValue ?? .nan) < 1e-4 ? "<.0001" : String(format: "%.4f", row.pValue ?? .nan)]
                }
                lines.append(fields)
            }
            let widths = header.indices.map { c in lines.map { $0[c].count }.max() ?? 0 }
            for line in lines {
                out += " " + line.enumerated().map { c, field in
                    c < labelColumns.count ? field.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[c] - field.count) + field
                }.joined(separator: " ") + "\n"
            }
            out += "\n"
        }
        if !result.averagedOver.isEmpty { out += "Results are averaged over the levels of: \(result.averagedOver.joined(separator: ", "))\n" }
        if !result.covariates.isEmpty {
            out += "Numeric predictors at their mean: " + result.covariates.map { "\($0.name) = \(significant($0.value))" }.joined(separator: ", ") + "\n"
        }
        if bayesian {
            out += "Point estimate displayed: median\nHPD interval probability: 0.95\n"
            out += "Scale: the linear predictor (link scale)\n"
        } else {
            out += "Degrees-of-freedom method: \(result.degreesOfFreedomMethod?.rawValue ?? "")\nConfidence level used: 0.95\n"
            if isContrast, result.adjustment != .none {
                let sizes = Set(rows.map(\.byLevels)).map { key in rows.filter { $0.byLevels == key }.count }
                let family = sizes.max() ?? 0
                switch result.adjustment {
                case .tukey:
                    let means = Int((1 + (1 + 8 * Double(family)).squareRoot()) / 2)
                    out += "Conf-level adjustment: tukey method for comparing a family of \(means) estimates\n"
                    out += "P value adjustment: tukey method for comparing a family of \(means) estimates\n"
                case .holm:
                    out += "Conf-level adjustment: bonferroni method for \(family) estimates\n"
                    out += "P value adjustment: holm method for \(family) tests\n"
                case .none: break
                }
            }
        }
        return out
    }

    /// Five significant digits (emmeans prints about three; the JSON has every digit).
    private static func significant(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "Inf" : "-Inf") }
        return String(format: "%.5g", x)
    }

    static func json(_ result: EstimatedMarginalMeans) -> String {
        func rows(_ rows: [EstimatedMarginalMeans.Row], labelColumns: [String]) -> JSONValue {
            .array(rows.map { row in
                var pairs: [(String, JSONValue)] = zip(labelColumns, row.labels).map { ($0.0, .string($0.1)) }
                pairs += zip(result.by, row.byLevels).map { ($0.0, .string($0.1)) }
                pairs.append(("estimate", .number(row.estimate)))
                pairs.append((result.bayesian ? "sd" : "SE", .number(row.standardError)))
                if let df = row.degreesOfFreedom { pairs.append(("df", df.isFinite ? .number(df) : .string("Inf"))) }
                pairs.append((result.bayesian ? "lower.HPD" : "lower.CL", .number(row.lower)))
                pairs.append((result.bayesian ? "upper.HPD" : "upper.CL", .number(row.upper)))
                if let t = row.statistic { pairs.append(("t.ratio", .number(t))) }
                if let p = row.pValue { pairs.append(("p.value", .number(p))) }
                return .object(pairs)
            })
        }
        var pairs: [(String, JSONValue)] = [
            ("kind", .string(result.bayesian ? "bayesian" : "frequentist")),
            ("specs", .array(result.specs.map { .string($0) })),
            ("by", .array(result.by.map { .string($0) })),
            ("averaged_over", .array(result.averagedOver.map { .string($0) })),
            ("covariates", .object(result.covariates.map { ($0.name, .number($0.value)) })),
            ("level", .number(result.level)),
        ]
        if let method = result.degreesOfFreedomMethod { pairs.append(("df_method", .string(method.rawValue))) }
        pairs.append(("emmeans", rows(result.means, labelColumns: result.specs)))
        if !result.contrasts.isEmpty {
            pairs.append(("adjust", .string(result.adjustment.rawValue)))
            pairs.append(("contrasts", rows(result.contrasts, labelColumns: ["contrast"])))
        }
        return JSONValue.object(pairs).serialized()
    }
}
