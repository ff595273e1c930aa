import Foundation
import MultilevelData
import MultilevelMath
import MultilevelModels

/// The blocks that lme4 prints the same way for `lmer` and `glmer` fits (`print.summary.merMod`):
/// the information-criteria table, the random-effects table (`formatVC`), the numbers of
/// observations and groups, the Estimate / Std. Error columns of `printCoefmat`, and the correlation
/// of fixed effects.
enum MixedModelSummaryLayout {
    /// AIC / BIC / logLik / deviance / df.resid as lme4's `.prt.aictab`: `format(round(x, 1))` of
    /// the four together (7 significant digits), df.resid alone, each right-aligned to width ≥ 8.
    static func informationCriteriaTable(aic: Double, bic: Double, logLikelihood: Double, deviance: Double,
                                         residualDegreesOfFreedom: Int) -> String {
        let labels = ["AIC", "BIC", "logLik", "deviance", "df.resid"]
        let values = LmerSummary.rFormat([aic, bic, logLikelihood, deviance].map { LmerSummary.roundDecimals($0, 1) }, digits: 7)
            + [String(residualDegreesOfFreedom)]
        return zip(labels, values).map { LmerSummary.pad(left: $0.0, to: max(8, $0.1.count)) }.joined(separator: " ") + " \n"
            + zip(labels, values).map { LmerSummary.pad(left: $0.1, to: max(8, $0.0.count)) }.joined(separator: " ") + " \n"
    }

    /// lme4's `formatVC` table: Groups, Name, Variance, Std.Dev. (4 significant digits, formatted
    /// together), and Corr — each term's correlation matrix formatted as `format(round(C, 2),
    /// nsmall = 2)`, i.e. to one width within the term, lower triangle only. A residual row when
    /// `residualStandardDeviation` is given (linear models).
    static func randomEffectsTable(_ components: [VarianceComponent], residualStandardDeviation: Double?) -> String {
        var groupColumn: [String] = [], nameColumn: [String] = [], sds: [Double] = []
        var correlationRows: [[String]] = []
        let maxQ = components.map { $0.columnNames.count }.max() ?? 1
        for component in components {
            let q = component.columnNames.count
            let cells = (0..<(q * q)).map { k in formatCorrelation(k / q == k % q ? 1 : component.correlations[k], decimals: 2) }
            let width = cells.map(\.count).max() ?? 0
            for i in 0..<q {
                groupColumn.append(i == 0 ? component.group : "")
                nameColumn.append(component.columnNames[i])
                sds.append(component.standardDeviations[i])
                correlationRows.append((0..<(maxQ - 1)).map { j in j < i ? LmerSummary.pad(left: cells[i * q + j], to: width) : "" })
            }
        }
        if let sigma = residualStandardDeviation {
            groupColumn.append("Residual"); nameColumn.append(""); sds.append(sigma)
            correlationRows.append([String](repeating: "", count: maxQ - 1))
        }
        var columns: [[String]] = [["Groups"] + groupColumn, ["Name"] + nameColumn,
                                   ["Variance"] + LmerSummary.rFormat(sds.map { $0 * $0 }, digits: 4),
                                   ["Std.Dev."] + LmerSummary.rFormat(sds, digits: 4)]
        for j in 0..<(maxQ - 1) {
            columns.append([j == 0 ? "Corr" : ""] + correlationRows.map { $0[j] })
        }
        return LmerSummary.leftAlignedTable(columns)
    }

    /// `Number of obs: n, groups:  g, levels; …` (each grouping factor once, in fitting order).
    static func groupsLine(terms: [RandomEffectTerm], observationCount: Int) -> String {
        var groups: [(String, Int)] = []
        for term in terms where !groups.contains(where: { $0.0 == term.grouping.name }) {
            groups.append((term.grouping.name, Set(term.grouping.levelIndex).count))
        }
        return "Number of obs: \(observationCount), groups:  " + groups.map { "\($0.0), \($0.1)" }.joined(separator: "; ") + "\n"
    }

    /// Estimate and Std. Error as `printCoefmat` formats them (digits 4): rounded together to the
    /// decimals the smallest and largest magnitudes need, then formatted as one vector.
    static func estimateColumns(_ estimates: [Double], standardErrors: [Double]) -> (estimates: [String], standardErrors: [String]) {
        let columns = coefficientColumns([estimates, standardErrors])
        return (columns[0], columns[1])
    }

    /// printCoefmat's joint formatting of its coefficient columns (`cs.ind`: Estimate, Std. Error
    /// and, in lmerTest's table, df): rounded to max(1, digits − digmin) decimals for the smallest
    /// non-zero magnitude, then `format(digits = 4)` of all entries together.
    static func coefficientColumns(_ columns: [[Double]]) -> [[String]] {
        let joint = columns.flatMap { $0 }
        let magnitudes = joint.map(abs).filter { $0 > 0 && $0.isFinite }
        let roundTo = max(1, 4 - (1 + Int(floor(log10(magnitudes.min() ?? 1)))),
                          4 - (1 + Int(floor(log10(magnitudes.max() ?? 1)))))
        let formatted = LmerSummary.rFormat(joint.map { LmerSummary.roundDecimals($0, roundTo) }, digits: 4)
        var result: [[String]] = []
        var start = 0
        for column in columns {
            result.append(Array(formatted[start..<(start + column.count)]))
            start += column.count
        }
        return result
    }

    /// The correlation-of-fixed-effects block: `format(round(C, 3), nsmall = 3)` of the whole matrix
    /// (one width), lower triangle, rows abbreviated to 11 and columns to 6 characters; lme4's note
    /// instead when p > 12; nothing for p = 1.
    static func correlationBlock(names: [String], covariance: DenseMatrix) -> String {
        let p = names.count
        if p > 12 { return "\nCorrelation matrix not shown by default, as p = \(p) > 12.\n" }
        guard p > 1 else { return "" }
        var cells = [[String]](repeating: [String](repeating: "", count: p), count: p)
        for j in 0..<p { for i in 0..<p {
            // √cᵢᵢ √cⱼⱼ rather than √(cᵢᵢ cⱼⱼ): the product overflows for a response of order 1e150.
            let scale = covariance[i, i].squareRoot() * covariance[j, j].squareRoot()
            cells[i][j] = formatCorrelation(i == j ? 1 : covariance[i, j] / scale, decimals: 3)
        } }
        let width = cells.flatMap { $0 }.map(\.count).max() ?? 0
        var columns: [[String]] = [[""] + names.dropFirst().map { LmerSummary.abbreviate($0, minimumLength: 11) }]
        for j in 0..<(p - 1) {
            columns.append([LmerSummary.abbreviate(names[j], minimumLength: 6)]
                           + (1..<p).map { i in i > j ? LmerSummary.pad(left: cells[i][j], to: width) : "" })
        }
        return "\nCorrelation of Fixed Effects:\n" + LmerSummary.leftAlignedTable(columns, leadingSpace: false)
    }

    /// `format(round(r, d), nsmall = d)` for one correlation: d decimals, no negative zero, NaN as R
    /// prints it.
    static func formatCorrelation(_ r: Double, decimals: Int) -> String {
        guard r.isFinite else { return r.isNaN ? "NaN" : (r > 0 ? "Inf" : "-Inf") }
        return String(format: "%.\(decimals)f", LmerSummary.roundDecimals(r, decimals) + 0)
    }
}
