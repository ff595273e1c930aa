import MultilevelData
import MultilevelSampling

/// A monotonic effect's contribution to the linear predictor per posterior draw, read from the
/// constrained draws `bsp_<term>` and `simo_<term>1[i]` (brms' `mo(simo, x)` times bsp):
///
///     mo_s(k) = bsp_s · D · Σ_{i ≤ k} ζ_{s,i},   k = 0…D
///
/// (Bürkner & Charpentier 2020, eq. 2), for prediction and the pointwise log-likelihood.
enum MonotonicEffectDraws {
    /// The D + 1 values mo_s(0…D) of every draw in `rows` (chain, offset of the draw in that
    /// chain's values), draw-major: `[s * (D + 1) + k]`. `index` finds a variable's column.
    /// With `scaled` false, the transform mo(ζ_s, k) = D · Σ_{i ≤ k} ζ_{s,i} alone, without bsp
    /// (the Z value of a group-level `(mo(x) | g)` column, `RandomEffectTerm.monotonic`).
    static func values(_ effect: MonotonicEffect, draws: Draws, rows: [(chain: Int, base: Int)], scaled: Bool = true,
                       index: (String) throws -> Int) rethrows -> [Double] {
        let d = effect.categoryCount
        let coefficient = scaled ? try index(effect.coefficientName) : -1
        let simplex = try (1...d).map { try index("\(effect.simplexName)[\($0)]") }
        var result = [Double](repeating: 0, count: rows.count * (d + 1))
        for (s, (chain, base)) in rows.enumerated() {
            let values = draws.chains[chain]
            let scale = (coefficient >= 0 ? values[base + coefficient] : 1) * Double(d)
            var sum = 0.0
            for k in 1...d {
                sum += values[base + simplex[k - 1]]
                result[s * (d + 1) + k] = scale * sum
            }
        }
        return result
    }
}
