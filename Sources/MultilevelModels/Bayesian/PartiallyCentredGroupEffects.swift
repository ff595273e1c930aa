#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Partial non-centring per level of one-column group-level terms (`ParameterLayout.Term
/// .centringWeights`): level j of such a term, whose effect is γ_j = μ_j + r_j with r_j ~ N(0, sd²)
/// and μ_j its hierarchical centre (the parent's γ plus Σ_k b_k c_jk, `HierarchicalCentring` and
/// `CovariateCentring`; 0 for a term without a parent), is sampled as
///
///     x̂_j ~ N(λ_j μ_j, sd^{2λ_j}),   r_j = sd^{1−λ_j} (x̂_j − λ_j μ_j),
///
/// the partially non-centred parameterisation of Papaspiliopoulos, Roberts & Sköld (2003, 2007)
/// in the form of Gorinova, Moore & Hoffman (2020, "Automatic reparameterisation of probabilistic
/// programs", ICML, eq. 2, with one λ per level): λ_j = 1 is the (hierarchically) centred γ_j,
/// λ_j = 0 brms' non-centred z_j. With m_j = x̂_j − λ_j μ_j and s = log sd, the map x̂_j ↦ r_j has
/// log-Jacobian (1 − λ_j) s, so
///
///     log p(x̂_j) = −λ_j s − ½ m_j² e^{−2 λ_j s}   (without −½ log 2π)
///
/// is the centred log p(r_j) = −s − ½ r_j² e^{−2s} plus that log-Jacobian: the same posterior.
/// With g_j the gradient of everything else with respect to r_j — ∂ log L/∂r_j plus, when other
/// terms are centred on this one, D_j = Σ over its children of ∂/∂μ (they read γ_j = μ_j + r_j) —
///
///     G_j = ∂/∂x̂_j = g_j e^{(1−λ_j) s} − m_j e^{−2 λ_j s},   ∂/∂μ_j = D_j − λ_j G_j,
///     ∂/∂s = Σ_j [(1 − λ_j) g_j r_j − λ_j + λ_j m_j² e^{−2 λ_j s}].
///
/// So the terms are evaluated parents first (γ of a partially centred parent is kept for its
/// children) and differentiated children first (`PartialCentringPlan`). A level whose data carry
/// much information next to the prior (λ_j → 1) avoids the non-centred ridge between z_j and sd;
/// one with little data (λ_j → 0) avoids the centred funnel. The automatic choices let the
/// weights follow sd, with I_j from `ParameterisationPilot.levelInformation`.
///
/// **Weights that follow sd** (`followsSD`, issue 21): the stored values are then
/// the levels' information I_j and λ_j = λ_j(s) = sd² I_j/(1 + sd² I_j) at the current sd — the
/// optimal weight of a gaussian level at that variance (Papaspiliopoulos, Roberts & Sköld 2003,
/// §3), where fixed weights are optimal at one variance only. The map (x̂, s) ↦ (r, s) stays a
/// bijection with a triangular Jacobian, ∂r_j/∂x̂_j = e^{(1−λ_j(s)) s}, so log p(x̂_j) keeps the
/// form above. The conditional scale of x̂_j given sd, sd^{λ_j}(1 − λ_j)^{1/2} for a gaussian
/// level, then tends to 1 as sd → 0 (λ_j → 0, non-centred) and to I_j^{−1/2} as sd → ∞ (λ_j → 1,
/// centred), where with a fixed λ_j > 0 it shrinks as sd^{λ_j} towards sd = 0: the centred funnel
/// in the lower tail of sd, which fixed weights only narrow. With
/// λ'_j = dλ_j/ds = 2 λ_j (1 − λ_j), h'_j = (1 − λ_j) − λ'_j s and k'_j = λ_j + λ'_j s, the
/// gradients in x̂_j and μ_j are unchanged and
///
///     ∂/∂s = Σ_j [h'_j g_j r_j − k'_j (1 − m_j² e^{−2 λ_j s}) − λ'_j μ_j G_j],
///
/// with λ'_j μ_j = 2 (1 − λ_j)(x̂_j − m_j) (no division by λ_j); with λ'_j = 0 it is the sum above.
enum PartiallyCentredGroupEffects {
    /// λ_j: `stored` itself, or with `followsSD` the weight sd² I_j/(1 + sd² I_j) of information
    /// I_j = `stored` at sd² = `variance` (1 when sd² I_j is infinite, 0 when it is undefined).
    @inline(__always)
    static func weight(_ stored: Double, variance: Double, followsSD: Bool) -> Double {
        guard followsSD else { return stored }
        let a = variance * stored
        return a.isFinite ? a / (1 + a) : a.isNaN ? 0 : 1
    }

