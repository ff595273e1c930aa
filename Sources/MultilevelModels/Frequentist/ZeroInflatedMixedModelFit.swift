import Foundation
import MultilevelData
import MultilevelMath

/// A fitted zero-inflated GLMM (`ZeroInflatedMixedModel`): what glmmTMB's `summary`, `logLik`,
/// `fixef` and `VarCorr` report, with brms' names (`b_…`, `sd_…`, `zi`, `shape`).
public struct ZeroInflatedMixedModelFit: Sendable {
    public var formulaText: String
    public var familyName: String
    public var terms: [RandomEffectTerm]
    public var theta: [Double]
    public var fixedEffectNames: [String]
    public var fixedEffects: [Double]
    public var standardErrors: [Double]
    public var zValues: [Double]
    public var pValues: [Double]
    /// ζ = logit π and its standard error; π = the zero-inflation probability (brms' `zi`).
    public var zeroInflationLogit: Double
    public var zeroInflationLogitStandardError: Double
    public var zeroInflationProbability: Double { 1 / (1 + exp(-zeroInflationLogit)) }
    /// Whether the maximum is on the boundary π = 0 (ζ held at its bound, its standard error NaN):
    /// the zero inflation does not improve on the count model.
    public var zeroInflationAtBoundary: Bool
    /// The NB2 shape φ (glmmTMB's dispersion of nbinom2, brms' `shape`), nil for Poisson.
    public var shape: Double?
    public var varianceComponents: [VarianceComponent]
    /// b̂ = Λθû per term (fitting order), level-major.
    public var conditionalModes: [[Double]]
    public var logLikelihood: Double
    public var degreesOfFreedom: Int
    public var observationCount: Int
    public var akaikeInformationCriterion: Double { -2 * logLikelihood + 2 * Double(degreesOfFreedom) }
    public var bayesianInformationCriterion: Double { -2 * logLikelihood + Double(degreesOfFreedom) * log(Double(observationCount)) }
    public var linearPredictor: [Double]
    public var warnings: [String]
    public var converged: Bool { warnings.allSatisfy { $0 == singularFitMessage } }
    public var evaluations: Int

    /// `b_…` with SEs, `sd_…`/`cor_…`, `zi` (probability), `shape`.
    public var namedEstimates: [NamedEstimate] {
        zip(fixedEffectNames, zip(fixedEffects, standardErrors)).map {
            NamedEstimate(name: "b_" + brmsName(ofColumn: $0), estimate: $1.0, standardError: $1.1)
        } + varianceComponents.flatMap(\.namedEstimates)
            + [NamedEstimate(name: "zi", estimate: zeroInflationProbability)]
            + (shape.map { [NamedEstimate(name: "shape", estimate: $0)] } ?? [])
    }
}

extension ZeroInflatedMixedModel {
    /// ζ's lower bound: π = logistic(−30) ≈ 1e-13, where the likelihood is flat to double precision.
    static let zetaLowerBound = -30.0
    /// The ζ of the boundary check: π = logistic(−14) ≈ 8e-7, far enough from the bound for the
    /// deviance to change by many roundings, close enough for its slope in π to be the one at 0.
    static let zetaProbe = -14.0

