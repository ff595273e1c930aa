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
    // Blocks of 4 variables: each row of a chain is read once per block, and small blocks keep
    // the cores busy to the end.
    let blockSize = 4
    let blocks = (count + blockSize - 1) / blockSize
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, blocks))
    let nextBlock = SharedCounter()
    var results = [VariableSummary?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { out in
        let output = UnsafeMutableSendableBuffer(out)
        // One worker per core takes blocks of variables in turn, keeping its scratch arrays from
        // one variable to the next; each summary depends only on its variable's draws.
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let scratch = ScratchArrays()
            while case let block = nextBlock.take(), block < blocks {
                let variables = (block * blockSize)..<min((block + 1) * blockSize, count)
                let gathered = gatherVariables(draws, variables, scratch: scratch)
                for (k, v) in variables.enumerated() {
                    let sequences = ChainSequences(values: gathered[k], chainCount: m, length: n)
                    output.buffer[v] = summarizeVariable(name: draws.variableNames[v], sequences: sequences,
                                                         quantiles: quantiles, intervals: intervals, scores: scores,
                                                         scratch: scratch)
                }
                for column in gathered { scratch.recycle(column) }
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

/// The draws of `variables` chain after chain, one array per variable. The iteration-major chains
/// are read in tiles of rows that stay in cache while each variable's column is copied out, so
/// each cache line of a chain is fetched from memory once for the whole block of variables.
func gatherVariables(_ draws: Draws, _ variables: Range<Int>, scratch: ScratchArrays? = nil) -> [[Double]] {
    let n = draws.drawsPerChain, k = draws.variableCount, m = draws.chainCount
    let first = variables.lowerBound
    let total = n * m
    var out = variables.map { _ in scratch?.doubles(count: total) ?? [Double](repeating: 0, count: total) }
    let tile = 256
    for (c, chain) in draws.chains.enumerated() {
        chain.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < n {
                let end = min(start + tile, n)
                for slot in out.indices {
                    out[slot].withUnsafeMutableBufferPointer { column in
                        for i in start..<end { column[c * n + i] = buffer[i * k + first + slot] }
                    }
                }
                start = end
            }
        }
    }
    return out
}

/// The summary of one variable; `scores` is the normal-score table for the split-chain draw count.
/// Temporaries come from and go back to `scratch`.
func summarizeVariable(name: String, sequences x: ChainSequences, quantiles: [Double], intervals: [Double],
                       scores: NormalScores, scratch: ScratchArrays) -> VariableSummary {
    let values = x.values
    let total = values.count
    // One pass for the sum, NaN, finiteness and the range (posterior's is_constant).
    var hasNaN = false, finite = true
    var sum = 0.0, smallest = Double.infinity, largest = -Double.infinity
    values.withUnsafeBufferPointer { v in
        for value in v {
            sum += value
            if !value.isFinite {
                finite = false
                if value.isNaN { hasNaN = true }
            }
            smallest = Swift.min(smallest, value)
            largest = Swift.max(largest, value)
        }
    }
    let mean = sum / Double(total)
    let sd = sampleVariance(values).squareRoot()

    var summary = VariableSummary(name: name, mean: mean, median: .nan, sd: sd, mad: .nan, q5: .nan, q95: .nan,
                                  quantiles: quantiles.map { _ in .nan },
                                  highestDensityIntervals: intervals.map { _ in nil },
                                  rhat: .nan, rhatBasic: .nan, essBulk: .nan, essTail: .nan, essBasic: .nan,
                                  mcseMean: .nan, mcseSd: .nan, mcseQ5: .nan, mcseQ95: .nan)
    guard total > 0, !hasNaN else { return summary }

    let (sorted, order) = values.withUnsafeBufferPointer { sortedWithPermutation($0, scratch: scratch) }
    defer {
        scratch.recycle(sorted)
        scratch.recycle(order)
    }
    var folded = scratch.indices(count: total)
    defer { scratch.recycle(folded) }
    sorted.withUnsafeBufferPointer { s in
        summary.median = median(sorted: s)
        folded.withUnsafeMutableBufferPointer { foldedPositions(sorted: s, center: summary.median, into: $0) }
        summary.mad = medianAbsoluteDeviation(sorted: s, center: summary.median, folded: folded)
        summary.q5 = quantileType7(s, probability: 0.05)
        summary.q95 = quantileType7(s, probability: 0.95)
        summary.quantiles = quantiles.map { quantileType7(s, probability: $0) }
        summary.highestDensityIntervals = intervals.map { p in
            highestDensityInterval(sorted: s, probability: p).map { ValueInterval(lower: $0.lower, upper: $0.upper) }
        }
    }
    if abs(largest - smallest) < Double.ulpOfOne { return summary }  // constant (x.isConstant)

    let m = x.chainCount, n = x.length
    let evenLength = n % 2 == 0
    /// The draws (chain-major) in a scratch array, to be split and centred in place.
    func chainMajor(_ fill: (UnsafeMutableBufferPointer<Double>) -> Void) -> ChainSequences {
        var copy = scratch.doubles(count: total)
        copy.withUnsafeMutableBufferPointer { fill($0) }
        return ChainSequences(values: consume copy, chainCount: m, length: n)
    }
    if finite {
        let basic = evenLength
            ? chainMajor { out in values.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: total) } }
            : x
        (summary.rhatBasic, summary.essBasic) = rhatAndEffectiveSampleSize((consume basic).split(), scratch: scratch)
        summary.mcseMean = sd / summary.essBasic.squareRoot()
    }

    let splitChains = n > 1 ? 2 * m : m, splitLength = n > 1 ? n / 2 : n
    if scores.count == splitChains * splitLength {
        // Bulk: ranks of the split draws from the one sort; folded: |x − median| put in order by
        // merging the sorted draws outwards from the median.
        let target = SplitTarget(length: n)
        // With an even chain length the split layout is the chain-major one: the sorted draws and
        // their permutation serve the bulk ranks directly. Otherwise the middle draws are left out.
        let count = scores.count
        var bulkValues = sorted, bulkTargets = order
        var foldedValues = scratch.doubles(count: count), foldedTargets = scratch.indices(count: count)
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
            var z = scratch.doubles(count: count)
            z.withUnsafeMutableBufferPointer { out in
                values.withUnsafeBufferPointer { v in
                    targets.withUnsafeBufferPointer { rankNormalized(sortedValues: v, targets: $0, scores: scores, into: out) }
                }
            }
            return ChainSequences(values: consume z, chainCount: splitChains, length: splitLength)
        }
        let (bulkRhat, bulkESS) = rhatAndEffectiveSampleSize(normalScores(bulkValues, bulkTargets), scratch: scratch)
        summary.essBulk = bulkESS
        let foldedScores = normalScores(foldedValues, foldedTargets)
        let tailRhat = potentialScaleReduction(foldedScores)
        summary.rhat = bulkRhat.isNaN || tailRhat.isNaN ? .nan : max(bulkRhat, tailRhat)
        scratch.recycle(foldedScores.values)
        scratch.recycle(foldedValues)
        scratch.recycle(foldedTargets)
    }

    // Infinite draws leave the rank-based diagnostics defined but not the others (as posterior).
    guard finite else { return summary }

    // Tail: ESS of the 5% and 95% quantile indicators, and the quantile MCSEs.
    func indicatorESS(_ threshold: Double) -> Double {
        let indicator = chainMajor { out in
            values.withUnsafeBufferPointer { v in
                for i in 0..<total { out[i] = v[i] <= threshold ? 1 : 0 }
            }
        }
        return rhatAndEffectiveSampleSize((consume indicator).split(), scratch: scratch).effectiveSampleSize
    }
    let low = indicatorESS(summary.q5)
    let high = indicatorESS(summary.q95)
    summary.essTail = low.isNaN || high.isNaN ? .nan : min(low, high)
    sorted.withUnsafeBufferPointer { s in
        summary.mcseQ5 = quantileMonteCarloStandardError(sorted: s, probability: 0.05, effectiveSampleSize: low)
        summary.mcseQ95 = quantileMonteCarloStandardError(sorted: s, probability: 0.95, effectiveSampleSize: high)
    }
    summary.mcseSd = standardDeviationMonteCarloStandardError(x, mean: mean, scratch: scratch)
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
