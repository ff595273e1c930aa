import MultilevelData

/// Variance components of one random-effect term: lme4's `VarCorr` entry.
public struct VarianceComponent: Sendable {
    /// Grouping factor name (`Subject`, `batch:cask`).
    public var group: String
    /// Column names as R prints them (`(Intercept)`, `Days`).
    public var columnNames: [String]
    /// Standard deviations σ·√diag(TTᵀ).
    public var standardDeviations: [Double]
    /// Correlation matrix, row-major q × q.
    public var correlations: [Double]

    public init(group: String, columnNames: [String], standardDeviations: [Double], correlations: [Double]) {
        self.group = group
        self.columnNames = columnNames
        self.standardDeviations = standardDeviations
        self.correlations = correlations
    }
}

extension RelativeCovarianceFactor {
    /// lme4's `VarCorr` at θ for `terms` (fitting order): Σₖ = σ² Tₖ Tₖᵀ as standard deviations and
    /// correlations (σ = 1 for a GLMM without a scale parameter).
    public func varianceComponents(of terms: [RandomEffectTerm], theta: [Double], sigma: Double) -> [VarianceComponent] {
        terms.indices.map { k in
            let (sds, correlations) = standardDeviationsAndCorrelations(ofTerm: k, theta: theta, sigma: sigma)
            return VarianceComponent(group: terms[k].grouping.name, columnNames: terms[k].columnNames,
                                     standardDeviations: sds, correlations: correlations)
        }
    }

    /// Conditional standard deviations of b = Λθ u (`ranef(condVar = TRUE)`): σ √(Tₖ Bₗ Tₖᵀ)ᵢᵢ for
    /// each term k, level l and column i, Bₗ being the level's q × q block of the conditional
    /// covariance of u up to σ² (`sphericalConditionalCovarianceBlocks`). Level-major per term.
    public func conditionalStandardDeviations(of terms: [RandomEffectTerm], theta: [Double], sigma: Double,
                                              sphericalBlocks blocks: [[Double]]) -> [[Double]] {
        terms.indices.map { k in
            let q = terms[k].columnCount
            let t = template(ofTerm: k, theta: theta)
            var sds = [Double](repeating: 0, count: terms[k].grouping.levelCount * q)
            for level in 0..<terms[k].grouping.levelCount {
                let base = level * q * q
                for i in 0..<q {
                    // (T B Tᵀ)ᵢᵢ = Σ_{a,b} T[i,a] B[a,b] T[i,b].
                    var sum = 0.0
                    for a in 0...i { for b in 0...i { sum += t[i + a * q] * blocks[k][base + a + b * q] * t[i + b * q] } }
                    sds[level * q + i] = sigma * Swift.max(sum, 0).squareRoot()
                }
            }
            return sds
        }
    }
}

/// Moves template diagonals of an optimum that ended within 1e-5 of their bound 0 onto it, one at a
/// time, when that does not raise the objective by more than 1e-10: an exact boundary fit, as lme4
/// reports one. `lowerBounds` covers θ, the leading entries of `x` (a GLMM's x continues with β).
func snappingToBoundary(_ x: [Double], value: Double, lowerBounds: [Double],
                        objective: ([Double]) -> Double) -> (x: [Double], value: Double) {
    var x = x
    var best = value
    for k in lowerBounds.indices where lowerBounds[k] == 0 && x[k] > 0 && x[k] < 1e-5 {
        var candidate = x
        candidate[k] = 0
        let value = objective(candidate)
        if value <= best + 1e-10 { x = candidate; best = Swift.min(best, value) }
    }
    return (x, best)
}
