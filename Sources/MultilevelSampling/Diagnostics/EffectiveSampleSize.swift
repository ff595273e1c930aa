import Foundation

/// Effective sample size of `sequences` (already split if split-ESS is wanted) by Geyer's initial
/// positive and initial monotone sequence estimators (Geyer 1992; Vehtari et al. 2021 §3.2,
/// eqs. 10–13), exactly as posterior 1.4's `.ess`:
///
/// - mean autocovariance over the m chains γ̄_t, W = γ̄₀ N/(N−1),
///   var⁺ = γ̄₀ + B/N with B/N the variance of the chain means (m > 1);
/// - ρ̂_t = 1 − (W − γ̄_t)/var⁺; pairs P̂_k = ρ̂_{2k} + ρ̂_{2k+1} are summed while positive
///   (initial positive sequence), then made monotone (initial monotone sequence);
/// - τ̂ = −1 + 2 Σ_{t<T} ρ̂_t + ρ̂_T (the improved, antithetic-friendly end term), bounded below
///   by 1/log₁₀(N m) — so ESS ≤ N m log₁₀(N m) —, and ESS = N m / τ̂.
///
/// NaN (posterior's NA) with fewer than 3 draws per chain, any non-finite value, or a constant
/// input.
public func effectiveSampleSize(_ sequences: consuming ChainSequences) -> Double {
    rhatAndEffectiveSampleSize(sequences).effectiveSampleSize
}

/// R̂ (as `potentialScaleReduction`) and ESS (as `effectiveSampleSize`) of the same sequences
/// from one pass that centres them: W is the mean lag-0 autocovariance × N/(N − 1) and B/N the
/// variance of the chain means, the quantities both estimators use.
public func rhatAndEffectiveSampleSize(_ sequences: consuming ChainSequences) -> (rhat: Double, effectiveSampleSize: Double) {
    rhatAndEffectiveSampleSize(sequences, scratch: nil)
}

/// `rhatAndEffectiveSampleSize(_:)` giving the sequences' storage (centred in place) back to
/// `scratch` when done.
func rhatAndEffectiveSampleSize(_ sequences: consuming ChainSequences, scratch: ScratchArrays?)
    -> (rhat: Double, effectiveSampleSize: Double) {
    let n = sequences.length
    let m = sequences.chainCount
    if sequences.diagnosticIsUndefined { return (.nan, .nan) }
    var acov = AutocovarianceEstimator(sequences: consume sequences)
    defer { scratch?.recycle(acov.takeStorage()) }
    let meanVariance = acov(0) * Double(n) / Double(n - 1)
    let meansVariance = m > 1 ? sampleVariance(acov.chainMeans) : 0
    let rhat = n > 1 ? ((Double(n) * meansVariance / meanVariance + Double(n) - 1) / Double(n)).squareRoot() : .nan
    if n < 3 { return (rhat, .nan) }
    var varPlus = meanVariance * Double(n - 1) / Double(n)
    if m > 1 {
        varPlus += meansVariance
    }
    // ρ̂ by lag, as far as Geyer's sequence goes (posterior's zero-filled vector, grown as needed).
    var t = 0
    var rhoEven = 1.0
    var rhoOdd = 1 - (meanVariance - acov(1)) / varPlus
    var rho = [rhoEven, rhoOdd]
    rho.reserveCapacity(64)
    while t < n - 5, !(rhoEven + rhoOdd).isNaN, rhoEven + rhoOdd > 0 {
        t += 2
        rhoEven = 1 - (meanVariance - acov(t)) / varPlus
        rhoOdd = 1 - (meanVariance - acov(t + 1)) / varPlus
        let kept = rhoEven + rhoOdd >= 0
        rho.append(kept ? rhoEven : 0)
        rho.append(kept ? rhoOdd : 0)
    }
    let maxT = t
    if rhoEven > 0 { rho[maxT] = rhoEven }
    // Initial monotone sequence.
    t = 0
    while t <= maxT - 4 {
        t += 2
        if rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1] {
            rho[t] = (rho[t - 2] + rho[t - 1]) / 2
            rho[t + 1] = rho[t]
        }
    }
    let total = Double(n * m)
    var sum = 0.0
    for k in 0..<maxT { sum += rho[k] }
    // posterior sums rho_hat_t[1:max_t]; with max_t = 0 R's 1:0 selects the lag-0 term, so a
    // sequence too short for Geyer's loop (N ≤ 5) gets τ̂ = 2.
    if maxT == 0 { sum = rho[0] }
    var tau = -1 + 2 * sum + rho[maxT]
    let bound = 1 / log10(total)
    if tau < bound { tau = bound }
    return (rhat, total / tau)
}

