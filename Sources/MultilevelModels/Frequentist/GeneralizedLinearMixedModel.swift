import Foundation
import MultilevelData
import MultilevelMath

/// A fitted generalised linear mixed model: what glmer's `summary`, `logLik`, `deviance`,
/// `ranef(condVar = TRUE)` and `getME(, "theta")` report. Terms are in fitting order.
public struct GeneralizedLinearMixedModelFit: Sendable {
    public var formulaText: String
    public var responseName: String
    /// `binomial` or `poisson`, and the link (`logit`, `log`).
    public var familyName: String
    public var linkName: String
    public var terms: [RandomEffectTerm]
    public var covarianceFactor: RelativeCovarianceFactor
    public var theta: [Double]
    public var fixedEffectNames: [String]
    public var droppedFixedEffectNames: [String]
    public var fixedEffects: [Double]
    /// Var(β̂): the β block of 2H⁻¹, H the finite-difference Hessian of the Laplace deviance in
    /// (θ, β) (lme4's `vcov(use.hessian = TRUE)`), or σ²(R_XᵀR_X)⁻¹ from the final PIRLS system
    /// when the Hessian is not positive definite.
    public var fixedEffectsCovariance: DenseMatrix
    public var standardErrors: [Double]
    /// Wald z = β̂/SE and two-sided normal p-values.
    public var zValues: [Double]
    public var pValues: [Double]
    /// The Laplace approximation to −2 log L at the optimum (glmer's summary "deviance" column);
    /// with nAGQ > 1, lme4's quadrature deviance (`AdaptiveGaussHermiteQuadrature`).
    public var laplaceDeviance: Double
    /// Σ unit deviances at the conditional modes (lme4's `deviance()` of a glmerMod).
    public var deviance: Double
    public var logLikelihood: Double
    public var akaikeInformationCriterion: Double
    public var bayesianInformationCriterion: Double
    public var degreesOfFreedom: Int
    public var observationCount: Int
    public var residualDegreesOfFreedom: Int { observationCount - degreesOfFreedom }
    public var isSingular: Bool
    /// Random-effect standard deviations and correlations (scale parameter 1).
    public var varianceComponents: [VarianceComponent]
    /// b̂ = Λθ û and conditional SDs √diag(Λθ(LθLθᵀ)⁻¹Λθᵀ) per term, level-major.
    public var conditionalModes: [[Double]]
    public var conditionalStandardDeviations: [[Double]]
    /// η = Xβ̂ + Zb̂, μ = g⁻¹(η) and Pearson residuals.
    public var linearPredictor: [Double]
    public var fittedValues: [Double]
    public var pearsonResiduals: [Double]
    public var warnings: [String]
    /// False when lme4's convergence checks failed (gradient above tolerance, Hessian not positive
    /// definite): `warnings` says which.
    public var converged: Bool { warnings.allSatisfy { $0 == singularFitMessage } }
    public var evaluations: Int
    /// Whether SEs came from the Hessian (true) or from R_X (false).
    public var standardErrorsFromHessian: Bool
    /// The negative-binomial shape θ of a glmer.nb fit (reported as `shape`), nil otherwise.
    public var negativeBinomialShape: Double? = nil
    /// The number of adaptive Gauss–Hermite quadrature points (glmer's nAGQ; 1 is Laplace).
    public var quadraturePoints: Int = 1
}

/// A GLMM y ~ family(g⁻¹(Xβ + Zb)), b ~ N(0, ΛθΛθᵀ), fitted by the Laplace approximation as lme4's
/// `glmer` (nAGQ = 1) does: stage 1 optimises θ with β and u from joint PIRLS (nAGQ = 0); stage 2
/// optimises the Laplace deviance over (θ, β) jointly, u from PIRLS at each point, with BOBYQA.
public struct GeneralizedLinearMixedModel {
    public let design: ModelDesign
    public let aliasedColumns: [String]
    public let response: GeneralizedLinearResponse
    public let pirls: PenalizedIterativelyReweightedLeastSquares
    /// glmer's nAGQ: 1 is the Laplace approximation; n > 1 replaces it in stage 2 by n-point
    /// adaptive Gauss–Hermite quadrature (one scalar random-effect term only).
    public var quadraturePoints = 1
    /// glmer's `optCtrl = list(maxfun = N)`: at most N deviance evaluations in each optimiser
    /// stage (nil: the optimiser's own limit). A stage that runs out makes the fit
    /// non-converged, with the warning saying so, whatever the gradient checks find (lme4's
    /// "convergence code 1 from bobyqa").
    public var maximumEvaluations: Int?

