/// The highest-density interval of posterior draws: the shortest interval [x₍ᵢ₎, x₍ᵢ₊ₖ₎] between
/// sorted draws that contains k = ⌊probability · S⌋ + 1 of the S draws (Chen & Shao 1999; the
/// convention of ArviZ's `hdi`, whose interval spans floor(prob·S) gaps). The first shortest
/// interval wins ties. Returns nil for no draws, NaN draws or a probability outside (0, 1).
public func highestDensityInterval(sorted: UnsafeBufferPointer<Double>, probability: Double) -> (lower: Double, upper: Double)? {
    let n = sorted.count
    guard n > 0, probability > 0, probability < 1 else { return nil }
    if sorted.contains(where: { $0.isNaN }) { return nil }
    let span = Int((probability * Double(n)).rounded(.down))
    guard span < n else { return (sorted[0], sorted[n - 1]) }
    var best = 0
    var bestWidth = Double.infinity
    for i in 0..<(n - span) {
        let width = sorted[i + span] - sorted[i]
        if width < bestWidth {
            bestWidth = width
            best = i
        }
    }
    return (sorted[best], sorted[best + span])
}

/// Array convenience: the HDI of unsorted draws.
public func highestDensityInterval(_ values: [Double], probability: Double) -> (lower: Double, upper: Double)? {
    let sorted = values.sorted()
    return sorted.withUnsafeBufferPointer { highestDensityInterval(sorted: $0, probability: probability) }
}
