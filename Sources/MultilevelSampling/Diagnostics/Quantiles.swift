/// The sample quantile of `probability` from `sorted` (ascending) values by R's default
/// definition, type 7 (Hyndman & Fan 1996): with h = (n − 1)p, the value at position ⌊h⌋
/// interpolated towards the next as (1 − f)·x₍⌊h⌋₎ + f·x₍⌊h⌋₊₁₎, f = h − ⌊h⌋ (0-based positions).
/// NaN for no values.
public func quantileType7(_ sorted: UnsafeBufferPointer<Double>, probability: Double) -> Double {
    let n = sorted.count
    guard n > 0, !probability.isNaN else { return .nan }
    let index = 1 + Double(n - 1) * probability
    let low = index.rounded(.down)
    let high = index.rounded(.up)
    let lowValue = sorted[min(max(Int(low) - 1, 0), n - 1)]
    let highValue = sorted[min(max(Int(high) - 1, 0), n - 1)]
    guard index > low, highValue != lowValue else { return lowValue }
    let h = index - low
    return (1 - h) * lowValue + h * highValue
}

/// Array convenience for `quantileType7(_:probability:)`.
public func quantileType7(_ sorted: [Double], probability: Double) -> Double {
    sorted.withUnsafeBufferPointer { quantileType7($0, probability: probability) }
}

/// The median of `sorted` values (R's `median`: the mean of the two middle values when n is even).
public func median(sorted: UnsafeBufferPointer<Double>) -> Double {
    let n = sorted.count
    guard n > 0 else { return .nan }
    if n % 2 == 1 { return sorted[n / 2] }
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

/// Array convenience for `median(sorted:)` on unsorted `values` (NaN when empty).
public func median(_ values: [Double]) -> Double {
    values.sorted().withUnsafeBufferPointer { median(sorted: $0) }
}

/// Quantiles of unsorted `values` (type 7), NaN for all when any value is NaN (posterior's
/// `quantile2`).
public func quantiles(_ values: [Double], probabilities: [Double]) -> [Double] {
    if values.contains(where: { $0.isNaN }) { return probabilities.map { _ in .nan } }
    let sorted = values.sorted()
    return probabilities.map { quantileType7(sorted, probability: $0) }
}
