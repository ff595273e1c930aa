import Foundation
import MultilevelSampling

/// `count` evenly spaced points from `low` to `high` inclusive (a grid to draw curves on).
public func evenlySpaced(from low: Double, to high: Double, count: Int) -> [Double] {
    guard count > 1 else { return [low] }
    return (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
}

/// The line a + b·x over `grid` with a pointwise confidence band ± q·√Var(a + b·x), where
/// Var(a + b·x) = V₀₀ + 2x V₀₁ + x² V₁₁ from the covariance of (a, b): the band of the mean of a
/// least-squares line (q a t quantile) or of a mixed model's population line (q a normal quantile).
public func straightLineBand(intercept: Double, slope: Double, covariance: (v00: Double, v01: Double, v11: Double),
                             quantile q: Double, grid: [Double]) -> (estimate: [Double], lower: [Double], upper: [Double]) {
    var estimate: [Double] = [], lower: [Double] = [], upper: [Double] = []
    for x in grid {
        let mean = intercept + slope * x
        let half = q * max(0, covariance.v00 + 2 * x * covariance.v01 + x * x * covariance.v11).squareRoot()
        estimate.append(mean)
        lower.append(mean - half)
        upper.append(mean + half)
    }
    return (estimate, lower, upper)
}

/// The pointwise median and central `level` interval (type-7 quantiles) of the lines a_s + b_s·x
/// over draws s — a bootstrap band from bootstrap replicates of (b_Intercept, b_x), or a credible
/// band from posterior draws. Draws with a non-finite coefficient are left out.
public func straightLineQuantileBand(intercepts: [Double], slopes: [Double], grid: [Double], level: Double = 0.95)
    -> (median: [Double], lower: [Double], upper: [Double]) {
    let pairs = zip(intercepts, slopes).filter { $0.0.isFinite && $0.1.isFinite }
    var median: [Double] = [], lower: [Double] = [], upper: [Double] = []
    var values = [Double](repeating: 0, count: pairs.count)
    for x in grid {
        for (k, pair) in pairs.enumerated() { values[k] = pair.0 + pair.1 * x }
        let sorted = values.sorted()
        median.append(quantileType7(sorted, probability: 0.5))
        lower.append(quantileType7(sorted, probability: (1 - level) / 2))
        upper.append(quantileType7(sorted, probability: (1 + level) / 2))
    }
    return (median, lower, upper)
}
