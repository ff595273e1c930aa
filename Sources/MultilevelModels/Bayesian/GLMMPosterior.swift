#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelData
import MultilevelSampling

/// The log posterior brms builds for a GLMM (DESIGN §5), on the unconstrained space of
/// `ParameterLayout`, with its analytic gradient.
///
///     η = Intercept + X_c b + Σ_t Z_t r_t,   r_t,j = diag(sd_t) · L_t · z_t,j,   z ~ N(0, I),
///
/// for a non-centred term (brms' parameterisation; the columns of brms' monotonic group-level
/// effects `(mo(x) | g)` are r · mo(ζ, x), `MonotonicGroupEffects`); a centred term
/// (`ParameterLayout.Term.isCentred`) has r_t,j itself in the unconstrained vector with
/// r_t,j ~ MVN(0, diag(sd_t) L_t L_tᵀ diag(sd_t)) (`CentredGroupEffects`) — the same posterior,
/// better conditioned when a level's data outweigh its prior (`ParameterisationChoice`).
///
/// X_c the centred non-intercept columns; L_t the Cholesky factor of term t's correlation matrix
/// with an LKJ(η) prior; sd_t, sigma, shape, nu on the log scale (x = bound + eʸ) and L_t through
/// Stan's partial-correlation transform, each with its log-Jacobian. Priors as in brms, half
/// priors truncated at the bound (−log(1 − F(bound)) per parameter). Constants are included, so the
/// value is Stan's `lp__` up to the LKJ normalising constant.
///
/// Gaussian and lognormal models read the data through `GaussianSufficientStatistics`, so an
/// evaluation costs O(groups · q²) independent of the number of rows; the other families (and the
/// gaussian family when `useSufficientStatistics` is false) take one pass over the rows.
public struct GLMMPosterior: LogDensity {
    /// Where each parameter lives in the unconstrained vector.
    public let layout: ParameterLayout
    /// The response family.
    public let family: Family
    /// The priors in effect.
    public let priors: PosteriorPriors
    /// Means of the non-intercept columns of X (brms' `means_X`): b_Intercept = Intercept − x̄·b.
    public var columnMeans: [Double] { data.columnMeans }
    /// Number of rows the likelihood visits per evaluation: bernoulli, binomial and poisson rows
    /// with identical predictors and levels are merged (0 for gaussian models, which read
    /// sufficient statistics instead).
    public var mergedRowCount: Int { sufficient == nil ? data.rowCount : 0 }

    let data: PosteriorData
    let sufficient: GaussianSufficientStatistics?
    /// The rows column by column, for the row pass (nil when `sufficient` is used).
    let columns: PosteriorColumns?
    /// Data constant, truncation constants and the z normalising constants.
    let constant: Double
    /// Where each term's pieces live (plain values, so the hot loops retain nothing).
    let geometry: [TermGeometry]
    /// The sd priors flattened in term-then-column order (`geometry[t].sdIndex + k`).
    let sdPriors: [PriorDistribution]
    // Scratch layout (one buffer, offsets below), private to each chain after its first write.
    var scratch: PosteriorScratch
    let thetaGradientStart: Int, productStart: Int, auxiliaryStart: Int, auxiliaryGradientStart: Int
    let factorStart: Int, factorAdjointStart: Int, sdGradientStart: Int, sdValueStart: Int, inverseStart: Int
    /// The row pass's block buffers: η (then ∂ℓ/∂η) and the family's 2 × block scratch.
    let blockStart: Int
    /// The partially centred terms (`PartiallyCentredGroupEffects`) and their scratch block
    /// (γ, the children's D, ∂/∂μ).
    let partialPlan: PartialCentringPlan
    let partialStart: Int
    /// Huang–Wand scales A_k of the terms with a covariance prior (`geometry[t].scaleIndex + k`).
    let huangWandScales: [Double]
    /// The shear of the hierarchically centred terms (`HierarchicalCentring`).
    let shear: HierarchicalShear
    /// The shear's edges the gradient pulls back after the term loop: all but that of the term
    /// centred on the Intercept, which `CentredGroupEffects.addLogDensity` pulls back in its pass.
    let shearAfterTerms: HierarchicalShear
    /// The index ranges of the gradient that `evaluate` zeroes first: everything but the effects
    /// of the centred terms and of the q = 1 non-centred ones, whose entries are assigned rather
    /// than accumulated.
    let gradientZeroRanges: [Range<Int>]
    /// The monotonic effects (`MonotonicEffect`): θ of their indicator columns = bsp · D · ζ.
    let monotonic: [MonotonicGeometry]
    /// Their scratch: per effect ζ (D), the stick lengths and fractions (D − 1 each) and ∂/∂ζ (D);
    /// then, `monotonicScratchCount` further on, the group-level terms' share of ∂/∂ζ
    /// (`MonotonicGroupEffects`), and the effects r and ∂/∂r of the terms with monotonic columns.
    let monotonicStart: Int
    let monotonicScratchCount: Int
    /// α_i − 1 of the simplexes with a Dirichlet prior other than Dirichlet(1)
    /// (`MonotonicGeometry.exponentOffset`).
    let simplexExponents: [Double]
    /// Whether some group-level term has monotonic columns (`TermGeometry.effectOffset`).
    let hasMonotonicGroupEffects: Bool

    public var dimension: Int { layout.dimension }

