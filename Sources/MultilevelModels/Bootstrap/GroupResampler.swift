import MultilevelData
import MultilevelMath

/// The cluster bootstrap for a mixed-model design (Davison & Hinkley 1997, §3.8, resampling
/// clusters; Field & Welsh 2007): each replicate draws L levels of the first grouping factor (the
/// first random-effect term's, the outermost of a nested `(1 | a/b)`) uniformly with replacement
/// from its L levels, and takes all rows of every drawn level. Every draw becomes a distinct level
/// (`<draw>:<label>`), so a level drawn twice counts as two groups; a grouping factor nested in the
/// resampled one (each of its levels within a single outer level, e.g. `a:b`) is relabelled per
/// draw the same way, while crossed factors keep their levels.
public struct GroupResampler: Sendable {
    public let design: ModelDesign
    /// The resampled grouping factor's name.
    public let groupName: String
    /// The rows of each level of the resampled factor.
    let rowsOfLevel: [[Int]]
    /// For each random-effect term: 0 keeps its grouping, 1 is the resampled factor, 2 is nested in it.
    let roles: [Int]

    /// Throws when the design has no grouping factor, or the first has fewer than two levels used.
    public init(design: ModelDesign) throws {
        guard let first = design.randomTerms.first?.grouping else {
            throw MixedModelError("resampling groups needs a grouping factor: add a term such as (1 | group)")
        }
        var rows = [[Int]](repeating: [], count: first.levelCount)
        for (r, level) in first.levelIndex.enumerated() { rows[level].append(r) }
        rows.removeAll { $0.isEmpty }
        guard rows.count >= 2 else {
            throw MixedModelError("resampling groups needs at least 2 levels of \(first.name)")
        }
        self.design = design
        groupName = first.name
        rowsOfLevel = rows
        roles = design.randomTerms.map { term in
            if term.grouping.name == first.name { return 1 }
            // Nested when every level of this factor occurs within one level of the first.
            var outerOf = [Int](repeating: -1, count: term.grouping.levelCount)
            for (r, level) in term.grouping.levelIndex.enumerated() {
                let outer = first.levelIndex[r]
                if outerOf[level] == -1 { outerOf[level] = outer } else if outerOf[level] != outer { return 0 }
            }
            return 2
        }
    }

    /// One resampled design.
    public func resample(using generator: inout Xoshiro256PlusPlus) -> ModelDesign {
        let draws = (0..<rowsOfLevel.count).map { _ in uniformIndex(rowsOfLevel.count, using: &generator) }
        var rows: [Int] = []
        var drawOfRow: [Int] = []
        for (k, level) in draws.enumerated() {
            rows += rowsOfLevel[level]
            drawOfRow += [Int](repeating: k, count: rowsOfLevel[level].count)
        }
        var result = design.selectingRows(rows)
        for (t, role) in roles.enumerated() where role != 0 {
            let original = design.randomTerms[t].grouping
            var newIndex: [Int: Int] = [:]
            var labels: [String] = []
            var levelIndex = [Int](repeating: 0, count: rows.count)
            for (i, row) in rows.enumerated() {
                let old = original.levelIndex[row]
                let key = drawOfRow[i] * original.levelCount + old
                if let existing = newIndex[key] {
                    levelIndex[i] = existing
                } else {
                    newIndex[key] = labels.count
                    levelIndex[i] = labels.count
                    labels.append("\(drawOfRow[i] + 1):\(original.levels[old])")
                }
            }
            result.randomTerms[t].grouping = GroupingFactor(name: original.name, levels: labels, levelIndex: levelIndex)
        }
        return result
    }
}
