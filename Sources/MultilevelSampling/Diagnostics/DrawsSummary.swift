import Foundation

/// An interval between two values (a highest-density interval).
public struct ValueInterval: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }
}

/// The summary of one variable's draws: posterior's `summarise_draws` default measures plus the
/// basic R̂/ESS, the MCSEs of sd and the 5%/95% quantiles, any extra quantiles and HDIs asked for.
/// NaN stands for R's NA (written `null` in JSON): R̂, ESS and MCSE are NA for a constant
/// variable or one with non-finite draws, exactly where posterior 1.4 gives NA.
public struct VariableSummary: Sendable, Equatable {
    public var name: String
    public var mean: Double
    public var median: Double
    /// Sample standard deviation (denominator S − 1).
    public var sd: Double
    /// R's `mad`: 1.4826 · median |x − median|.
    public var mad: Double
    /// 5% and 95% quantiles (type 7).
    public var q5: Double
    public var q95: Double
    /// The quantiles of `DrawsSummary.quantileProbabilities`, in that order.
    public var quantiles: [Double]
    /// The HDIs of `DrawsSummary.intervalProbabilities`, in that order (nil when undefined).
    public var highestDensityIntervals: [ValueInterval?]
    /// Rank-normalised split-R̂ (max of bulk and folded).
    public var rhat: Double
    /// Split-R̂ of the raw draws.
    public var rhatBasic: Double
    public var essBulk: Double
    public var essTail: Double
    /// ESS of the split chains of the raw draws (the ESS of the mean).
    public var essBasic: Double
    public var mcseMean: Double
    public var mcseSd: Double
    public var mcseQ5: Double
    public var mcseQ95: Double
}

/// Summaries of every variable of a set of draws.
public struct DrawsSummary: Sendable, Equatable {
    public var chainCount: Int
    public var drawsPerChain: Int
    public var quantileProbabilities: [Double]
    public var intervalProbabilities: [Double]
    public var variables: [VariableSummary]

    /// The summary of the variable called `name`.
    public subscript(name: String) -> VariableSummary? {
        variables.first { $0.name == name }
    }
}

