import MultilevelData
import MultilevelMath

extension ModelDesign {
    /// The design restricted to `rows` (indices into the used rows, repeats allowed, in the given
    /// order): response, trials, offset, the addition terms' values, X, the monotonic effects'
    /// categories (D stays the fitted one), the random-effect terms'
    /// values and level indices, and source lines are copied row by row; grouping levels are kept as they are (a level no row uses adds
    /// a random effect with no data, which changes neither the REML criterion nor the estimates).
    public func selectingRows(_ rows: [Int]) -> ModelDesign {
        let m = rows.count
        let p = fixedEffectCount
        var x = DenseMatrix(rows: m, columns: p)
        for j in 0..<p { for (i, row) in rows.enumerated() { x[i, j] = fixedEffects[row, j] } }
        var result = self
        result.response = rows.map { response[$0] }
        result.trials = trials.map { values in rows.map { values[$0] } }
        result.offset = offset.map { values in rows.map { values[$0] } }
        if var additions {
            func pick<T>(_ values: [T]?) -> [T]? { values.map { values in rows.map { values[$0] } } }
            additions.standardErrors = pick(additions.standardErrors)
            additions.censoring = pick(additions.censoring)
            additions.censoringUpper = pick(additions.censoringUpper)
            additions.weights = pick(additions.weights)
            additions.truncationLower = pick(additions.truncationLower)
            additions.truncationUpper = pick(additions.truncationUpper)
            result.additions = additions
        }
        result.fixedEffects = x
        result.monotonic = monotonic.map { effect in
            var picked = effect
            picked.categories = rows.map { effect.categories[$0] }
            if !effect.covariateValues.isEmpty { picked.covariateValues = rows.map { effect.covariateValues[$0] } }
            return picked
        }
        result.sourceLines = rows.map { $0 < sourceLines.count ? sourceLines[$0] : 0 }
        result.randomTerms = randomTerms.map { term in
            let q = term.columnCount
            var values = [Double](repeating: 0, count: m * q)
            for (i, row) in rows.enumerated() { for j in 0..<q { values[i * q + j] = term.values[row * q + j] } }
            var grouping = term.grouping
            grouping.levelIndex = rows.map { term.grouping.levelIndex[$0] }
            var picked = RandomEffectTerm(grouping: grouping, columnNames: term.columnNames, values: values, text: term.text)
            picked.monotonic = term.monotonic
            return picked
        }
        return result
    }
}

/// A uniform draw from 0..<count (count > 0).
@inlinable
func uniformIndex(_ count: Int, using generator: inout Xoshiro256PlusPlus) -> Int {
    min(Int(generator.nextUniform() * Double(count)), count - 1)
}
