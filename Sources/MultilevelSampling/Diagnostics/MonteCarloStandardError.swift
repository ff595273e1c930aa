import MultilevelMath

/// Monte Carlo standard error of the mean: sd / √ESS with the ESS of the split chains of the raw
/// draws (posterior's `mcse_mean`).
public func meanMonteCarloStandardError(_ sequences: ChainSequences) -> Double {
    sampleVariance(sequences.values).squareRoot() / basicEffectiveSampleSize(sequences).squareRoot()
}

/// Monte Carlo standard error of the standard deviation without assuming normality
/// (posterior ≥ 1.2.2's `mcse_sd`): with centred draws c = x − x̄, the ESS of c² (split chains),
/// Var(s²) ≈ (mean c⁴ − (mean c²)²)/ESS (Kenney & Keeping 1951, p. 141), and by a first-order
/// Taylor expansion Var(s) ≈ Var(s²) / (4 mean c²).
public func standardDeviationMonteCarloStandardError(_ sequences: ChainSequences) -> Double {
    let values = sequences.values
    var sum = 0.0
    for v in values { sum += v }
    let mean = sum / Double(values.count)
    let squared = sequences.map { ($0 - mean) * ($0 - mean) }
    let ess = basicEffectiveSampleSize(squared)
    var second = 0.0, fourth = 0.0
    for s in squared.values {
        second += s
        fourth += s * s
    }
    second /= Double(values.count)
    fourth /= Double(values.count)
    let varianceOfVariance = (fourth - second * second) / ess
    return (varianceOfVariance / second / 4).squareRoot()
}

/// Monte Carlo standard error of the quantile of `probability` (Vehtari et al. 2021 §4.4;
/// posterior's `mcse_quantile`): with the quantile's ESS, the beta-distribution interval
/// a = qbeta((0.1586553, 0.8413447), ESS·p + 1, ESS·(1 − p) + 1) of the probability is mapped to
/// the sorted draws at positions ⌊a₁S⌋ and ⌈a₂S⌉ (clamped to 1…S), and the MCSE is half their
/// distance. NaN when the ESS is.
public func quantileMonteCarloStandardError(_ sequences: ChainSequences, probability: Double) -> Double {
    if sequences.diagnosticIsUndefined { return .nan }
    let sorted = sortedCopy(sequences.values)
    let ess = quantileEffectiveSampleSize(sequences, sorted: sorted, probability: probability)
    return sorted.withUnsafeBufferPointer {
        quantileMonteCarloStandardError(sorted: $0, probability: probability, effectiveSampleSize: ess)
    }
}

/// The beta-interval step of `quantileMonteCarloStandardError` given the quantile's ESS.
func quantileMonteCarloStandardError(sorted: UnsafeBufferPointer<Double>, probability p: Double,
                                     effectiveSampleSize ess: Double) -> Double {
    if ess.isNaN { return .nan }
    let count = sorted.count
    let s = Double(count)
    let a = ess * p + 1, b = ess * (1 - p) + 1
    let lowerProbability = inverseRegularizedIncompleteBeta(a, b, 0.1586553)
    let upperProbability = inverseRegularizedIncompleteBeta(a, b, 0.8413447)
    let lower = min(max(Int((lowerProbability * s).rounded(.down)), 1), count)
    let upper = max(min(Int((upperProbability * s).rounded(.up)), count), 1)
    return (sorted[upper - 1] - sorted[lower - 1]) / 2
}
