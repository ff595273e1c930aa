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
            let order = largest(m + 1, of: weights)
            let tailIndices = order[1...]
            let cutoff = weights[order[0]]
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

    /// The indices of the `count` largest values, in ascending order of (value, index) — the last
    /// `count` entries of a stable ascending sort of the indices by value — found by selection
    /// (Hoare's quickselect on the pairs, then a sort of the `count` selected) in O(S + count log
    /// count) rather than the O(S log S) of a full sort.
    static func largest(_ count: Int, of values: [Double]) -> [Int] {
        var pairs = values.enumerated().map { (value: $0.element, index: $0.offset) }
        let n = pairs.count
        let first = n - count
        @inline(__always) func less(_ a: (value: Double, index: Int), _ b: (value: Double, index: Int)) -> Bool {
            a.value < b.value || (a.value == b.value && a.index < b.index)
        }
        var low = 0, high = n - 1
        while low < high {
            // Median of three as pivot; (value, index) is a strict total order, so the partition ends.
            let middle = low + (high - low) / 2
            if less(pairs[middle], pairs[low]) { pairs.swapAt(middle, low) }
            if less(pairs[high], pairs[low]) { pairs.swapAt(high, low) }
            if less(pairs[high], pairs[middle]) { pairs.swapAt(high, middle) }
            let pivot = pairs[middle]
            var i = low, j = high
            while i <= j {
                while less(pairs[i], pivot) { i += 1 }
                while less(pivot, pairs[j]) { j -= 1 }
                if i <= j { pairs.swapAt(i, j); i += 1; j -= 1 }
            }
            if first <= j { high = j } else if first >= i { low = i } else { break }
        }
        return pairs[first...].sorted(by: less).map(\.index)
    }
}
