import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// emmeans' reference grid of a fit (`ref_grid` with its defaults): every combination of the
/// levels of the population-level factors (the first factor varying fastest), each numeric
/// predictor at its mean over the rows fitted, and the model-matrix row of each grid point from
/// the fit's design recipe (`NewDataDesign`, so poly(), scale() and contrasts keep the fit's
/// parameters). Cells of chosen factors average those rows with equal weights.
public struct ReferenceGrid: Sendable {
    /// One cell of the `specs` × `by` factors: its levels, emmeans' label for contrasts and the
    /// averaged model-matrix row l.
    public struct Cell: Sendable {
        public var levels: [String]
        public var byLevels: [String]
        public var label: String
        public var l: [Double]
    }

    /// The population-level factors in order of appearance in the formula, with their levels.
    public var factorNames: [String]
    public var factorLevels: [[String]]
    /// The numeric population-level predictors and their means.
    public var covariates: [(name: String, value: Double)]
    /// Per grid row, the level index of each factor.
    public var levelIndices: [[Int]]
    /// The model-matrix rows of the grid (grid rows × p).
    public var x: DenseMatrix

    /// The grid of a fit of `formula` to `data` (the rows fitted, `factors` forced to factors)
    /// with design `design`.
    public init(formula: Formula, design fitted: ModelDesign, data: DataTable, factors: [String]) throws {
        var variables: [String] = []
        for term in formula.fixed.terms {
            for variable in term.variables {
                for (name, _) in variable.node.referencedNames where !variables.contains(name) && data.column(named: name) != nil {
                    variables.append(name)
                }
            }
        }
        var factorNames: [String] = [], factorLevels: [[String]] = [], covariates: [(String, Double)] = []
        for name in variables {
            switch data.column(named: name)! {
            case .factor(let levels, _):
                factorNames.append(name)
                factorLevels.append(levels)
            case .numeric(let values):
                covariates.append((name, values.reduce(0, +) / Double(max(values.count, 1))))
            }
        }
        let size = factorLevels.reduce(1) { $0 * $1.count }
        guard size <= 100_000 else {
            throw MarginalMeansError("the reference grid would have \(size) rows (the product of the factors' levels); emmeans-style means are limited to 100,000")
        }
        var indices: [[Int]] = []
        for row in 0..<size {
            var rest = row
            indices.append(factorLevels.map { levels in
                let index = rest % levels.count
                rest /= levels.count
                return index
            })
        }
        // The grid as a CSV table through the data layer, so that the new-data design applies the fit's recipe.
        let responseNames = NewDataDesign.responseColumnNames(formula)
        let columns = data.columnNames.filter { !responseNames.contains($0) }
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var csv = columns.map(quoted).joined(separator: ",") + "\n"
        for row in indices {
            csv += columns.map { name -> String in
                if let f = factorNames.firstIndex(of: name) { return quoted(factorLevels[f][row[f]]) }
                if let c = covariates.first(where: { $0.0 == name }) { return formatNumber(c.1) }
                switch data.column(named: name)! {
                case .factor(let levels, _): return quoted(levels.first ?? "")
                case .numeric(let values): return formatNumber(values.first ?? 0)
                }
            }.joined(separator: ",") + "\n"
        }
        let table = try DataTable(csv: csv, fileName: "reference grid")
        let design = try NewDataDesign.build(formula: formula, fitted: fitted, fittedData: data, factors: factors, newData: table,
                                             groupTerms: .none, allowNewLevels: false)
        self.factorNames = factorNames
        self.factorLevels = factorLevels
        self.covariates = covariates
        self.levelIndices = indices
        self.x = design.fixedEffects
    }

    /// The cells of `specs` within cells of `by` (both lists of factor names), `by` outermost, the
    /// first factor of each list varying fastest, as emmeans lists them.
    public func cells(specs: [String], by: [String]) -> [Cell] {
        let specIndex = specs.map { factorNames.firstIndex(of: $0)! }
        let byIndex = by.map { factorNames.firstIndex(of: $0)! }
        func combinations(_ factors: [Int]) -> [[Int]] {
            let count = factors.reduce(1) { $0 * factorLevels[$1].count }
            return (0..<count).map { c in
                var rest = c
                return factors.map { f in
                    let index = rest % factorLevels[f].count
                    rest /= factorLevels[f].count
                    return index
                }
            }
        }
        // A level that reads as a number is written with its factor's name in contrast labels.
        let prefixed = specIndex.map { f in factorLevels[f].allSatisfy { Double($0) != nil } }
        var result: [Cell] = []
        for byLevels in combinations(byIndex) {
            for specLevels in combinations(specIndex) {
                let members = levelIndices.indices.filter { row in
                    zip(specIndex, specLevels).allSatisfy { levelIndices[row][$0.0] == $0.1 }
                        && zip(byIndex, byLevels).allSatisfy { levelIndices[row][$0.0] == $0.1 }
                }
                var l = [Double](repeating: 0, count: x.columns)
                for row in members { for j in 0..<x.columns { l[j] += x[row, j] } }
                for j in l.indices { l[j] /= Double(members.count) }
                let levels = zip(specIndex, specLevels).map { factorLevels[$0.0][$0.1] }
                let label = zip(specIndex.indices, levels).map { prefixed[$0.0] ? factorNames[specIndex[$0.0]] + $0.1 : $0.1 }
                    .joined(separator: " ")
                result.append(Cell(levels: levels, byLevels: zip(byIndex, byLevels).map { factorLevels[$0.0][$0.1] },
                                   label: label, l: l))
            }
        }
        return result
    }
}
