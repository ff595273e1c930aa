import Foundation

/// A univariate continuous distribution: log density, the pair (log cdf, log ccdf) computed
/// together (each accurate in its own tail), and the quantile function. The plain and log
/// cdf/ccdf follow from `logCDFAndCCDF`.
public protocol ContinuousDistribution: Sendable {
    /// log p(x); −∞ outside the support, NaN for invalid parameters.
    func logDensity(_ x: Double) -> Double
    /// (log P(X ≤ x), log P(X > x)).
    func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double)
    /// The x with P(X ≤ x) = p.
    func quantile(_ p: Double) -> Double
}

extension ContinuousDistribution {
    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double { exp(logCDFAndCCDF(x).logCDF) }
    /// P(X > x) (upper tail, accurate where it is tiny).
    public func ccdf(_ x: Double) -> Double { exp(logCDFAndCCDF(x).logCCDF) }
    /// log P(X ≤ x) (Stan's `*_lcdf`).
    public func logCDF(_ x: Double) -> Double { logCDFAndCCDF(x).logCDF }
    /// log P(X > x) (Stan's `*_lccdf`).
    public func logCCDF(_ x: Double) -> Double { logCDFAndCCDF(x).logCCDF }
}
