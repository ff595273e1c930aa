import Foundation
import MultilevelMath
import MultilevelSampling

/// The bootstrap summary of one statistic, as R's `boot.ci` reports it (Davison & Hinkley 1997,
/// §5.2–5.3), over the replicates where the statistic is finite.
public struct BootstrapParameterSummary: Sendable, Equatable {
    public var name: String
    /// t₀, the statistic on the original data.
    public var estimate: Double
    /// sd(t*) (denominator R − 1).
    public var standardError: Double
    /// mean(t*) − t₀.
    public var bias: Double
    /// Percentile interval (t*₍₍R+1)α/2₎₎, t*₍₍R+1)(1−α/2)₎₎), eq. 5.18.
    public var percentile: ValueInterval
    /// Basic interval (2t₀ − t*₍₍R+1)(1−α/2)₎₎, 2t₀ − t*₍₍R+1)α/2₎₎), eq. 5.6.
    public var basic: ValueInterval
    /// Normal interval t₀ − bias ∓ z₁₋α/₂ · sd(t*), eq. 5.4 with the bias correction.
    public var normal: ValueInterval
    /// Number of replicates with a finite value of this statistic.
    public var replicateCount: Int
}

/// The bootstrap order-statistic quantile of `boot.ci` (its `norm.inter`, Davison & Hinkley 1997,
/// p. 195): with k = ⌊(R + 1)p⌋, t*₍ₖ₎ when (R + 1)p is an integer, otherwise interpolation between
/// t*₍ₖ₎ and t*₍ₖ₊₁₎ on the normal-quantile scale,
/// t*₍ₖ₎ + (Φ⁻¹(p) − Φ⁻¹(k/(R+1))) / (Φ⁻¹((k+1)/(R+1)) − Φ⁻¹(k/(R+1))) · (t*₍ₖ₊₁₎ − t*₍ₖ₎);
/// the extreme order statistic when k is 0 or R. `sorted` holds the R finite replicates ascending.
public func bootstrapQuantile(sorted: [Double], probability p: Double) -> Double {
    let count = sorted.count
    guard count > 0 else { return .nan }
    let rank = Double(count + 1) * p
    let k = Int(rank.rounded(.towardZero))
    if k <= 0 { return sorted[0] }
    if k >= count { return sorted[count - 1] }
    if Double(k) == rank { return sorted[k - 1] }
    let z = NormalDistribution.quantile(p)
    let zLow = NormalDistribution.quantile(Double(k) / Double(count + 1))
    let zHigh = NormalDistribution.quantile(Double(k + 1) / Double(count + 1))
    let low = sorted[k - 1], high = sorted[k]
    return low + (z - zLow) / (zHigh - zLow) * (high - low)
}

/// Percentile, basic and normal intervals at confidence `level` for statistic `name` with original
/// value `estimate` and replicate values `replicates` (non-finite values — failed refits, or a
/// correlation undefined on the boundary — are left out, as `boot.ci` does).
public func bootstrapSummary(name: String, estimate: Double, replicates: [Double], level: Double = 0.95)
    -> BootstrapParameterSummary {
    let values = replicates.filter { $0.isFinite }.sorted()
    let count = values.count
    let alpha = 1 - level
    let lowQuantile = bootstrapQuantile(sorted: values, probability: alpha / 2)
    let highQuantile = bootstrapQuantile(sorted: values, probability: 1 - alpha / 2)
    let mean = count > 0 ? values.reduce(0, +) / Double(count) : .nan
    var squares = 0.0
    for v in values { squares += (v - mean) * (v - mean) }
    let sd = count > 1 ? (squares / Double(count - 1)).squareRoot() : .nan
    let bias = mean - estimate
    let z = NormalDistribution.quantile(1 - alpha / 2)
    return BootstrapParameterSummary(
        name: name, estimate: estimate, standardError: sd, bias: bias,
        percentile: ValueInterval(lower: lowQuantile, upper: highQuantile),
        basic: ValueInterval(lower: 2 * estimate - highQuantile, upper: 2 * estimate - lowQuantile),
        normal: ValueInterval(lower: estimate - bias - z * sd, upper: estimate - bias + z * sd),
        replicateCount: count)
}
