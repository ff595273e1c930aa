import Foundation
import MultilevelData
import MultilevelMath

/// The parametric bootstrap of a glmer fit (`GeneralizedLinearMixedModel`, or glmer.nb's
/// `NegativeBinomialMixedModel`), lme4's `bootMer(use.u = FALSE)`: each replicate draws new
/// group-level effects b* = Λθ̂ u*, u* ~ N(0, I) (b* ~ N(0, Σ̂)), forms η* = Xβ̂ + Zb* + offset and
/// μ* = g⁻¹(η*), draws y* per row from the family — Binomial(mᵢ, μ*ᵢ) (Bernoulli: mᵢ = 1),
/// Poisson(μ*ᵢ), or for the negative binomial a Poisson of a Gamma(φ̂, rate φ̂/μ*ᵢ) mean — and
/// refits y* by the same Laplace fit (nAGQ as the original), recording every `b_`, `sd_`/`cor_`
/// (and `shape`) of `frequentistParameters`. glmer.nb's shape is re-estimated in every refit (lme4's
/// bootMer of a glmer.nb fit holds it at the original estimate, since its refit keeps the family).
/// A replicate whose μ* leaves the family's range (an identity or sqrt link at η* < 0) or whose y*
/// the fit refuses (a Bernoulli response of one value) fails with the reason.
public struct GeneralizedBootstrap {
    /// The model's design with aliased columns dropped (`GeneralizedLinearMixedModel.design`).
    public let design: ModelDesign
    public let fit: GeneralizedLinearMixedModelFit
    public let family: Family
    /// glmer's nAGQ of the refits.
    public var quadraturePoints = 1

    /// Whether the response simulator has `family`; nil when it has, else the one-line reason.
    public static func refusal(of family: Family) -> String? {
        [.bernoulli, .binomial, .poisson, .negativeBinomial].contains(family.kind) ? nil
            : "the glmer bootstrap simulates bernoulli, binomial, poisson and negbinomial responses, not '\(family.name)'"
    }

    public init(design: ModelDesign, fit: GeneralizedLinearMixedModelFit, family: Family) throws {
        if let reason = GeneralizedBootstrap.refusal(of: family) { throw MixedModelError(reason) }
        guard family.kind != .negativeBinomial || fit.negativeBinomialShape != nil else {
            throw MixedModelError("the negbinomial bootstrap needs the glmer.nb fit's shape")
        }
        self.design = design
        self.fit = fit
        self.family = family
    }

    /// Writes y* into `response` given η* in `linearPredictor`: per row a Binomial(`trials`ᵢ, μ),
    /// a Poisson(μ), or (`shape` φ) a Poisson of a Gamma(φ, rate φ/μ) mean, μ = `mean`(η*ᵢ).
    /// Throws when a μ is outside the family's range.
    static func simulateResponse(into response: inout [Double], linearPredictor: [Double], kind: Family.Kind,
                                 trials: [Double]?, shape: Double?, mean: (Double) -> Double,
                                 using generator: inout Xoshiro256PlusPlus) throws {
        for r in linearPredictor.indices {
            let mu = mean(linearPredictor[r])
            switch kind {
            case .bernoulli, .binomial:
                guard mu >= 0 && mu <= 1 else { throw RefitFailure.unusableData("a simulated probability \(mu) outside [0, 1]") }
                let m = trials?[r] ?? 1
                response[r] = Double(generator.nextBinomial(trials: Int(m), probability: mu))
            default:
                guard mu >= 0 && mu.isFinite else { throw RefitFailure.unusableData("a simulated mean \(mu) outside [0, ∞)") }
                let rate = shape.map { generator.nextGamma(shape: $0, rate: $0 / mu) } ?? mu
                response[r] = Double(generator.nextPoisson(mean: rate))
            }
        }
    }

    /// Runs `replicates` parametric replicates under `seed` on `threads` threads (all processors
    /// when nil); `progress` is called with the number of finished replicates, serialised.
    public func run(replicates: Int, seed: UInt64, threads: Int? = nil,
                    progress: ((Int) -> Void)? = nil) throws -> BootstrapResult {
        let original = frequentistParameters(fit)
        let simulator = ParametricResponseSimulator(fit: fit, design: design)
        let response = try GeneralizedLinearResponse(design: design, family: family.kind == .negativeBinomial ? .poisson : family)
        let kind = family.kind
        let family = self.family
        let shape = fit.negativeBinomialShape
        let points = quadraturePoints
        let design = self.design
        return try runNamedRefitReplicates(names: original.map(\.name), estimates: original.map(\.estimate),
                                           replicates: replicates, seed: seed, threads: threads, progress: progress) { generator in
            var eta = [Double](repeating: 0, count: design.rowCount)
            simulator.simulateLinearPredictor(into: &eta, using: &generator)
            var replicate = design
            try Self.simulateResponse(into: &replicate.response, linearPredictor: eta, kind: kind, trials: design.trials,
                                      shape: shape, mean: response.mean, using: &generator)
            let refit: GeneralizedLinearMixedModelFit
            if kind == .negativeBinomial {
                refit = try NegativeBinomialMixedModel(design: replicate).fit(conditionalVariances: false).fit
            } else {
                var model = try GeneralizedLinearMixedModel(design: replicate, family: family)
                model.quadraturePoints = points
                refit = try model.fit(conditionalVariances: false)
            }
            return (frequentistParameters(refit), refit.evaluations)
        }
    }
}