    /// Checks the response for `family` and the random-effects structure, drops aliased columns.
    /// `priorWeights`: glmer's Poisson prior weights (`GeneralizedPriorWeights.apply`). The
    /// negative binomial needs its shape θ (held fixed here; `NegativeBinomialMixedModel`
    /// estimates it as glmer.nb does).
    public init(design: ModelDesign, family: Family, priorWeights: [Double]? = nil,
                negativeBinomialShape: Double? = nil) throws {
        try checkResponse(design, family: family)
        try checkRandomEffectsStructure(design, generalized: true)
        let (reduced, dropped) = droppingAliasedColumns(design)
        self.design = reduced
        aliasedColumns = dropped
        var response = try GeneralizedLinearResponse(design: reduced, family: family, priorWeights: priorWeights)
        if family == .negativeBinomial {
            guard let shape = negativeBinomialShape, shape > 0, shape.isFinite else {
                throw MixedModelError("the Laplace fit of family negbinomial needs its shape: NegativeBinomialMixedModel estimates it (glmer.nb)")
            }
            response = response.withNegativeBinomialShape(shape)
        }
        self.response = response
        var pirls = PenalizedIterativelyReweightedLeastSquares(fixedEffects: reduced.fixedEffects,
                                                               randomTerms: reduced.randomTerms, response: response)
        pirls.offset = reduced.offset
        self.pirls = pirls
    }

    /// Finite-difference step of the Hessian (lme4's `deriv12` default).
    public static let hessianStep = 1e-4

