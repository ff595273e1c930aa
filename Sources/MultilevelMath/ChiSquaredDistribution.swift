import Foundation

/// The χ² distribution with k > 0 degrees of freedom (any real k), i.e. Gamma(k/2, rate ½).
///
/// Used for likelihood-ratio tests (`ccdf`, p-values that stay accurate far into the tail through
/// `logCCDF`) and profile intervals (`quantile`, e.g. `quantile(0.95)` with k = 1 is 3.8414588…).
public struct ChiSquaredDistribution: ContinuousDistribution, Hashable {
    /// Degrees of freedom k > 0.
    public var degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) { self.degreesOfFreedom = degreesOfFreedom }

    @usableFromInline var gamma: GammaDistribution { GammaDistribution(shape: 0.5 * degreesOfFreedom, rate: 0.5) }

    public func logDensity(_ x: Double) -> Double { gamma.logDensity(x) }
    public func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double) { gamma.logCDFAndCCDF(x) }
    /// The p-quantile (R's `qchisq(p, k)`).
    public func quantile(_ p: Double) -> Double { gamma.quantile(p) }
    /// The x with P(X > x) = q.
    public func upperQuantile(_ q: Double) -> Double { gamma.upperQuantile(q) }
}
