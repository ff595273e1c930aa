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

/// The gaussian GLMM posterior with the group-level effects of *every* term integrated out (issue
/// 21, the collapsed sampler): any number of terms, crossed or nested, correlated slopes. With
/// Λ = blockdiag(diag(sdₜ) Lₜ) (brms' scales and correlation factors), b = Λ z, z ~ N(0, I),
///
///     y ~ N(Fβ, σ² I + Z Λ Λᵀ Zᵀ).
///
/// With the lme4 relative factor T = Λ / σ, M = Tᵀ Zᵀ Z T + I = Lθ Lθᵀ (the REML engine's blocked
/// Cholesky, `BlockedMixedModelEquations`) and r²(β) = min_u ‖y − Fβ − ZTu‖² + ‖u‖² (its
/// penalised residual sum at β; Bates et al. 2015 §3, eq. 30 before β is profiled out):
///
///     log p(y | β, σ, Λ) = −(n/2) log 2π − n log σ − ½ log|Lθ|² − r²(β) / (2σ²).
///
/// Gradient (exact; Λ is invertible because every sd > 0): with û the penalised least-squares
/// modes at β, Uₜ = Σ_levels û ûᵀ and Bₜ = Σ_levels Sₗ, Sₗ the level's diagonal block of M⁻¹
/// (a selected inverse), Lₜ the term's number of levels,
///
///     ∂ log|M| = 2 tr((I − M⁻¹) T⁻¹ dT)       (Tᵀ Zᵀ Z = (M − I) T⁻¹),
///     ∂ r²     = −2 ûᵀ T⁻¹ dT û                (envelope theorem; Zᵀρ = T⁻ᵀ û at the optimum),
///
/// so ∂ log p / ∂Λₜ = Λₜ⁻ᵀ Cₜ with Cₜ = Uₜ/σ² − (Lₜ I − Bₜ), ∂ log p / ∂β = L_XX (c_X − L_XXᵀ β)/σ²
/// and ∂ log p / ∂σ = −n/σ + r²/σ³ − Σₜ tr Cₜ / σ (σ enters T as well). brms' priors, transforms
/// and Jacobians are those of `GLMMPosterior`, so the posterior of (Intercept, b, sigma, sd, L) is
/// the joint posterior's marginal; `drawStandardisedEffects` completes a draw with z | y exactly
/// (z ~ N(û/σ, M⁻¹)). One evaluation costs one blocked factorisation plus the selected inverse
/// (O(m_Z³/2) for the dense part of size m_Z: the terms after the one with most levels).
public struct CollapsedGaussianPosterior: LogDensity, StandardisedEffectsDrawing {
    /// The joint layout (for names and the mapping back to the joint vector).
    public let layout: ParameterLayout
    public let priors: PosteriorPriors
    /// Means of the non-intercept columns of X.
    public let columnMeans: [Double]
    /// Per reduced index, its index in the joint layout.
    public let jointIndex: [Int]
    let sdOffsets: [Int], correlationOffsets: [Int], sigmaOffset: Int
    let p: Int, rowCount: Int
    let responseShift: Double
    let constant: Double
    var workspace: CollapsedWorkspace

    public var dimension: Int { jointIndex.count }