    public func fit(conditionalVariances: Bool = true) throws -> GeneralizedLinearMixedModelFit {
        let factor = pirls.covarianceFactor
        let thetaLower = factor.lowerBounds
        let nTheta = thetaLower.count
        let p = design.fixedEffectCount
        let laplace = LaplaceApproximation(pirls: pirls)
        let quadrature = quadraturePoints > 1 ? try AdaptiveGaussHermiteQuadrature(laplace: laplace, points: quadraturePoints) : nil
        // lme4's start: PIRLS (β and u) at the initial θ from the family's starting means, whose
        // linear predictor starts every stage-1 evaluation.
        // lme4 starts at η = offset + g(μ_start).
        var start = response.initialLinearPredictor()
        if let offset = design.offset { for r in offset.indices { start[r] += offset[r] } }
        laplace.startLinearPredictor = start
        laplace.startLinearPredictor = try laplace.mode(theta: factor.initialTheta, beta: nil).linearPredictor
        let budget = maximumEvaluations.map { Swift.max($0, 1) } ?? BOBYQA.Options().maxEvaluations
        // Stage 1 (nAGQ = 0).
        let first = BOBYQA.minimize(start: factor.initialTheta, lower: thetaLower,
                                    upper: [Double](repeating: .infinity, count: nTheta),
                                    options: .init(initialRadius: 0.2, finalRadius: 1e-6, maxEvaluations: budget)) { laplace.deviance(theta: $0, beta: nil) }
        guard first.value.isFinite else {
            throw MixedModelError("the Laplace deviance could not be evaluated (singular fixed-effects matrix?)")
        }
        let startMode = try laplace.mode(theta: first.x, beta: nil)
        laplace.startLinearPredictor = startMode.linearPredictor
        // Stage 2: (θ, β) jointly, with each β_j measured in units of its stage-1 standard error
        // (from R_X of the PIRLS system), so that one trust radius fits every coordinate however
        // the predictors are scaled (an age² column next to binary ones).
        let stageOne = try pirls.weightedEquations(theta: first.x, eta: startMode.linearPredictor,
                                                   beta: startMode.fixedEffects, estimateBeta: true)
        let betaScales = stageOne.fixedEffectsUnscaledCovariance().diagonal.map { $0.isFinite && $0 > 0 ? $0.squareRoot() : 1 }
        let scales = [Double](repeating: 1, count: nTheta) + betaScales
        let lower = thetaLower + [Double](repeating: -.infinity, count: p)
        let upper = [Double](repeating: .infinity, count: nTheta + p)
        let objective = { (x: [Double]) -> Double in
            let theta = Array(x[..<nTheta]), beta = Array(x[nTheta...])
            return quadrature?.deviance(theta: theta, beta: beta) ?? laplace.deviance(theta: theta, beta: beta)
        }
        let scaledObjective = { (z: [Double]) -> Double in objective(zip(z, scales).map { $0 * $1 }) }
        let scaledStart = zip(first.x + startMode.fixedEffects, scales).map { $0 / $1 }
        // Stage 2 first tries Newton steps from the stage-1 point on finite-difference
        // derivatives (`NewtonFinish`, n(n + 3) evaluations a round for n = dim θ + p): near the
        // nAGQ = 0 optimum the Laplace deviance is close to quadratic, and two or three rounds
        // reach its optimum in fewer evaluations than BOBYQA spends shrinking its trust region.
        // They are kept when the last step was small (the finish's convergence rule) with no
        // coordinate at its bound; otherwise BOBYQA runs to ρ = 1e-6 from the better point
        // (below that the Laplace deviance's PIRLS noise only costs evaluations) and the
        // Newton finish follows.
        let startValue = scaledObjective(scaledStart)
        var secondConverged = true
        var secondEvaluations = 1
        let finish: NewtonFinish
        var fallbackStart = scaledStart
        var newton: NewtonFinish?
        if maximumEvaluations == nil, startValue.isFinite {
            let attempt = NewtonFinish(theta: scaledStart, value: startValue, lowerBounds: lower, maximumSteps: 4,
                                       criterion: scaledObjective)
            secondEvaluations += attempt.evaluations
            if attempt.endedOnSmallStep && attempt.derivatives.free.count == nTheta + p {
                newton = attempt
            } else if attempt.value < startValue {
                fallbackStart = attempt.theta
            }
        }
        if let newton {
            finish = newton
            secondEvaluations -= newton.evaluations
        } else {
            let second = BOBYQA.minimize(start: fallbackStart, lower: lower, upper: upper,
                                         options: .init(initialRadius: 0.1, finalRadius: 1e-6, maxEvaluations: budget),
                                         scaledObjective)
            guard second.value.isFinite else { throw MixedModelError("the Laplace deviance could not be minimised") }
            secondConverged = second.converged
            secondEvaluations += second.evaluations
            let snapped = snappingToBoundary(second.x, value: second.value, lowerBounds: thetaLower, objective: scaledObjective)
            finish = NewtonFinish(theta: snapped.x, value: scaledObjective(snapped.x), lowerBounds: lower,
                                  criterion: scaledObjective)
        }
        let x = zip(finish.theta, scales).map { $0 * $1 }
        let theta = Array(x[..<nTheta])
        let beta = Array(x[nTheta...])
        let mode = try laplace.mode(theta: theta, beta: beta)
        let laplaceDeviance = quadrature?.deviance(of: mode) ?? laplace.deviance(of: mode)
        // lme4's checks on the gradient and Hessian at the optimum; an optimiser that ran out of
        // evaluations counts only when the checks fail too (the Newton finish may have completed it).
        let checks = convergenceWarnings(derivatives: finish.derivatives, optimizerConverged: true)
        var warnings = checks
        if let maximumEvaluations, !first.converged || !secondConverged {
            warnings.insert("Model failed to converge: the optimiser ran out of evaluations (maxfun = \(maximumEvaluations))", at: 0)
        } else if !secondConverged && !checks.isEmpty {
            warnings.insert("Model failed to converge: the optimiser ran out of evaluations", at: 0)
        }
        let singular = isSingularFit(theta: theta, covarianceFactor: factor)
        if singular { warnings.append(singularFitMessage) }

        // Var(β̂) from the Hessian of the Laplace deviance, as lme4's vcov: central differences
        // of lme4's `deriv12` step (1e-4 in the unscaled coordinates), each cross entry from the
        // two points along its diagonal direction rather than deriv12's four (d² + d + 1
        // evaluations for d = dim θ + p instead of 2d² + 1: 73 instead of 129 on VerbAgg). The
        // Newton finish's own Hessian (h = 1e-3 in the scaled coordinates, Richardson-extrapolated)
        // would save them all, but glmer's standard errors are its step's: on cbpp the finish's
        // Hessian puts the intercept's SE 1.45e-3 (relative) from glmer's.
        var covariance = DenseMatrix(rows: p, columns: p)
        var fromHessian = false
        let dimension = nTheta + p
        let hessianEvaluations = dimension * dimension + dimension + 1
        let hessian = finiteDifferenceHessian(objective, at: x, lower: lower)
        if let inverse = try? hessian.symmetricPositiveDefiniteInverse() {
            for j in 0..<p { for i in 0..<p { covariance[i, j] = 2 * inverse[nTheta + i, nTheta + j] } }
            fromHessian = covariance.diagonal.allSatisfy { $0.isFinite && $0 > 0 }
        }
        if !fromHessian {
            let joint = try pirls.weightedEquations(theta: theta, eta: mode.linearPredictor, beta: beta, estimateBeta: true)
            covariance = joint.fixedEffectsUnscaledCovariance()
        }
        let standardErrors = covariance.diagonal.map { $0.squareRoot() }
        let zValues = zip(beta, standardErrors).map { $0 / $1 }
        let pValues = zValues.map { 2 * NormalDistribution.cdf(-abs($0)) }

        let terms = pirls.fittingTerms
        let components = factor.varianceComponents(of: terms, theta: theta, sigma: 1)
        let modes = terms.indices.map { pirls.randomEffects(theta: theta, spherical: mode.spherical[$0], term: $0) }
        let conditionalSDs = conditionalVariances
            ? factor.conditionalStandardDeviations(of: terms, theta: theta, sigma: 1,
                                                   sphericalBlocks: mode.equations.sphericalConditionalCovarianceBlocks())
            : []
        let n = design.rowCount
        let eta = mode.linearPredictor
        let unitDevianceSum = (0..<n).reduce(0.0) { $0 + response.unitDeviance($1, eta: eta[$1]) }
        let df = p + nTheta
        let logLik = -laplaceDeviance / 2
        return GeneralizedLinearMixedModelFit(
            formulaText: design.formulaText, responseName: design.responseName, familyName: response.familyName,
            linkName: response.linkName, terms: terms, covarianceFactor: factor, theta: theta,
            fixedEffectNames: design.fixedEffectNames, droppedFixedEffectNames: design.droppedFixedEffectNames,
            fixedEffects: beta, fixedEffectsCovariance: covariance, standardErrors: standardErrors,
            zValues: zValues, pValues: pValues, laplaceDeviance: laplaceDeviance, deviance: unitDevianceSum,
            logLikelihood: logLik, akaikeInformationCriterion: laplaceDeviance + 2 * Double(df),
            bayesianInformationCriterion: laplaceDeviance + Double(df) * log(Double(n)),
            degreesOfFreedom: df, observationCount: n, isSingular: singular, varianceComponents: components,
            conditionalModes: modes, conditionalStandardDeviations: conditionalSDs, linearPredictor: eta,
            fittedValues: eta.map(response.mean), pearsonResiduals: (0..<n).map { response.pearsonResidual($0, eta: eta[$0]) },
            warnings: warnings,
            evaluations: first.evaluations + secondEvaluations + finish.evaluations + hessianEvaluations,
            standardErrorsFromHessian: fromHessian,
            quadraturePoints: quadraturePoints)
    }

