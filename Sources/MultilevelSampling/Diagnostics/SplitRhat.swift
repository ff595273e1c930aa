/// The potential scale reduction R̂ of `sequences` as given (split them first for split-R̂):
/// R̂ = √((B/W + N − 1)/N) with B = N · var(chain means) and W = mean of the within-chain variances
/// (Gelman et al. *BDA3* §11.4; posterior's `.rhat`). NaN (NA) for non-finite or constant input.
public func potentialScaleReduction(_ sequences: ChainSequences) -> Double {
    if sequences.diagnosticIsUndefined { return .nan }
    let n = sequences.length
    let means = chainMeans(sequences)
    var within = 0.0
    sequences.values.withUnsafeBufferPointer { v in
        for c in 0..<sequences.chainCount {
            let base = v.baseAddress! + c * n
            var ss = 0.0
            for i in 0..<n { ss += (base[i] - means[c]) * (base[i] - means[c]) }
            within += ss / Double(n - 1)
        }
    }
    within /= Double(sequences.chainCount)
    let between = Double(n) * sampleVariance(means)
    return ((between / within + Double(n) - 1) / Double(n)).squareRoot()
}

/// posterior's `rhat_basic`: R̂ of the split chains, without rank-normalisation.
public func basicRhat(_ sequences: ChainSequences) -> Double {
    potentialScaleReduction(sequences.split())
}

/// Rank-normalised split-R̂ (Vehtari et al. 2021, §3.1 and eq. 14; posterior's `rhat`): the
/// larger of R̂ of the rank-normalised split chains (bulk) and R̂ of the rank-normalised split
/// chains of |x − median(x)| (folded, sensitive to differences in scale). NaN (NA) when either is.
public func rankNormalizedSplitRhat(_ sequences: ChainSequences) -> Double {
    if sequences.rankDiagnosticIsUndefined { return .nan }
    let split = sequences.split()
    let bulk = potentialScaleReduction(rankNormalized(split))
    let median = sortedCopy(sequences.values).withUnsafeBufferPointer { MultilevelSampling.median(sorted: $0) }
    let folded = potentialScaleReduction(rankNormalized(sequences.map { abs($0 - median) }.split()))
    if bulk.isNaN || folded.isNaN { return .nan }
    return max(bulk, folded)
}

/// A sorted copy of `values`.
func sortedCopy(_ values: [Double]) -> [Double] {
    values.sorted()
}
