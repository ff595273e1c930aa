import Foundation
import MultilevelMath

/// A generalized Pareto distribution fitted to the exceedances of a tail: shape k (ξ; k > 0 heavy
/// tail, k ≥ 1 infinite mean) and scale σ, with cdf 1 − (1 + k x/σ)^(−1/k).
public struct GeneralizedParetoFit: Sendable, Equatable {
    /// Shape k (the Pareto k̂ of PSIS).
    public var shape: Double
    /// Scale σ > 0.
    public var scale: Double

    /// The p-quantile σ ((1 − p)^(−k) − 1)/k (σ(−log(1 − p)) when k = 0).
    public func quantile(_ p: Double) -> Double {
        if shape == 0 { return -scale * log1p(-p) }
        return scale * expm1(-shape * log1p(-p)) / shape
    }

    /// Fits by the empirical-Bayes posterior mean of Zhang & Stephens (2009), *A new and efficient
    /// estimation method for the generalized Pareto distribution*, Technometrics 51(3), §4, with the
    /// weakly informative prior and the shrinkage the loo package applies (Vehtari et al. 2024,
    /// *Pareto smoothed importance sampling*, JMLR 25, Appendix C):
    ///
    /// - grid θⱼ = 1/x₍ₙ₎ + (1 − √(m/(j − ½)))/(3 x₍⌊n/4 + ½⌋₎), j = 1…m, m = 30 + ⌊√n⌋
    ///   (prior constant 3; x₍ᵢ₎ the order statistics);
    /// - profile log likelihood ℓ(θ) = n (log(−θ/k(θ)) − k(θ) − 1), k(θ) = mean log(1 − θxᵢ);
    /// - θ̂ = Σ θⱼ wⱼ with wⱼ ∝ exp ℓ(θⱼ); k = mean log(1 − θ̂ xᵢ), σ = −k/θ̂;
    /// - k shrunk towards ½: k · n/(n + 10) + 5/(n + 10).
    ///
    /// - Parameter exceedances: positive tail exceedances, sorted increasingly.
    /// - Returns: nil when the fit is undefined (fewer than 2 values, or a NaN shape).
    public static func zhangStephens(sortedExceedances x: [Double]) -> GeneralizedParetoFit? {
        let n = x.count
        guard n >= 2, let largest = x.last, largest > 0 else { return nil }
        let m = 30 + Int(Double(n).squareRoot())
        let firstQuartile = x[max(0, Int((Double(n) / 4 + 0.5).rounded(.down)) - 1)]
        guard firstQuartile > 0 else { return nil }
        let prior = 3.0
        var theta = [Double](repeating: 0, count: m)
        var logLikelihood = [Double](repeating: 0, count: m)
        for j in 0..<m {
            let t = 1 / largest + (1 - (Double(m) / (Double(j + 1) - 0.5)).squareRoot()) / prior / firstQuartile
            theta[j] = t
            var k = 0.0
            for value in x { k += log1p(-t * value) }
            k /= Double(n)
            logLikelihood[j] = Double(n) * (log(-t / k) - k - 1)
        }
        let normaliser = logSumExp(logLikelihood)
        var thetaHat = 0.0
        for j in 0..<m where logLikelihood[j].isFinite {
            thetaHat += theta[j] * exp(logLikelihood[j] - normaliser)
        }
        var k = 0.0
        for value in x { k += log1p(-thetaHat * value) }
        k /= Double(n)
        let sigma = -k / thetaHat
        let shrunk = k * Double(n) / Double(n + 10) + 10 * 0.5 / Double(n + 10)
        guard !shrunk.isNaN, !sigma.isNaN else { return nil }
        return GeneralizedParetoFit(shape: shrunk, scale: sigma)
    }
}
