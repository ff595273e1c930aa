import Foundation
import MultilevelData
import MultilevelMath

/// A fitted linear mixed model: everything lme4's `summary`, `ranef(condVar = TRUE)`, `logLik`,
/// `AIC`, `BIC` and `getME(, "theta")` report. Terms are in fitting order (decreasing number of
/// levels, lme4's order).
public struct LinearMixedModelFit: Sendable {
    public var method: EstimationMethod
    public var formulaText: String
    public var responseName: String
    /// The random-effect terms in fitting order.
    public var terms: [RandomEffectTerm]
    /// Λθ's layout for `terms`.
    public var covarianceFactor: RelativeCovarianceFactor
    /// θ̂ (lme4's order).
    public var theta: [Double]
    /// β̂ and their names; columns dropped as aliased are listed separately.
    public var fixedEffectNames: [String]
    public var droppedFixedEffectNames: [String]
    public var fixedEffects: [Double]
    /// Var(β̂) = σ̂² (R_XᵀR_X)⁻¹ and its square-rooted diagonal.
    public var fixedEffectsCovariance: DenseMatrix
    public var standardErrors: [Double]
    /// σ̂.
    public var sigma: Double
    /// REML criterion (REML fits) or deviance (ML fits) at θ̂.
    public var criterion: Double
    /// lme4's logLik (the REML log-likelihood for REML fits), AIC and BIC, and their df.
    public var logLikelihood: Double
    public var akaikeInformationCriterion: Double
    public var bayesianInformationCriterion: Double
    public var degreesOfFreedom: Int
    public var observationCount: Int
    /// Boundary fit (lme4's `isSingular`).
    public var isSingular: Bool
    public var varianceComponents: [VarianceComponent]
    /// b̂ per term, level-major (`conditionalModes[k][level * q + j]`).
    public var conditionalModes: [[Double]]
    /// Conditional standard deviations of b̂ given β̂ (`ranef(condVar = TRUE)`), same layout;
    /// empty when not requested.
    public var conditionalStandardDeviations: [[Double]]
    /// Xβ̂ + Zb̂ and y − fitted.
    public var fittedValues: [Double]
    public var residuals: [Double]
    /// Convergence warnings and the singular-fit message, lme4-worded.
    public var warnings: [String]
    /// False when lme4's convergence checks failed or the optimiser ran out of evaluations.
    public var converged: Bool { warnings.allSatisfy { $0 == singularFitMessage } }
    /// Number of criterion evaluations by the optimiser.
    public var evaluations: Int
}

/// A linear mixed model y = Xβ + Zb + ε, b ~ N(0, σ²ΛθΛθᵀ), ready to fit by REML or ML as lme4's
/// `lmer` does (Bates et al. 2015 §3). Construction runs lme4's sanity checks and drops aliased
/// fixed-effect columns; the blocked mixed-model equations are reusable (bootstrap refits, Gibbs).
public struct LinearMixedModel {
    /// The design after aliased columns were dropped.
    public let design: ModelDesign
    /// Names dropped here for rank deficiency (lme4: "fixed-effect model matrix is rank deficient").
    public let aliasedColumns: [String]
    /// The blocked mixed-model equations of the design.
    public let equations: BlockedMixedModelEquations

    /// Checks the design as lme4 does and accumulates the cross products.
    public init(design: ModelDesign) throws {
        try checkResponse(design, family: .gaussian)
        try checkRandomEffectsStructure(design)
        let (reduced, dropped) = droppingAliasedColumns(design)
        self.design = reduced
        aliasedColumns = dropped
        // An offset is known part of the mean: fit y − offset (lme4 does the same).
        let response = reduced.offset.map { offset in zip(reduced.response, offset).map(-) } ?? reduced.response
        equations = BlockedMixedModelEquations(response: response, fixedEffects: reduced.fixedEffects,
                                               randomTerms: reduced.randomTerms)
    }

    /// Options of a fit.
    public struct FitOptions: Sendable {
        /// Optimiser settings; nil: ρ from 0.2 to 1e-7 and a relative function tolerance of 1e-13,
        /// or 1e-12 from 10 000 observations on (the criterion's rounding noise grows with n, and
        /// below it the optimiser only spends evaluations).
        public var optimizer: BOBYQA.Options?
        /// Compute conditional SDs of the random effects (an extra O(m³) pass for crossed designs).
        public var conditionalVariances: Bool
        /// Start for θ; nil: lme4's θ = 1, or moment estimates for a design of 10 000 or more
        /// observations whose random effects are all scalar intercepts (`momentStartingTheta`).
        public var startTheta: [Double]?
        /// Derivative-free or gradient-based minimisation (`ProfiledOptimizer`); an explicit
        /// `optimizer` setting means BOBYQA.
        public var path: ProfiledOptimizer

