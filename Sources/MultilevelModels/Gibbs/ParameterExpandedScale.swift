import MultilevelMath

/// Parameter expansion of a one-column group-level term's standard deviation under a half-t prior
/// (Liu, Rubin & Wu 1998, "Parameter expansion to accelerate EM: the PX-EM algorithm";
/// Gelman 2006, "Prior distributions for variance parameters in hierarchical models", §3;
/// Gelman, van Dyk, Huang & Boscardin 2008). The term's effects are written b_j = α η_j with
///
///     η_j ~ N(0, τ²),   τ² ~ IG(ν/2, ν/2),   α ~ N(0, A²),
///
/// so that sd = |α| τ ~ half-t(ν, 0, A) — brms' `student_t(ν, 0, A)` on `sd`, since A·t_ν =
/// (A Z)·√(ν/W) with Z ~ N(0, 1), W ~ χ²_ν — and b_j | sd ~ N(0, sd²): the model, and hence the
/// posterior of (β, b, sd, σ), is exactly that of the unexpanded sampler. One update, after the
/// (β, b) draw given sd:
///
/// 1. η = b / α (the (β, b) draw given sd = |α|τ is the (β, η) draw given (α, τ));
/// 2. τ² | η ~ IG(ν/2 + J/2, ν/2 + Σ η_j²/2);
/// 3. α | η, β, the other terms, σ² from its normal full conditional: with u = Z η and the
///    current residual e = y − Xβ − Zb, the fitted values move by (α' − α) u, so
///    precision P = uᵀu/σ² + 1/A², mean = (uᵀe + α uᵀu)/(σ² P); then b = α' η, sd = |α'| τ.
///
/// Step 3 rescales all of a term's effects and its standard deviation together, the move the
/// plain Gibbs sampler lacks: when sd is near zero, b | sd is pinned near zero and sd | b is
/// pinned near the b's spread, so the unexpanded chain crawls (Pastes' batch term: R-hat 1.010
/// after 4 × 5,000); the α draw moves both at once by the data's evidence. uᵀu = Σ_j (Z_jᵀZ_j) η_j²
/// and uᵀe = Σ_j η_j (Z_jᵀỹ − (WᵀWθ)_j) come from the gaussian sufficient statistics.
struct ParameterExpandedScale: Sendable, Equatable {
    /// ν and A of the half-t prior.
    let degreesOfFreedom: Double
    let scale: Double
    /// The working multiplier α and the latent variance τ².
    private(set) var multiplier = 1.0
    private(set) var latentVariance = 1.0

    init(degreesOfFreedom: Double, scale: Double) {
        self.degreesOfFreedom = degreesOfFreedom
        self.scale = scale
    }

    /// Starts at sd = `standardDeviation` (α = sd, τ = 1).
    mutating func start(standardDeviation: Double) {
        multiplier = standardDeviation
        latentVariance = 1
    }

    /// One expanded update of the term whose `levelCount` effects are at `effects` (rescaled in
    /// place to α' η); `levelDiagonal[j]` = Z_jᵀZ_j, `residualCross[j]` = Z_jᵀ(ỹ − Wθ) at the
    /// current θ. Returns the new variance sd² = α'² τ².
    mutating func update(effects b: UnsafeMutablePointer<Double>, levelCount: Int, levelDiagonal: UnsafePointer<Double>,
                         residualCross: UnsafePointer<Double>, residualVariance: Double,
                         rng: inout Xoshiro256PlusPlus) -> Double {
        let alpha = multiplier
        var sumOfSquares = 0.0, uu = 0.0, ue = 0.0
        for j in 0..<levelCount {
            let eta = b[j] / alpha
            sumOfSquares += eta * eta
            uu += levelDiagonal[j] * eta * eta
            ue += eta * residualCross[j]
        }
        latentVariance = rng.nextInverseGamma(shape: 0.5 * (degreesOfFreedom + Double(levelCount)),
                                              scale: 0.5 * (degreesOfFreedom + sumOfSquares))
        let precision = uu / residualVariance + 1 / (scale * scale)
        let mean = (ue + alpha * uu) / residualVariance / precision
        let next = mean + rng.nextNormal() / precision.squareRoot()
        guard next.isFinite, next != 0 else { return alpha * alpha * latentVariance }
        let ratio = next / alpha
        for j in 0..<levelCount { b[j] *= ratio }
        multiplier = next
        return next * next * latentVariance
    }
}
