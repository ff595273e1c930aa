/// The median absolute deviation scaled to estimate a normal standard deviation, R's
/// `mad(x) = 1.4826 · median(|x − median(x)|)`, from `sorted` (ascending) values. The deviations
/// are put in order by merging the runs below and above the median, without another sort.
public func medianAbsoluteDeviation(sorted: UnsafeBufferPointer<Double>) -> Double {
    let n = sorted.count
    guard n > 0 else { return .nan }
    let center = median(sorted: sorted)
    let deviations = foldedInOrder(sorted: sorted, center: center)
    return deviations.withUnsafeBufferPointer { 1.4826 * median(sorted: $0) }
}

/// Array convenience: `mad` of unsorted values.
public func medianAbsoluteDeviation(_ values: [Double]) -> Double {
    if values.contains(where: { $0.isNaN }) { return .nan }
    let sorted = values.sorted()
    return sorted.withUnsafeBufferPointer { medianAbsoluteDeviation(sorted: $0) }
}

/// |x − center| for `sorted` values, in ascending order.
func foldedInOrder(sorted: UnsafeBufferPointer<Double>, center: Double) -> [Double] {
    foldedPositions(sorted: sorted, center: center).map { abs(sorted[Int($0)] - center) }
}

/// The positions of `sorted` (ascending) values in ascending order of |x − center|: a merge of the
/// values below `center` (taken downwards) and the values from `center` up. Floating-point
/// subtraction is monotone, so both runs are already ordered and no sort is needed.
func foldedPositions(sorted: UnsafeBufferPointer<Double>, center: Double) -> [Int32] {
    [Int32](unsafeUninitializedCapacity: sorted.count) { out, count in
        foldedPositions(sorted: sorted, center: center, into: out)
        count = sorted.count
    }
}

/// `foldedPositions(sorted:center:)` written into `out` (of the same count as `sorted`).
func foldedPositions(sorted: UnsafeBufferPointer<Double>, center: Double, into out: UnsafeMutableBufferPointer<Int32>) {
    let n = sorted.count
    // The first value not below the centre, by bisection.
    var low = 0, high = n
    while low < high {
        let middle = (low + high) / 2
        if sorted[middle] < center { low = middle + 1 } else { high = middle }
    }
    var below = low - 1
    var above = low
    // |x − c| is c − x below the centre and x − c above it (exactly: IEEE subtraction is
    // antisymmetric). The choice is written as selects rather than branches: it is as
    // unpredictable as the draws.
    for k in 0..<n {
        let belowDistance = below >= 0 ? center - sorted[Swift.max(below, 0)] : .infinity
        let aboveDistance = above < n ? sorted[Swift.min(above, n - 1)] - center : .infinity
        let takeBelow = above >= n || (below >= 0 && belowDistance <= aboveDistance)
        out[k] = Int32(truncatingIfNeeded: takeBelow ? below : above)
        below -= takeBelow ? 1 : 0
        above += takeBelow ? 0 : 1
    }
}

/// R's `mad` from `sorted` values, their median `center` and `foldedPositions(sorted:center:)`.
func medianAbsoluteDeviation(sorted: UnsafeBufferPointer<Double>, center: Double, folded: [Int32]) -> Double {
    let n = folded.count
    guard n > 0 else { return .nan }
    func deviation(_ k: Int) -> Double { abs(sorted[Int(folded[k])] - center) }
    let middle = n % 2 == 1 ? deviation(n / 2) : (deviation(n / 2 - 1) + deviation(n / 2)) / 2
    return 1.4826 * middle
}
