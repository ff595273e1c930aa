import Foundation

/// The beta distribution with shapes a, b > 0: density xᵃ⁻¹ (1 − x)ᵇ⁻¹ / B(a, b) on (0, 1).
///
/// cdf I_x(a, b) (`logRegularizedIncompleteBeta`), quantile `inverseRegularizedIncompleteBeta`.
/// Invalid parameters give NaN results.
public struct BetaDistribution: ContinuousDistribution, Hashable {
    public var alpha: Double
    public var beta: Double

    public init(alpha: Double, beta: Double) {
        self.alpha = alpha
        self.beta = beta
    }

    @usableFromInline var isValid: Bool { alpha > 0 && beta > 0 && alpha.isFinite && beta.isFinite }

    /// log density via the cancellation-free prefactor xᵃ (1 − x)ᵇ / B(a, b) of the incomplete
    /// beta function, minus log x + log(1 − x).
    public func logDensity(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        if x < 0 || x > 1 { return -.infinity }
        if x == 0 { return alpha < 1 ? .infinity : (alpha == 1 ? -logBeta(alpha, beta) : -.infinity) }
        if x == 1 { return beta < 1 ? .infinity : (beta == 1 ? -logBeta(alpha, beta) : -.infinity) }
        return logIncompleteBetaPrefactor(alpha, beta, x, 1 - x) - log(x) - log1p(-x)
    }

    /// d/dx of the log density: (a − 1)/x − (b − 1)/(1 − x).
    @inlinable
    public func logDensityDerivative(_ x: Double) -> Double { (alpha - 1) / x - (beta - 1) / (1 - x) }

    public func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double) {
        guard isValid, !x.isNaN else { return (.nan, .nan) }
        if x <= 0 { return (-.infinity, 0) }
        if x >= 1 { return (0, -.infinity) }
        let r = logRegularizedIncompleteBeta(alpha, beta, x: x, y: 1 - x)
        return (r.logI, r.logComplement)
    }


    /// The p-quantile (R's `qbeta(p, a, b)`).
    public func quantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return inverseRegularizedIncompleteBeta(alpha, beta, p)
    }
}
