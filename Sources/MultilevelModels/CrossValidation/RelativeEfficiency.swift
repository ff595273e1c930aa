import Foundation
import MultilevelSampling

/// The relative efficiency r_eff = ESS / S of the likelihood draws p(yᵢ | θˢ) of one observation, as
/// the loo package (2.5) computes it for `loo(..., r_eff = relative_eff(exp(log_lik), chain_id))`:
/// loo's `ess_rfun` is the multi-chain ESS of Geyer's initial positive and monotone sequences over
/// whole (not split) chains, the algorithm of `effectiveSampleSize` (posterior's `.ess`) on the
/// likelihood itself, without rank normalisation. (loo's FFT autocovariances carry a factor M/N, M
/// the next 2ᵃ3ᵇ5ᶜ ≥ N draws per chain, that its chain-mean term lacks; for chains of 2ᵃ3ᵇ5ᶜ
/// draws — 250, 1000, 2000, 5000 — M = N and the two agree exactly.)
public enum RelativeEfficiency {
    /// r_eff of one observation from its draws (chain after chain, equal lengths) of
    /// log p(yᵢ | θˢ); 1 where ESS is undefined (a likelihood that does not vary).
    public static func ofLikelihood(logLikelihood ll: UnsafeBufferPointer<Double>, chains: Int) -> Double {
        let total = ll.count
        guard chains >= 1, total % chains == 0, total / chains >= 4 else { return 1 }
        // Shifting by the maximum scales every likelihood by one constant, which ESS does not
        // see, and keeps the values away from underflow.
        let shift = ll.max() ?? 0
        return ofScaledLikelihood(ll.map { exp($0 - shift) }, chains: chains)
    }

    /// r_eff from the likelihood draws already scaled by a constant, c · p(yᵢ | θˢ) (ESS does not
    /// see the constant).
    static func ofScaledLikelihood(_ values: [Double], chains: Int) -> Double {
        let total = values.count
        guard chains >= 1, total % chains == 0, total / chains >= 4 else { return 1 }
        let ess = effectiveSampleSize(ChainSequences(values: values, chainCount: chains, length: total / chains))
        return ess.isFinite && ess > 0 ? ess / Double(total) : 1
    }
}
