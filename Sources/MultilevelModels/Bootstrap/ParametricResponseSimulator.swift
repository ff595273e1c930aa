import MultilevelData
import MultilevelMath

/// Draws responses from a fitted linear mixed model (Bates et al. 2015, eq. 2–3, at the
/// estimates): y* = Xβ̂ + Zb* + ε* with b* = σ̂ Λθ̂ u*, u* ~ N(0, I) and ε* ~ N(0, σ̂² I) — new
/// random effects every time, lme4's `simulate(fit, use.u = FALSE)` and so `bootMer`'s default.
public struct ParametricResponseSimulator: Sendable {
    /// Xβ̂ per row (with the offset, for a GLMM; a linear mixed model fits y − offset).
    public let fixedPart: [Double]
    /// The random-effect terms in fitting order with their templates Tₖ(θ̂) (column-major q × q).
    let terms: [RandomEffectTerm]
    let templates: [[Double]]
    /// σ̂.
    public let sigma: Double

    /// The simulator for `fit`, a fit of a model whose (aliased-columns-dropped) design is `design`.
    public init(fit: LinearMixedModelFit, design: ModelDesign) {
        precondition(design.fixedEffectCount == fit.fixedEffects.count, "the fit does not belong to this design")
        fixedPart = design.fixedEffects.multiplied(by: fit.fixedEffects)
        terms = fit.terms
        templates = fit.terms.indices.map { fit.covarianceFactor.template(ofTerm: $0, theta: fit.theta) }
        sigma = fit.sigma
    }

    /// The simulator of a GLMM's linear predictor (`simulateLinearPredictor`): Xβ̂ + offset and
    /// b* = Λθ̂ u* (σ = 1, the scale of the group-level effects of a glmer fit).
    public init(fit: GeneralizedLinearMixedModelFit, design: ModelDesign) {
        precondition(design.fixedEffectCount == fit.fixedEffects.count, "the fit does not belong to this design")
        var fixedPart = design.fixedEffects.multiplied(by: fit.fixedEffects)
        if let offset = design.offset { for r in fixedPart.indices { fixedPart[r] += offset[r] } }
        self.fixedPart = fixedPart
        terms = fit.terms
        templates = fit.terms.indices.map { fit.covarianceFactor.template(ofTerm: $0, theta: fit.theta) }
        sigma = 1
    }

    /// Writes one simulated response into `response` (length n), drawing first u* level by level
    /// and term by term (`simulateLinearPredictor`), then ε* row by row.
    public func simulate(into response: inout [Double], using generator: inout Xoshiro256PlusPlus) {
        simulateLinearPredictor(into: &response, using: &generator)
        for r in 0..<fixedPart.count { response[r] += sigma * generator.nextNormal() }
    }

    /// Writes Xβ̂ (+ offset) + Zb* into `response` (length n), b* = σ̂ Λθ̂ u* with u* drawn
    /// level by level and term by term: the conditional mean of a new response, or a GLMM's η*.
    public func simulateLinearPredictor(into response: inout [Double], using generator: inout Xoshiro256PlusPlus) {
        let n = fixedPart.count
        if response.count != n { response = [Double](repeating: 0, count: n) }
        for r in 0..<n { response[r] = fixedPart[r] }
        var effects: [Double] = []
        for (k, term) in terms.enumerated() {
            let q = term.columnCount
            let levels = term.grouping.levelCount
            let t = templates[k]
            // b*ₗ = σ̂ T u*ₗ for every level ℓ.
            effects.removeAll(keepingCapacity: true)
            var u = [Double](repeating: 0, count: q)
            for _ in 0..<levels {
                for j in 0..<q { u[j] = generator.nextNormal() }
                for i in 0..<q {
                    var sum = 0.0
                    for j in 0...i { sum += t[i + j * q] * u[j] }
                    effects.append(sigma * sum)
                }
            }
            term.values.withUnsafeBufferPointer { z in
                for r in 0..<n {
                    let base = term.grouping.levelIndex[r] * q
                    var sum = 0.0
                    for j in 0..<q { sum += z[r * q + j] * effects[base + j] }
                    response[r] += sum
                }
            }
        }
    }
}