/// Means of each sequence.
func chainMeans(_ sequences: ChainSequences) -> [Double] {
    let n = sequences.length
    return sequences.values.withUnsafeBufferPointer { v in
        (0..<sequences.chainCount).map { c in
            let base = v.baseAddress! + c * n
            var s0 = 0.0, s1 = 0.0
            var i = 0
            while i + 2 <= n { s0 += base[i]; s1 += base[i + 1]; i += 2 }
            if i < n { s0 += base[i] }
            return (s0 + s1) / Double(n)
        }
    }
}

/// Sample variance (denominator n − 1) by two passes, as R's `var`; NaN for fewer than 2 values.
func sampleVariance<C: Collection>(_ values: C) -> Double where C.Element == Double {
    let n = values.count
    guard n > 1 else { return .nan }
    var s = 0.0
    for v in values { s += v }
    let mean = s / Double(n)
    var ss = 0.0
    for v in values { ss += (v - mean) * (v - mean) }
    return ss / Double(n - 1)
}

/// Bulk effective sample size: ESS of the rank-normalised split chains (Vehtari et al. 2021 §3.2).
public func bulkEffectiveSampleSize(_ sequences: ChainSequences) -> Double {
    if sequences.rankDiagnosticIsUndefined { return .nan }
    return effectiveSampleSize(rankNormalized(sequences.split()))
}

/// posterior's `ess_basic` / `ess_mean`: ESS of the split chains of the raw values.
public func basicEffectiveSampleSize(_ sequences: ChainSequences) -> Double {
    effectiveSampleSize(sequences.split())
}

/// ESS of the quantile of `probability`: ESS of the split chains of the indicator
/// I(x ≤ q̂_p) with q̂_p the type-7 quantile of all draws (posterior's `ess_quantile`; p = 1 is
/// moved to (S − 1/2)/S).
public func quantileEffectiveSampleSize(_ sequences: ChainSequences, probability: Double) -> Double {
    if sequences.diagnosticIsUndefined { return .nan }
    let sorted = sortedCopy(sequences.values)
    return quantileEffectiveSampleSize(sequences, sorted: sorted, probability: probability)
}

func quantileEffectiveSampleSize(_ sequences: ChainSequences, sorted: [Double], probability: Double) -> Double {
    var p = probability
    if p == 1 { p = (Double(sorted.count) - 0.5) / Double(sorted.count) }
    let q = quantileType7(sorted, probability: p)
    return effectiveSampleSize(sequences.map { $0 <= q ? 1 : 0 }.split())
}

/// Tail effective sample size: the smaller of the ESS of the 5% and 95% quantiles
/// (Vehtari et al. 2021 §4.3). NaN when either is.
public func tailEffectiveSampleSize(_ sequences: ChainSequences) -> Double {
    if sequences.diagnosticIsUndefined { return .nan }
    let sorted = sortedCopy(sequences.values)
    let low = quantileEffectiveSampleSize(sequences, sorted: sorted, probability: 0.05)
    let high = quantileEffectiveSampleSize(sequences, sorted: sorted, probability: 0.95)
    if low.isNaN || high.isNaN { return .nan }
    return min(low, high)
}
