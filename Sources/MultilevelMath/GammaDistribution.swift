import Foundation

/// The gamma distribution with shape α > 0 and rate β > 0: density βᵅ xᵅ⁻¹ e^(−βx) / Γ(α).
///
/// cdf P(α, βx) (`logRegularizedIncompleteGamma`), quantile `inverseRegularizedGammaP`/β.
/// Invalid parameters give NaN results.
public struct GammaDistribution: ContinuousDistribution, Hashable {
    /// Shape α > 0.
    public var shape: Double
    /// Rate β > 0 (scale 1/β).
    public var rate: Double

    public init(shape: Double, rate: Double = 1) {
        self.shape = shape
        self.rate = rate
    }

    @usableFromInline var isValid: Bool { shape > 0 && rate > 0 && shape.isFinite && rate.isFinite }

    /// log density, formed as log[(βx)ᵅ e^(−βx)/Γ(α)] − log x with the cancellation-free
    /// prefactor of the incomplete gamma function (accurate for large α).
    public func logDensity(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        if x < 0 || x == .infinity { return -.infinity }
        if x == 0 {
            return shape < 1 ? .infinity : (shape == 1 ? log(rate) : -.infinity)
        }
        return logIncompleteGammaPrefactor(shape, rate * x) - log(x)
    }

    /// d/dx of the log density: (α − 1)/x − β.
    @inlinable
    public func logDensityDerivative(_ x: Double) -> Double { (shape - 1) / x - rate }

    /// log P(X ≤ x) and log P(X > x).
    public func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double) {
        guard isValid, !x.isNaN else { return (.nan, .nan) }
        if x <= 0 { return (-.infinity, 0) }
        let r = logRegularizedIncompleteGamma(shape, rate * x)
        return (r.logP, r.logQ)
    }


    /// The p-quantile (R's `qgamma(p, α, β)`).
    public func quantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return inverseRegularizedGammaP(shape, p) / rate
    }

    /// The x with P(X > x) = q, for upper tails too small to pass as 1 − q.
    public func upperQuantile(_ q: Double) -> Double {
        guard isValid else { return .nan }
        return inverseRegularizedGammaQ(shape, q) / rate
    }
}
