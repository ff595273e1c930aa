import Foundation
import MultilevelData
import MultilevelMath

/// A negative-binomial GLMM (log link, Var(y) = μ + μ²/θ) with the shape θ estimated with the
/// rest, as lme4's `glmer.nb`: a Poisson glmer fit gives θ₀ by maximum likelihood on its fitted
/// means (MASS's `theta.ml`, Lawless 1987); then the Laplace deviance of the glmer fit at fixed θ,
/// profiled over (θ_RE, β), is minimised over log θ on [log θ₀ − 3, log θ₀ + 3] by Brent's method
/// (glmer.nb's `optTheta`, R's `optimize`), here to a tolerance of 1e-7 on log θ instead of
/// glmer.nb's 5e-5, and the model is refitted at the optimum. Fixed-effect standard errors are
/// those of that final fit at fixed θ (as glmer.nb reports them); the log-likelihood counts θ as
/// one more parameter.
public struct NegativeBinomialMixedModel {
    public let design: ModelDesign
    /// Brent's tolerance on log θ.
    public var tolerance = 1e-7

    public init(design: ModelDesign) throws {
        try checkResponse(design, family: .negativeBinomial)
        try checkRandomEffectsStructure(design, generalized: true)
        self.design = design
    }

    /// The shape search: θ₀ from the Poisson fit, then Brent on the profiled Laplace deviance.
    public struct ShapeSearch: Sendable {
        public var initialShape: Double
        public var shape: Double
        public var evaluations: Int
    }

    public func fit(conditionalVariances: Bool = true) throws -> (fit: GeneralizedLinearMixedModelFit, search: ShapeSearch) {
        let poisson = try GeneralizedLinearMixedModel(design: design, family: .poisson).fit(conditionalVariances: false)
        let initial = Self.maximumLikelihoodShape(counts: design.response, means: poisson.fittedValues)
        var failure: Error?
        let search = BrentMinimization.minimize(in: log(initial) - 3, log(initial) + 3, tolerance: tolerance) { t in
            do {
                return try GeneralizedLinearMixedModel(design: design, family: .negativeBinomial, negativeBinomialShape: exp(t))
                    .fit(conditionalVariances: false).laplaceDeviance
            } catch {
                failure = failure ?? error
                return .infinity
            }
        }
        guard search.value.isFinite else {
            throw failure ?? MixedModelError("the negative-binomial Laplace deviance could not be evaluated")
        }
        let shape = exp(search.x)
        var fit = try GeneralizedLinearMixedModel(design: design, family: .negativeBinomial, negativeBinomialShape: shape)
            .fit(conditionalVariances: conditionalVariances)
        fit.negativeBinomialShape = shape
        fit.degreesOfFreedom += 1
        fit.akaikeInformationCriterion += 2
        fit.bayesianInformationCriterion += log(Double(fit.observationCount))
        let bound = abs(search.x - log(initial)) > 3 - 1e-3
        if bound {
            fit.warnings.append("the negative-binomial shape \(shape) is at the edge of glmer.nb's search interval [θ₀e⁻³, θ₀e³], θ₀ = \(initial)")
        }
        return (fit, ShapeSearch(initialShape: initial, shape: shape, evaluations: search.evaluations))
    }

    /// The maximum-likelihood shape of independent NB2 counts y with known means μ: Newton's method
    /// on the score Σ ψ(θ + y) − ψ(θ) + log θ + 1 − log(θ + μ) − (y + θ)/(μ + θ) from the moment
    /// start n / Σ (y/μ − 1)² (Lawless 1987; MASS's `theta.ml`, 20 iterations at most).
    public static func maximumLikelihoodShape(counts: [Double], means: [Double]) -> Double {
        let n = Double(counts.count)
        var theta = n / zip(counts, means).reduce(0.0) { $0 + ($1.0 / $1.1 - 1) * ($1.0 / $1.1 - 1) }
        if !(theta.isFinite && theta > 0) { theta = 1 }
        for _ in 0..<20 {
            var score = 0.0, information = 0.0
            for (y, mu) in zip(counts, means) {
                score += digamma(theta + y) - digamma(theta) + log(theta) + 1 - log(theta + mu) - (y + theta) / (mu + theta)
                information += -trigamma(theta + y) + trigamma(theta) - 1 / theta + 2 / (mu + theta) - (y + theta) / ((mu + theta) * (mu + theta))
            }
            let step = score / information
            guard step.isFinite else { break }
            theta = Swift.max(theta + step, theta / 10)
            if abs(step) < 1e-10 * theta { break }
        }
        return theta
    }
}
