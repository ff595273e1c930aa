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
    /// Fits the model: start from the Poisson GLMM's (θ, β) and the zeros it leaves unexplained,
    /// BOBYQA over (θ, β/SE, ζ, log φ), a Newton finish, and the finite-difference Hessian.
    public func fit() throws -> ZeroInflatedMixedModelFit {
        let poisson = try GeneralizedLinearMixedModel(design: design, family: .poisson).fit(conditionalVariances: false)
        let n = design.rowCount
        let observedZeros = Double(design.response.filter { $0 == 0 }.count) / Double(n)
        let predictedZeros = poisson.fittedValues.reduce(0) { $0 + exp(-$1) } / Double(n)
        let inflation = Swift.min(Swift.max((observedZeros - predictedZeros) / (1 - predictedZeros), 0.02), 0.9)
        let nTheta = poisson.theta.count
        let p = poisson.fixedEffects.count
        let hasShape = kind == .negativeBinomial
        let start = poisson.theta + poisson.fixedEffects + [log(inflation / (1 - inflation))] + (hasShape ? [0.0] : [])
        let scales = [Double](repeating: 1, count: nTheta) + poisson.standardErrors.map { $0.isFinite && $0 > 0 ? $0 : 1 }
            + [1] + (hasShape ? [1] : [])
        // ζ is kept above −30 (π > 1e-13): beyond that the likelihood is flat to double precision.
        let lower = layout.covarianceFactor.lowerBounds + [Double](repeating: -.infinity, count: p) + [-30] + (hasShape ? [-15] : [])
        let upper = [Double](repeating: .infinity, count: start.count)
        final class WarmStart { var u: [Double]? }
        let warm = WarmStart()
        let objective = { (x: [Double]) -> Double in
            guard let mode = try? self.mode(theta: Array(x[..<nTheta]), beta: Array(x[nTheta..<(nTheta + p)]),
                                            zeta: x[nTheta + p], shape: hasShape ? exp(x[nTheta + p + 1]) : .infinity,
                                            start: warm.u) else { return .infinity }
            warm.u = mode.spherical
            return mode.deviance.isFinite ? mode.deviance : .infinity
        }
        let scaledLower = zip(lower, scales).map { $0 / $1 }
        let scaledObjective = { (z: [Double]) -> Double in objective(zip(z, scales).map { $0 * $1 }) }
        let first = BOBYQA.minimize(start: zip(start, scales).map { $0 / $1 }, lower: scaledLower, upper: upper,
                                    options: .init(initialRadius: 0.1, finalRadius: 1e-7, maxEvaluations: 5000), scaledObjective)
        guard first.value.isFinite else { throw MixedModelError("the zero-inflated Laplace deviance could not be minimised") }
        let finish = NewtonFinish(theta: first.x, value: scaledObjective(first.x), lowerBounds: scaledLower, criterion: scaledObjective)
        let x = zip(finish.theta, scales).map { $0 * $1 }
        let theta = Array(x[..<nTheta]), beta = Array(x[nTheta..<(nTheta + p)])
        let zeta = x[nTheta + p]
        let shape = hasShape ? exp(x[nTheta + p + 1]) : nil
        let mode = try self.mode(theta: theta, beta: beta, zeta: zeta, shape: shape ?? .infinity, start: warm.u)
        var warnings = convergenceWarnings(derivatives: finish.derivatives, optimizerConverged: first.converged)
        if isSingularFit(theta: theta, covarianceFactor: layout.covarianceFactor) { warnings.append(singularFitMessage) }
        // Standard errors: central differences of the deviance in (θ, β, ζ, log φ), step 1e-4.
        var standardErrors = [Double](repeating: .nan, count: p)
        var zetaSE = Double.nan
        let hessian = centralDifferenceHessian(objective, at: x, lower: lower, step: 1e-4)
        if let inverse = try? hessian.symmetricPositiveDefiniteInverse() {
            for j in 0..<p { standardErrors[j] = (2 * inverse[nTheta + j, nTheta + j]).squareRoot() }
            zetaSE = (2 * inverse[nTheta + p, nTheta + p]).squareRoot()
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
            zeroInflationLogit: zeta, zeroInflationLogitStandardError: zetaSE, shape: shape,
            varianceComponents: layout.covarianceFactor.varianceComponents(of: terms, theta: theta, sigma: 1),
            conditionalModes: modes, logLikelihood: -mode.deviance / 2,
            degreesOfFreedom: nTheta + p + 1 + (hasShape ? 1 : 0), observationCount: n,
            linearPredictor: mode.linearPredictor, warnings: warnings,
            evaluations: poisson.evaluations + first.evaluations + finish.evaluations)
    }
}
