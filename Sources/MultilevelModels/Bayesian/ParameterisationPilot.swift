#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// A cheap deterministic estimate, before sampling, of how much each group-level term's levels
/// learn from their data relative to the term's prior: the statistic of `ParameterisationChoice`'s
/// automatic rule.
///
/// 1. The population-level GLM, y ~ family(g⁻¹(Xβ)) without group effects, by iteratively
///    reweighted least squares (gaussian, student: least squares; lognormal on log y).
/// 2. Four backfitting sweeps over the terms (fewest levels first), three Newton steps per term
///    and sweep (one step is far from the mode of a log-link effect of −2). For term t and level
///    j, with the other terms'
///    current effects in η, the working weights w_i = (∂μ/∂η)²/Var(y_i) and working residuals
///    e_i = (y_i − μ_i)/(∂μ/∂η) give the level's Fisher information I_j = Σ_i w_i Z_i Z_iᵀ and a
///    one-step estimate û_j = u_j + I_j⁻¹ Σ_i w_i e_i Z_i with sampling variance I_j⁻¹. The moment
///    estimate sd̂_k² = max(0, mean_j û_jk² − mean_j (I_j⁻¹)_kk) is the between-level variance
///    left once the noise is removed; the effects are then shrunk to u_j = (I_j + D̂⁻²)⁻¹ I_j û_j
///    (a Newton step on the penalised likelihood).
///    The dispersion (σ² for gaussian-like families, the negative-binomial shape φ, the gamma
///    shape α) is re-estimated by moments after each sweep.
/// 3. Nesting (issue 21): for an intercept-only term with an intercept-only term nested in it
///    (broods in locations; two levels of nesting only), the two variances come from the nested
///    analysis of variance of the fine levels' one-step totals (`NestedLevelInformation
///    .nestedVariances`) — backfitting, coarse term first, gives the coarse term most of both —
///    and the coarse levels' information I_j is the marginal one, Σ over their nested levels b of
///    1/(1/I_b + sd̂_fine²) (`NestedLevelInformation.marginalised`): a location sees its effect only
///    through its broods' effects.
/// 4. The term's ratio is the median over levels of (1/q) Σ_k sd̂_k² (I_j)_kk — the prior
///    variance over the data variance of a level's effect —, and its lower ratio the same with
///    sd̂² at its lower 95% bound sd̂² · χ²_{J−1}(0.05)/(J − 1) (J levels). The posterior of a non-centred z_jk
///    has variance ≈ 1/(1 + ratio): near 0 when the ratio is large, so z_j and sd are tightly
///    coupled (the non-centred funnel turned inside out) and centring is the better geometry
///    (Papaspiliopoulos, Roberts & Sköld 2007; Betancourt & Girolami 2015).
///
/// Cost: a few passes over the rows (O(n p²) per IRLS step, O(n q²) per term and sweep).
public struct ParameterisationPilot: Sendable {
    /// Per term, the moment estimates sd̂_k.
    public let standardDeviations: [[Double]]
    /// Per term, the median over levels of (1/q) Σ_k sd̂_k² (I_j)_kk.
    public let informationRatios: [Double]
    /// Per term, the ratio with sd̂² replaced by its lower 95% bound sd̂² · χ²_{J−1}(0.05)/(J − 1)
    /// for J levels: a term with few levels, whose sd the data leave uncertain down towards 0
    /// (where a centred term has its funnel), gets a ratio well below the point estimate's.
    public let lowerInformationRatios: [Double]
    /// Per term and level, the mean diagonal Fisher information (1/q) Σ_k (I_j)_kk of the level's
    /// data at the pilot's last sweep (0 for a level whose information is singular).
    public let levelInformation: [[Double]]

    /// Per term, whether an intercept-only term is nested in it (`NestedLevelInformation.child`):
    /// its `levelInformation` is the marginal one. `levelInformation` is what the automatic choice
    /// gives `PartiallyCentredGroupEffects`, whose weights λ_j = sd² I_j/(1 + sd² I_j) follow each
    /// draw's sd (issue 21: weights fixed at one variance, the pilot's sd̂² or its lower bound,
    /// left lme4's grouseticks' sd_LOCATION lower tail too high).
    public let hasNestedTerm: [Bool]

