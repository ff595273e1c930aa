import MultilevelData
import MultilevelMath

/// The joint draw of all population- and group-level effects (β, b) from their full conditional in
/// a gaussian mixed model, with one blocked Cholesky factorisation per draw (García-Cortés &
/// Sorensen 1996; Hadfield 2010, *MCMC methods for multi-response GLMMs: the MCMCglmm R package*,
/// J. Stat. Softw. 33(2), §3.1), reusing the REML engine's blocked mixed-model equations
/// (`BlockedMixedModelEquations`: terms ordered by levels, block-diagonal first block).
///
/// In lme4's parameterisation b = Λθ u, u ~ N(0, σ² I) with Λθ's templates Tₖ = chol(Σₖ)/σ, and for
/// a flat prior on β the conditional of x = (u, β) is N(x̂, σ² (L Lᵀ)⁻¹), L the factor of the
/// mixed-model equations [ΛᵀZᵀZΛ + I, ΛᵀZᵀX; XᵀZΛ, XᵀX] and x̂ the penalised least-squares solution
/// (Bates et al. 2015 §3.2). A draw is x = L⁻ᵀ(c + σ ε), ε ~ N(0, I), c the y row of the augmented
/// factor: one back substitution.
///
/// Normal priors N(μ_k, d_k) on some coefficients (the Student-t intercept prior given its mixing
/// variable) enter exactly by conditioning that draw (Matheron's rule; Hoffman & Ribak 1991): with
/// V = σ² (L Lᵀ)⁻¹ and H selecting those coefficients, x ← x + V Hᵀ (H V Hᵀ + D)⁻¹ (w − H x),
/// w ~ N(μ, D) — one extra forward and back substitution per such coefficient.
struct MixedModelEquationsDraw {
    /// The blocked equations (cross products and the current factor).
    let equations: BlockedMixedModelEquations
    /// Length of the first term's block (levels × q) and of the rest without the y row.
    let firstBlockSize: Int
    let restCount: Int
    /// Length of x = (u, β).
    let dimension: Int
    /// The draw x in the equations' order: first term's u (level-major), the other terms' u at
    /// `equations.restOffsets`, then β.
    private(set) var solution: [Double]
    /// Columns (L Lᵀ)⁻¹ e_k for the coefficients with normal priors, and the small system.
    private var priorColumns: [Double]
    private var priorSystem: [Double]
    private var priorRightSide: [Double]
    /// Standard normal inputs of the last draw.
    private var noise: [Double] = []

    /// Builds the cross products from the (shifted) response, the fixed-effects matrix (brms'
    /// centred columns) and the random-effect terms.
    init(response: [Double], fixedEffects: DenseMatrix, randomTerms: [RandomEffectTerm]) {
        let equations = BlockedMixedModelEquations(response: response, fixedEffects: fixedEffects,
                                                   randomTerms: randomTerms)
        self.equations = equations
        firstBlockSize = equations.levels0 * equations.q0
        restCount = equations.restSize - 1
        dimension = firstBlockSize + restCount
        solution = [Double](repeating: 0, count: dimension)
        priorColumns = []
        priorSystem = []
        priorRightSide = []
    }

    /// Offset in x of β_k.
    func coefficientIndex(_ k: Int) -> Int { firstBlockSize + equations.zRestSize + k }
    /// Offset in x of term k's (fitting order) u block.
    func termOffset(_ k: Int) -> Int { k == 0 ? 0 : firstBlockSize + equations.restOffsets[k] }

    /// Draws x = (u, β) given θ (the templates chol(Σₖ)/σ in the equations' term order, lme4 layout),
    /// σ, and normal priors `(index into β, mean, variance)` on some coefficients.
    mutating func draw(theta: [Double], sigma: Double, normalPriors: [(index: Int, mean: Double, variance: Double)],
                       rng: inout Xoshiro256PlusPlus) throws {
        let count = dimension + normalPriors.count
        if noise.count != count { noise = [Double](repeating: 0, count: count) }
        for i in 0..<count { noise[i] = rng.nextNormal() }
        try draw(theta: theta, sigma: sigma, normalPriors: normalPriors, noise: noise)
    }

