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
    let blockSize = 8
    let blocks = (count + blockSize - 1) / blockSize
    var results = [VariableSummary?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { out in
        let output = UnsafeMutableSendableBuffer(out)
        DispatchQueue.concurrentPerform(iterations: blocks) { block in
            let variables = (block * blockSize)..<min((block + 1) * blockSize, count)
            let gathered = gatherVariables(draws, variables)
            for (k, v) in variables.enumerated() {
                let sequences = ChainSequences(values: gathered[k], chainCount: m, length: n)
                output.buffer[v] = summarizeVariable(name: draws.variableNames[v], sequences: sequences,
                                                     quantiles: quantiles, intervals: intervals, scores: scores)
            }
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

/// The draws of `variables` chain after chain, one array per variable, read row by row (a block
/// of neighbouring variables shares each cache line of the iteration-major chains).
func gatherVariables(_ draws: Draws, _ variables: Range<Int>) -> [[Double]] {
    let n = draws.drawsPerChain, k = draws.variableCount, m = draws.chainCount
    let width = variables.count, first = variables.lowerBound
    var flat = [Double](repeating: 0, count: width * n * m)  // variable-major, then chain-major
    flat.withUnsafeMutableBufferPointer { out in
        for (c, chain) in draws.chains.enumerated() {
            chain.withUnsafeBufferPointer { buffer in
                for i in 0..<n {
                    let row = i * k + first
                    for slot in 0..<width { out[slot * n * m + c * n + i] = buffer[row + slot] }
                }
            }
        }
    }
    return (0..<width).map { Array(flat[($0 * n * m)..<(($0 + 1) * n * m)]) }
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

    let (sorted, order) = values.withUnsafeBufferPointer { sortedWithPermutation($0) }
    var folded: [Int32] = []
    sorted.withUnsafeBufferPointer { s in
        summary.median = median(sorted: s)
        folded = foldedPositions(sorted: s, center: summary.median)
        summary.mad = medianAbsoluteDeviation(sorted: s, center: summary.median, folded: folded)
        summary.q5 = quantileType7(s, probability: 0.05)
        summary.q95 = quantileType7(s, probability: 0.95)
        summary.quantiles = quantiles.map { quantileType7(s, probability: $0) }
        summary.highestDensityIntervals = intervals.map { p in
            highestDensityInterval(sorted: s, probability: p).map { ValueInterval(lower: $0.lower, upper: $0.upper) }
        }
    }
    if x.isConstant { return summary }
    let finite = x.allFinite

    let split = x.split()
    if finite {
        (summary.rhatBasic, summary.essBasic) = rhatAndEffectiveSampleSize(split)
        summary.mcseMean = sd / summary.essBasic.squareRoot()
    }

    if scores.count == split.values.count {
        // Bulk: ranks of the split draws from the one sort; folded: |x − median| put in order by
        // merging the sorted draws outwards from the median.
        let target = SplitTarget(length: x.length)
        // With an even chain length the split layout is the chain-major one: the sorted draws and
        // their permutation serve the bulk ranks directly. Otherwise the middle draws are left out.
        let count = scores.count
        let evenLength = x.length % 2 == 0
        var bulkValues = sorted, bulkTargets = order
        var foldedValues = [Double](repeating: 0, count: count), foldedTargets = [Int32](repeating: 0, count: count)
        let center = summary.median
        sorted.withUnsafeBufferPointer { s in
            order.withUnsafeBufferPointer { o in
                if !evenLength {
                    var values = [Double](repeating: 0, count: count), targets = [Int32](repeating: 0, count: count)
                    var k = 0
                    for p in 0..<total {
                        let t = target(Int(o[p]))
                        if t >= 0 { values[k] = s[p]; targets[k] = Int32(t); k += 1 }
                    }
                    bulkValues = values
                    bulkTargets = targets
                }
                folded.withUnsafeBufferPointer { f in
                    foldedValues.withUnsafeMutableBufferPointer { fv in
                        foldedTargets.withUnsafeMutableBufferPointer { ft in
                            var l = 0
                            for p in 0..<total {
                                let q = Int(f[p])
                                let u = target(Int(o[q]))
                                if u >= 0 { fv[l] = abs(s[q] - center); ft[l] = Int32(u); l += 1 }
                            }
                        }
                    }
                }
            }
        }
        func normalScores(_ values: [Double], _ targets: [Int32]) -> ChainSequences {
            let z = values.withUnsafeBufferPointer { v in
                targets.withUnsafeBufferPointer { rankNormalized(sortedValues: v, targets: $0, scores: scores) }
            }
            return ChainSequences(values: z, chainCount: split.chainCount, length: split.length)
        }
        let bulk = normalScores(bulkValues, bulkTargets)
        let (bulkRhat, bulkESS) = rhatAndEffectiveSampleSize(bulk)
        summary.essBulk = bulkESS
        let tailRhat = potentialScaleReduction(normalScores(foldedValues, foldedTargets))
        summary.rhat = bulkRhat.isNaN || tailRhat.isNaN ? .nan : max(bulkRhat, tailRhat)
    }

    // Infinite draws leave the rank-based diagnostics defined but not the others (as posterior).
    guard finite else { return summary }

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

/// Where each draw (chain-major index) goes among the split chains of `ChainSequences.split()`,
/// or −1 for the middle draw that splitting leaves out when the chain length is odd. With an even
/// length the split layout is the chain-major layout itself.
struct SplitTarget {
    let length: Int
    @inline(__always)
    func callAsFunction(_ j: Int) -> Int {
        let n = length
        if n <= 1 || n % 2 == 0 { return j }
        let half = n / 2
        let c = j / n, i = j - c * n
        if i < half { return 2 * c * half + i }
        if i == half { return -1 }
        return (2 * c + 1) * half + (i - half - 1)
    }
}
