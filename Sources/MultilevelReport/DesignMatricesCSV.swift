import Foundation
import MultilevelData

/// The model matrices of a design as CSV files, as a course reads them off lme4
/// (`getME(fit, "X")`, `getME(fit, "Z")`): X dense with R's column names; Z dense with one column
/// per level and term column — named `r_<group>[<level>,<column>]` (DESIGN §3) and ordered as lme4
/// and the fit order them (terms by decreasing number of levels, then level-major) — while it has
/// at most `denseCellLimit` cells, and beyond that as 1-based sparse triplets (`row,column,value`,
/// one line per nonzero, row by row; `Matrix::sparseMatrix(i, j, x = value)` reads them back) with
/// the column names in a file of their own.
public enum DesignMatricesCSV {
    /// Z is written dense up to this many cells (rows × columns): 1,000,000, about 2 MB of zeros.
    public static let denseCellLimit = 1_000_000

    /// X.csv: a header of column names, one row per observation.
    public static func fixedEffects(_ design: ModelDesign) -> String {
        let x = design.fixedEffects
        var out = design.fixedEffectNames.map(quoted).joined(separator: ",") + "\n"
        for i in 0..<x.rows {
            out += (0..<x.columns).map { number(x[i, $0]) }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The random-effect terms in lme4's order (decreasing number of levels, stable).
    static func orderedTerms(_ design: ModelDesign) -> [RandomEffectTerm] {
        let terms = design.randomTerms
        return terms.indices.sorted { a, b in
            let la = terms[a].grouping.levelCount, lb = terms[b].grouping.levelCount
            return la != lb ? la > lb : a < b
        }.map { terms[$0] }
    }

    /// Z's column names, in column order.
    public static func randomEffectsColumnNames(_ design: ModelDesign) -> [String] {
        orderedTerms(design).flatMap { term in
            term.grouping.levels.flatMap { level in
                term.brmsColumnNames.map { "r_\(term.grouping.name)[\(level),\($0)]" }
            }
        }
    }

    /// The files for Z: ["Z.csv"] dense, or ["Z_triplets.csv", "Z_columns.csv"] beyond the limit.
    public static func randomEffects(_ design: ModelDesign, denseCellLimit: Int = denseCellLimit)
        -> [(file: String, csv: String)] {
        let names = randomEffectsColumnNames(design)
        let terms = orderedTerms(design)
        var offsets: [Int] = []
        var running = 0
        for term in terms { offsets.append(running); running += term.grouping.levelCount * term.columnCount }
        let n = design.rowCount
        if n * names.count <= denseCellLimit {
            var out = names.map(quoted).joined(separator: ",") + "\n"
            var row = [String](repeating: "0", count: names.count)
            for i in 0..<n {
                var touched: [Int] = []
                for (k, term) in terms.enumerated() {
                    let q = term.columnCount
                    let start = offsets[k] + term.grouping.levelIndex[i] * q
                    for j in 0..<q { row[start + j] = number(term.values[i * q + j]); touched.append(start + j) }
                }
                out += row.joined(separator: ",") + "\n"
                for c in touched { row[c] = "0" }
            }
            return [("Z.csv", out)]
        }
        var triplets = "row,column,value\n"
        for i in 0..<n {
            var entries: [(Int, Double)] = []
            for (k, term) in terms.enumerated() {
                let q = term.columnCount
                let start = offsets[k] + term.grouping.levelIndex[i] * q
                for j in 0..<q where term.values[i * q + j] != 0 { entries.append((start + j, term.values[i * q + j])) }
            }
            for (column, value) in entries.sorted(by: { $0.0 < $1.0 }) {
                triplets += "\(i + 1),\(column + 1),\(number(value))\n"
            }
        }
        var columns = "column,name\n"
        for (c, name) in names.enumerated() { columns += "\(c + 1),\(quoted(name))\n" }
        return [("Z_triplets.csv", triplets), ("Z_columns.csv", columns)]
    }

    private static func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// 15 significant digits, R's `write.csv` precision; integers without a decimal point.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.15g", value)
    }
}