    /// The draw as a function of its standard normal inputs: `noise` holds ε (`dimension` values)
    /// then ω (one per normal prior), and x = L⁻ᵀ(c + σ ε) conditioned on w = μ + √d ω. Zero noise
    /// gives the conditional mean; the map is affine in the noise.
    mutating func draw(theta: [Double], sigma: Double, normalPriors: [(index: Int, mean: Double, variance: Double)],
                       noise: [Double]) throws {
        precondition(noise.count == dimension + normalPriors.count, "noise has the wrong length")
        do {
            try equations.update(theta: theta)
        } catch {
            throw GibbsNumericalError(message: "the fixed-effects cross-product matrix is singular (collinear predictors)")
        }
        let m = equations.restSize
        let n0 = firstBlockSize
        // Right-hand side c + σ ε: block 0 from the y row of each level's X/y segment, the rest from
        // the last row of the dense factor.
        solution.withUnsafeMutableBufferPointer { xb in
            let x = xb.baseAddress!
            equations.l10.withUnsafeBufferPointer { v in
                let q0 = equations.q0
                for l in 0..<equations.levels0 {
                    for s in equations.segmentStart[l]..<equations.segmentStart[l + 1] where equations.segmentTerm[s] < 0 {
                        let h = equations.segmentHeight[s], o = equations.segmentValue[s]
                        for j in 0..<q0 { x[l * q0 + j] = v[o + (h - 1) + j * h] }
                    }
                }
            }
            equations.lRest.withUnsafeBufferPointer { l in
                for i in 0..<restCount { x[n0 + i] = l[(m - 1) + i * m] }
            }
            for i in 0..<dimension { x[i] += sigma * noise[i] }
            equations.solveFactorTransposeInPlace(x, firstBlockSize: n0)
        }
        if !normalPriors.isEmpty { conditionOnPriors(normalPriors, sigma: sigma, noise: noise) }
    }

    /// x ← x + V Hᵀ (H V Hᵀ + D)⁻¹ (w − H x), w ~ N(μ, D), V = σ² (L Lᵀ)⁻¹.
    private mutating func conditionOnPriors(_ priors: [(index: Int, mean: Double, variance: Double)], sigma: Double,
                                            noise: [Double]) {
        let k = priors.count
        let d = dimension
        let n0 = firstBlockSize
        let m = equations.restSize
        let equations = self.equations
        if priorColumns.count != k * d {
            priorColumns = [Double](repeating: 0, count: k * d)
            priorSystem = [Double](repeating: 0, count: k * k)
            priorRightSide = [Double](repeating: 0, count: k)
        }
        let variance = sigma * sigma
        let indices = priors.map { coefficientIndex($0.index) }
        var columns = priorColumns, system = priorSystem, rightSide = priorRightSide, x = solution
        priorColumns = []; priorSystem = []; priorRightSide = []; solution = []   // keep the buffers unique
        columns.withUnsafeMutableBufferPointer { gb in
            let g = gb.baseAddress!
            for a in 0..<k {
                // (L Lᵀ)⁻¹ e: e is zero on block 0, so the forward solve touches the rest only.
                let column = g + a * d
                for i in 0..<d { column[i] = 0 }
                column[indices[a]] = 1
                equations.lRest.withUnsafeBufferPointer { l in
                    solveLowerInPlace(l.baseAddress!, order: m - 1, leadingDimension: m, column + n0)
                }
                equations.solveFactorTransposeInPlace(column, firstBlockSize: n0)
            }
            for a in 0..<k {
                for b in 0..<k {
                    system[a + b * k] = variance * g[b * d + indices[a]] + (a == b ? priors[a].variance : 0)
                }
                let w = priors[a].mean + priors[a].variance.squareRoot() * noise[d + a]
                rightSide[a] = w - x[indices[a]]
            }
            system.withUnsafeMutableBufferPointer { s in
                _ = choleskyFactorLowerInPlace(s.baseAddress!, order: k, leadingDimension: k)
                rightSide.withUnsafeMutableBufferPointer { r in
                    solveLowerInPlace(s.baseAddress!, order: k, leadingDimension: k, r.baseAddress!)
                    solveLowerTransposeInPlace(s.baseAddress!, order: k, leadingDimension: k, r.baseAddress!)
                }
            }
            for a in 0..<k {
                let weight = variance * rightSide[a]
                let column = g + a * d
                for i in 0..<d { x[i] += weight * column[i] }
            }
        }
        priorColumns = columns
        priorSystem = system
        priorRightSide = rightSide
        solution = x
    }
}

extension BlockedMixedModelEquations {
    /// Solves Lᵀ x = v in place (the blocked back substitution of `solution()`, for any
    /// right-hand side); `x` has length levels₀·q₀ + restSize − 1.
    func solveFactorTransposeInPlace(_ x: UnsafeMutablePointer<Double>, firstBlockSize n0: Int) {
        let m = restSize
        lRest.withUnsafeBufferPointer { l in
            solveLowerTransposeInPlace(l.baseAddress!, order: m - 1, leadingDimension: m, x + n0)
        }
        l10.withUnsafeBufferPointer { v in
            l00.withUnsafeBufferPointer { l00 in
                for l in 0..<levels0 {
                    let u = x + l * q0
                    for s in segmentStart[l]..<segmentStart[l + 1] {
                        let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                        let rows = r + h == m ? h - 1 : h   // skip the y row
                        for j in 0..<q0 {
                            var sum = 0.0
                            for i in 0..<rows { sum += v[o + i + j * h] * x[n0 + r + i] }
                            u[j] -= sum
                        }
                    }
                    let base = l * q0 * q0
                    for j in stride(from: q0 - 1, through: 0, by: -1) {
                        var sum = u[j]
                        for k in (j + 1)..<q0 { sum -= l00[base + k + j * q0] * u[k] }
                        u[j] = sum / l00[base + j + j * q0]
                    }
                }
            }
        }
    }
}