    /// Runs the pilot on `design` under `family`.
    public init(design: ModelDesign, family: Family) {
        let n = design.rowCount
        let p = design.fixedEffectCount
        // log y on a log-scale family; a hurdle's zero is −∞, which its pilot weighs 0.
        let y = family.hasLogScale ? design.response.map { $0 == 0 && family.kind == .hurdleLognormal ? -.infinity
                                                                : log(max($0, .leastNormalMagnitude)) } : design.response
        let trials = design.trials ?? [Double](repeating: 1, count: n)
        let offset = design.offset ?? [Double](repeating: 0, count: n)
        var model = PilotFamily(family: family, trials: trials)
        // 1. Population-level GLM by IRLS.
        var beta = [Double](repeating: 0, count: p)
        var eta = [Double](repeating: 0, count: n)
        for i in 0..<n { eta[i] = model.initialLinearPredictor(y[i], i) }
        let x = design.fixedEffects
        for _ in 0..<25 where p > 0 {
            var cross = DenseMatrix(rows: p, columns: p)
            var right = [Double](repeating: 0, count: p)
            for i in 0..<n {
                let (w, e) = model.workingWeightAndResidual(y[i], eta[i], i)
                let z = eta[i] - offset[i] + e
                for a in 0..<p {
                    let xa = x[i, a] * w
                    right[a] += xa * z
                    for b in 0...a { cross[a, b] += xa * x[i, b] }
                }
            }
            cross.symmetrizeFromLower()
            guard let inverse = try? cross.symmetricPositiveDefiniteInverse() else { break }
            let next = inverse.multiplied(by: right)
            let change = zip(next, beta).reduce(0) { max($0, abs($1.0 - $1.1)) }
            beta = next
            let fixed = x.multiplied(by: beta)
            for i in 0..<n { eta[i] = fixed[i] + offset[i] }
            model.updateDispersion(y, eta)
            if change < 1e-6 { break }
        }
        var fixed = p > 0 ? x.multiplied(by: beta) : [Double](repeating: eta.first ?? 0, count: n)
        if p > 0 { for i in 0..<n { fixed[i] += offset[i] } }
        // 2. Backfitting sweeps over the terms.
        let terms = design.randomTerms
        var effects = terms.map { [Double](repeating: 0, count: $0.grouping.levelCount * $0.columnCount) }
        var sds = terms.map { [Double](repeating: 0, count: $0.columnCount) }
        var ratios = [Double](repeating: 0, count: terms.count)
        var informations = terms.map { [Double](repeating: 0, count: $0.grouping.levelCount) }
        func linearPredictor(_ i: Int) -> Double {
            var value = fixed[i]
            for (t, term) in terms.enumerated() {
                let q = term.columnCount
                let level = term.grouping.levelIndex[i]
                for k in 0..<q { value += term.values[i * q + k] * effects[t][level * q + k] }
            }
            return value
        }
        // Coarse terms first: a term nested in another (instructors within departments) would
        // otherwise absorb the coarse term's effects before it is estimated, leaving it sd̂ = 0.
        let order = terms.indices.sorted { (terms[$0].grouping.levelCount, $0) < (terms[$1].grouping.levelCount, $1) }
        for _ in 0..<4 {
            for t in order {
                let term = terms[t]
                for _ in 0..<3 {
                    for i in 0..<n { eta[i] = linearPredictor(i) }
                    (sds[t], ratios[t], informations[t]) = Self.newtonStep(term: term, effects: &effects[t], y: y, eta: eta,
                                                                           model: model)
                }
            }
            for i in 0..<n { eta[i] = linearPredictor(i) }
            model.updateDispersion(y, eta)
        }
        // 3. Two-level nesting: backfitting splits the variance of a coarse term and the term nested
        // in it badly (the coarse term, estimated first, takes most of it), so their variances
        // come from the nested analysis of variance of the fine levels' one-step totals instead.
        for u in terms.indices {
            guard let child = NestedLevelInformation.child(of: u, terms: terms),
                  NestedLevelInformation.child(of: child.term, terms: terms) == nil,
                  !terms.indices.contains(where: { NestedLevelInformation.child(of: $0, terms: terms)?.term == u }) else { continue }
            let t = child.term, parentLevel = child.parentLevel
            let fineCount = terms[t].grouping.levelCount
            var information = [Double](repeating: 0, count: fineCount), score = information
            for i in 0..<n {
                let (w, e) = model.workingWeightAndResidual(y[i], eta[i], i)
                let b = terms[t].grouping.levelIndex[i]
                information[b] += w
                score[b] += w * e
            }
            let totals = (0..<fineCount).map { b in
                effects[t][b] + effects[u][parentLevel[b]] + (information[b] > 0 ? score[b] / information[b] : 0)
            }
            let (fine, coarse) = NestedLevelInformation.nestedVariances(totals: totals, information: information,
                                                                        parentLevel: parentLevel,
                                                                        parentCount: terms[u].grouping.levelCount)
            sds[t] = [fine.squareRoot()]
            sds[u] = [coarse.squareRoot()]
            informations[t] = information
            let fineRatios = information.filter { $0 > 0 }.map { fine * $0 }
            ratios[t] = fineRatios.isEmpty ? 0 : median(fineRatios)
        }
        // A coarse term whose levels hold finer nested levels learns about its effects through
        // theirs: its levels' information is the marginal one (`NestedLevelInformation`).
        let variances = sds.map { sd in sd.isEmpty ? 0 : sd.reduce(0) { $0 + $1 * $1 } / Double(sd.count) }
        let marginal = NestedLevelInformation.marginalised(terms: terms, variances: variances, information: informations)
        for t in terms.indices where marginal[t] != informations[t] {
            let levelRatios = marginal[t].filter { $0 > 0 }.map { variances[t] * $0 }
            ratios[t] = levelRatios.isEmpty ? 0 : median(levelRatios)
        }
        standardDeviations = sds
        informationRatios = ratios
        levelInformation = marginal
        hasNestedTerm = terms.indices.map { NestedLevelInformation.child(of: $0, terms: terms) != nil }
        lowerInformationRatios = zip(terms, ratios).map { term, ratio in
            let degrees = Double(term.grouping.levelCount - 1)
            return degrees > 0 ? ratio * ChiSquaredDistribution(degreesOfFreedom: degrees).quantile(0.05) / degrees : 0
        }
    }