    /// Builds the posterior of `design` under `family` and `priors`. Throws `FamilyError` when the
    /// response is outside the family's support (naming the first offending line).
    /// `centred[t]` makes term t centred (nil: all non-centred, as brms); `centringParents[t]`
    /// hierarchically centres the centred term t (`HierarchicalCentring`); `centringWeights[t]`
    /// partially centres the one-column term t per level (`PartiallyCentredGroupEffects`; with
    /// `centringWeightsFollowSD` they are the levels' information and the weights follow sd).
    public init(design: ModelDesign, family: Family, priors: PosteriorPriors,
                useSufficientStatistics: Bool = true, centred: [Bool]? = nil,
                centringParents: [CentringParent?]? = nil, centringWeights: [[Double]?]? = nil) throws {
        try self.init(design: design, family: family, priors: priors, useSufficientStatistics: useSufficientStatistics,
                      centred: centred, centringParents: centringParents, centringWeights: centringWeights,
                      centringWeightsFollowSD: [])
    }

    /// The posterior as above, term t's partial-centring weights following its sd when
    /// `centringWeightsFollowSD[t]`.
    public init(design: ModelDesign, family: Family, priors: PosteriorPriors,
                useSufficientStatistics: Bool = true, centred: [Bool]?,
                centringParents: [CentringParent?]?, centringWeights: [[Double]?]?,
                centringWeightsFollowSD: [Bool]) throws {
        try checkResponse(design, family: family)
        let layout = ParameterLayout(design: design, family: family, centred: centred, centringParents: centringParents,
                                     centringWeights: centringWeights, centringWeightsFollowSD: centringWeightsFollowSD)
        shear = HierarchicalShear(layout: layout)
        precondition(priors.coefficients.count == layout.coefficientNames.count
                     && priors.standardDeviations.count == layout.terms.count
                     && priors.auxiliary.count == layout.auxiliaryParameters.count,
                     "priors do not match the model's parameter layout")
        self.layout = layout
        self.family = family
        self.priors = priors
        let data = PosteriorData(design: design, family: family)
        self.data = data
        sufficient = family.descriptor.hasGaussianSufficientStatistics && useSufficientStatistics && data.additions == nil
            ? GaussianSufficientStatistics(data: data, hasIntercept: layout.hasIntercept) : nil
        columns = sufficient == nil ? PosteriorColumns(data: data, hasIntercept: layout.hasIntercept,
                                                       auxiliaryCount: layout.auxiliaryParameters.count) : nil
        var constant = data.dataConstant
        var zCount = 0
        var factorOffsets: [Int] = []
        var factorSize = 0
        for (t, term) in layout.terms.enumerated() {
            zCount += term.levelCount * term.columnCount
            if priors.covariance[t] == nil {
                for prior in priors.standardDeviations[t] { constant -= prior.logProbabilityAbove(0) }
            }
            factorOffsets.append(factorSize)
            factorSize += term.columnCount * term.columnCount
        }
        for (a, parameter) in layout.auxiliaryParameters.enumerated() where !parameter.isUnbounded {
            constant -= priors.auxiliary[a].logProbabilityAbove(parameter.lowerBound)
        }
        constant -= Double(zCount) * halfLogTwoPi
        // Dirichlet(α) on each D-simplex: log Γ(Σα) − Σ log Γ(α_i) (brms' dirichlet_lpdf keeps it;
        // log Γ(D) for the default α = 1), and Σ (α_i − 1) log ζ_i per evaluation when some α_i ≠ 1.
        var monotonic: [MonotonicGeometry] = []
        var monotonicScratch = 0
        var exponents: [Double] = []
        for (m, effect) in layout.monotonic.enumerated() {
            let alpha = m < priors.simplexConcentrations.count ? priors.simplexConcentrations[m]
                : [Double](repeating: 1, count: effect.categoryCount)
            precondition(alpha.count == effect.categoryCount, "Dirichlet concentrations do not match the simplex")
            constant += lgamma(alpha.reduce(0, +)) - alpha.reduce(0) { $0 + lgamma($1) }
            let hasExponents = alpha.contains { $0 != 1 }
            monotonic.append(MonotonicGeometry(
                categoryCount: effect.categoryCount, coefficientOffset: effect.coefficientOffset,
                simplexOffset: effect.simplexOffset, thetaOffset: data.monotonicColumnOffsets[m],
                scratchOffset: monotonicScratch,
                prior: m < priors.monotonic.count ? priors.monotonic[m] : .flat,
                exponentOffset: hasExponents ? exponents.count : -1))
            if hasExponents { exponents += alpha.map { $0 - 1 } }
            monotonicScratch += 4 * effect.categoryCount
        }
        monotonicScratchCount = monotonicScratch
        self.monotonic = monotonic
        simplexExponents = exponents
        self.constant = constant
        var geometry: [TermGeometry] = []
        var sdIndex = 0
        var groupEffectScratch = 2 * monotonicScratch
        var scales: [Double] = []
        for (t, term) in layout.terms.enumerated() {
            var nu = 0.0
            let scaleIndex = scales.count
            if case let .huangWand(degreesOfFreedom, termScales)? = priors.covariance[t] {
                nu = degreesOfFreedom
                scales += termScales.count == term.columnCount ? termScales
                    : [Double](repeating: termScales[0], count: term.columnCount)
            }
            geometry.append(TermGeometry(columnCount: term.columnCount, levelCount: term.levelCount,
                                         sdOffset: term.sdOffset, zOffset: term.zOffset,
                                         correlationOffset: term.correlationOffset, thetaOffset: data.termOffsets[t],
                                         factorOffset: factorOffsets[t], sdIndex: sdIndex,
                                         eta: priors.correlationEta[t], huangWandNu: nu, scaleIndex: scaleIndex,
                                         isCentred: term.isCentred,
                                         isCentredOnIntercept: term.isCentred && term.centringParent == .intercept
                                             && term.centringWeights == nil,
                                         centringCovariates: term.centringCovariates,
                                         centringWeights: term.centringWeights ?? [],
                                         centringWeightsFollowSD: term.centringWeightsFollowSD))
            let designTerm = design.randomTerms[t]
            if !designTerm.monotonic.isEmpty {
                precondition(!term.isCentred && term.centringWeights == nil,
                             "a group-level term with mo() columns is sampled non-centred")
                var dataColumn = designTerm.regularColumnCount
                geometry[t].monotonicColumns = designTerm.monotonic.enumerated().map { c, m in
                    defer { dataColumn += monotonic[m].categoryCount }
                    return MonotonicGroupEffects.Column(effect: designTerm.regularColumnCount + c, dataColumn: dataColumn,
                                                        categoryCount: monotonic[m].categoryCount,
                                                        simplexScratch: monotonic[m].scratchOffset)
                }
                geometry[t].dataColumnCount = dataColumn
                geometry[t].effectOffset = groupEffectScratch
                groupEffectScratch += 2 * term.levelCount * term.columnCount
            }
            sdIndex += term.columnCount
        }
        self.geometry = geometry
        shearAfterTerms = shear.excluding(terms: Set(geometry.indices.filter {
            geometry[$0].isCentredOnIntercept || geometry[$0].isPartial
        }))
        var zeroRanges: [Range<Int>] = []
        var zeroStart = 0
        for term in layout.terms where term.isCentred || term.columnCount == 1 {
            if term.zOffset > zeroStart { zeroRanges.append(zeroStart..<term.zOffset) }
            zeroStart = term.zOffset + term.levelCount * term.columnCount
        }
        if layout.dimension > zeroStart { zeroRanges.append(zeroStart..<layout.dimension) }
        gradientZeroRanges = zeroRanges
        huangWandScales = scales
        sdPriors = priors.standardDeviations.flatMap { $0 }
        let thetaCount = data.thetaCount
        let auxiliaryCount = layout.auxiliaryParameters.count
        let sdCount = layout.terms.reduce(0) { $0 + $1.columnCount }
        thetaGradientStart = thetaCount
        productStart = 2 * thetaCount
        auxiliaryStart = 3 * thetaCount
        auxiliaryGradientStart = auxiliaryStart + auxiliaryCount
        factorStart = auxiliaryGradientStart + auxiliaryCount
        factorAdjointStart = factorStart + factorSize
        sdGradientStart = factorAdjointStart + factorSize
        sdValueStart = sdGradientStart + sdCount
        inverseStart = sdValueStart + sdCount
        let maxQ = layout.terms.map(\.columnCount).max() ?? 1
        partialPlan = PartialCentringPlan(layout: layout)
        partialStart = inverseStart + max(maxQ * maxQ, 2 * maxQ)
        blockStart = partialStart + 3 * partialPlan.levelCount
        monotonicStart = blockStart + (sufficient == nil ? 3 * PosteriorColumns.blockSize : 0)
        scratch = PosteriorScratch(count: monotonicStart + groupEffectScratch)
        hasMonotonicGroupEffects = geometry.contains { $0.effectOffset >= 0 }
    }

