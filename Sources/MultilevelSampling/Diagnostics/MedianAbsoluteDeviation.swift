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
    foldedPositions(sorted: sorted, center: center).map { abs(sorted[$0] - center) }
}

/// The positions of `sorted` (ascending) values in ascending order of |x − center|: a merge of the
/// values below `center` (taken downwards) and the values from `center` up. Floating-point
/// subtraction is monotone, so both runs are already ordered and no sort is needed.
func foldedPositions(sorted: UnsafeBufferPointer<Double>, center: Double) -> [Int] {
    let n = sorted.count
    var split = 0
    while split < n && sorted[split] < center { split += 1 }
    var out = [Int]()
    out.reserveCapacity(n)
    var below = split - 1
    var above = split
    while below >= 0 || above < n {
        if above >= n || (below >= 0 && abs(sorted[below] - center) <= abs(sorted[above] - center)) {
            out.append(below); below -= 1
        } else {
            out.append(above); above += 1
        }
    }
    return out
}
