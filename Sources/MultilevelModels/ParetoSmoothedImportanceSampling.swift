import Foundation
import MultilevelMath

/// Pareto smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2024, *Pareto
/// smoothed importance sampling*, JMLR 25(72); the algorithm of the loo package's `psis`).
public enum ParetoSmoothedImportanceSampling {
    /// The number of tail draws fitted: M = ⌈min(0.2 S, 3 √(S / r_eff))⌉ (loo 2.x `n_pareto`).
    public static func tailLength(draws s: Int, relativeEfficiency: Double) -> Int {
        let r = relativeEfficiency > 0 && relativeEfficiency.isFinite ? relativeEfficiency : 1
        return Int(min(0.2 * Double(s), 3 * (Double(s) / r).squareRoot()).rounded(.up))
    }

    /// Smooths one vector of log importance ratios.
    ///
    /// The M largest ratios (M = `tailLength`) are replaced by the expected order statistics
    /// F⁻¹((z − ½)/M), z = 1…M, of a generalized Pareto distribution fitted (`zhangStephens`) to
    /// their exceedances over the largest ratio left out of the tail, then every weight is
    /// truncated at the largest raw ratio. With fewer than 5 tail draws the ratios are only
    /// truncated and k̂ = +∞ (loo's convention).
    ///
    /// - Returns: the smoothed log weights (not normalised, on the scale of the input) and k̂.
    public static func smooth(logRatios: [Double], relativeEfficiency: Double = 1)
        -> (logWeights: [Double], paretoK: Double) {
        let s = logRatios.count
        guard s > 0, let maximum = logRatios.max() else { return ([], .nan) }
        var weights = logRatios.map { $0 - maximum }
        var k = Double.infinity
        let m = min(tailLength(draws: s, relativeEfficiency: relativeEfficiency), s - 1)
        if m >= 5 {
            let order = weights.indices.sorted { weights[$0] < weights[$1] }
            let tailIndices = order[(s - m)...]
            let cutoff = weights[order[s - m - 1]]
            let tail = tailIndices.map { weights[$0] }
            if let first = tail.first, let last = tail.last, abs(last - first) > Double.ulpOfOne / 100 {
                let expCutoff = exp(cutoff)
                let exceedances = tail.map { exp($0) - expCutoff }
                if let fit = GeneralizedParetoFit.zhangStephens(sortedExceedances: exceedances) {
                    k = fit.shape
                    if k.isFinite {
                        for (z, index) in tailIndices.enumerated() {
                            let p = (Double(z) + 0.5) / Double(m)
                            weights[index] = log(fit.quantile(p) + expCutoff)
                        }
                    }
                }
            }
        }
        for i in 0..<s {
            if weights[i] > 0 { weights[i] = 0 }
            weights[i] += maximum
        }
        return (weights, k)
    }
}