    public mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                    gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        precondition(position.count == dimension && gradient.count == dimension, "dimension mismatch")
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.clone() }
        return evaluate(position.baseAddress!, gradient.baseAddress!, scratch.pointer)
    }

    /// log p(x) and its gradient into `g`, with `s` as scratch. Around the likelihood's row pass
    /// a centred term costs one pass over its levels forwards (r, or γ − γ_parent, into θ) and one
    /// backwards (`CentredGroupEffects.addLogDensity` from the likelihood's gradient, with the
    /// pull-back onto the Intercept of a term centred on it), and only the accumulated gradient
    /// entries are zeroed (`gradientZeroRanges`): on a 10,000-row, 500-group Bernoulli
    /// `y ~ x + (1 | g)` fit (hierarchically centred on the Intercept; callgrind, 1 chain, 300
    /// iterations) the work outside the row pass fell from 29,963 to 12,707 instructions per
    /// gradient, with bit-identical values and gradients (every sum in its former order). A q = 1
    /// non-centred term takes one loop per direction with the general loop's operations for q = 1
    /// (no index products, overflow checks or inner loops) and assigns its z gradient: on a
    /// 1,500-row, 500-group non-centred Bernoulli fit, 63,371 → 17,476 instructions per gradient.
    /// A q = 2 non-centred term likewise (explicit l₀₀, l₁₀, l₁₁, every operation in the general
    /// loop's order): on a 4,000-row, 400-group non-centred Bernoulli `y ~ x + (x | g)` fit,
    /// 101,721 → 35,315 instructions per gradient outside the row pass.
    private func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                          _ s: UnsafeMutablePointer<Double>) -> Double {
        // Only the entries some step adds to start at zero; the others are assigned (a centred
        // term's effects, `gradientZeroRanges`).
        gradientZeroRanges.withUnsafeBufferPointer { ranges in
            for range in ranges { for i in range { g[i] = 0 } }
        }
        let theta = s
        let thetaGradient = s + thetaGradientStart
        let auxiliary = s + auxiliaryStart
        let auxiliaryGradient = s + auxiliaryGradientStart
        let factors = s + factorStart
        let factorAdjoints = s + factorAdjointStart
        let sdValues = s + sdValueStart
        var lp = constant

        // Population-level effects: θ_F = (Intercept, b).
        let interceptShift = layout.hasIntercept ? 1 : 0
        let coefficientCount = layout.coefficientNames.count
        if layout.hasIntercept { theta[0] = x[layout.interceptOffset] }
        for k in 0..<coefficientCount { theta[interceptShift + k] = x[k] }
        // Monotonic effects: ζ from the stick-breaking transform (with its log-Jacobian), then
        // θ of the indicator [x ≥ i] = bsp · D · ζ_i.
        for effect in monotonic {
            let d = effect.categoryCount
            let zeta = s + monotonicStart + effect.scratchOffset
            lp += SimplexTransform.constrain(x + effect.simplexOffset, size: d, into: zeta, sticks: zeta + d,
                                             fractions: zeta + 2 * d - 1)
            let scale = x[effect.coefficientOffset] * Double(d)
            for i in 0..<d { theta[effect.thetaOffset + i] = scale * zeta[i] }
            if effect.exponentOffset >= 0 {
                for i in 0..<d { lp += simplexExponents[effect.exponentOffset + i] * log(zeta[i]) }
            }
        }

        // Auxiliary parameters: x = bound + eʸ, log-Jacobian y (x = y for an unbounded one).
        for (a, parameter) in layout.auxiliaryParameters.enumerated() {
            let y = x[layout.auxiliaryOffset + a]
            auxiliaryGradient[a] = 0
            if parameter.isUnbounded {
                auxiliary[a] = y
                continue
            }
            if parameter.isProbability {
                // x = logistic(y), log-Jacobian log x + log(1 − x).
                auxiliary[a] = inverseLogit(y)
                lp -= log1pexp(-y) + log1pexp(y)
                continue
            }
            auxiliary[a] = parameter.lowerBound + exp(y)
            lp += y
        }

        // Group-level effects r = diag(sd) · L · z, or r itself for a centred term (γ_j − γ_parent
        // for a hierarchically centred one).
        for (t, term) in geometry.enumerated() {
            let q = term.columnCount
            let factor = factors + term.factorOffset
            if q > 1 {
                lp += CholeskyCorrelationTransform.constrain(x + term.correlationOffset, dimension: q, into: factor)
            } else {
                factor[0] = 1
            }
            let sdBase = x + term.sdOffset
            let sd = sdValues + term.sdIndex
            for k in 0..<q {
                lp += sdBase[k]
                sd[k] = exp(sdBase[k])
            }
            // A term with monotonic columns keeps r in scratch (expanded into θ below).
            let thetaBase = term.effectOffset >= 0 ? s + monotonicStart + term.effectOffset : theta + term.thetaOffset
            if term.isPartial { continue }     // after this loop, parents first
            if term.isCentred {
                if term.isCentredOnIntercept {
                    HierarchicalShear.effects(centredOn: x[layout.interceptOffset], count: term.levelCount,
                                              offset: term.zOffset, from: x, into: thetaBase)
                } else if let parentIndex = shear.parentIndexByTerm[t] {
                    // Hierarchically centred: r_j = γ_j − γ_parent[g(j)] straight from x.
                    HierarchicalShear.effects(parentIndex: parentIndex, offset: term.zOffset, from: x, into: thetaBase)
                } else {
                    let r = x + term.zOffset
                    for i in 0..<(term.levelCount * q) { thetaBase[i] = r[i] }
                }
                for covariate in term.centringCovariates {
                    CovariateCentring.subtract(covariate, coefficient: x[covariate.coefficient], from: thetaBase)
                }
                continue
            }
            if q == 1 {
                // r_j = sd · (0 + L₁₁ z_j): the general loop's operations, one level per step.
                let z = x + term.zOffset, scale = sd[0], diagonal = factor[0]
                for j in 0..<term.levelCount { thetaBase[j] = scale * (0 + diagonal * z[j]) }
                continue
            }
            if q == 2 {
                // The general loop's operations for q = 2 (L = [l₀₀ 0; l₁₀ l₁₁]), level by level.
                var z = x + term.zOffset, r = thetaBase
                let sd0 = sd[0], sd1 = sd[1], l00 = factor[0], l10 = factor[2], l11 = factor[3]
                for _ in 0..<term.levelCount {
                    let z0 = z[0], z1 = z[1]
                    r[0] = sd0 * (0 + l00 * z0)
                    r[1] = sd1 * ((0 + l10 * z0) + l11 * z1)
                    z += 2
                    r += 2
                }
                continue
            }
            for j in 0..<term.levelCount {
                let z = x + term.zOffset + j * q
                let r = thetaBase + j * q
                for k in 0..<q {
                    var w = 0.0
                    for l in 0...k { w += factor[k * q + l] * z[l] }
                    r[k] = sd[k] * w
                }
            }
        }

        // Partially centred terms, parents first (a partially centred parent's γ kept for its children).
        let centres = s + partialStart, childGradients = centres + partialPlan.levelCount
        let centreGradients = childGradients + partialPlan.levelCount
        for entry in partialPlan.entries {
            let term = geometry[entry.term]
            term.centringWeights.withUnsafeBufferPointer { weights in
                entry.parentIndex.withUnsafeBufferPointer { parents in
                    PartiallyCentredGroupEffects.effects(
                        stored: x + term.zOffset, weights: weights, followsSD: term.centringWeightsFollowSD,
                        logSD: x[term.sdOffset],
                        parentValues: entry.parentIsPartial ? UnsafePointer(centres) : x, parentIndex: parents,
                        covariates: term.centringCovariates, from: x, into: theta + term.thetaOffset,
                        centres: entry.hasPartialChildren ? centres + entry.offset : nil)
                }
            }
            if entry.hasPartialChildren { for j in 0..<term.levelCount { childGradients[entry.offset + j] = 0 } }
        }

        // (mo(x) | g): θ of the indicator columns = r · D · ζ_i.
        if hasMonotonicGroupEffects {
            for term in geometry where term.effectOffset >= 0 {
                MonotonicGroupEffects.expand(effects: s + monotonicStart + term.effectOffset, levelCount: term.levelCount,
                                             q: term.columnCount, regularCount: term.columnCount - term.monotonicColumns.count,
                                             dataWidth: term.dataColumnCount, columns: term.monotonicColumns,
                                             simplexes: s + monotonicStart, into: theta + term.thetaOffset)
            }
        }

        // Likelihood and its gradient with respect to θ and the auxiliary parameters.
        let thetaCount = data.thetaCount
        for i in 0..<thetaCount { thetaGradient[i] = 0 }
        if let sufficient {
            if layout.hasIntercept { theta[0] -= sufficient.responseShift }
            let product = s + productStart
            let rss = sufficient.residualSumOfSquares(theta: theta, product: product, thetaCount: thetaCount)
            let sigma = auxiliary[0]
            let inverseVariance = 1 / (sigma * sigma)
            let n = Double(sufficient.rowCount)
            lp += -n * log(sigma) - 0.5 * rss * inverseVariance
            sufficient.crossResponse.withUnsafeBufferPointer { wty in
                for i in 0..<thetaCount { thetaGradient[i] = (wty[i] - product[i]) * inverseVariance }
            }
            auxiliaryGradient[0] = -n / sigma + rss * inverseVariance / sigma
        } else {
            lp += rowPass(theta: theta, thetaGradient: thetaGradient,
                          auxiliary: auxiliary, auxiliaryGradient: auxiliaryGradient, block: s + blockStart)
        }

        // (mo(x) | g): ∂/∂r of the terms with monotonic columns, and their share of ∂/∂ζ.
        if hasMonotonicGroupEffects {
            let groupAdjoints = s + monotonicStart + monotonicScratchCount
            for i in 0..<monotonicScratchCount { groupAdjoints[i] = 0 }
            for term in geometry where term.effectOffset >= 0 {
                let effects = s + monotonicStart + term.effectOffset
                MonotonicGroupEffects.pullBack(
                    thetaGradient: thetaGradient + term.thetaOffset, effects: effects, levelCount: term.levelCount,
                    q: term.columnCount, regularCount: term.columnCount - term.monotonicColumns.count,
                    dataWidth: term.dataColumnCount, columns: term.monotonicColumns, simplexes: s + monotonicStart,
                    effectGradient: effects + term.levelCount * term.columnCount, simplexAdjoints: groupAdjoints)
            }
        }

        // Population-level priors and gradient.
        priors.addPopulationLevelPriors(to: &lp, at: x, gradient: g, likelihoodGradient: thetaGradient, layout: layout)
        // Monotonic effects: ∂/∂bsp = D Σ_i ∂/∂θ_i ζ_i, ∂/∂ζ_i = bsp D ∂/∂θ_i, then back through the
        // stick-breaking transform (with the Dirichlet's (α_i − 1)/ζ_i; Dirichlet(1) is constant).
        for effect in monotonic {
            let d = effect.categoryCount
            let zeta = s + monotonicStart + effect.scratchOffset
            let adjoint = zeta + 3 * d - 2
            let bsp = x[effect.coefficientOffset]
            let scale = Double(d)
            var coefficientGradient = 0.0
            for i in 0..<d {
                let thetaAdjoint = thetaGradient[effect.thetaOffset + i]
                coefficientGradient += thetaAdjoint * zeta[i]
                adjoint[i] = thetaAdjoint * bsp * scale
            }
            if hasMonotonicGroupEffects {
                let groupAdjoint = zeta + monotonicScratchCount
                for i in 0..<d { adjoint[i] += groupAdjoint[i] }
            }
            if effect.exponentOffset >= 0 {
                // The Dirichlet's Σ (α_i − 1) log ζ_i.
                for i in 0..<d { adjoint[i] += simplexExponents[effect.exponentOffset + i] / zeta[i] }
            }
            let prior = effect.prior.logDensityAndDerivative(bsp)
            lp += prior.value
            g[effect.coefficientOffset] = coefficientGradient * scale + prior.derivative
            for k in 0..<(d - 1) { g[effect.simplexOffset + k] = 0 }
            SimplexTransform.addGradient(size: d, xAdjoint: adjoint, sticks: zeta + d, fractions: zeta + 2 * d - 1,
                                         yGradient: g + effect.simplexOffset)
        }
        for (a, parameter) in layout.auxiliaryParameters.enumerated() {
            let value = auxiliary[a]
            let prior = priors.auxiliary[a].logDensityAndDerivative(value)
            lp += prior.value
            if parameter.isUnbounded {
                g[layout.auxiliaryOffset + a] = auxiliaryGradient[a] + prior.derivative
                continue
            }
            if parameter.isProbability {
                g[layout.auxiliaryOffset + a] = (auxiliaryGradient[a] + prior.derivative) * (value * (1 - value)) + (1 - 2 * value)
                continue
            }
            g[layout.auxiliaryOffset + a] = (auxiliaryGradient[a] + prior.derivative) * (value - parameter.lowerBound) + 1
        }
        if layout.thresholdCount > 0 {
            lp += OrdinalThresholds.addPrior(priors.intercept, layout: layout, x: x, gaps: auxiliary, gradient: g)
        }

        // Partially centred terms' priors, children first: each adds ∂/∂μ to a partially centred
        // parent's D before the parent is differentiated.
        for entry in partialPlan.entries.reversed() {
            let term = geometry[entry.term]
            let sdGradient = s + sdGradientStart + term.sdIndex
            sdGradient[0] = 0
            lp += term.centringWeights.withUnsafeBufferPointer { weights in
                PartiallyCentredGroupEffects.addLogDensity(
                    effects: theta + term.thetaOffset, stored: x + term.zOffset, weights: weights,
                    followsSD: term.centringWeightsFollowSD, logSD: x[term.sdOffset],
                    likelihoodGradient: thetaGradient + term.thetaOffset,
                    childGradient: entry.hasPartialChildren ? UnsafePointer(childGradients + entry.offset) : nil,
                    effectGradient: g + term.zOffset, centreGradient: centreGradients + entry.offset, sdAdjoint: sdGradient)
            }
            if entry.parentIsPartial {
                entry.parentIndex.withUnsafeBufferPointer { parents in
                    PartiallyCentredGroupEffects.pullBack(centreGradient: centreGradients + entry.offset, count: term.levelCount,
                                                          parentIndex: parents, parentGradient: childGradients,
                                                          covariates: [], gradient: g)
                }
            }
        }

        // Chain rule through r = diag(sd) L z and the z ~ N(0, 1) prior (or a centred term's
        // r ~ MVN(0, Σ) prior), sd priors, LKJ prior and the correlation transform.
        for term in geometry {
            let q = term.columnCount
            let factor = factors + term.factorOffset
            let factorAdjoint = factorAdjoints + term.factorOffset
            for i in 0..<(q * q) { factorAdjoint[i] = 0 }
            let sdGradient = s + sdGradientStart + term.sdIndex
            let sd = sdValues + term.sdIndex
            if !term.isPartial { for k in 0..<q { sdGradient[k] = 0 } }    // else summed in the pass above
            let gradientBase = term.effectOffset >= 0
                ? s + monotonicStart + term.effectOffset + term.levelCount * q : thetaGradient + term.thetaOffset
            if term.isPartial {
                // Its prior and gradient are done (the pass above).
            } else if term.isCentred {
                // ∂/∂r = ∂ log L/∂r + ∂ log p(r)/∂r in one pass; for a term centred on the
                // Intercept, that pass also pulls ∂/∂r back onto the Intercept (its shear edge is
                // left out of `shearAfterTerms`).
                lp += CentredGroupEffects.addLogDensity(
                    effects: theta + term.thetaOffset, levelCount: term.levelCount, dimension: q, sd: sd,
                    factor: factor, likelihoodGradient: gradientBase, effectGradient: g + term.zOffset,
                    parentGradient: term.isCentredOnIntercept ? g + layout.interceptOffset : nil,
                    sdAdjoint: sdGradient, factorAdjoint: factorAdjoint, work: s + inverseStart)
                for covariate in term.centringCovariates {
                    g[covariate.coefficient] -= CovariateCentring.pullBack(covariate, effectGradient: g + term.zOffset)
                }
            }
            if !term.isCentred && !term.isPartial && q == 1 {
                // The general loop below for q = 1, with the same operations in the same order.
                let z = x + term.zOffset, gz = g + term.zOffset
                let scale = sd[0], diagonal = factor[0]
                var sdSum = sdGradient[0], factorSum = factorAdjoint[0]
                for j in 0..<term.levelCount {
                    let zj = z[j], grj = gradientBase[j]
                    let w = 0 + diagonal * zj
                    sdSum += grj * w
                    let gw = scale * grj
                    factorSum += gw * zj
                    lp -= 0.5 * zj * zj
                    gz[j] = (0 + diagonal * gw) - zj    // from a zero entry, as the general loop
                }
                sdGradient[0] = sdSum
                factorAdjoint[0] = factorSum
            }
            if !term.isCentred && q == 2 {
                // The general loop below for q = 2, with the same operations in the same order.
                var z = x + term.zOffset, gz = g + term.zOffset, gr = UnsafePointer(gradientBase)
                let sd0 = sd[0], sd1 = sd[1], l00 = factor[0], l10 = factor[2], l11 = factor[3]
                var sdSum0 = sdGradient[0], sdSum1 = sdGradient[1]
                var adjoint00 = factorAdjoint[0], adjoint10 = factorAdjoint[2], adjoint11 = factorAdjoint[3]
                for _ in 0..<term.levelCount {
                    let z0 = z[0], z1 = z[1], gr0 = gr[0], gr1 = gr[1]
                    let w0 = 0 + l00 * z0
                    sdSum0 += gr0 * w0
                    let gw0 = sd0 * gr0
                    adjoint00 += gw0 * z0
                    let w1 = (0 + l10 * z0) + l11 * z1
                    sdSum1 += gr1 * w1
                    let gw1 = sd1 * gr1
                    adjoint10 += gw1 * z0
                    adjoint11 += gw1 * z1
                    gz[0] = ((gz[0] + l00 * gw0) + l10 * gw1) - z0
                    gz[1] = (gz[1] + l11 * gw1) - z1
                    lp -= 0.5 * z0 * z0
                    lp -= 0.5 * z1 * z1
                    z += 2
                    gz += 2
                    gr += 2
                }
                sdGradient[0] = sdSum0
                sdGradient[1] = sdSum1
                factorAdjoint[0] = adjoint00
                factorAdjoint[2] = adjoint10
                factorAdjoint[3] = adjoint11
            }
            for j in 0..<(term.isCentred || q <= 2 ? 0 : term.levelCount) {
                let z = x + term.zOffset + j * q
                let gz = g + term.zOffset + j * q
                let gr = gradientBase + j * q
                for k in 0..<q {
                    var w = 0.0
                    for l in 0...k { w += factor[k * q + l] * z[l] }
                    sdGradient[k] += gr[k] * w
                    let gw = sd[k] * gr[k]
                    for l in 0...k {
                        gz[l] += factor[k * q + l] * gw
                        factorAdjoint[k * q + l] += gw * z[l]
                    }
                }
                for l in 0..<q {
                    lp -= 0.5 * z[l] * z[l]
                    gz[l] -= z[l]
                }
            }
            if term.huangWandNu > 0 {
                lp += huangWandScales.withUnsafeBufferPointer { scales in
                    HuangWandPrior.logDensity(nu: term.huangWandNu, scales: scales.baseAddress! + term.scaleIndex,
                                              sd: sd, factor: factor, dimension: q, inverse: s + inverseStart,
                                              sdAdjoint: sdGradient, factorAdjoint: factorAdjoint)
                }
                for k in 0..<q { g[term.sdOffset + k] = sdGradient[k] * sd[k] + 1 }
            } else {
                for k in 0..<q {
                    let prior = sdPriors[term.sdIndex + k].logDensityAndDerivative(sd[k])
                    lp += prior.value
                    g[term.sdOffset + k] = (sdGradient[k] + prior.derivative) * sd[k] + 1
                }
                if q > 1 {
                    lp += CholeskyCorrelationTransform.lkjLogDensity(eta: term.eta, factor: factor,
                                                                     dimension: q, factorAdjoint: factorAdjoint)
                }
            }
            if q > 1 {
                CholeskyCorrelationTransform.addGradient(x + term.correlationOffset, dimension: q,
                                                         factor: factor, factorAdjoint: factorAdjoint,
                                                         yAdjoint: g + term.correlationOffset)
            }
        }
        if !shearAfterTerms.isEmpty { shearAfterTerms.pullBack(gradient: g) }
        for entry in partialPlan.entries {
            // After the shear (a parent's own edge reads its ∂/∂r before its children add to it):
            // ∂/∂μ onto a parent in the unconstrained vector and onto the covariates' coefficients.
            let term = geometry[entry.term]
            entry.parentIndex.withUnsafeBufferPointer { parents in
                PartiallyCentredGroupEffects.pullBack(centreGradient: centreGradients + entry.offset, count: term.levelCount,
                                                      parentIndex: entry.parentIsPartial ? UnsafeBufferPointer(start: nil, count: 0)
                                                          : parents,
                                                      parentGradient: g, covariates: term.centringCovariates, gradient: g)
            }
        }
        return lp
    }

    /// One pass over the rows for the family's likelihood, specialised per family
    /// (`ResponseFamily.rowPass` through the registry).
    private func rowPass(theta: UnsafeMutablePointer<Double>, thetaGradient: UnsafeMutablePointer<Double>,
                         auxiliary: UnsafePointer<Double>, auxiliaryGradient: UnsafeMutablePointer<Double>,
                         block: UnsafeMutablePointer<Double>) -> Double {
        guard let columns else { return 0 }
        if columns.additions != nil {
            return family.visit(AdditionPassVisitor(runner: BlockRowPass(
                columns: columns, rowCount: data.rowCount, sumLogResponse: data.sumLogResponse, theta: theta,
                auxiliaryCount: layout.auxiliaryParameters.count,
                thetaGradient: thetaGradient, auxiliary: auxiliary, auxiliaryGradient: auxiliaryGradient, block: block)))
        }
        return family.visit(RowPassVisitor(runner: BlockRowPass(
            columns: columns, rowCount: data.rowCount, sumLogResponse: data.sumLogResponse, theta: theta,
                auxiliaryCount: layout.auxiliaryParameters.count,
            thetaGradient: thetaGradient, auxiliary: auxiliary, auxiliaryGradient: auxiliaryGradient, block: block)))
    }
}

