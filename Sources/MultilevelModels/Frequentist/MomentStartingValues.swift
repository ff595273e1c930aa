import MultilevelData
import MultilevelMath

/// A starting θ for the optimiser from one-way ANOVA moment estimates, for designs whose random
/// effects are all scalar intercepts, `(1 | g₁) + (1 | g₂) + …`: from the OLS residuals e of
/// y ~ X, each factor k gets the unbalanced one-way ANOVA estimate (Searle, Casella & McCulloch
/// 1992, §3.5)
///
///     σ̂ₖ² = (MSB − MSW) / n₀,   n₀ = (n − Σ_g n_g²/n) / (G − 1),
///
/// floored at 0, and θₖ = σ̂ₖ/σ̂ with σ̂² = s²(e) − Σₖ σ̂ₖ² (at least s²(e)/10). In a crossed
/// design the other factors inflate MSW and MSB alike, so the estimates are rough but usually
/// within a few tens of percent of the REML optimum — close enough that the optimiser starts at a
/// small radius instead of walking from lme4's θ = 1. Nil for any other random-effects structure.
/// Only a starting point: the REML/ML optimum does not depend on it.
func momentStartingTheta(design: ModelDesign, terms: [RandomEffectTerm]) -> [Double]? {
    let n = design.rowCount
    let x = design.fixedEffects
    guard n > x.columns, terms.allSatisfy({ $0.columnCount == 1 && $0.values.allSatisfy { $0 == 1 } }) else { return nil }
    guard let beta = try? leastSquaresSolution(x, design.response).coefficients else { return nil }
    let fitted = x.multiplied(by: beta)
    let residuals = (0..<n).map { design.response[$0] - fitted[$0] }
    let mean = residuals.reduce(0, +) / Double(n)
    let residualVariance = residuals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - x.columns)
    var components: [Double] = []
    for term in terms {
        let groups = term.grouping.levelCount
        let index = term.grouping.levelIndex
        guard groups > 1, n > groups else { return nil }
        var sums = [Double](repeating: 0, count: groups), counts = sums
        for r in 0..<n { sums[index[r]] += residuals[r]; counts[index[r]] += 1 }
        var within = 0.0, between = 0.0, squaredCounts = 0.0
        for r in 0..<n {
            let deviation = residuals[r] - sums[index[r]] / counts[index[r]]
            within += deviation * deviation
        }
        for g in 0..<groups where counts[g] > 0 {
            let deviation = sums[g] / counts[g] - mean
            between += counts[g] * deviation * deviation
            squaredCounts += counts[g] * counts[g]
        }
        let meanSquareBetween = between / Double(groups - 1)
        let meanSquareWithin = within / Double(n - groups)
        let n0 = (Double(n) - squaredCounts / Double(n)) / Double(groups - 1)
        components.append(Swift.max((meanSquareBetween - meanSquareWithin) / n0, 0))
    }
    let sigmaSquared = Swift.max(residualVariance - components.reduce(0, +), 0.1 * residualVariance)
    guard sigmaSquared > 0, sigmaSquared.isFinite else { return nil }
    let theta = components.map { ($0 / sigmaSquared).squareRoot() }
    return theta.allSatisfy(\.isFinite) ? theta : nil
}
