import Foundation
import MultilevelModels

/// The pieces of R's `printCoefmat` for tables with p-values, as lmerTest's `summary` and `anova`
/// and lme4's `anova` print them: `format.pval` (digits 3, values below machine epsilon as
/// `< 2e-16`), significance stars and their legend.
public enum SignificanceTable {
    /// The legend printed under a table with stars.
    static let legend = "---\nSignif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1\n"

    /// R's `format.pval(pv, digits = 3)`: p ≥ 1e-3 and smaller p formatted as two groups (each
    /// `format(digits = 3)`), p < ε as `<` and ε to max(1, digits − 2) digits; NaN as `NA`.
    static func formatPValues(_ pValues: [Double], digits: Int = 3) -> [String] {
        let epsilon = Double.ulpOfOne
        var result = [String](repeating: "", count: pValues.count)
        let regular = pValues.indices.filter { pValues[$0].isFinite && pValues[$0] >= epsilon }
        let fixed = regular.filter { pValues[$0] == 0 || floor(log10(pValues[$0])) >= -3 }
        let small = regular.filter { !fixed.contains($0) }
        for group in [fixed, small] where !group.isEmpty {
            let formatted = LmerSummary.rFormat(group.map { pValues[$0] }, digits: digits)
            for (k, index) in group.enumerated() { result[index] = formatted[k].trimmingCharacters(in: .whitespaces) }
        }
        let tiny = pValues.indices.filter { pValues[$0].isFinite && pValues[$0] < epsilon }
        if !tiny.isEmpty {
            var tinyDigits = max(1, digits - 2)
            let separator: String
            if !regular.isEmpty {
                let width = regular.map { result[$0].count }.max() ?? 0
                if tinyDigits > 1 && tinyDigits + 6 > width { tinyDigits = max(1, width - 7) }
                separator = tinyDigits == 1 && width <= 6 ? "" : " "
            } else {
                separator = tinyDigits == 1 ? "" : " "
            }
            let text = "<" + separator + LmerSummary.rFormat([epsilon], digits: tinyDigits)[0]
            for index in tiny { result[index] = text }
        }
        for index in pValues.indices where !pValues[index].isFinite { result[index] = "NA" }
        return result
    }

    /// A column of `print.anova` (digits 5): `zapsmall(x, 5)` — rounded to 5 − ⌈log₁₀ max|x|⌉
    /// decimals — then `format(digits = 5)`.
    static func anovaColumn(_ values: [Double]) -> [String] {
        let largest = values.filter(\.isFinite).map(abs).max() ?? 0
        let zapped = largest > 0 ? values.map { LmerSummary.roundDecimals($0, max(0, 5 - Int(ceil(log10(largest))))) } : values
        return LmerSummary.rFormat(zapped, digits: 5)
    }

    /// lmerTest's `anova(fit, type = …)` as `print.anova` prints it: its heading, Sum Sq, Mean Sq,
    /// NumDF and DenDF (each `anovaColumn`), F value (rounded to 4 decimals, `format(digits = 5)`),
    /// Pr(>F) (`format.pval(digits = 4)`) and stars when a p-value is below 0.1.
    public static func anovaText(_ rows: [AnovaTableRow], type: Int, ddf: String = "satterthwaite") -> String {
        let method = ddf == "kenward-roger" ? "Kenward-Roger's method" : "Satterthwaite's method"
        var out = "Type \(String(repeating: "I", count: type)) Analysis of Variance Table with \(method)\n"
        guard !rows.isEmpty else { return out + "(no fixed-effect terms to test)\n" }
        let pValues = rows.map(\.test.pValue)
        var columns: [(String, [String])] = [
            ("Sum Sq", anovaColumn(rows.map(\.sumOfSquares))),
            ("Mean Sq", anovaColumn(rows.map(\.meanSquare))),
            ("NumDF", anovaColumn(rows.map { Double($0.test.numeratorDegreesOfFreedom) })),
            ("DenDF", anovaColumn(rows.map(\.test.denominatorDegreesOfFreedom))),
            ("F value", LmerSummary.rFormat(rows.map { LmerSummary.roundDecimals($0.test.statistic, 4) }, digits: 5)),
            ("Pr(>F)", formatPValues(pValues, digits: 4)),
        ]
        let anyStars = pValues.contains { $0.isFinite && $0 < 0.1 }
        if anyStars { columns.append(("", stars(pValues))) }
        out += LmerSummary.coefficientTable(rowNames: rows.map(\.term), columns: columns)
        if anyStars { out += legend }
        return out
    }

    /// {type, ddf, terms: [{term, Sum Sq, Mean Sq, NumDF, DenDF, F value, Pr(>F)}]}.
    public static func anovaJSON(_ rows: [AnovaTableRow], type: Int, ddf: String = "satterthwaite") -> JSONValue {
        .object([
            ("type", .string(String(repeating: "I", count: type))),
            ("ddf", .string(ddf)),
            ("terms", .array(rows.map { row in
                .object([
                    ("term", .string(row.term)),
                    ("Sum Sq", .optionalNumber(row.sumOfSquares)), ("Mean Sq", .optionalNumber(row.meanSquare)),
                    ("NumDF", .integer(row.test.numeratorDegreesOfFreedom)),
                    ("DenDF", .optionalNumber(row.test.denominatorDegreesOfFreedom)),
                    ("F value", .optionalNumber(row.test.statistic)), ("Pr(>F)", .optionalNumber(row.test.pValue)),
                ])
            })),
        ])
    }

    /// `symnum` stars at 0.001, 0.01, 0.05, 0.1, left-justified to a common width.
    static func stars(_ pValues: [Double]) -> [String] {
        let symbols = pValues.map { p -> String in
            guard p.isFinite else { return "" }
            return p <= 0.001 ? "***" : p <= 0.01 ? "**" : p <= 0.05 ? "*" : p <= 0.1 ? "." : " "
        }
        let width = symbols.map(\.count).max() ?? 0
        return symbols.map { LmerSummary.pad(right: $0, to: width) }
    }

    /// lmerTest's coefficient table: Estimate, Std. Error, df (formatted together), t value,
    /// Pr(>|t|), and stars with their legend when a p-value is below 0.1.
    static func coefficientTable(names: [String], tests: [FixedEffectTest]) -> String {
        let columns = MixedModelSummaryLayout.coefficientColumns([tests.map(\.estimate), tests.map(\.standardError),
                                                                  tests.map(\.degreesOfFreedom)])
        let tValues = LmerSummary.rFormat(tests.map { LmerSummary.roundDecimals($0.tValue, 3) }, digits: 4)
        let pValues = tests.map(\.pValue)
        let anyStars = pValues.contains { $0.isFinite && $0 < 0.1 }
        return LmerSummary.coefficientTable(rowNames: names, columns: [
            ("Estimate", columns[0]), ("Std. Error", columns[1]), ("df", columns[2]), ("t value", tValues),
            ("Pr(>|t|)", formatPValues(pValues)),
        ] + (anyStars ? [("", stars(pValues))] : [])) + (anyStars ? legend : "")
    }
}