        public init(optimizer: BOBYQA.Options? = nil,
                    conditionalVariances: Bool = true, startTheta: [Double]? = nil,
                    path: ProfiledOptimizer = .automatic) {
            self.optimizer = optimizer
            self.conditionalVariances = conditionalVariances
            self.startTheta = startTheta
            self.path = path
        }
    }

    /// Fits by minimising the profiled criterion over θ with the bounded optimiser.
    public func fit(method: EstimationMethod = .reml, options: FitOptions = FitOptions()) throws -> LinearMixedModelFit {
        let factor = equations.covarianceFactor
        let lower = factor.lowerBounds
        let upper = [Double](repeating: .infinity, count: lower.count)
        if design.rowCount <= design.fixedEffectCount {
            throw MixedModelError("\(design.rowCount) observations cannot estimate \(design.fixedEffectCount) fixed effects")
        }
        let equations = self.equations
        // Large designs (each evaluation a big factorisation) whose random effects are scalar
        // intercepts start from moment estimates, at a radius scaled to them; the rest start from
        // lme4's θ = 1 at ρ = 0.2.
        var start = options.startTheta ?? factor.initialTheta
        var initialRadius = 0.2
        if options.startTheta == nil, design.rowCount >= 10_000,
           let moments = momentStartingTheta(design: design, terms: equations.terms) {
            start = moments
            initialRadius = Swift.min(0.2, Swift.max(0.02, 0.1 * (moments.max() ?? 0)))
        }
        let gradientPath = options.optimizer == nil
            && (options.path == .quasiNewton || (options.path == .automatic && design.rowCount >= 10_000))
        if gradientPath, let optimum = gradientOptimum(start: start, initialStep: initialRadius, method: method) {
            var warnings = convergenceWarnings(derivatives: optimum.derivatives, optimizerConverged: optimum.converged)
            return try summarize(theta: optimum.theta, method: method, conditionalVariances: options.conditionalVariances,
                                 evaluations: optimum.evaluations, warnings: &warnings)
        }
        // Below 10 000 observations BOBYQA runs in two legs: to ρ = 1e-3 in θ, then to ρ = 1e-7
        // in x = θ/s, s the template row lengths there (`RelativeCovarianceFactor.rowScales`),
        // when they differ more than tenfold (an ill-scaled template), else on in θ from
        // ρ = 1e-3. On sleepstudy's (Days + I(Days^2) + I(Days^3) | Subject), whose I(Days^3) row
        // is 60 times shorter than the intercept's, one leg in θ took 9442 evaluations (11 CPU-s)
        // and stopped 7e-7 short; the two legs take about 2000 and reach the optimum.
        let tolerance = design.rowCount >= 10_000 ? 1e-12 : 1e-13
        let small = design.rowCount < 10_000 && options.optimizer == nil
        var result = BOBYQA.minimize(start: start, lower: lower, upper: upper,
                                     options: options.optimizer ?? BOBYQA.Options(
                                        initialRadius: initialRadius, finalRadius: small ? 1e-3 : 1e-7,
                                        functionTolerance: tolerance)) {
            equations.criterion(at: $0, method)
        }
        var illScaled = false
        if small {
            let scales = factor.rowScales(theta: result.x)
            illScaled = (scales.max() ?? 1) > 10 * (scales.min() ?? 1)
            let firstEvaluations = result.evaluations
            if illScaled {
                result = BOBYQA.minimize(start: zip(result.x, scales).map(/), lower: lower, upper: upper,
                                         options: BOBYQA.Options(initialRadius: 0.05, finalRadius: 1e-7,
                                                                 functionTolerance: tolerance)) {
                    equations.criterion(at: zip($0, scales).map(*), method)
                }
                result.x = zip(result.x, scales).map(*)
            } else {
                result = BOBYQA.minimize(start: result.x, lower: lower, upper: upper,
                                         options: BOBYQA.Options(initialRadius: 1e-3, finalRadius: 1e-7,
                                                                 functionTolerance: tolerance)) {
                    equations.criterion(at: $0, method)
                }
            }
            result.evaluations += firstEvaluations
        }
        guard result.value.isFinite else {
            throw MixedModelError("the \(method.rawValue) criterion could not be evaluated (singular fixed-effects matrix?)")
        }
        let snapped = snappingToBoundary(result.x, value: result.value, lowerBounds: lower) {
            equations.criterion(at: $0, method)
        }
        // The optimiser's value is the criterion at θ̂ unless a coordinate was snapped.
        let snappedValue = snapped.x == result.x ? result.value : equations.criterion(at: snapped.x, method)
        // From 10 000 observations on (each evaluation a large factorisation) the Hessian's
        // off-diagonal entries take one evaluation each instead of two: on the InstEval shape θ
        // moves by at most 4e-8 (relative) against the symmetric differences, for 3 fewer of the
        // finish's 19 evaluations. The finish works in x = θ/s, s the template row lengths at
        // BOBYQA's θ (`RelativeCovarianceFactor.rowScales`), so that every entry is differenced
        // at its own size, and for an ill-scaled template takes three rounds of fresh derivatives
        // (one Newton step from differences at BOBYQA's point left the 4 × 4 block 4e-7 short).
        let scales = factor.rowScales(theta: snapped.x)
        let finish = NewtonFinish(theta: zip(snapped.x, scales).map(/), value: snappedValue, lowerBounds: lower,
                                  oneSidedCrossDifferences: design.rowCount >= 10_000,
                                  minimumRounds: illScaled ? 3 : 1) {
            equations.criterion(at: zip($0, scales).map(*), method)
        }
        let theta = zip(finish.theta, scales).map(*)
        var warnings = convergenceWarnings(derivatives: finish.derivatives.unscaled(by: scales),
                                           optimizerConverged: result.converged)
        return try summarize(theta: theta, method: method, conditionalVariances: options.conditionalVariances,
                             evaluations: result.evaluations + finish.evaluations, warnings: &warnings)
    }

