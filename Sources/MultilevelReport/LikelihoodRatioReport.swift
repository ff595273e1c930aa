import Foundation
import MultilevelModels

/// `multilevel anova A B …`: lme4's `anova(m1, m2, …)` table as `print.anova` prints it (digits 5:
/// npar, AIC, BIC, logLik and deviance each `zapsmall` and `format(digits = 5)`; Chisq rounded to 4 decimals; the
/// p-values `format.pval(digits = 4)` with stars; empty cells for the first row), and its JSON.
public enum LikelihoodRatioReport {
    /// The text: `Data:`, the models with their formulas, the table and the stars' legend.
    public static func text(_ rows: [LikelihoodRatioRow], formulas: [String: String], dataName: String) -> String {
        var out = "Data: \(dataName)\nModels:\n"
        for row in rows { out += "\(row.model.name): \(formulas[row.model.name] ?? "")\n" }
        let tested = rows.indices.filter { rows[$0].chiSquare != nil }
        func column(_ values: [Double?], _ format: ([Double]) -> [String]) -> [String] {
            let present = values.indices.filter { values[$0] != nil }
            let formatted = format(present.map { values[$0]! })
            var result = [String](repeating: "", count: values.count)
            for (k, index) in present.enumerated() { result[index] = formatted[k] }
            return result
        }
        let digits5: ([Double]) -> [String] = { SignificanceTable.anovaColumn($0) }
        let chiSquares = column(rows.map(\.chiSquare)) { values in
            LmerSummary.rFormat(values.map { LmerSummary.roundDecimals($0, 4) }, digits: 5)
        }
        let pValues = rows.map(\.pValue)
        let formattedP = column(pValues) { SignificanceTable.formatPValues($0, digits: 4) }
        let testedP = tested.map { rows[$0].pValue ?? .nan }
        let starValues = SignificanceTable.stars(testedP)
        var stars = [String](repeating: String(repeating: " ", count: starValues.first?.count ?? 0), count: rows.count)
        for (k, index) in tested.enumerated() { stars[index] = starValues[k] }
        var columns: [(String, [String])] = [
            ("npar", rows.map { String($0.model.parameterCount) }),
            ("AIC", digits5(rows.map(\.model.akaikeInformationCriterion))),
            ("BIC", digits5(rows.map(\.model.bayesianInformationCriterion))),
            ("logLik", digits5(rows.map(\.model.logLikelihood))),
            ("deviance", digits5(rows.map(\.model.deviance))),
            ("Chisq", chiSquares),
            ("Df", rows.map { $0.degreesOfFreedom.map(String.init) ?? "" }),
            ("Pr(>Chisq)", formattedP),
        ]
        let anyStars = testedP.contains { $0.isFinite && $0 < 0.1 }
        if anyStars { columns.append(("", stars)) }
        out += LmerSummary.coefficientTable(rowNames: rows.map(\.model.name), columns: columns)
        if anyStars { out += SignificanceTable.legend }
        return out
    }

    /// {data, models: [{model, formula, npar, AIC, BIC, logLik, deviance, Chisq, Df, Pr(>Chisq)}]}
    /// in table order; `null` where the first row has no test.
    public static func json(_ rows: [LikelihoodRatioRow], formulas: [String: String], dataName: String,
                            notes: [String]) -> JSONValue {
        .object([
            ("data", .string(dataName)),
            ("method", .string("ML")),
            ("table", .array(rows.map { row in
                .object([
                    ("model", .string(row.model.name)),
                    ("formula", .string(formulas[row.model.name] ?? "")),
                    ("npar", .integer(row.model.parameterCount)),
                    ("nobs", .integer(row.model.observationCount)),
                    ("AIC", .optionalNumber(row.model.akaikeInformationCriterion)),
                    ("BIC", .optionalNumber(row.model.bayesianInformationCriterion)),
                    ("logLik", .optionalNumber(row.model.logLikelihood)),
                    ("deviance", .optionalNumber(row.model.deviance)),
                    ("Chisq", row.chiSquare.map { .optionalNumber($0) } ?? .null),
                    ("Df", row.degreesOfFreedom.map { .integer($0) } ?? .null),
                    ("Pr(>Chisq)", row.pValue.map { .optionalNumber($0) } ?? .null),
                ])
            })),
            ("notes", .array(notes.map { .string($0) })),
        ])
    }
}
