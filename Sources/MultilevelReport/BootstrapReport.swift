import Foundation
import MultilevelModels
import MultilevelSampling

/// `multilevel bootstrap` output: a text table (estimate, bootstrap SE and bias, percentile, basic
/// and normal intervals per parameter, as `boot.ci` computes them) and the JSON object
/// {type, method, seed, replicates, failed, level, parameters: {name: {estimate, se, bias,
/// percentile: {lower, upper}, basic: {…}, normal: {…}}}, failures: {reason: count}}.
public enum BootstrapReport {
    /// The one-line description of the run.
    public static func title(_ result: BootstrapResult) -> String {
        let kind: String
        switch result.scheme {
        case .parametric: kind = "Parametric bootstrap (new random effects and \(result.simulatedData) from the fit)"
        case .groups: kind = "Bootstrap resampling levels of the first grouping factor"
        case .rows(let fraction):
            kind = fraction == 1 ? "Bootstrap resampling rows"
                : "Bootstrap resampling rows, \(LmerSummary.rFormat([fraction * 100], digits: 4)[0])% of them per replicate"
        }
        return "\(kind) of the \(result.method.rawValue) fit: \(result.replicateCount) replicates, \(result.failedCount) failed, seed \(result.seed)"
    }

    /// The text report; each row is formatted to 5 significant digits of its largest entry.
    public static func text(_ result: BootstrapResult, formula: String, level: Double = 0.95) -> String {
        let summaries = result.summaries(level: level)
        let low = LmerSummary.percentLabel((1 - level) / 2), high = LmerSummary.percentLabel((1 + level) / 2)
        let headers = ["Estimate", "Boot SE", "Bias", "Perc \(low)", "Perc \(high)", "Basic \(low)", "Basic \(high)",
                       "Normal \(low)", "Normal \(high)"]
        var columns = headers.map { ($0, [String]()) }
        for s in summaries {
            let row = [s.estimate, s.standardError, s.bias, s.percentile.lower, s.percentile.upper, s.basic.lower,
                       s.basic.upper, s.normal.lower, s.normal.upper]
            for (k, text) in rowFormat(row, digits: 5).enumerated() { columns[k].1.append(text) }
        }
        var out = title(result) + "\nFormula: \(formula)\n\n"
        out += LmerSummary.coefficientTable(rowNames: summaries.map(\.name), columns: columns)
        let incomplete = summaries.filter { $0.replicateCount < result.replicateCount - result.failedCount }
        for s in incomplete {
            out += "\(s.name): \(result.replicateCount - result.failedCount - s.replicateCount) replicate(s) undefined (boundary fit), left out\n"
        }
        if result.failedCount > 0 {
            out += "\nFailed refits (left out of every interval):\n"
            for (reason, count) in failureCounts(result) { out += "  \(count) × \(reason)\n" }
        }
        return out
    }

    /// The replicates as lme4's `bootMer` returns them in `t`: one row per replicate, one column per
    /// statistic (brms names), preceded by the replicate number; `NA` where a refit failed.
    /// Values are written with 17 significant digits (they read back bit for bit).
    public static func replicatesCSV(_ result: BootstrapResult) -> String {
        var out = "replicate," + result.parameterNames.map { "\"\($0)\"" }.joined(separator: ",") + "\n"
        for r in 0..<result.replicateCount {
            out += "\(r + 1)"
            for k in 0..<result.parameterCount {
                let value = result.values[r * result.parameterCount + k]
                out += "," + (value.isFinite ? String(format: "%.17g", value) : "NA")
            }
            out += "\n"
        }
        return out
    }

    /// The JSON object of a run.
    public static func json(_ result: BootstrapResult, formula: String, level: Double = 0.95) -> JSONValue {
        func interval(_ i: ValueInterval) -> JSONValue {
            .object([("lower", .optionalNumber(i.lower)), ("upper", .optionalNumber(i.upper))])
        }
        let parameters: [(String, JSONValue)] = result.summaries(level: level).map { s in
            (s.name, .object([("estimate", .optionalNumber(s.estimate)), ("se", .optionalNumber(s.standardError)),
                              ("bias", .optionalNumber(s.bias)), ("percentile", interval(s.percentile)),
                              ("basic", interval(s.basic)), ("normal", interval(s.normal)),
                              ("replicates", .integer(s.replicateCount))]))
        }
        var pairs: [(String, JSONValue)] = [
            ("formula", .string(formula)), ("type", .string(result.scheme.name)),
        ]
        if case .rows(let fraction) = result.scheme { pairs.append(("fraction", .number(fraction))) }
        pairs += [
            ("method", .string(result.method.rawValue)), ("seed", Int(exactly: result.seed).map { JSONValue.integer($0) } ?? .string(String(result.seed))),
            ("replicates", .integer(result.replicateCount)), ("failed", .integer(result.failedCount)),
            ("level", .number(level)), ("parameters", .object(parameters)),
            ("failures", .object(failureCounts(result).map { ($0.reason, .integer($0.count)) })),
        ]
        return .object(pairs)
    }

    /// Failure reasons with their counts, most frequent first.
    public static func failureCounts(_ result: BootstrapResult) -> [(reason: String, count: Int)] {
        var counts: [String: Int] = [:]
        var order: [String] = []
        for failure in result.failures {
            let reason = failure.reason.description
            if counts[reason] == nil { order.append(reason) }
            counts[reason, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }.sorted { $0.count > $1.count }
    }

    /// A row of numbers with common decimals: enough to show the largest magnitude to `digits`
    /// significant digits (at least 2 decimals below 1).
    static func rowFormat(_ values: [Double], digits: Int) -> [String] {
        let largest = values.filter { $0.isFinite }.map { abs($0) }.max() ?? 0
        let exponent = largest > 0 ? Int((log10(largest)).rounded(.down)) : 0
        let decimals = min(10, max(0, digits - 1 - exponent))
        return values.map { $0.isFinite ? String(format: "%.\(decimals)f", $0) : "NA" }
    }
}