    /// The collapsed posterior of a gaussian model with at least one group-level term and sd / LKJ
    /// priors; other models throw `MarginalSamplerError`.
    public init(design: ModelDesign, priors: PosteriorPriors) throws {
        let family = Family.gaussian
        try checkResponse(design, family: family)
        let layout = ParameterLayout(design: design, family: family)
        guard !layout.terms.isEmpty else {
            throw MarginalSamplerError(description: "the collapsed sampler needs a group-level term; the model has none")
        }
        if let t = priors.covariance.firstIndex(where: { $0 != nil }) {
            throw MarginalSamplerError(description: "the collapsed sampler supports sd and lkj priors only, not a covariance prior on \(layout.terms[t].groupName); use --sampler nuts")
        }
        self.layout = layout
        self.priors = priors
        let data = PosteriorData(design: design, family: family, mergeRows: false)
        columnMeans = data.columnMeans
        p = data.fixedColumnCount
        rowCount = data.rowCount
        let n = data.rowCount
        let shift = layout.hasIntercept && n > 0 ? data.response.reduce(0, +) / Double(n) : 0
        responseShift = shift
        var index = Array(0..<layout.dimension)
        var zIndices = Set<Int>()
        for term in layout.terms { for k in 0..<(term.levelCount * term.columnCount) { zIndices.insert(term.zOffset + k) } }
        index.removeAll { zIndices.contains($0) }
        jointIndex = index
        var reduced = [Int](repeating: -1, count: layout.dimension)
        for (i, j) in index.enumerated() { reduced[j] = i }
        sdOffsets = layout.terms.map { reduced[$0.sdOffset] }
        correlationOffsets = layout.terms.map { $0.hasCorrelation ? reduced[$0.correlationOffset] : 0 }
        sigmaOffset = reduced[layout.auxiliaryOffset]
        var constant = data.dataConstant
        for (t, _) in layout.terms.enumerated() {
            for prior in priors.standardDeviations[t] { constant -= prior.logProbabilityAbove(0) }
        }
        for (a, parameter) in layout.auxiliaryParameters.enumerated() where !parameter.isUnbounded {
            constant -= priors.auxiliary[a].logProbabilityAbove(parameter.lowerBound)
        }
        self.constant = constant
        let width = data.fixedColumnCount, rowMajor = data.fixed
        let fixed = DenseMatrix(rows: n, columns: width, columnMajor: (0..<(n * width)).map { rowMajor[($0 % n) * width + $0 / n] })
        workspace = CollapsedWorkspace(response: data.response.map { $0 - shift }, fixed: fixed,
                                       terms: design.randomTerms)
    }

    /// Embeds a reduced vector in the joint layout (z left as they are in `joint`).
    public func embed(_ x: UnsafePointer<Double>, into joint: UnsafeMutablePointer<Double>) {
        for (i, j) in jointIndex.enumerated() { joint[j] = x[i] }
    }

