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
        let interceptOnly = terms.map { $0.columnCount == 1 && $0.values.allSatisfy { $0 == 1 } }
        // Finest first: a child is marginalised before its parent reads it.
        let order = terms.indices.sorted { (terms[$1].grouping.levelCount, $1) < (terms[$0].grouping.levelCount, $0) }
        for u in order where interceptOnly[u] {
            var child: (term: Int, parentLevel: [Int])?
            for t in terms.indices where t != u && interceptOnly[t]
                && terms[t].grouping.levelCount > terms[u].grouping.levelCount {
                if let best = child, terms[best.term].grouping.levelCount <= terms[t].grouping.levelCount { continue }
                guard let map = HierarchicalCentring.parentLevels(of: terms[t].grouping, in: terms[u].grouping) else { continue }
                child = (t, map)
            }
            guard let child else { continue }
            var marginal = [Double](repeating: 0, count: terms[u].grouping.levelCount)
            for (b, k) in child.parentLevel.enumerated() where result[child.term][b] > 0 {
                marginal[k] += 1 / (1 / result[child.term][b] + variances[child.term])
            }
            result[u] = marginal
        }
        return result
    }
}
