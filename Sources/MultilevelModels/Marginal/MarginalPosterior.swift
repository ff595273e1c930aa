#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData
import MultilevelSampling

/// Why a model cannot use the marginal sampler.
public struct MarginalSamplerError: Error, CustomStringConvertible {
    public var description: String
}

/// The gaussian GLMM posterior with the group-level effects integrated out analytically
/// (issue 9, "marginal sampler"): with r_j = Λ u_j, Λ = diag(sd) · L, u_j ~ N(0, I) per level j of
/// the single grouping term,
///
///     y_j ~ N(F_j θ_F, σ² I + Z_j Λ Λᵀ Z_jᵀ),
///
/// evaluated by Woodbury from per-level sufficient statistics (A_j = Z_jᵀZ_j, Z_jᵀF, Z_jᵀỹ):
/// with e = ỹ − F θ_F, c_j = Z_jᵀe, v = σ², M_j = I + Λᵀ A_j Λ / v, w_j = Λᵀ c_j, m_j = M_j⁻¹ w_j,
///
///     log p(y | θ_F, Λ, σ) = −(n/2) log(2π v) − ½ Σ_j log|M_j| − eᵀe / (2v) + Σ_j w_jᵀ m_j / (2v²)
///
/// (the lme4 paper's penalised least squares identity, Bates et al. 2015 §3, per level), so one
/// evaluation costs O(levels · q³), not O(n). Its gradient (derived in the comments of `evaluate`)
/// is analytic. The unconstrained vector is the joint `ParameterLayout` without the `z` block;
/// priors, transforms and Jacobians are exactly those of `GLMMPosterior`, so the posterior of
/// (Intercept, b, sigma, sd, L) is the joint posterior's marginal.
public struct MarginalPosterior: LogDensity {
    /// The joint layout (for names and the mapping back to the joint vector).
    public let layout: ParameterLayout
    public let priors: PosteriorPriors
    /// Means of the non-intercept columns of X.
    public let columnMeans: [Double]
    /// Per reduced index, its index in the joint layout.
    public let jointIndex: [Int]
    /// Offsets in the reduced vector.
    let sdOffset: Int, correlationOffset: Int, sigmaOffset: Int
    let q: Int, levelCount: Int, p: Int
    let statistics: GaussianSufficientStatistics
    let constant: Double
    var scratch: PosteriorScratch

    public var dimension: Int { jointIndex.count }

    /// The marginal posterior of a gaussian model with exactly one group-level term and sd / LKJ
    /// priors; other models throw `MarginalSamplerError`.
    public init(design: ModelDesign, priors: PosteriorPriors) throws {
        let family = Family.gaussian
        try checkResponse(design, family: family)
        let layout = ParameterLayout(design: design, family: family)
        guard layout.terms.count == 1 else {
            throw MarginalSamplerError(description: "--sampler marginal needs exactly one group-level term, the model has \(layout.terms.count); use --sampler nuts")
        }
        guard priors.covariance[0] == nil else {
            throw MarginalSamplerError(description: "--sampler marginal supports sd and lkj priors only, not a covariance prior; use --sampler nuts")
        }
        self.layout = layout
        self.priors = priors
        let data = PosteriorData(design: design, family: family)
        columnMeans = data.columnMeans
        statistics = GaussianSufficientStatistics(data: data, hasIntercept: layout.hasIntercept)
        let term = layout.terms[0]
        q = term.columnCount
        levelCount = term.levelCount
        p = data.fixedColumnCount
        var index = Array(0..<term.zOffset)
        index += Array((term.zOffset + term.levelCount * q)..<layout.dimension)
        jointIndex = index
        sdOffset = term.sdOffset
        correlationOffset = term.zOffset
        sigmaOffset = layout.auxiliaryOffset
        var constant = data.dataConstant
        for prior in priors.standardDeviations[0] { constant -= prior.logProbabilityAbove(0) }
        for (a, parameter) in layout.auxiliaryParameters.enumerated() where !parameter.isUnbounded {
            constant -= priors.auxiliary[a].logProbabilityAbove(parameter.lowerBound)
        }
        self.constant = constant
        // β, Fᵀe, gβ (3p); L, Λ, G, adjoint (4q²); A Λ, M, M⁻¹ (3q²); c, w, m, Λm (4q).
        scratch = PosteriorScratch(count: 3 * p + 7 * q * q + 4 * q)
    }

