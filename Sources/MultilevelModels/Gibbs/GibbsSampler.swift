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

/// Blocked Gibbs sampler for gaussian multilevel models (DESIGN §5; Hadfield 2010, MCMCglmm), a
/// `TransitionKernel` for `ChainRunner`. One transition:
///
/// 0. each one-column term's sd from its conditional with every group-level effect integrated
///    out (`CollapsedScaleUpdate`, a partially collapsed step), from the second transition on;
/// 1. (β, b) jointly from the mixed-model equations, one blocked Cholesky (`MixedModelEquationsDraw`);
/// 2. σ² | β, b (`ResidualVarianceUpdate`), each term's Σ | b (`GroupCovarianceUpdate`), with their
///    auxiliary variables (`HalfTScaleMixture`, `HuangWandMixture`);
/// 3. the mixing variables of Student-t coefficient priors (`StudentTInterceptMixture`).
///
/// The state is reported in the unconstrained layout of the NUTS posterior (`ParameterLayout`:
/// b, Intercept, log sigma, then per term log sd, z = chol(Σ)⁻¹ r and the correlation factor's
/// free values), so draws go through the same `ConstrainedParameters`, summaries and CSV writer;
/// `lp__` is the model's log posterior at the draw (`GibbsModel.posterior`), as Stan defines it.
/// Warm-up transitions are burn-in: nothing adapts.
public struct GibbsSampler: TransitionKernel {
    /// The shared model.
    public let model: GibbsModel
    var equations: MixedModelEquationsDraw
    var coefficientPriors: [CoefficientPrior]
    var groups: [GroupCovarianceUpdate]
    var residual: ResidualVarianceUpdate
    /// σ².
    var residualVariance = 1.0
    /// θ for the equations (fitting order, lme4 layout).
    var equationsTheta: [Double]
    /// (Intercept − ȳ, b, r_1, r_2, …) in `PosteriorData`'s layout, and scratch of its length.
    var effects: [Double]
    var product: [Double]
    let termOffsets: [Int]
    var position: [Double]
    var gradient: [Double]
    var posterior: CovariancePriorPosterior
    var logPosterior = 0.0
    var collapsedScales: CollapsedScaleUpdate?
    /// Whether `position` holds the current state (after the first transition).
    var positionIsCurrent = false

    public var dimension: Int { model.layout.dimension }
    public var nonFiniteRejections: Int { 0 }

    /// A kernel for one chain of `model` (build the model once and a kernel per chain).
    public init(model: GibbsModel) {
        self.model = model
        equations = MixedModelEquationsDraw(response: model.response, fixedEffects: model.fixedEffects,
                                            randomTerms: model.randomTerms)
        coefficientPriors = model.coefficientPriors
        groups = zip(model.randomTerms, model.termPriors).map { term, prior in
            GroupCovarianceUpdate(order: term.columnCount, levelCount: term.grouping.levelCount, prior: prior)
        }
        residual = ResidualVarianceUpdate(prior: model.residualPrior, observationCount: model.response.count)
        equationsTheta = [Double](repeating: 0, count: equations.equations.covarianceFactor.parameterCount)
        let data = model.posterior.base.data
        effects = [Double](repeating: 0, count: data.thetaCount)
        product = effects
        termOffsets = data.termOffsets
        position = [Double](repeating: 0, count: model.layout.dimension)
        gradient = position
        posterior = model.posterior
        collapsedScales = model.collapsedScales
    }

    /// A kernel for `design` with brms-resolved `priors` and optional covariance priors
    /// (see `GibbsModel.init`).
    public init(design: ModelDesign, priors: PosteriorPriors, covariancePriors: CovariancePriors? = nil) throws {
        self.init(model: try GibbsModel(design: design, priors: priors, covariancePriors: covariancePriors))
    }

    /// Initial variances: sd(y)/2 · exp(U(−R, R)/2) for σ and every group-level sd (R = `initRadius`),
    /// identity correlations, auxiliary variables drawn given them; then one transition so that the
    /// position holds a draw.
    public mutating func initialize(settings: SamplerSettings, chain: Int, rng: inout Xoshiro256PlusPlus) throws {
        let radius = settings.initRadius
        func scale() -> Double {
            model.responseScale / 2 * exp((radius > 0 ? rng.nextUniform(-radius, radius) : 0) / 2)
        }
        let sigma = scale()
        residualVariance = sigma * sigma
        residual.prior.initializeAuxiliary(variance: residualVariance, rng: &rng)
        for t in groups.indices {
            let sds = (0..<groups[t].order).map { _ in scale() }
            groups[t].initialize(standardDeviations: sds, rng: &rng)
        }
        coefficientPriors = model.coefficientPriors
        positionIsCurrent = false
        _ = try transition(adapt: true, rng: &rng)
    }