    /// The fit quantities at a given θ (the optimum, or any θ for bootstrap/profiling).
    public func summarize(theta: [Double], method: EstimationMethod, conditionalVariances: Bool = true,
                          evaluations: Int = 0, warnings: inout [String]) throws -> LinearMixedModelFit {
        try equations.update(theta: theta)
        let factor = equations.covarianceFactor
        let criterion = equations.profiledCriterion(method)
        let sigma = equations.residualStandardDeviation(method)
        let solution = equations.solution()
        var covariance = equations.fixedEffectsUnscaledCovariance()
        for k in covariance.elements.indices { covariance.elements[k] *= sigma * sigma }
        let n = design.rowCount
        let p = design.fixedEffectCount
        let df = p + factor.parameterCount + 1
        let logLik = -criterion / 2
        let singular = isSingularFit(theta: theta, covarianceFactor: factor)
        if singular && !warnings.contains(singularFitMessage) { warnings.append(singularFitMessage) }
        let terms = equations.terms
        let components = factor.varianceComponents(of: terms, theta: theta, sigma: sigma)
        let conditionalSDs = conditionalVariances
            ? factor.conditionalStandardDeviations(of: terms, theta: theta, sigma: sigma,
                                                   sphericalBlocks: equations.sphericalConditionalCovarianceBlocks())
            : []
        let fitted = conditionalFittedValues(design: design, fixedEffects: solution.fixedEffects, terms: terms,
                                             modes: solution.conditionalModes)
        let residuals = (0..<n).map { design.response[$0] - fitted[$0] }
        return LinearMixedModelFit(
            method: method, formulaText: design.formulaText, responseName: design.responseName, terms: terms,
            covarianceFactor: factor, theta: theta, fixedEffectNames: design.fixedEffectNames,
            droppedFixedEffectNames: design.droppedFixedEffectNames, fixedEffects: solution.fixedEffects,
            fixedEffectsCovariance: covariance, standardErrors: covariance.diagonal.map { $0.squareRoot() },
            sigma: sigma, criterion: criterion, logLikelihood: logLik,
            akaikeInformationCriterion: -2 * logLik + 2 * Double(df),
            bayesianInformationCriterion: -2 * logLik + Double(df) * log(Double(n)),
            degreesOfFreedom: df, observationCount: n, isSingular: singular, varianceComponents: components,
            conditionalModes: solution.conditionalModes, conditionalStandardDeviations: conditionalSDs,
            fittedValues: fitted, residuals: residuals, warnings: warnings, evaluations: evaluations)
    }
}
