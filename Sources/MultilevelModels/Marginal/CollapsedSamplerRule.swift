import MultilevelData

/// Which sampler `fit` uses when none is named (issue 21).
///
/// The marginal sampler (NUTS on the population-level parameters with the group-level effects
/// integrated out, then drawn exactly) samples the same posterior as joint NUTS without the funnel
/// between a term's sd and its effects, so it cannot diverge there. For one group-level term its
/// per-level Woodbury form (`MarginalPosterior`) costs O(levels · q³) and is always taken (7.5× the
/// bulk-ESS per CPU-second of joint NUTS on sleepstudy, and the only one of the two that mixes when
/// groups hold thousands of rows, where the non-centred effects lock to their sd). For several
/// terms one evaluation of `CollapsedGaussianPosterior` costs a blocked factorisation plus a dense
/// selected inverse; it is taken when that costs at most `collapsedCostMultiple` times a joint
/// gradient, both counted in floating-point operations by `collapsedEvaluationCost` and
/// `jointGradientCost`. The multiple is measured (see `collapsedCostMultiple`). Joint NUTS stays
/// for other families, for Gibbs covariance priors and huang_wand priors (which the marginal
/// densities do not take), and for models whose dense part makes the factorisation too expensive
/// (InstEval's 1,128 lecturers crossed with 2,972 students).
public enum SamplerRule {
    /// A collapsed evaluation may cost this many joint gradients (in the flop counts below).
    /// Measured with `multilevel-bench --suite` (release, 4 × (1000 + 1000), seeds 1–3, median,
    /// shared 2-core machine under load), collapsed against joint NUTS (`MULTILEVEL_BENCH_SAMPLER`):
    ///
    /// | model | flop ratio | CPU-µs per gradient | least bulk-ESS per CPU-s | joint divergences |
    /// | --- | --- | --- | --- | --- |
    /// | Pastes `(1 \| batch/cask)` | 6.1 | 11.3 vs 2.1 | 3062 vs 283 | 169/124/57 |
    /// | Penicillin `(1 \| plate) + (1 \| sample)` | 3.7 | 13.5 vs 1.9 | 5206 vs 4229 | 0/0/0 |
    /// | Pixel `(day \| Dog) + (1 \| Dog:Side)` | 8.7 | 21.8 vs 5.1 | 856 vs 88 | 38/150/118 |
    /// | Machines `(1 \| Worker/Machine)` | — | 8.2 vs 1.2 | 4859 vs 1296 | 0/1/1 |
    /// | Oats `(1 \| Block/Variety)` | — | 7.8 vs 2.0 | 5892 vs 1600 | 96/20/94 |
    /// | sleepstudy `(Days \|\| Subject)` | — | 11.1 vs 2.1 | 4531 vs 2200 | 0/0/0 |
    ///
    /// A collapsed gradient took 0.5–1.9 times what its flop ratio predicts (the factorisation's
    /// per-call overhead dominates small models), and per gradient it bought 8.7 (Penicillin, where
    /// joint NUTS mixes well) to 58 (Pastes) times the effective draws. 16 flop-ratio units are
    /// therefore 8–30 joint gradients: at the top of that range a benign model can sample up to ~3×
    /// slower per effective draw than with joint NUTS, the price accepted for a sampler that cannot
    /// diverge in a funnel; beyond it (InstEval's shape: a flop ratio in the hundreds) joint NUTS.
    public static let collapsedCostMultiple = 16.0

    /// "marginal" or "nuts" for a model whose user named no sampler.
    public static func defaultSampler(family: Family, design: ModelDesign, priors: [PriorStatement],
                                      hasCovariancePriors: Bool) -> String {
        guard family == .gaussian, !design.randomTerms.isEmpty, !hasCovariancePriors,
              !priors.contains(where: { $0.distribution.isHuangWand }) else { return "nuts" }
        if design.randomTerms.count == 1 { return "marginal" }
        return collapsedEvaluationCost(design) <= collapsedCostMultiple * jointGradientCost(design) ? "marginal" : "nuts"
    }

    /// Floating-point operations of one joint gradient: a pass over the rows with the fixed and
    /// group-level columns, plus the parameter vector.
    public static func jointGradientCost(_ design: ModelDesign) -> Double {
        let width = design.fixedEffectCount + design.randomTerms.reduce(0) { $0 + $1.columnCount }
        let effects = design.randomTerms.reduce(0) { $0 + $1.columnCount * $1.grouping.levelCount }
        return 2 * Double(design.rowCount) * Double(width) + Double(effects)
    }

    /// Floating-point operations of one collapsed evaluation, following `BlockedMixedModelEquations`
    /// (first term: the one with most levels, L₀ levels of q₀ columns; the rest dense, m_Z random
    /// effects plus p + 1 rows; h_l the rows of the rest a level of the first term meets):
    /// Σ_l (q₀³ + h_l q₀² + h_l² q₀) for block column 0 and its Schur update, m³/3 for the rest's
    /// Cholesky, m_Z³/6 for its inverse, Σ_l (h_l + q₀) q₀ m_Z and Σ_k L_k q_k² m_Z for the selected
    /// inverse.
    public static func collapsedEvaluationCost(_ design: ModelDesign) -> Double {
        let terms = design.randomTerms.sorted { $0.grouping.levelCount > $1.grouping.levelCount }
        let first = terms[0]
        let q0 = Double(first.columnCount)
        let p = design.fixedEffectCount
        var restOffsets: [Int] = [], mz = 0
        for term in terms.dropFirst() { restOffsets.append(mz); mz += term.columnCount * term.grouping.levelCount }
        let m = Double(mz + p + 1), z = Double(mz)
        // Distinct rest rows met by each level of the first term.
        var met = [Set<Int>](repeating: [], count: first.grouping.levelCount)
        var height = [Int](repeating: p + 1, count: first.grouping.levelCount)
        for r in 0..<design.rowCount {
            let l0 = first.grouping.levelIndex[r]
            for (k, term) in terms.dropFirst().enumerated()
            where met[l0].insert(restOffsets[k] + term.grouping.levelIndex[r] * term.columnCount).inserted {
                height[l0] += term.columnCount
            }
        }
        var cost = m * m * m / 3 + z * z * z / 6
        for term in terms.dropFirst() {
            cost += Double(term.grouping.levelCount * term.columnCount * term.columnCount) * z
        }
        for l in 0..<first.grouping.levelCount {
            let h = Double(height[l])
            cost += q0 * q0 * q0 + h * q0 * q0 + h * h * q0 + (h + q0) * q0 * z
        }
        return cost
    }
}
