import MultilevelData

/// A population-level coefficient a hierarchically centred term is also centred on.
public struct CentringCovariate: Sendable, Equatable {
    /// The coefficient's index in b (its unconstrained offset; `ParameterLayout.coefficientOffset` is 0).
    public var coefficient: Int
    /// Per level of the term, the predictor's value in the model's linear predictor there (the
    /// column minus its mean when the model has an intercept, as the posterior's X_c).
    public var values: [Double]
}

/// Hierarchical centring on covariates (Gelfand, Sahu & Carlin 1995, Biometrika 82, §4; Gelfand,
/// Sahu & Carlin 1996, "Efficient parametrizations for generalized linear mixed models"): when a
/// population-level predictor is constant within every level of a hierarchically centred term
/// (grouseticks' YEAR within BROOD and cHEIGHT within LOCATION, Salamanders' `mined` within
/// site), the likelihood sees only b_k c_jk + r_j, and centred, the coefficient b_k and the mean of
/// the term's effects over the levels with c_jk ≠ 0 form a ridge only the priors bound — the same
/// ridge `HierarchicalCentring` removes for the Intercept, with the same cure. The term samples
///
///     γ_j = γ_parent[g(j)] + Σ_k b_k c_jk + r_j,
///
/// so the data fall on γ_j alone and b_k enters only the prior of γ_j, where it is as well
/// determined as a regression of the γ_j on c_jk. The map (b, γ) ↦ (b, r) is unit triangular, so
/// the posterior is unchanged (log-Jacobian 0); the gradient gains ∂/∂b_k −= Σ_j c_jk ∂/∂r_j.
/// Each predictor is attached to at most one term (two would make a new ridge): the hierarchically
/// centred term with the fewest levels within whose every level it is constant.
public enum CovariateCentring {
    /// Per term of `design`, the covariates it is centred on, given the terms' centring parents
    /// (`HierarchicalCentring.parents`; a term without a parent gets none).
    public static func covariates(design: ModelDesign, parents: [CentringParent?]) -> [[CentringCovariate]] {
        let terms = design.randomTerms
        var result = [[CentringCovariate]](repeating: [], count: terms.count)
        let shift = design.hasIntercept ? 1 : 0
        let columnCount = design.fixedEffectCount - shift
        let n = design.rowCount
        guard columnCount > 0, n > 0, parents.contains(where: { $0 != nil }) else { return result }
        let eligible = terms.indices.filter { parents[$0] != nil }
            .sorted { terms[$0].grouping.levelCount < terms[$1].grouping.levelCount }
        for k in 0..<columnCount {
            let column = (0..<n).map { design.fixedEffects[$0, k + shift] }
            let mean = design.hasIntercept ? column.reduce(0, +) / Double(n) : 0
            for t in eligible {
                guard let values = levelValues(column, grouping: terms[t].grouping) else { continue }
                if Set(values).count < 2 { continue }
                result[t].append(CentringCovariate(coefficient: k, values: values.map { $0 - mean }))
                break
            }
        }
        return result
    }

    /// The column's value in each level of `grouping` when it is the same on every row of the
    /// level (and every level has a row); nil otherwise.
    static func levelValues(_ column: [Double], grouping: GroupingFactor) -> [Double]? {
        var values = [Double](repeating: .nan, count: grouping.levelCount)
        for (i, j) in grouping.levelIndex.enumerated() {
            guard j >= 0, j < values.count else { return nil }
            if values[j].isNaN { values[j] = column[i] } else if values[j] != column[i] { return nil }
        }
        return values.contains(where: \.isNaN) ? nil : values
    }
}

extension CovariateCentring {
    /// r_j −= b_k c_jk for the term's levels (`effects[j]`, level j).
    @inline(__always)
    static func subtract(_ covariate: CentringCovariate, coefficient b: Double, from effects: UnsafeMutablePointer<Double>) {
        covariate.values.withUnsafeBufferPointer { c in
            for j in 0..<c.count { effects[j] -= b * c[j] }
        }
    }

    /// Σ_j c_jk ∂/∂r_j, with ∂/∂r_j at `effectGradient[j]` (to subtract from ∂/∂b_k).
    @inline(__always)
    static func pullBack(_ covariate: CentringCovariate, effectGradient: UnsafePointer<Double>) -> Double {
        covariate.values.withUnsafeBufferPointer { c in
            var sum = 0.0
            for j in 0..<c.count { sum += c[j] * effectGradient[j] }
            return sum
        }
    }
}