/// Hands a family's type to its `rowPass`.
private struct RowPassVisitor<Runner: RowPassRunner>: ResponseFamilyVisitor {
    let runner: Runner
    @inline(__always)
    func visit<F: ResponseFamily>(_ family: F.Type) -> Double { F.rowPass(runner) }
}

/// Hands a family's type to its `additionRowPass`.
private struct AdditionPassVisitor<Runner: RowPassRunner>: ResponseFamilyVisitor {
    let runner: Runner
    @inline(__always)
    func visit<F: ResponseFamily>(_ family: F.Type) -> Double { F.additionRowPass(runner) }
}

/// The row pass of `GLMMPosterior` over `PosteriorColumns`: the rows in blocks, η of the block,
/// the family's log-likelihood and ∂ℓ/∂η, then the θ gradient.
private struct BlockRowPass: RowPassRunner {
    let columns: PosteriorColumns
    let rowCount: Int
    let sumLogResponse: Double
    let theta: UnsafeMutablePointer<Double>
    let auxiliaryCount: Int
    let thetaGradient: UnsafeMutablePointer<Double>
    let auxiliary: UnsafePointer<Double>
    let auxiliaryGradient: UnsafeMutablePointer<Double>
    /// η (then ∂ℓ/∂η) of a block and the family's 2 × block scratch.
    let block: UnsafeMutablePointer<Double>