    /// One step of the pilot for one term (see the type's description, step 2): the levels'
    /// information I_j and one-step estimates û_j at η, the moment estimate sd̂, the penalised
    /// Newton update of the effects, the median information ratio and each level's mean diagonal
    /// information.
    private static func newtonStep(term: RandomEffectTerm, effects: inout [Double], y: [Double], eta: [Double],
                                   model: PilotFamily) -> (sd: [Double], ratio: Double, information: [Double]) {
        let q = term.columnCount
        let levels = term.grouping.levelCount
        var information = [Double](repeating: 0, count: levels * q * q)
        var score = [Double](repeating: 0, count: levels * q)
        for i in 0..<y.count {
            let (w, e) = model.workingWeightAndResidual(y[i], eta[i], i)
            let level = term.grouping.levelIndex[i]
            for a in 0..<q {
                let za = term.values[i * q + a] * w
                score[level * q + a] += za * e
                for b in 0..<q { information[(level * q + a) * q + b] += za * term.values[i * q + b] }
            }
        }
        var oneStep: [[Double]] = []
        var informations: [DenseMatrix] = []
        var levelIndices: [Int] = []
        var sumSquares = [Double](repeating: 0, count: q)
        var sumVariances = [Double](repeating: 0, count: q)
        for j in 0..<levels {
            let block = DenseMatrix(rows: q, columns: q,
                                    columnMajor: Array(information[(j * q * q)..<((j + 1) * q * q)]))
            guard let inverse = try? block.symmetricPositiveDefiniteInverse() else { continue }
            let step = inverse.multiplied(by: Array(score[(j * q)..<((j + 1) * q)]))
            let u = (0..<q).map { effects[j * q + $0] + step[$0] }
            for k in 0..<q {
                sumSquares[k] += u[k] * u[k]
                sumVariances[k] += inverse[k, k]
            }
            oneStep.append(u)
            informations.append(block)
            levelIndices.append(j)
        }
        let count = Double(max(1, levelIndices.count))
        let sd = (0..<q).map { levelIndices.isEmpty ? 0 : max(0, (sumSquares[$0] - sumVariances[$0]) / count).squareRoot() }
        for j in 0..<levels { for k in 0..<q { effects[j * q + k] = 0 } }
        var levelRatios: [Double] = []
        var levelInformation = [Double](repeating: 0, count: levels)
        for (m, j) in levelIndices.enumerated() {
            var penalised = informations[m]
            levelInformation[j] = (0..<q).reduce(0) { $0 + penalised[$1, $1] } / Double(q)
            var ratio = 0.0
            for k in 0..<q {
                let variance = sd[k] * sd[k]
                ratio += variance * penalised[k, k] / Double(q)
                penalised[k, k] += variance > 0 ? 1 / variance : .infinity
            }
            levelRatios.append(ratio)
            guard let shrink = try? penalised.symmetricPositiveDefiniteInverse() else { continue }
            let shrunk = shrink.multiplied(by: informations[m].multiplied(by: oneStep[m]))
            for k in 0..<q where shrunk[k].isFinite { effects[j * q + k] = shrunk[k] }
        }
        return (sd, levelRatios.isEmpty ? 0 : median(levelRatios), levelInformation)
    }
}

/// The family's working weights and dispersion as the pilot needs them (`ResponseFamily`'s pilot
/// members), with the current dispersion estimate (1 until a family's moment estimate replaces it).
private struct PilotFamily {
    let family: any ResponseFamily.Type
    let trials: [Double]
    /// σ² (gaussian, student, lognormal), φ (negative binomial), α (gamma).
    var dispersion: Double = 1

    init(family: Family, trials: [Double]) {
        self.family = family.descriptor
        self.trials = trials
    }

    func initialLinearPredictor(_ y: Double, _ i: Int) -> Double {
        family.pilotInitialLinearPredictor(response: y, trials: trials[i])
    }

    /// w = (∂μ/∂η)²/Var(y), e = (y − μ)/(∂μ/∂η) at η.
    func workingWeightAndResidual(_ y: Double, _ eta: Double, _ i: Int) -> (Double, Double) {
        family.pilotWorkingWeightAndResidual(response: y, trials: trials[i], eta: eta, dispersion: dispersion)
    }

    /// Moment estimates of the dispersion from the residuals at η.
    mutating func updateDispersion(_ y: [Double], _ eta: [Double]) {
        if let estimate = family.pilotDispersion(response: y, eta: eta) { dispersion = estimate }
    }
}