    /// Embeds a reduced vector in the joint layout (z left as they are in `joint`).
    public func embed(_ x: UnsafePointer<Double>, into joint: UnsafeMutablePointer<Double>) {
        for (i, j) in jointIndex.enumerated() { joint[j] = x[i] }
    }

    public mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                    gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        precondition(position.count == dimension && gradient.count == dimension, "dimension mismatch")
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.clone() }
        return evaluate(position.baseAddress!, gradient.baseAddress!, scratch.pointer)
    }

    /// Fills L (row-major lower triangular) and Λ = diag(sd) L from the reduced vector; returns the
    /// correlation transform's log-Jacobian.
    @inline(__always)
    func covarianceFactor(_ x: UnsafePointer<Double>, factor: UnsafeMutablePointer<Double>,
                          lambda: UnsafeMutablePointer<Double>) -> Double {
        var logJacobian = 0.0
        if q > 1 {
            logJacobian = CholeskyCorrelationTransform.constrain(x + correlationOffset, dimension: q, into: factor)
        } else {
            factor[0] = 1
        }
        for k in 0..<q {
            let sd = exp(x[sdOffset + k])
            for l in 0..<q { lambda[k * q + l] = sd * factor[k * q + l] }
        }
        return logJacobian
    }

    /// For level j: M = I + Λᵀ A Λ / v (its Cholesky factor C in place, lower, row-major, with
    /// 1 / C_kk stored on the diagonal so that solves multiply instead of divide),
    /// c = Z_jᵀ(ỹ − Fβ), w = Λᵀ c, m = M⁻¹ w; returns |M| (≥ 1, as M ⪰ I), so that the caller
    /// takes one logarithm for many levels (`DeterminantProduct`). `product` receives A Λ.
    /// `blocks`, `fixedBlocks` and `crossResponse` point at the term's first level; `dimension`
    /// carries q (a constant for q = 1, 2, so the small loops unroll).
    @inline(__always)
    func levelSystem<D: EffectDimension>(_ dimension: D, _ j: Int, beta: UnsafePointer<Double>,
                                         lambda: UnsafePointer<Double>, inverseVariance: Double,
                                         product: UnsafeMutablePointer<Double>, system: UnsafeMutablePointer<Double>,
                                         c: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>,
                                         m: UnsafeMutablePointer<Double>,
                                         blocks: UnsafePointer<Double>, fixedBlocks: UnsafePointer<Double>,
                                         crossResponse: UnsafePointer<Double>) -> Double {
        let q = dimension.q, p = self.p
        let a = blocks + j * q * q
        let zf = fixedBlocks + j * q * p
        let zy = crossResponse + j * q
        for k in 0..<q {
            var sum = zy[k]
            for f in 0..<p { sum -= zf[k * p + f] * beta[f] }
            c[k] = sum
        }
        for k in 0..<q {
            for l in 0..<q {
                var sum = 0.0
                for r in l..<q { sum += a[k * q + r] * lambda[r * q + l] }
                product[k * q + l] = sum
            }
        }
        for k in 0..<q {
            var sum = 0.0
            for r in k..<q { sum += lambda[r * q + k] * c[r] }
            w[k] = sum
            for l in 0...k {
                var s = 0.0
                for r in k..<q { s += lambda[r * q + k] * product[r * q + l] }
                system[k * q + l] = s * inverseVariance + (k == l ? 1 : 0)
            }
        }
        // Cholesky of M in place (lower triangle, 1 / C_kk on the diagonal); |M| = Π d_k (d_k = C_kk²).
        var determinant = 1.0
        for k in 0..<q {
            var d = system[k * q + k]
            for r in 0..<k { d -= system[k * q + r] * system[k * q + r] }
            let inverseRoot = 1 / d.squareRoot()
            system[k * q + k] = inverseRoot
            determinant *= d
            for i in (k + 1)..<max(k + 1, q) {
                var s = system[i * q + k]
                for r in 0..<k { s -= system[i * q + r] * system[k * q + r] }
                system[i * q + k] = s * inverseRoot
            }
        }
        choleskySolve(dimension, system, w, into: m)
        return determinant
    }

    /// Solves C Cᵀ x = b for lower-triangular C (row-major q × q, 1 / C_kk on the diagonal).
    @inline(__always)
    func choleskySolve<D: EffectDimension>(_ dimension: D, _ c: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                                           into x: UnsafeMutablePointer<Double>) {
        let q = dimension.q
        for k in 0..<q {
            var s = b[k]
            for r in 0..<k { s -= c[k * q + r] * x[r] }
            x[k] = s * c[k * q + k]
        }
        var k = q - 1
        while k >= 0 {
            var s = x[k]
            for r in (k + 1)..<max(k + 1, q) { s -= c[r * q + k] * x[r] }
            x[k] = s * c[k * q + k]
            k -= 1
        }
    }

    /// Calls `body` with pointers to the term's first level in the per-level statistics: A_j = Z_jᵀZ_j
    /// (q² values per level), Z_jᵀF (q·p) and Z_jᵀỹ (q).
    @inline(__always)
    func withLevelStatistics<Result>(
        _ body: (_ blocks: UnsafePointer<Double>, _ fixedBlocks: UnsafePointer<Double>,
                 _ crossResponse: UnsafePointer<Double>) -> Result
    ) -> Result {
        statistics.diagonalBlocks.withUnsafeBufferPointer { blocks in
        statistics.fixedBlocks.withUnsafeBufferPointer { fixedBlocks in
        statistics.crossResponse.withUnsafeBufferPointer { wty in
            body(blocks.baseAddress! + statistics.diagonalBlockOffsets[0],
                 fixedBlocks.baseAddress! + statistics.fixedBlockOffsets[0],
                 wty.baseAddress! + statistics.termOffsets[0])
        }}}
    }

    /// The sums over levels of the marginal likelihood and their derivatives (see `evaluate`):
    /// |M_j| (as a product), Σ w_jᵀm_j, ∂/∂v, and the adjoints of Λ (into `lambdaAdjoint`) and of
    /// β (subtracted from `betaGradient`). Scratch pointers as laid out in `evaluate`.
    @inline(__always)
    func accumulateLevels<D: EffectDimension>(_ dimension: D, beta: UnsafePointer<Double>,
                                              lambda: UnsafePointer<Double>, variance v: Double,
                                              lambdaAdjoint: UnsafeMutablePointer<Double>,
                                              betaGradient: UnsafeMutablePointer<Double>,
                                              scratch: UnsafeMutablePointer<Double>)
        -> (determinants: DeterminantProduct, quadratic: Double, varianceDerivative: Double) {
        let q = dimension.q, p = self.p
        let qq = q * q
        let product = scratch, system = product + qq, inverse = system + qq
        let c = inverse + qq, w = c + q, m = w + q, lambdaM = m + q
        let inverseVariance = 1 / v
        let inverseVarianceSquared = inverseVariance * inverseVariance
        var determinants = DeterminantProduct()
        var quadratic = 0.0, traces = 0.0, mmSum = 0.0
        withLevelStatistics { blockBase, zfBase, zyBase in
            for j in 0..<levelCount {
                determinants.multiply(by: levelSystem(dimension, j, beta: beta, lambda: lambda,
                                                      inverseVariance: inverseVariance, product: product,
                                                      system: system, c: c, w: w, m: m, blocks: blockBase,
                                                      fixedBlocks: zfBase, crossResponse: zyBase))
                var mw = 0.0, mm = 0.0
                for k in 0..<q { mw += m[k] * w[k]; mm += m[k] * m[k] }
                quadratic += mw
                mmSum += mm
                // M⁻¹ column by column (q solves), and tr M⁻¹.
                for col in 0..<q {
                    for k in 0..<q { lambdaM[k] = k == col ? 1 : 0 }
                    choleskySolve(dimension, system, lambdaM, into: inverse + col * q)
                    traces += inverse[col * q + col]
                }
                // ∂/∂Λ: −(AΛ) M⁻¹ / v + (c − AΛ m / v) mᵀ / v²   (M⁻¹ symmetric).
                for k in 0..<q {
                    var am = 0.0
                    for r in 0..<q { am += product[k * q + r] * m[r] }
                    let residual = (c[k] - am * inverseVariance) * inverseVarianceSquared
                    for l in 0...k {
                        var bm = 0.0
                        for r in 0..<q { bm += product[k * q + r] * inverse[l * q + r] }
                        lambdaAdjoint[k * q + l] += residual * m[l] - bm * inverseVariance
                    }
                }
                // ∂/∂β: −(Z_jᵀF)ᵀ Λ m / v².
                let zf = zfBase + j * q * p
                for k in 0..<q {
                    var sum = 0.0
                    for l in 0...k { sum += lambda[k * q + l] * m[l] }
                    let scaled = sum * inverseVarianceSquared
                    for f in 0..<p { betaGradient[f] -= zf[k * p + f] * scaled }
                }
            }
        }
        // ∂/∂v summed over levels: (q − tr M⁻¹)/(2v) + (mᵀw − mᵀm)/(2v³) − mᵀw/v³.
        let levels = Double(levelCount)
        let varianceDerivative = (levels * Double(q) - traces) * inverseVariance / 2
            - (quadratic + mmSum) * inverseVarianceSquared * inverseVariance / 2
        return (determinants, quadratic, varianceDerivative)
    }

    private func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                          _ s: UnsafeMutablePointer<Double>) -> Double {
        for i in 0..<dimension { g[i] = 0 }
        let qq = q * q
        let beta = s, fixedResidual = s + p, betaGradient = s + 2 * p
        let factor = s + 3 * p, lambda = factor + qq, lambdaAdjoint = lambda + qq, factorAdjoint = lambdaAdjoint + qq
        let product = factorAdjoint + qq   // then system, inverse (q² each), c, w, m, Λm (q each)
        var lp = constant

        let shift = layout.hasIntercept ? 1 : 0
        let coefficientCount = layout.coefficientNames.count
        if layout.hasIntercept { beta[0] = x[layout.interceptOffset] - statistics.responseShift }
        for k in 0..<coefficientCount { beta[shift + k] = x[k] }
        let logSigma = x[sigmaOffset]
        let sigma = exp(logSigma)
        let v = sigma * sigma
        lp += logSigma + correlationJacobianAndFactor(x, factor: factor, lambda: lambda)
        for k in 0..<q { lp += x[sdOffset + k] }

        // eᵀe = ỹᵀỹ − 2βᵀFᵀỹ + βᵀFᵀFβ and Fᵀe.
        var residualSquares = statistics.responseSquares
        statistics.fixedCrossProduct.withUnsafeBufferPointer { ftf in
            statistics.crossResponse.withUnsafeBufferPointer { wty in
                for a in 0..<p {
                    var sum = 0.0
                    for b in 0..<p { sum += ftf[a * p + b] * beta[b] }
                    fixedResidual[a] = wty[a] - sum
                    residualSquares -= beta[a] * (2 * wty[a] - sum)
                    betaGradient[a] = 0
                }
            }
        }
        for i in 0..<qq { lambdaAdjoint[i] = 0 }
        let levels: (determinants: DeterminantProduct, quadratic: Double, varianceDerivative: Double)
        switch q {
        case 1:
            levels = accumulateLevels(EffectDimensionOne(), beta: beta, lambda: lambda, variance: v,
                                      lambdaAdjoint: lambdaAdjoint, betaGradient: betaGradient, scratch: product)
        case 2:
            levels = accumulateLevels(EffectDimensionTwo(), beta: beta, lambda: lambda, variance: v,
                                      lambdaAdjoint: lambdaAdjoint, betaGradient: betaGradient, scratch: product)
        default:
            levels = accumulateLevels(EffectDimensionAny(q: q), beta: beta, lambda: lambda, variance: v,
                                      lambdaAdjoint: lambdaAdjoint, betaGradient: betaGradient, scratch: product)
        }
        let quadratic = levels.quadratic
        var varianceDerivative = levels.varianceDerivative
        let n = Double(statistics.rowCount)
        lp += -0.5 * n * log(v) - 0.5 * levels.determinants.logarithm - residualSquares / (2 * v) + quadratic / (2 * v * v)
        varianceDerivative += -n / (2 * v) + residualSquares / (2 * v * v)
        for f in 0..<p { betaGradient[f] += fixedResidual[f] / v }

        // Population-level priors.
        priors.addPopulationLevelPriors(to: &lp, at: x, gradient: g, likelihoodGradient: betaGradient, layout: layout)
        let sigmaPrior = priors.auxiliary[0].logDensityAndDerivative(sigma)
        lp += sigmaPrior.value
        g[sigmaOffset] = (2 * sigma * varianceDerivative + sigmaPrior.derivative) * sigma + 1

        // Λ = diag(sd) L: ∂/∂sd_k = Σ_l G_kl L_kl, ∂/∂L_kl = sd_k G_kl; then priors and transforms.
        for i in 0..<qq { factorAdjoint[i] = 0 }
        for k in 0..<q {
            let sd = exp(x[sdOffset + k])
            var sdGradient = 0.0
            for l in 0...k {
                sdGradient += lambdaAdjoint[k * q + l] * factor[k * q + l]
                factorAdjoint[k * q + l] = sd * lambdaAdjoint[k * q + l]
            }
            let prior = priors.standardDeviations[0][k].logDensityAndDerivative(sd)
            lp += prior.value
            g[sdOffset + k] = (sdGradient + prior.derivative) * sd + 1
        }
        if q > 1 {
            lp += CholeskyCorrelationTransform.lkjLogDensity(eta: priors.correlationEta[0], factor: factor,
                                                             dimension: q, factorAdjoint: factorAdjoint)
            CholeskyCorrelationTransform.addGradient(x + correlationOffset, dimension: q, factor: factor,
                                                     factorAdjoint: factorAdjoint, yAdjoint: g + correlationOffset)
        }
        return lp
    }

    @inline(__always)
    private func correlationJacobianAndFactor(_ x: UnsafePointer<Double>, factor: UnsafeMutablePointer<Double>,
                                              lambda: UnsafeMutablePointer<Double>) -> Double {
        covarianceFactor(x, factor: factor, lambda: lambda)
    }
}

/// log Π_j d_j for factors d_j ≥ 1 with one logarithm per many factors: the running product is
/// flushed into the logarithm before it could overflow, and a single huge factor is logged alone.
struct DeterminantProduct {
    private var product = 1.0
    private var logarithmSoFar = 0.0

    @inline(__always)
    mutating func multiply(by factor: Double) {
        if factor > 1e100 || !(factor > 0) {
            logarithmSoFar += log(factor)
            return
        }
        product *= factor
        if product > 1e150 {
            logarithmSoFar += log(product)
            product = 1
        }
    }

    var logarithm: Double { logarithmSoFar + log(product) }
}