    @inline(__always)
    func run<Rows: RowLikelihood>(_ type: Rows.Type) -> Double {
        var rows = Rows(auxiliary: auxiliary, auxiliaryCount: auxiliaryCount, auxiliaryGradient: auxiliaryGradient,
                        rowCount: rowCount, sumLogResponse: sumLogResponse)
        let eta = block, work = block + PosteriorColumns.blockSize
        var value = 0.0
        for b in 0..<columns.blockCount {
            let (start, count) = columns.blockRows(b)
            columns.linearPredictor(block: b, theta: theta, eta: eta)
            value += rows.addBlock(count: count, response: columns.response + start, trials: columns.trials + start,
                                   eta: eta, work: work)
            columns.addGradient(block: b, derivative: eta, thetaGradient: thetaGradient)
        }
        return value + rows.finish(auxiliaryGradient: auxiliaryGradient)
    }

    @inline(__always)
    func runAdditions<F: CensoredResponseFamily>(_ family: F.Type) -> Double {
        guard let additions = columns.additions else { return -.infinity }
        return additions.run(F.self, columns: columns, theta: theta, thetaGradient: thetaGradient, auxiliary: auxiliary,
                             auxiliaryGradient: auxiliaryGradient, eta: block)
    }

    @inline(__always)
    func runFusedBernoulliPass() -> Double {
        columns.fusedBernoulliPass(theta: theta, thetaGradient: thetaGradient)
    }
}