    public mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                    gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        precondition(position.count == dimension && gradient.count == dimension, "dimension mismatch")
        if !isKnownUniquelyReferenced(&workspace) { workspace = workspace.clone() }
        return evaluate(position.baseAddress!, gradient.baseAddress!, workspace)
    }

    /// Fills β (F order: Intercept − ȳ first), each term's correlation factor and Λ (row-major) and
    /// θ = T = Λ/σ in the equations' order, then refactors. Returns the log-Jacobians of the sd,
    /// σ and correlation transforms, or nil when Λ/σ is out of the factorisation's range.
    private func factor(_ x: UnsafePointer<Double>, _ w: CollapsedWorkspace) -> Double? {
        let shift = layout.hasIntercept ? 1 : 0
        if layout.hasIntercept { w.beta[0] = x[layout.interceptOffset] - responseShift }
        for k in 0..<layout.coefficientNames.count { w.beta[shift + k] = x[k] }
        let logSigma = x[sigmaOffset]
        let sigma = exp(logSigma)
        var logJacobian = logSigma
        var thetaIndex = 0
        for t in w.equations.termOrder {
            let q = layout.terms[t].columnCount
            let factor = w.factor(t), lambda = w.lambda(t)
            if q > 1 {
                logJacobian += CholeskyCorrelationTransform.constrain(x + correlationOffsets[t], dimension: q, into: factor)
            } else {
                factor[0] = 1
            }
            for k in 0..<q {
                logJacobian += x[sdOffsets[t] + k]
                let sd = exp(x[sdOffsets[t] + k])
                for l in 0..<q { lambda[k * q + l] = sd * factor[k * q + l] }
            }
            for c in 0..<q {
                for r in c..<q {
                    let value = lambda[r * q + c] / sigma
                    guard value.isFinite, abs(value) < 1e60, r != c || value > 1e-150 else { return nil }
                    w.theta[thetaIndex] = value
                    thetaIndex += 1
                }
            }
        }
        guard sigma.isFinite, sigma > 0 else { return nil }
        do { try w.equations.update(theta: w.theta) } catch { return nil }
        return logJacobian
    }

    private func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                          _ w: CollapsedWorkspace) -> Double {
        for i in 0..<dimension { g[i] = 0 }
        guard let logJacobian = factor(x, w) else { return -.infinity }
        let equations = w.equations
        let sigma = exp(x[sigmaOffset])
        let v = sigma * sigma
        let n = Double(rowCount)
        let r2 = equations.penalizedResidualSum(beta: w.beta, residual: w.residual)
        var lp = constant + logJacobian - n * log(sigma) - 0.5 * equations.logDeterminantL - r2 / (2 * v)
        equations.fixedEffectsGradient(residual: w.residual, into: w.betaGradient)
        for k in 0..<p { w.betaGradient[k] /= v }
        priors.addPopulationLevelPriors(to: &lp, at: x, gradient: g, likelihoodGradient: w.betaGradient, layout: layout)

        // û at β, and the sums of M⁻¹'s diagonal blocks.
        let modes = w.effects
        equations.conditionalModeRightHandSide(beta: w.beta, scale: 1, into: modes)
        equations.solveRandomEffectsTranspose(modes)
        equations.inverseBlockSums(into: w.blockSums, scratch: w.inverseScratch)

        var sigmaDerivative = -n / sigma + r2 / (v * sigma)
        var sumOffset = 0
        for (k, t) in equations.termOrder.enumerated() {
            let term = layout.terms[t]
            let q = term.columnCount
            let c = w.adjoint(t), lambda = w.lambda(t), factor = w.factor(t)
            let b = w.blockSums + sumOffset
            sumOffset += q * q
            // Cₜ = Uₜ/σ² − (Lₜ I − Bₜ), symmetric (row-major).
            let u = modes + equations.zVectorOffset(ofTerm: k)
            for i in 0..<q {
                for j in 0...i {
                    var sum = 0.0
                    for level in 0..<term.levelCount { sum += u[level * q + i] * u[level * q + j] }
                    let value = sum / v - (i == j ? Double(term.levelCount) : 0) + b[i + j * q]
                    c[i * q + j] = value
                    c[j * q + i] = value
                }
            }
            for i in 0..<q { sigmaDerivative -= c[i * q + i] / sigma }
            // ∂/∂Λ = Λ⁻ᵀ C: solve Λᵀ X = C column by column (Λᵀ upper triangular), in place.
            for j in 0..<q {
                var i = q - 1
                while i >= 0 {
                    var sum = c[i * q + j]
                    for r in (i + 1)..<max(i + 1, q) { sum -= lambda[r * q + i] * c[r * q + j] }
                    c[i * q + j] = sum / lambda[i * q + i]
                    i -= 1
                }
            }
            // Λ = diag(sd) L: ∂/∂sd_k = Σ_l G_kl L_kl, ∂/∂L_kl = sd_k G_kl; then priors and transforms.
            let factorAdjoint = w.factorAdjoint(t)
            for i in 0..<(q * q) { factorAdjoint[i] = 0 }
            for k in 0..<q {
                let sd = exp(x[sdOffsets[t] + k])
                var sdGradient = 0.0
                for l in 0...k {
                    sdGradient += c[k * q + l] * factor[k * q + l]
                    factorAdjoint[k * q + l] = sd * c[k * q + l]
                }
                let prior = priors.standardDeviations[t][k].logDensityAndDerivative(sd)
                lp += prior.value
                g[sdOffsets[t] + k] = (sdGradient + prior.derivative) * sd + 1
            }
            if q > 1 {
                lp += CholeskyCorrelationTransform.lkjLogDensity(eta: priors.correlationEta[t], factor: factor,
                                                                 dimension: q, factorAdjoint: factorAdjoint)
                CholeskyCorrelationTransform.addGradient(x + correlationOffsets[t], dimension: q, factor: factor,
                                                         factorAdjoint: factorAdjoint, yAdjoint: g + correlationOffsets[t])
            }
        }
        let sigmaPrior = priors.auxiliary[0].logDensityAndDerivative(sigma)
        lp += sigmaPrior.value
        g[sigmaOffset] = (sigmaDerivative + sigmaPrior.derivative) * sigma + 1
        return lp
    }

    /// Scratch size of `drawStandardisedEffects`: none beyond the workspace.
    public var conditionalScratchCount: Int { 0 }

    /// Draws the standardised group-level effects of every term exactly from their conditional
    /// distribution given the reduced draw `x`: z | y, β, σ, Λ ~ N(û/σ, M⁻¹), so with ε ~ N(0, I),
    /// z = Lθ⁻ᵀ(c_Z − L_XZᵀβ)/σ + Lθ⁻ᵀ ε — one back substitution through the blocked factor. Writes x
    /// and z into the joint vector `joint` (`layout.dimension` values). A draw outside the
    /// factorisation's range (it cannot be one NUTS accepted) leaves z at zero.
    public mutating func drawStandardisedEffects(_ x: UnsafePointer<Double>, into joint: UnsafeMutablePointer<Double>,
                                                 scratch: UnsafeMutablePointer<Double>,
                                                 using generator: inout Xoshiro256PlusPlus) {
        if !isKnownUniquelyReferenced(&workspace) { workspace = workspace.clone() }
        let w = workspace
        embed(x, into: joint)
        let equations = w.equations
        let count = equations.zVectorCount
        let z = w.effects
        guard factor(x, w) != nil else {
            for term in layout.terms { for k in 0..<(term.levelCount * term.columnCount) { joint[term.zOffset + k] = 0 } }
            return
        }
        let sigma = exp(x[sigmaOffset])
        equations.conditionalModeRightHandSide(beta: w.beta, scale: 1 / sigma, into: z)
        for i in 0..<count { z[i] += generator.nextNormal() }
        equations.solveRandomEffectsTranspose(z)
        for (k, t) in equations.termOrder.enumerated() {
            let term = layout.terms[t]
            let source = z + equations.zVectorOffset(ofTerm: k)
            for i in 0..<(term.levelCount * term.columnCount) { joint[term.zOffset + i] = source[i] }
        }
    }
}

