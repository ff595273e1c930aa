import Foundation

/// The likelihood-ratio test of a smaller model nested in a larger one, as lme4's
/// `anova(lmer_fit, lm_fit)` reports it: statistic 2(ℓ₁ − ℓ₀) on ML log-likelihoods, referred to
/// the naive χ² distribution with df = difference in the number of parameters. When the larger
/// model adds variance components the null value lies on the boundary of the parameter space, and
/// the correct reference is a χ² mixture (Self & Liang 1987; Stram & Lee 1994): the naive p-value
/// is then conservative (too large).
public struct LikelihoodRatioTest: Sendable, Equatable {
    public var statistic: Double
    public var degreesOfFreedom: Int
    /// P(χ²_df ≥ statistic).
    public var pValue: Double

    public init(smallerLogLikelihood: Double, smallerParameters: Int, largerLogLikelihood: Double, largerParameters: Int) {
        statistic = max(0, 2 * (largerLogLikelihood - smallerLogLikelihood))
        degreesOfFreedom = largerParameters - smallerParameters
        pValue = degreesOfFreedom > 0 ? chiSquareUpperTail(statistic, degreesOfFreedom: Double(degreesOfFreedom)) : .nan
    }
}

/// P(χ²_k ≥ x) = 1 − P(k/2, x/2), P the regularised lower incomplete gamma function.
func chiSquareUpperTail(_ x: Double, degreesOfFreedom k: Double) -> Double {
    guard x > 0 else { return 1 }
    return max(0, 1 - posteriorRegularizedLowerGamma(k / 2, x / 2))
}
