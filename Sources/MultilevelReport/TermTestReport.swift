import Foundation
import MultilevelData
import MultilevelModels

/// The text and JSON of `lmer --drop1` (R's `print.anova` of `drop1(fit, test = "Chisq")`) and
/// of `lmer --exponentiate` (exp of the fixed effects and of their interval limits, broom.mixed's
/// `tidy(exponentiate = TRUE)`: odds ratios for the logit link, rate ratios for the log link).
public enum TermTestReport {
    /// "Single term deletions" with `<none>` (the full model's AIC) and one row per term: npar,
    /// AIC, LRT, Pr(Chi) and stars.
    public static func dropOneText(_ rows: [SingleTermDeletion], fullAIC: Double, formula: String) -> String {
        var out = "Single term deletions (each term dropped, refitted by maximum likelihood)\n\nModel:\n\(formula)\n"
        let aic = SignificanceTable.anovaColumn([fullAIC] + rows.map(\.akaikeInformationCriterion))
        let lrt = LmerSummary.rFormat(rows.map { LmerSummary.roundDecimals($0.likelihoodRatio, 4) }, digits: 5)
        let p = SignificanceTable.formatPValues(rows.map(\.pValue), digits: 4)
        let stars = SignificanceTable.stars(rows.map(\.pValue))
        let blank = String(repeating: " ", count: stars.first?.count ?? 0)
        var columns: [(String, [String])] = [
            ("npar", [""] + rows.map { String($0.parameters) }), ("AIC", aic), ("LRT", [""] + lrt), ("Pr(Chi)", [""] + p),
        ]
        let anyStars = rows.contains { $0.pValue.isFinite && $0.pValue < 0.1 }
        if anyStars { columns.append(("", [blank] + stars)) }
        out += LmerSummary.coefficientTable(rowNames: ["<none>"] + rows.map(\.term), columns: columns)
        if anyStars { out += SignificanceTable.legend }
        return out
    }

    public static func dropOneJSON(_ rows: [SingleTermDeletion], fullAIC: Double) -> JSONValue {
        .object([
            ("test", .string("Chisq")),
            ("AIC_full", .optionalNumber(fullAIC)),
            ("table", .array(rows.map { row in
                .object([("term", .string(row.term)), ("npar", .integer(row.parameters)),
                         ("AIC", .optionalNumber(row.akaikeInformationCriterion)), ("LRT", .optionalNumber(row.likelihoodRatio)),
                         ("Pr(Chi)", .optionalNumber(row.pValue))])
            })),
        ])
    }

    /// The fixed effects (`b_…` entries of `parameters`) with estimate and limits exponentiated.
    public static func ratios(_ parameters: [NamedEstimate]) -> [NamedEstimate] {
        parameters.filter { $0.name.hasPrefix("b_") }.map { parameter in
            var result = parameter
            result.estimate = exp(parameter.estimate)
            result.standardError = nil
            result.lower = parameter.lower.map(exp)
            result.upper = parameter.upper.map(exp)
            return result
        }
    }

    /// "Odds ratios" / "Rate ratios" with their intervals.
    public static func ratiosText(_ ratios: [NamedEstimate], link: String, intervalName: String, level: Double = 0.95) -> String {
        let title = link == "logit" ? "Odds ratios" : "Rate ratios"
        let estimate = LmerSummary.rFormat(ratios.map(\.estimate), digits: 5)
        var columns: [(String, [String])] = [("exp(Estimate)", estimate)]
        if ratios.allSatisfy({ $0.lower != nil }) {
            columns.append((LmerSummary.percentLabel((1 - level) / 2), LmerSummary.rFormat(ratios.map { $0.lower! }, digits: 5)))
            columns.append((LmerSummary.percentLabel((1 + level) / 2), LmerSummary.rFormat(ratios.map { $0.upper! }, digits: 5)))
        }
        return "\(title) (exp of the fixed effects, \(link) link) with \(intervalName) intervals:\n"
            + LmerSummary.coefficientTable(rowNames: ratios.map { String($0.name.dropFirst(2)) }, columns: columns)
    }

    public static func ratiosJSON(_ ratios: [NamedEstimate], link: String, intervalName: String) -> JSONValue {
        .object([
            ("kind", .string(link == "logit" ? "odds ratio" : "rate ratio")),
            ("intervals", .string(intervalName)),
            ("parameters", LmerJSON.parametersObject(ratios)),
        ])
    }

    /// Nakagawa's R² as JSON: marginal, conditional and the variance components.
    public static func r2JSON(_ r2: NakagawaR2) -> JSONValue {
        .object([
            ("marginal", .optionalNumber(r2.marginal)), ("conditional", .optionalNumber(r2.conditional)),
            ("var_fixed", .optionalNumber(r2.fixedVariance)), ("var_random", .optionalNumber(r2.randomVariance)),
            ("var_residual", .optionalNumber(r2.residualVariance)),
        ])
    }

    /// The summary line `R2 (Nakagawa): marginal …, conditional …`.
    public static func r2Line(_ r2: NakagawaR2) -> String {
        "R2 (Nakagawa): marginal \(LmerSummary.rFormat([r2.marginal], digits: 4)[0]), conditional \(LmerSummary.rFormat([r2.conditional], digits: 4)[0])\n"
    }
}