/// The mutable state of one chain's `CollapsedGaussianPosterior`: its own blocked mixed-model
/// equations and scratch buffers (cloned when a copy of the density is first evaluated, so chains
/// never share them).
final class CollapsedWorkspace {
    let response: [Double]
    let fixed: DenseMatrix
    let terms: [RandomEffectTerm]
    let equations: BlockedMixedModelEquations
    var theta: [Double]
    let beta: UnsafeMutablePointer<Double>
    let residual: UnsafeMutablePointer<Double>
    let betaGradient: UnsafeMutablePointer<Double>
    let effects: UnsafeMutablePointer<Double>
    let blockSums: UnsafeMutablePointer<Double>
    let inverseScratch: UnsafeMutablePointer<Double>
    /// Per term (design order), four q × q buffers: correlation factor, Λ, adjoint, factor adjoint.
    private let termBuffers: UnsafeMutablePointer<Double>
    private let termBufferOffsets: [Int]
    private let storage: UnsafeMutablePointer<Double>
    private let storageCount: Int

    init(response: [Double], fixed: DenseMatrix, terms: [RandomEffectTerm]) {
        self.response = response
        self.fixed = fixed
        self.terms = terms
        equations = BlockedMixedModelEquations(response: response, fixedEffects: fixed, randomTerms: terms)
        theta = [Double](repeating: 0, count: equations.covarianceFactor.parameterCount)
        let p = fixed.columns
        var offsets: [Int] = []
        var termTotal = 0
        var squares = 0
        for term in terms {
            offsets.append(termTotal)
            termTotal += 4 * term.columnCount * term.columnCount
            squares += term.columnCount * term.columnCount
        }
        termBufferOffsets = offsets
        let sizes = [p, p, p, equations.zVectorCount, squares, equations.inverseBlockScratchCount, termTotal]
        storageCount = max(1, sizes.reduce(0, +))
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        var next = storage
        func take(_ count: Int) -> UnsafeMutablePointer<Double> { defer { next += count }; return next }
        beta = take(p)
        residual = take(p)
        betaGradient = take(p)
        effects = take(equations.zVectorCount)
        blockSums = take(squares)
        inverseScratch = take(equations.inverseBlockScratchCount)
        termBuffers = take(termTotal)
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
    }

    /// A workspace with its own equations, for another chain.
    func clone() -> CollapsedWorkspace { CollapsedWorkspace(response: response, fixed: fixed, terms: terms) }

    private func buffer(_ t: Int, _ index: Int) -> UnsafeMutablePointer<Double> {
        let q = terms[t].columnCount
        return termBuffers + termBufferOffsets[t] + index * q * q
    }

    func factor(_ t: Int) -> UnsafeMutablePointer<Double> { buffer(t, 0) }
    func lambda(_ t: Int) -> UnsafeMutablePointer<Double> { buffer(t, 1) }
    func adjoint(_ t: Int) -> UnsafeMutablePointer<Double> { buffer(t, 2) }
    func factorAdjoint(_ t: Int) -> UnsafeMutablePointer<Double> { buffer(t, 3) }
}
