import Foundation
import MultilevelMath

extension BlockedMixedModelEquations {
    /// The analytic gradient ∂d/∂θ of the profiled criterion (`profiledCriterion`) at the factored
    /// θ. With Ω = Λ̃ᵀMΛ̃ + diag(I, 0) (M the cross products of [Z X], Λ̃ = diag(Λθ, I); for ML
    /// only the Z part), Eⱼ = ∂Λθ/∂θⱼ, e = y − ZΛû − Xβ̂ and n′ = n (ML) or n − p (REML):
    ///
    ///     ∂d/∂θⱼ = tr(Ω⁻¹ ∂Ω/∂θⱼ) + (n′/r²) ∂r²/∂θⱼ,
    ///     tr(Ω⁻¹ ∂Ω/∂θⱼ) = 2 tr(Eⱼᵀ M Λ̃ Ω⁻¹) = 2 tr(Eⱼᵀ Λ̃⁻ᵀ (I − diag(I, 0) Ω⁻¹)),
    ///     ∂r²/∂θⱼ = −2 eᵀ Z Eⱼ û = −2 tr(Eⱼᵀ Λ⁻ᵀ û ûᵀ)   (envelope theorem; ΛᵀZᵀe = û),
    ///
    /// so that for term k with template Tₖ, nₖ levels, Σₗ Bₗ the sum of its diagonal blocks of Ω⁻¹
    /// (`inverseDiagonalBlocks`) and Uₖ = Σₗ ûₗûₗᵀ, the derivatives by its θ entries are the lower
    /// triangle of Gₖ = 2 Tₖ⁻ᵀ (nₖ I − Σₗ Bₗ − (n′/r²) Uₖ). For a scalar term this is
    /// (2/θₖ)(nₖ − tr Σₗ Bₗ) − 2n′‖ûₖ‖²/(θₖ r²). (The log-determinant's derivative is the one of
    /// Bates et al. 2015 §3.4's profiled deviance written with MixedModels.jl's blocked factor.)
    ///
    /// Nil when a template is singular (a diagonal θ entry on its bound of 0: the formula divides
    /// by it) or r² is 0; the caller then differences the criterion instead. Costs about one more
    /// factorisation (the inverse of the rest factor).
    public func profiledCriterionGradient(_ method: EstimationMethod) -> [Double]? {
        precondition(isFactored, "update(theta:) before profiledCriterionGradient")
        let r2 = penalizedResidualSumOfSquares
        guard r2 > 0, r2.isFinite else { return nil }
        let n = Double(observationCount)
        let residualDegrees = method == .ml ? n : n - Double(fixedEffectCount)
        return criterionGradient(includingFixedEffects: method == .reml, residualWeight: residualDegrees / r2)
    }

    /// The analytic gradient ∂d/∂θ, at the factored θ and a given σ, of the ML deviance with β
    /// profiled out, d(θ, σ) = log|Lθ|² + n log(2πσ²) + r²(θ)/σ² (`deviance(sigma:)`, lme4's
    /// `devfun2` before σ is profiled): the formula of `profiledCriterionGradient` with n′/r²
    /// replaced by 1/σ² (Gₖ = 2 Tₖ⁻ᵀ (nₖ I − Σₗ Bₗ − Uₖ/σ²)). Nil where that one is.
    public func devianceGradient(sigma: Double) -> [Double]? {
        precondition(isFactored, "update(theta:) before devianceGradient")
        guard sigma > 0, sigma.isFinite else { return nil }
        return criterionGradient(includingFixedEffects: false, residualWeight: 1 / (sigma * sigma))
    }

    /// Gₖ = 2 Tₖ⁻ᵀ (nₖ I − Σₗ Bₗ − w Uₖ) per term, its lower triangles in θ order: the
    /// log-determinant's derivative plus w times the penalised residual sum of squares' one.
    private func criterionGradient(includingFixedEffects: Bool, residualWeight: Double) -> [Double]? {
        let factor = covarianceFactor
        let templates = terms.indices.map { factor.template(ofTerm: $0, theta: theta) }
        for (k, t) in templates.enumerated() {
            let q = terms[k].columnCount
            for j in 0..<q where !(t[j + j * q] > 0) { return nil }
        }
        let blocks = inverseDiagonalBlocks(includingFixedEffects: includingFixedEffects, perLevel: false)
        let spherical = solution().spherical
        var gradient = [Double](repeating: 0, count: factor.parameterCount)
        for k in terms.indices {
            let q = terms[k].columnCount, levels = terms[k].grouping.levelCount
            let u = spherical[k]
            var inner = [Double](repeating: 0, count: q * q)
            for j in 0..<q { for i in 0..<q {
                var outer = 0.0
                for l in 0..<levels { outer += u[l * q + i] * u[l * q + j] }
                inner[i + j * q] = (i == j ? Double(levels) : 0) - blocks[k][i + j * q] - residualWeight * outer
            } }
            let t = templates[k]
            var index = factor.offset(ofTerm: k)
            for c in 0..<q {
                // Column c of Gₖ: Tₖᵀ g = 2 inner[:, c] by back substitution (Tₖᵀ is upper triangular).
                var g = (0..<q).map { 2 * inner[$0 + c * q] }
                for i in stride(from: q - 1, through: 0, by: -1) {
                    var sum = g[i]
                    for j in (i + 1)..<Swift.max(i + 1, q) { sum -= t[j + i * q] * g[j] }
                    g[i] = sum / t[i + i * q]
                }
                for r in c..<q {
                    gradient[index] = g[r]
                    index += 1
                }
            }
        }
        return gradient
    }

    /// The criterion and its analytic gradient at θ (refactoring first); nil gradient where
    /// `profiledCriterionGradient` has none, +∞ when the factorisation fails.
    public func criterionAndGradient(at theta: [Double], _ method: EstimationMethod) -> (value: Double, gradient: [Double]?) {
        do { try update(theta: theta) } catch { return (.infinity, nil) }
        return (profiledCriterion(method), profiledCriterionGradient(method))
    }
}