    /// Central-difference Hessian with lme4's `deriv12` step, cross entries along the diagonals
    /// (`centralDifferenceHessian`).
    func finiteDifferenceHessian(_ f: ([Double]) -> Double, at x: [Double], lower: [Double]) -> DenseMatrix {
        centralDifferenceHessian(f, at: x, lower: lower, step: Self.hessianStep, crossDifferences: .alongDiagonals)
    }
}

/// The parameters of a GLMM fit under brms names: `b_…` with SEs, then `sd_…` and `cor_…`.
public func frequentistParameters(_ fit: GeneralizedLinearMixedModelFit) -> [NamedEstimate] {
    zip(fit.fixedEffectNames, zip(fit.fixedEffects, fit.standardErrors)).map {
        NamedEstimate(name: "b_" + brmsName(ofColumn: $0), estimate: $1.0, standardError: $1.1)
    } + fit.varianceComponents.flatMap(\.namedEstimates)
        + (fit.negativeBinomialShape.map { [NamedEstimate(name: "shape", estimate: $0)] } ?? [])
}

extension VarianceComponent {
    /// `sd_<group>__<column>` for each column, then `cor_<group>__<a>__<b>` for each pair (a before b).
    public var namedEstimates: [NamedEstimate] {
        let names = columnNames.map(brmsName(ofColumn:))
        let q = names.count
        let sds = names.indices.map { NamedEstimate(name: "sd_\(group)__\(names[$0])", estimate: standardDeviations[$0]) }
        let pairs = (0..<q).flatMap { j in ((j + 1)..<Swift.max(j + 1, q)).map { (j, $0) } }
        return sds + pairs.map { j, i in
            NamedEstimate(name: "cor_\(group)__\(names[j])__\(names[i])", estimate: correlations[i * q + j])
        }
    }
}
