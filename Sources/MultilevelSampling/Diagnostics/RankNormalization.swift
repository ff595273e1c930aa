import MultilevelMath

/// Ranks with ties averaged (R's `rank(x, ties.method = "average")`), 1-based, given the
/// permutation `order` that sorts `values`.
public func averageRanks(_ values: UnsafeBufferPointer<Double>, order: [Int32]) -> [Double] {
    var ranks = [Double](repeating: 0, count: values.count)
    forEachTiedRun(values, order: order) { start, end in
        let rank = Double(start + end) / 2 + 1
        for p in start...end { ranks[Int(order[p])] = rank }
    }
    return ranks
}

/// Calls `body(start, end)` for each run of equal values in sorted order (positions `start...end`
/// of `order`).
@inline(__always)
func forEachTiedRun(_ values: UnsafeBufferPointer<Double>, order: [Int32], _ body: (Int, Int) -> Void) {
    let n = order.count
    var start = 0
    order.withUnsafeBufferPointer { o in
        while start < n {
            let v = values[Int(o[start])]
            var end = start
            while end + 1 < n && values[Int(o[end + 1])] == v { end += 1 }
            body(start, end)
            start = end + 1
        }
    }
}

/// Normal scores of ranks among S values: z = Φ⁻¹((r − 3/8) / (S + 1/4)) (Blom's offsets, as in
/// Vehtari et al. 2021 eq. 14 and posterior's `z_scale`). Scores of the integer ranks 1…S are
/// tabulated once and shared by every variable with the same S; average ranks of ties (half
/// integers) are computed when met.
public struct NormalScores: Sendable {
    /// Number of values ranked.
    public let count: Int
    @usableFromInline let table: [Double]

    /// The table for `count` values.
    public init(count: Int) {
        self.count = count
        let denominator = Double(count) + 0.25
        table = (0..<count).map { NormalDistribution.quantile((Double($0 + 1) - 0.375) / denominator) }
    }

    /// The score of (average) rank `rank`.
    @inlinable
    public func score(rank: Double) -> Double {
        let index = Int(rank) - 1
        if Double(index + 1) == rank, index >= 0, index < count { return table[index] }
        return NormalDistribution.quantile((rank - 0.375) / (Double(count) + 0.25))
    }
}

/// Rank-normalised values: every value replaced by the normal score of its average rank among all
/// values (posterior's `z_scale`). `order` sorts `values`; `scores` must have `count == values.count`.
public func rankNormalized(_ values: UnsafeBufferPointer<Double>, order: [Int32], scores: NormalScores) -> [Double] {
    let sorted = order.map { values[Int($0)] }
    return sorted.withUnsafeBufferPointer { s in
        order.withUnsafeBufferPointer { rankNormalized(sortedValues: s, targets: $0, scores: scores) }
    }
}

/// The core of rank-normalisation: `sortedValues` ascending, `targets[p]` the output slot of the
/// p-th smallest value. Ties are found on the sorted values (sequential reads); each score is
/// written once to its slot.
func rankNormalized(sortedValues: UnsafeBufferPointer<Double>, targets: UnsafeBufferPointer<Int32>,
                    scores: NormalScores) -> [Double] {
    [Double](unsafeUninitializedCapacity: sortedValues.count) { out, count in
        rankNormalized(sortedValues: sortedValues, targets: targets, scores: scores, into: out)
        count = sortedValues.count
    }
}

/// `rankNormalized(sortedValues:targets:scores:)` written into `out` (of the same count).
func rankNormalized(sortedValues: UnsafeBufferPointer<Double>, targets: UnsafeBufferPointer<Int32>,
                    scores: NormalScores, into out: UnsafeMutableBufferPointer<Double>) {
    let n = sortedValues.count
    precondition(scores.count == n && targets.count == n && out.count == n, "normal-score table of the wrong size")
    var start = 0
    while start < n {
        let v = sortedValues[start]
        var end = start
        while end + 1 < n && sortedValues[end + 1] == v { end += 1 }
        let score = scores.score(rank: Double(start + end) / 2 + 1)
        for p in start...end { out[Int(targets[p])] = score }
        start = end + 1
    }
}

/// Rank-normalised `sequences` (ranks pooled over all chains), in the same layout.
public func rankNormalized(_ sequences: ChainSequences, scores: NormalScores? = nil) -> ChainSequences {
    sequences.values.withUnsafeBufferPointer { v in
        let order = sortPermutation(v)
        let table = scores ?? NormalScores(count: v.count)
        return ChainSequences(values: rankNormalized(v, order: order, scores: table),
                              chainCount: sequences.chainCount, length: sequences.length)
    }
}