    public mutating func transition(adapt: Bool, rng: inout Xoshiro256PlusPlus) throws -> TransitionStatistics {
        // 0. sd_t | β, σ², Σ_{−t}, y with the effects integrated out (partially collapsed).
        if positionIsCurrent, var update = collapsedScales {
            collapsedScales = nil
            update.draw(position: position, rng: &rng)
            for (k, t) in update.terms.enumerated() { groups[t].setVariance(exp(2 * update.logSD(k)), rng: &rng) }
            collapsedScales = update
        }
        let sigma = residualVariance.squareRoot()
        // 1. (β, b) | σ², Σ, λ.
        let fitting = equations.equations
        var offset = 0
        for k in fitting.terms.indices {
            let group = groups[fitting.termOrder[k]]
            let q = group.order
            for j in 0..<q { for i in j..<q { equationsTheta[offset] = group.factor[i + j * q] / sigma; offset += 1 } }
        }
        var normalPriors: [(index: Int, mean: Double, variance: Double)] = []
        for (j, prior) in coefficientPriors.enumerated() {
            guard let normal = prior.conditionalNormal else { continue }
            let shift = j == 0 && model.layout.hasIntercept ? model.responseShift : 0
            normalPriors.append((j, normal.mean - shift, normal.variance))
        }
        try equations.draw(theta: equationsTheta, sigma: sigma, normalPriors: normalPriors, rng: &rng)
        let p = model.fixedEffects.columns
        for j in 0..<p { effects[j] = equations.solution[equations.coefficientIndex(j)] }
        for k in fitting.terms.indices {
            let t = fitting.termOrder[k]
            let q = groups[t].order
            let source = equations.termOffset(k)
            for level in 0..<fitting.terms[k].grouping.levelCount {
                // r = chol(Σ) u / σ.
                for i in 0..<q {
                    var sum = 0.0
                    for j in 0...i { sum += groups[t].factor[i + j * q] * equations.solution[source + level * q + j] }
                    effects[termOffsets[t] + level * q + i] = sum / sigma
                }
            }
        }
        // 2. σ² | β, b and Σ_t | b_t.
        let statistics = model.posterior.base.sufficient!
        let rss = effects.withUnsafeMutableBufferPointer { e in
            product.withUnsafeMutableBufferPointer { v in
                ResidualVarianceUpdate.residualSumOfSquares(statistics, theta: e.baseAddress!, product: v.baseAddress!,
                                                            thetaCount: e.count)
            }
        }
        residualVariance = residual.draw(residualSumOfSquares: rss, rng: &rng)
        for t in groups.indices {
            try effects.withUnsafeBufferPointer { e in
                try groups[t].update(effects: e.baseAddress! + termOffsets[t], rng: &rng)
            }
        }
        // 3. Mixing variables of Student-t coefficient priors.
        for j in coefficientPriors.indices {
            let shift = j == 0 && model.layout.hasIntercept ? model.responseShift : 0
            coefficientPriors[j].update(value: effects[j] + shift, rng: &rng)
        }
        writePosition()
        return TransitionStatistics(logDensity: logPosterior)
    }

    /// Writes the state in the unconstrained layout and evaluates lp__ there.
    private mutating func writePosition() {
        let layout = model.layout
        let shift = layout.hasIntercept ? 1 : 0
        for k in layout.coefficientNames.indices { position[k] = effects[k + shift] }
        if layout.hasIntercept { position[layout.interceptOffset] = effects[0] + model.responseShift }
        if let sigma = layout.offset(of: .sigma) { position[sigma] = 0.5 * log(residualVariance) }
        for (t, term) in layout.terms.enumerated() {
            let q = term.columnCount
            let factor = groups[t].factor
            var sds = [Double](repeating: 0, count: q)
            for k in 0..<q {
                var sum = 0.0
                for j in 0...k { sum += factor[k + j * q] * factor[k + j * q] }
                sds[k] = sum.squareRoot()
                position[term.sdOffset + k] = log(sds[k])
            }
            // z = chol(Σ)⁻¹ r per level (forward substitution).
            for level in 0..<term.levelCount {
                let r = termOffsets[t] + level * q
                let z = term.zOffset + level * q
                for i in 0..<q {
                    var sum = effects[r + i]
                    for j in 0..<i { sum -= factor[i + j * q] * position[z + j] }
                    position[z + i] = sum / factor[i + i * q]
                }
            }
            if q > 1 {
                // Correlation factor L = diag(sd)⁻¹ chol(Σ), row-major for the transform.
                var correlationFactor = [Double](repeating: 0, count: q * q)
                for i in 0..<q { for j in 0...i { correlationFactor[i * q + j] = factor[i + j * q] / sds[i] } }
                correlationFactor.withUnsafeBufferPointer { l in
                    position.withUnsafeMutableBufferPointer { x in
                        CholeskyCorrelationTransform.unconstrain(l.baseAddress!, dimension: q,
                                                                 into: x.baseAddress! + term.correlationOffset)
                    }
                }
            }
        }
        positionIsCurrent = true
        logPosterior = position.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in posterior.logDensity(at: x, gradient: g) }
        }
    }

    public mutating func finishWarmup() -> AdaptationSummary? { nil }

    public func withPosition<Result>(_ body: (UnsafeBufferPointer<Double>) throws -> Result) rethrows -> Result {
        try position.withUnsafeBufferPointer(body)
    }
}
