/// The thresholds of an ordinal (`cumulative`) model in the posterior's unconstrained vector and
/// brms' prior on them (brms 2.18's Stan code: `ordered[nthres] Intercept;`,
/// `lprior += student_t_lpdf(Intercept | 3, 0, 2.5)`, `b_Intercept = Intercept + dot(means_X, b)`).
///
/// The layout's intercept slot holds −τ₁ and the auxiliary slots the log gaps log δ_j, δ_j =
/// τ_{j+2} − τ_{j+1} (1-based τ; `CumulativeFamily`), so with x₀ the slot
///     τ₁ = −x₀,   τ_k = −x₀ + Σ_{j<k−1} δ_j,
/// Stan's `ordered` transform (its log-Jacobian Σ log δ_j is the auxiliary parameters' own).
enum OrdinalThresholds {
    /// Adds Σ_k log p(τ_k), the Intercept-class prior on every threshold, and its gradient:
    ///     ∂/∂x₀ = −Σ_k p′(τ_k)/p(τ_k),   ∂/∂ log δ_j = δ_j Σ_{k ≥ j+2} p′(τ_k)/p(τ_k).
    /// Returns the log prior.
    @inline(__always)
    static func addPrior(_ prior: PriorDistribution, layout: ParameterLayout, x: UnsafePointer<Double>,
                         gaps: UnsafePointer<Double>, gradient g: UnsafeMutablePointer<Double>) -> Double {
        let io = layout.interceptOffset, count = layout.thresholdCount
        var tau = -x[io], lp = 0.0, total = 0.0
        for k in 1...count {
            if k > 1 { tau += gaps[k - 2] }
            let term = prior.logDensityAndDerivative(tau)
            lp += term.value
            total += term.derivative
        }
        g[io] -= total
        tau = -x[io]
        var remaining = total
        for j in 0..<(count - 1) {
            if j > 0 { tau += gaps[j - 1] }
            remaining -= prior.logDensityAndDerivative(tau).derivative
            g[layout.auxiliaryOffset + j] += remaining * gaps[j]
        }
        return lp
    }
}