    /// r_j = e^{(1−λ_j) s} (x̂_j − λ_j μ_j) into `effects` and, when `centres` is given,
    /// γ_j = μ_j + r_j into it; μ_j = `parentValues[parentIndex[j]]` (none when `parentIndex` is
    /// empty) + Σ_k b_k c_jk over `covariates`, b_k = `x[covariate.coefficient]`.
    /// With `followsSD`, `weights` holds the levels' information and λ_j follows sd (see above).
    @inline(__always)
    static func effects(stored xHat: UnsafePointer<Double>, weights: UnsafeBufferPointer<Double>, followsSD: Bool = false,
                        logSD s: Double, parentValues: UnsafePointer<Double>, parentIndex: UnsafeBufferPointer<Int>,
                        covariates: [CentringCovariate], from x: UnsafePointer<Double>,
                        into effects: UnsafeMutablePointer<Double>, centres: UnsafeMutablePointer<Double>?) {
        let count = weights.count
        // μ_j first, in `effects`.
        if parentIndex.isEmpty {
            for j in 0..<count { effects[j] = 0 }
        } else {
            for j in 0..<count { effects[j] = parentValues[parentIndex[j]] }
        }
        for covariate in covariates {
            let b = x[covariate.coefficient]
            covariate.values.withUnsafeBufferPointer { c in
                for j in 0..<count { effects[j] += b * c[j] }
            }
        }
        let variance = exp(2 * s)
        for j in 0..<count {
            let mu = effects[j]
            let lambda = weight(weights[j], variance: variance, followsSD: followsSD)
            let r = exp((1 - lambda) * s) * (xHat[j] - lambda * mu)
            effects[j] = r
            if let centres { centres[j] = mu + r }
        }
    }

    /// Adds log p(x̂) of the term (without its −½ log 2π per level) to the returned value, writes
    /// G_j into `effectGradient` and ∂/∂μ_j into `centreGradient` (g_j = `likelihoodGradient[j]` +
    /// `childGradient[j]`, D_j = `childGradient[j]`, zero when nil) at the effects `effects`
    /// wrote, and adds ∂/∂sd to `sdAdjoint`. With `followsSD`, `weights` holds the levels'
    /// information, λ_j follows sd and `stored` (the x̂_j) gives λ'_j μ_j (see above).
    @inline(__always)
    static func addLogDensity(effects r: UnsafePointer<Double>, stored xHat: UnsafePointer<Double>,
                              weights: UnsafeBufferPointer<Double>, followsSD: Bool = false, logSD s: Double,
                              likelihoodGradient: UnsafePointer<Double>, childGradient: UnsafePointer<Double>?,
                              effectGradient: UnsafeMutablePointer<Double>,
                              centreGradient: UnsafeMutablePointer<Double>,
                              sdAdjoint: UnsafeMutablePointer<Double>) -> Double {
        var value = 0.0
        var logSDGradient = 0.0
        let variance = exp(2 * s)
        for j in 0..<weights.count {
            let lambda = weight(weights[j], variance: variance, followsSD: followsSD)
            let scale = exp((1 - lambda) * s)
            let inversePriorVariance = exp(-2 * lambda * s)
            let m = r[j] / scale
            let direct = childGradient?[j] ?? 0
            let gradient = likelihoodGradient[j] + direct
            let priorSquare = m * m * inversePriorVariance
            value -= lambda * s + 0.5 * priorSquare
            let g = gradient * scale - m * inversePriorVariance
            effectGradient[j] = g
            centreGradient[j] = direct - lambda * g
            if followsSD {
                let slope = 2 * lambda * (1 - lambda)
                let slopeTimesCentre = 2 * (1 - lambda) * (xHat[j] - m)
                logSDGradient += ((1 - lambda) - slope * s) * gradient * r[j] - (lambda + slope * s) * (1 - priorSquare)
                    - slopeTimesCentre * g
            } else {
                logSDGradient += (1 - lambda) * gradient * r[j] - lambda + lambda * priorSquare
            }
        }
        sdAdjoint[0] += logSDGradient * exp(-s)
        return value
    }