/// Summarises every variable of `draws` (in parallel over variables; the result does not depend
/// on the number of threads): mean, sd, median, MAD, quantiles (type 7) at `quantiles` and at 5% /
/// 95%, HDIs at `intervals`, rank-normalised split-R̂, bulk- and tail-ESS, basic R̂ and ESS, and the
/// MCSEs of the mean, sd and 5% / 95% quantiles — all as the posterior package 1.4 computes them
/// (Vehtari et al. 2021).
///
/// One radix sort per variable serves the quantiles, the MAD, the rank normalisation of the split
/// chains and, merged about the median, the folded ranks; normal scores of ranks are tabulated once.
public func summarize(draws: Draws, quantiles: [Double] = [0.05, 0.95], intervals: [Double] = []) -> DrawsSummary {
    let m = draws.chainCount
    let n = draws.drawsPerChain
    let count = draws.variableCount
    let scores = NormalScores(count: n > 1 ? 2 * (n / 2) * m : n * m)
    var results = [VariableSummary?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { out in
        let output = UnsafeMutableSendableBuffer(out)
        DispatchQueue.concurrentPerform(iterations: count) { v in
            let sequences = ChainSequences(values: gatherVariable(draws, v), chainCount: m, length: n)
            output.buffer[v] = summarizeVariable(name: draws.variableNames[v], sequences: sequences,
                                                 quantiles: quantiles, intervals: intervals, scores: scores)
        }
    }
    return DrawsSummary(chainCount: m, drawsPerChain: n, quantileProbabilities: quantiles,
                        intervalProbabilities: intervals, variables: results.map { $0! })
}

/// A buffer pointer that may be captured by `concurrentPerform` workers writing disjoint slots.
struct UnsafeMutableSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// The draws of variable `v` chain after chain.
func gatherVariable(_ draws: Draws, _ v: Int) -> [Double] {
    let n = draws.drawsPerChain, k = draws.variableCount
    var out = [Double](repeating: 0, count: n * draws.chainCount)
    for (c, chain) in draws.chains.enumerated() {
        chain.withUnsafeBufferPointer { buffer in
            for i in 0..<n { out[c * n + i] = buffer[i * k + v] }
        }
    }
    return out
}

/// The summary of one variable; `scores` is the normal-score table for the split-chain draw count.
func summarizeVariable(name: String, sequences x: ChainSequences, quantiles: [Double], intervals: [Double],
                       scores: NormalScores) -> VariableSummary {
    let values = x.values
    let total = values.count
    let hasNaN = values.contains { $0.isNaN }
    var sum = 0.0
    for v in values { sum += v }
    let mean = sum / Double(total)
    let sd = sampleVariance(values).squareRoot()

    var summary = VariableSummary(name: name, mean: mean, median: .nan, sd: sd, mad: .nan, q5: .nan, q95: .nan,
                                  quantiles: quantiles.map { _ in .nan },
                                  highestDensityIntervals: intervals.map { _ in nil },
                                  rhat: .nan, rhatBasic: .nan, essBulk: .nan, essTail: .nan, essBasic: .nan,
                                  mcseMean: .nan, mcseSd: .nan, mcseQ5: .nan, mcseQ95: .nan)
    guard total > 0, !hasNaN else { return summary }

    let order = values.withUnsafeBufferPointer { sortPermutation($0) }
    let sorted = order.map { values[Int($0)] }
    sorted.withUnsafeBufferPointer { s in
        summary.median = median(sorted: s)
        summary.mad = medianAbsoluteDeviation(sorted: s)
        summary.q5 = quantileType7(s, probability: 0.05)
        summary.q95 = quantileType7(s, probability: 0.95)
        summary.quantiles = quantiles.map { quantileType7(s, probability: $0) }
        summary.highestDensityIntervals = intervals.map { p in
            highestDensityInterval(sorted: s, probability: p).map { ValueInterval(lower: $0.lower, upper: $0.upper) }
        }
    }
    if x.diagnosticIsUndefined { return summary }

    let split = x.split()
    let splitIndex = splitPositions(chainCount: x.chainCount, length: x.length)
    summary.rhatBasic = potentialScaleReduction(split)
    summary.essBasic = effectiveSampleSize(split)
    summary.mcseMean = sd / summary.essBasic.squareRoot()

    // Bulk: ranks of the split draws, from the full sort.
    let splitOrder = order.compactMap { splitIndex[Int($0)].map(Int32.init) }
    if scores.count == split.values.count {
        let z = split.values.withUnsafeBufferPointer { rankNormalized($0, order: splitOrder, scores: scores) }
        let bulk = ChainSequences(values: z, chainCount: split.chainCount, length: split.length)
        summary.essBulk = effectiveSampleSize(bulk)
        let bulkRhat = potentialScaleReduction(bulk)

        // Folded: |x − median| is ordered by merging the sorted draws outwards from the median.
        let center = summary.median
        let folded = x.map { abs($0 - center) }
        let foldedOrder = foldedPermutation(order: order, sorted: sorted, center: center)
        let foldedSplit = folded.split()
        let foldedSplitOrder = foldedOrder.compactMap { splitIndex[Int($0)].map(Int32.init) }
        let zf = foldedSplit.values.withUnsafeBufferPointer {
            rankNormalized($0, order: foldedSplitOrder, scores: scores)
        }
        let tailRhat = potentialScaleReduction(ChainSequences(values: zf, chainCount: split.chainCount,
                                                              length: split.length))
        summary.rhat = bulkRhat.isNaN || tailRhat.isNaN ? .nan : max(bulkRhat, tailRhat)
    }

    // Tail: ESS of the 5% and 95% quantile indicators, and the quantile MCSEs.
    let low = effectiveSampleSize(x.map { $0 <= summary.q5 ? 1 : 0 }.split())
    let high = effectiveSampleSize(x.map { $0 <= summary.q95 ? 1 : 0 }.split())
    summary.essTail = low.isNaN || high.isNaN ? .nan : min(low, high)
    sorted.withUnsafeBufferPointer { s in
        summary.mcseQ5 = quantileMonteCarloStandardError(sorted: s, probability: 0.05, effectiveSampleSize: low)
        summary.mcseQ95 = quantileMonteCarloStandardError(sorted: s, probability: 0.95, effectiveSampleSize: high)
    }
    summary.mcseSd = standardDeviationMonteCarloStandardError(x)
    return summary
}

/// For each draw (chain-major index), its index among the split chains, or nil for the middle
/// draw that splitting leaves out when the chain length is odd.
func splitPositions(chainCount: Int, length n: Int) -> [Int?] {
    guard n > 1 else { return (0..<(chainCount * n)).map { $0 } }
    let half = n / 2
    var out = [Int?](repeating: nil, count: chainCount * n)
    for c in 0..<chainCount {
        for i in 0..<half { out[c * n + i] = 2 * c * half + i }
        for i in (n - half)..<n { out[c * n + i] = (2 * c + 1) * half + (i - (n - half)) }
    }
    return out
}

/// The permutation ordering |x − center| ascending, from the permutation `order` that sorts x
/// (with `sorted` = x in that order).
func foldedPermutation(order: [Int32], sorted: [Double], center: Double) -> [Int32] {
    sorted.withUnsafeBufferPointer { s in
        foldedPositions(sorted: s, center: center).map { order[$0] }
    }
}
