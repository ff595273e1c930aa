import MultilevelMath

/// The Gibbs update of the residual variance σ² of a gaussian model given (β, b):
///
///     σ² | β, b, y ~ IG(α + n/2, β₀ + RSS/2),     RSS = ‖y − Xβ − Zb‖²,
///
/// where (α, β₀) are the inverse-gamma prior's, or (ν/2, ν/a) for brms' half-t prior on σ through
/// its auxiliary a (`HalfTScaleMixture`). RSS comes from the gaussian sufficient statistics
/// (`GaussianSufficientStatistics`: ỹᵀỹ − 2θᵀWᵀỹ + θᵀWᵀWθ), so an update costs O(groups · q²),
/// not O(n).
struct ResidualVarianceUpdate: Sendable {
    var prior: VariancePrior
    /// Number of observations n.
    let observationCount: Int

    /// RSS at θ = (Intercept − ȳ, b, r_1, r_2, …) in `PosteriorData`'s layout; `product` is scratch
    /// of θ's length.
    static func residualSumOfSquares(_ statistics: GaussianSufficientStatistics, theta: UnsafeMutablePointer<Double>,
                                     product: UnsafeMutablePointer<Double>, thetaCount: Int) -> Double {
        max(0, statistics.residualSumOfSquares(theta: theta, product: product, thetaCount: thetaCount))
    }

    /// Draws σ² given the residual sum of squares (and refreshes the prior's auxiliary variable).
    mutating func draw(residualSumOfSquares: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        prior.update(count: observationCount, sumOfSquares: residualSumOfSquares, rng: &rng)
    }
}