    /// Adds ∂/∂μ_j (`centreGradient[j]`) to the parent's values (`parentGradient[parentIndex[j]]`,
    /// `parentIndex` may be empty) and Σ_j c_jk ∂/∂μ_j to each covariate's coefficient in `g`.
    @inline(__always)
    static func pullBack(centreGradient: UnsafePointer<Double>, count: Int, parentIndex: UnsafeBufferPointer<Int>,
                         parentGradient: UnsafeMutablePointer<Double>, covariates: [CentringCovariate],
                         gradient g: UnsafeMutablePointer<Double>) {
        if !parentIndex.isEmpty {
            for j in 0..<count { parentGradient[parentIndex[j]] += centreGradient[j] }
        }
        for covariate in covariates {
            var sum = 0.0
            covariate.values.withUnsafeBufferPointer { c in
                for j in 0..<count { sum += c[j] * centreGradient[j] }
            }
            g[covariate.coefficient] += sum
        }
    }
}

/// The order and scratch of a layout's partially centred terms (`PartiallyCentredGroupEffects`):
/// parents before children, and per term where its γ, its children's D and its ∂/∂μ live in a
/// scratch block of 3 × (their levels) values.
struct PartialCentringPlan: Sendable {
    struct Entry: Sendable {
        /// The term's index in the layout.
        var term: Int
        /// Offset of its values in each third of the scratch block.
        var offset: Int
        /// Per level, the index of its parent's value: into the unconstrained vector (a term
        /// that is not partially centred, or the `Intercept`), or into the γ third of the scratch
        /// when `parentIsPartial`; empty without a parent.
        var parentIndex: [Int]
        var parentIsPartial: Bool
        /// Whether a partially centred term is centred on it (then its γ and D are kept).
        var hasPartialChildren: Bool
    }
    /// Parents before children.
    let entries: [Entry]
    /// Levels of all partially centred terms: the size of each third of the scratch block.
    let levelCount: Int

    var isEmpty: Bool { entries.isEmpty }

    init(layout: ParameterLayout) {
        let terms = layout.terms
        let partial = terms.indices.filter { terms[$0].centringWeights != nil }
        var offsets = [Int](repeating: -1, count: terms.count)
        var total = 0
        for t in partial {
            offsets[t] = total
            total += terms[t].levelCount
        }
        levelCount = total
        var placed = Set<Int>()
        var order: [Int] = []
        func place(_ t: Int, depth: Int) {
            guard !placed.contains(t), depth <= terms.count else { return }
            if case let .term(u, _)? = terms[t].centringParent, offsets[u] >= 0 { place(u, depth: depth + 1) }
            placed.insert(t)
            order.append(t)
        }
        for t in partial { place(t, depth: 0) }
        let parentsOfPartial = Set(partial.compactMap { t -> Int? in
            if case let .term(u, _)? = terms[t].centringParent, offsets[u] >= 0 { return u }
            return nil
        })
        entries = order.map { t in
            let term = terms[t]
            var index: [Int] = []
            var fromPartial = false
            switch term.centringParent {
            case nil: break
            case .intercept?: index = [Int](repeating: layout.interceptOffset, count: term.levelCount)
            case let .term(u, parentLevel)?:
                fromPartial = offsets[u] >= 0
                index = parentLevel.map { fromPartial ? offsets[u] + $0 : terms[u].zOffset + $0 }
            }
            return Entry(term: t, offset: offsets[t], parentIndex: index, parentIsPartial: fromPartial,
                         hasPartialChildren: parentsOfPartial.contains(t))
        }
    }
}