    /// Fits the model.
    ///
    /// Starts: the count model's own GLMM — glmer (Poisson) or glmer.nb (negative binomial,
    /// `NegativeBinomialMixedModel`) — for (θ, β, log φ), and for ζ the share of zeros that fit
    /// leaves unexplained. When the zero inflation does not lower the deviance at π → 0 (the slope
    /// of the deviance in π at the bound is not negative, checked at the start and again after
    /// fitting the rest with ζ at its bound), the maximum is on the boundary π = 0, where glmmTMB
    /// stops at some large negative logit (−16 on Salamanders' ZINB): ζ stays at its bound, and
    /// only (θ, β, log φ) are optimised. Otherwise BOBYQA over (θ, β/SE, ζ, log φ) and a Newton
    /// finish.
    ///
    /// Standard errors are glmmTMB's (TMB's `sdreport`): the square roots of the diagonal of the
    /// inverse Hessian of the Laplace deviance / 2 in every free outer parameter, so the
    /// uncertainty of θ, ζ and φ enters β's; the Hessian by Richardson-extrapolated central
    /// differences (`richardsonHessian`, step 1e-3). Its β and ζ blocks do not depend on how θ or
    /// φ is parameterised (glmmTMB's log SD, log φ), the gradient being 0 there. With ζ on its bound
    /// ζ is left out (its block's coupling to β is O(π)) and its standard error is NaN.
    public func fit() throws -> ZeroInflatedMixedModelFit {
        let hasShape = kind == .negativeBinomial
        let n = design.rowCount
        let countFit: GeneralizedLinearMixedModelFit
        var shapeStart = 1.0
        if hasShape {
            let nb = try NegativeBinomialMixedModel(design: design).fit(conditionalVariances: false)
            countFit = nb.fit
            shapeStart = nb.search.shape
        } else {
            countFit = try GeneralizedLinearMixedModel(design: design, family: .poisson).fit(conditionalVariances: false)
        }
        let observedZeros = Double(design.response.filter { $0 == 0 }.count) / Double(n)
        let predictedZeros = countFit.fittedValues.reduce(0) { sum, mu in
            sum + (hasShape ? exp(-shapeStart * log1p(mu / shapeStart)) : exp(-mu))
        } / Double(n)
        let inflation = Swift.min(Swift.max((observedZeros - predictedZeros) / (1 - predictedZeros), 0.02), 0.9)
        let nTheta = countFit.theta.count
        let p = countFit.fixedEffects.count
        let zetaIndex = nTheta + p
        let start = countFit.theta + countFit.fixedEffects + [log(inflation / (1 - inflation))] + (hasShape ? [log(shapeStart)] : [])
        let scales = [Double](repeating: 1, count: nTheta) + countFit.standardErrors.map { $0.isFinite && $0 > 0 ? $0 : 1 }
            + [1] + (hasShape ? [1] : [])
        let lower = layout.covarianceFactor.lowerBounds + [Double](repeating: -.infinity, count: p) + [Self.zetaLowerBound]
            + (hasShape ? [-15] : [])
        final class WarmStart { var u: [Double]? }
        let warm = WarmStart()
        let objective = { (x: [Double]) -> Double in
            guard let mode = try? self.mode(theta: Array(x[..<nTheta]), beta: Array(x[nTheta..<(nTheta + p)]),
                                            zeta: x[zetaIndex], shape: hasShape ? exp(x[zetaIndex + 1]) : .infinity,
                                            start: warm.u) else { return .infinity }
            warm.u = mode.spherical
            return mode.deviance.isFinite ? mode.deviance : .infinity
        }
        /// Whether the deviance rises from ζ's bound to the probe at x (the others held).
        func deviancePrefersBoundary(_ x: [Double]) -> Bool {
            var atBound = x, probe = x
            atBound[zetaIndex] = Self.zetaLowerBound
            probe[zetaIndex] = Self.zetaProbe
            return objective(probe) >= objective(atBound)
        }
        /// BOBYQA and the Newton finish over the coordinates `free` (scaled by `scales`), the
        /// others held at `x`.
        func minimise(_ x: [Double], free: [Int]) throws -> (x: [Double], finish: NewtonFinish, optimizer: BOBYQA.Result) {
            func full(_ z: [Double]) -> [Double] {
                var point = x
                for (a, i) in free.enumerated() { point[i] = z[a] * scales[i] }
                return point
            }
            let scaledLower = free.map { lower[$0] / scales[$0] }
            let scaledStart = free.map { Swift.max(x[$0], lower[$0]) / scales[$0] }
            let scaledObjective = { (z: [Double]) -> Double in objective(full(z)) }
            let first = BOBYQA.minimize(start: scaledStart, lower: scaledLower,
                                        upper: [Double](repeating: .infinity, count: free.count),
                                        options: .init(initialRadius: 0.1, finalRadius: 1e-7, maxEvaluations: 5000), scaledObjective)
            guard first.value.isFinite else { throw MixedModelError("the zero-inflated Laplace deviance could not be minimised") }
            let finish = NewtonFinish(theta: first.x, value: scaledObjective(first.x), lowerBounds: scaledLower,
                                      criterion: scaledObjective)
            return (full(finish.theta), finish, first)
        }
        let all = Array(0..<start.count)
        let withoutZeta = all.filter { $0 != zetaIndex }
        var onBoundary = false
        var result: (x: [Double], finish: NewtonFinish, optimizer: BOBYQA.Result)
        var evaluations = countFit.evaluations
        if deviancePrefersBoundary(start) {
            var bounded = start
            bounded[zetaIndex] = Self.zetaLowerBound
            result = try minimise(bounded, free: withoutZeta)
            evaluations += result.optimizer.evaluations + result.finish.evaluations
            onBoundary = deviancePrefersBoundary(result.x)
            if !onBoundary {
                var restart = result.x
                restart[zetaIndex] = start[zetaIndex]
                result = try minimise(restart, free: all)
                evaluations += result.optimizer.evaluations + result.finish.evaluations
            }
        } else {
            result = try minimise(start, free: all)
            evaluations += result.optimizer.evaluations + result.finish.evaluations
        }
        let x = result.x
        let theta = Array(x[..<nTheta]), beta = Array(x[nTheta..<(nTheta + p)])
        let zeta = x[zetaIndex]
        let shape = hasShape ? exp(x[zetaIndex + 1]) : nil
        let mode = try self.mode(theta: theta, beta: beta, zeta: zeta, shape: shape ?? .infinity, start: warm.u)
        var warnings = convergenceWarnings(derivatives: result.finish.derivatives, optimizerConverged: result.optimizer.converged)
        if isSingularFit(theta: theta, covarianceFactor: layout.covarianceFactor) { warnings.append(singularFitMessage) }
        // Standard errors: the inverse Hessian of the deviance / 2 over the free parameters.
        var standardErrors = [Double](repeating: .nan, count: p)
        var zetaSE = Double.nan
        let free = onBoundary ? withoutZeta : all
        let reduced = { (z: [Double]) -> Double in
            var point = x
            for (a, i) in free.enumerated() { point[i] = z[a] }
            return objective(point)
        }
        let hessian = richardsonHessian(reduced, at: free.map { x[$0] }, lower: free.map { lower[$0] }, step: 1e-3)
        if let inverse = try? hessian.symmetricPositiveDefiniteInverse() {
            for j in 0..<p { standardErrors[j] = (2 * inverse[nTheta + j, nTheta + j]).squareRoot() }
            if !onBoundary { zetaSE = (2 * inverse[zetaIndex, zetaIndex]).squareRoot() }
        } else {
            warnings.append("Model convergence problem: the Hessian of the Laplace deviance is not positive definite; standard errors are NaN")
        }
        let zValues = zip(beta, standardErrors).map { $0 / $1 }
        let terms = layout.fittingTerms
        var modes: [[Double]] = []
        var offset = 0
        for (k, term) in terms.enumerated() {
            let size = term.columnCount * term.grouping.levelCount
            modes.append(layout.randomEffects(theta: theta, spherical: Array(mode.spherical[offset..<(offset + size)]), term: k))
            offset += size
        }
        return ZeroInflatedMixedModelFit(
            formulaText: design.formulaText, familyName: familyName, terms: terms, theta: theta,
            fixedEffectNames: design.fixedEffectNames, fixedEffects: beta, standardErrors: standardErrors,
            zValues: zValues, pValues: zValues.map { 2 * NormalDistribution.cdf(-abs($0)) },
            zeroInflationLogit: zeta, zeroInflationLogitStandardError: zetaSE, zeroInflationAtBoundary: onBoundary, shape: shape,
            varianceComponents: layout.covarianceFactor.varianceComponents(of: terms, theta: theta, sigma: 1),
            conditionalModes: modes, logLikelihood: -mode.deviance / 2,
            degreesOfFreedom: nTheta + p + 1 + (hasShape ? 1 : 0), observationCount: n,
            linearPredictor: mode.linearPredictor, warnings: warnings,
            evaluations: evaluations)
    }
}