/// The position of one monotonic effect's parameters, indicator columns and scratch (see
/// `GLMMPosterior`).
struct MonotonicGeometry: Sendable {
    /// D, the simplex's size.
    var categoryCount: Int
    /// Offset of bsp in the unconstrained vector.
    var coefficientOffset: Int
    /// Offset of the D − 1 unconstrained simplex values.
    var simplexOffset: Int
    /// θ index of its first indicator column.
    var thetaOffset: Int
    /// Offset of its 4D scratch values after `monotonicStart`.
    var scratchOffset: Int
    /// Prior of bsp.
    var prior: PriorDistribution
    /// Offset of its α_i − 1 in `GLMMPosterior.simplexExponents`; −1 under Dirichlet(1, …, 1),
    /// which is constant on the simplex.
    var exponentOffset: Int
}

/// The position of one group-level term's parameters, effects and scratch (see `GLMMPosterior`).
struct TermGeometry: Sendable {
    var columnCount: Int
    var levelCount: Int
    var sdOffset: Int
    var zOffset: Int
    var correlationOffset: Int
    /// Offset of the term's effects r in θ.
    var thetaOffset: Int
    /// Offset of its q × q Cholesky factor in the factor scratch.
    var factorOffset: Int
    /// Index of its first standard deviation among all standard deviations.
    var sdIndex: Int
    /// LKJ shape of its correlation prior.
    var eta: Double
    /// ν of its Huang–Wand covariance prior, 0 when it has sd and LKJ priors instead.
    var huangWandNu: Double
    /// Index of its first Huang–Wand scale in `huangWandScales`.
    var scaleIndex: Int
    /// Whether its effects are centred (r in the unconstrained vector, not z).
    var isCentred: Bool
    /// Whether it is centred and hierarchically centred on the `Intercept` (γ_j = Intercept + r_j).
    var isCentredOnIntercept: Bool
    /// The coefficients it is also centred on (`CovariateCentring`).
    var centringCovariates: [CentringCovariate]
    /// Per level, its partial-centring weight λ_j (`PartiallyCentredGroupEffects`); empty when it
    /// is not partially centred.
    var centringWeights: [Double]
    /// Whether `centringWeights` holds the levels' information, the weights following sd.
    var centringWeightsFollowSD: Bool
    /// Whether it is partially centred.
    var isPartial: Bool { !centringWeights.isEmpty }
    /// `(mo(x) | g)`: its monotonic columns (`MonotonicGroupEffects`), the last of its q effects.
    var monotonicColumns: [MonotonicGroupEffects.Column] = []
    /// With monotonic columns, its Z columns per level (each monotonic column as D) and the
    /// offset after `GLMMPosterior.monotonicStart` of its effects r (then ∂/∂r, L · q each), which
    /// θ holds expanded; −1 (and `dataColumnCount` unused) without.
    var dataColumnCount = 0
    var effectOffset = -1
}
