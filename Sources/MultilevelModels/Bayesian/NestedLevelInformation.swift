import MultilevelData

/// The information a level's data carry about its own effect when finer group-level effects are
/// nested in it (`ParameterisationPilot`, issue 21).
///
/// For an intercept-only term u (locations) in which an intercept-only term t is nested (broods:
/// every brood lies in one location), the rows of a location see r_u,k only through the sums
/// r_u,k + r_t,b of its broods b. With the brood effects integrated out at their variance sd_t²,
/// brood b's data inform r_u,k as one observation of variance 1/I_b + sd_t² (I_b its own
/// information), so the location learns
///
///     I_k = Σ_{b ∈ k} 1 / (1/I_b + sd_t²),
///
/// the precision of the gaussian marginal of r_u,k (Gelfand, Sahu & Carlin 1995, §3, the
/// three-stage normal model; Papaspiliopoulos, Roberts & Sköld 2007, §4), far less than the rows'
/// Σ_{b ∈ k} I_b when sd_t² I_b is large. With several levels of nesting the finest term is
/// marginalised first, so a coarse level sees its children's marginal information. The child t
/// of u is the intercept-only term nested in u with the fewest levels above u's (as
/// `HierarchicalCentring` picks a parent).
enum NestedLevelInformation {
    /// Per term, the per-level information `information` with every intercept-only term that has
    /// an intercept-only term nested in it replaced by the marginal information above; `variances`
    /// are the terms' (mean) variances sd̂² and a level with information 0 (a singular level)
    /// contributes nothing. Terms with several columns, or with no nested term, are returned as given.
    static func marginalised(terms: [RandomEffectTerm], variances: [Double], information: [[Double]]) -> [[Double]] {
        var result = information
        // Finest first: a child is marginalised before its parent reads it.
        let order = terms.indices.sorted { (terms[$1].grouping.levelCount, $1) < (terms[$0].grouping.levelCount, $0) }
        for u in order {
            guard let child = Self.child(of: u, terms: terms) else { continue }
            var marginal = [Double](repeating: 0, count: terms[u].grouping.levelCount)
            for (b, k) in child.parentLevel.enumerated() where result[child.term][b] > 0 {
                marginal[k] += 1 / (1 / result[child.term][b] + variances[child.term])
            }
            result[u] = marginal
        }
        return result
    }

    /// The intercept-only term nested in intercept-only term u with the fewest levels above u's,
    /// and the level of u each of its levels lies in; nil when there is none.
    static func child(of u: Int, terms: [RandomEffectTerm]) -> (term: Int, parentLevel: [Int])? {
        func interceptOnly(_ t: Int) -> Bool { terms[t].columnCount == 1 && terms[t].values.allSatisfy { $0 == 1 } }
        guard interceptOnly(u) else { return nil }
        var child: (term: Int, parentLevel: [Int])?
        for t in terms.indices where t != u && interceptOnly(t) && terms[t].grouping.levelCount > terms[u].grouping.levelCount {
            if let best = child, terms[best.term].grouping.levelCount <= terms[t].grouping.levelCount { continue }
            guard let map = HierarchicalCentring.parentLevels(of: terms[t].grouping, in: terms[u].grouping) else { continue }
            child = (t, map)
        }
        return child
    }

    /// Method-of-moments variances of a nested pair (the unbalanced nested analysis of variance):
    /// `totals[b]` estimates r_u,k(b) + r_t,b with sampling variance 1/`information[b]` (levels with
    /// information 0 are left out), `parentLevel[b]` = k(b). Within the coarse levels,
    /// E Σ_k Σ_{b ∈ k} (v_b − v̄_k)² = Σ_k (1 − 1/n_k) Σ_{b ∈ k} (sd_t² + 1/I_b) gives sd_t²; then the
    /// precision-weighted level means m_k = Σ w_b v_b / W_k, w_b = 1/(1/I_b + sd_t²), W_k = Σ w_b,
    /// have variance sd_u² + 1/W_k about their mean, which gives sd_u². Both are clamped at 0.
    static func nestedVariances(totals: [Double], information: [Double], parentLevel: [Int],
                                parentCount: Int) -> (fine: Double, coarse: Double) {
        var count = [Double](repeating: 0, count: parentCount), sum = count, noise = count
        for (b, k) in parentLevel.enumerated() where information[b] > 0 {
            count[k] += 1
            sum[k] += totals[b]
            noise[k] += 1 / information[b]
        }
        var within = 0.0, withinNoise = 0.0, degrees = 0.0
        for (b, k) in parentLevel.enumerated() where information[b] > 0 {
            let deviation = totals[b] - sum[k] / count[k]
            within += deviation * deviation
        }
        for k in 0..<parentCount where count[k] > 0 {
            withinNoise += (1 - 1 / count[k]) * noise[k]
            degrees += count[k] - 1
        }
        let fine = degrees > 0 ? max(0, (within - withinNoise) / degrees) : 0
        var weight = [Double](repeating: 0, count: parentCount), weighted = weight
        for (b, k) in parentLevel.enumerated() where information[b] > 0 {
            let w = 1 / (1 / information[b] + fine)
            weight[k] += w
            weighted[k] += w * totals[b]
        }
        let levels = (0..<parentCount).filter { weight[$0] > 0 }
        guard levels.count > 1 else { return (fine, 0) }
        let means = levels.map { weighted[$0] / weight[$0] }
        let centre = means.reduce(0, +) / Double(means.count)
        let spread = means.reduce(0) { $0 + ($1 - centre) * ($1 - centre) } / Double(means.count - 1)
        let meanNoise = levels.reduce(0) { $0 + 1 / weight[$1] } / Double(levels.count)
        return (fine, max(0, spread - meanNoise))
    }
}
