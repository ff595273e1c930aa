import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// `multilevel compare` for a non-gaussian family: the Laplace maximum-likelihood fit (lme4's
/// `glmer`, when the family has one) beside the Bayesian fit, each population-level coefficient by
/// both (Wald interval β̂ ± z·SE; posterior median and equal-tailed credible interval), glmer's
/// logLik / AIC / BIC, and PSIS-LOO and WAIC of the Bayesian fit computed by the same code as
/// `multilevel loo` (`LeaveOneOutCriteria` on the family's pointwise log-likelihood, relative
/// efficiency from the chains; Vehtari, Gelman & Gabry 2017). When asked for replicates, the
/// parametric bootstrap of the Laplace fit (`GeneralizedBootstrap`, bootMer; `ZeroInflatedBootstrap`
/// for the zero-inflated counts) adds each coefficient's percentile interval. The pooling sections
/// of the gaussian workbench (OLS, no pooling) have no counterpart here.
public struct GeneralizedModelComparison {
    /// One population-level coefficient by both fits.
    public struct Coefficient: Sendable, Equatable {
        public var name: String
        /// glmer's estimate with its Wald interval; nil without a Laplace fit.
        public var laplace: EstimateInterval?
        /// The estimate with the bootstrap's percentile interval; nil without a bootstrap.
        public var bootstrap: EstimateInterval?
        /// Posterior median, equal-tailed credible interval and HDI.
        public var bayes: PosteriorInterval
    }

    public var design: ModelDesign
    public var family: Family
    /// The Laplace fit; nil when the family has no Laplace fit here or it failed (`laplaceFailure`).
    public var laplace: GeneralizedLinearMixedModelFit?
    /// The zero-inflated families' Laplace fit (glmmTMB's `ziformula = ~1`) in place of glmer's.
    public var zeroInflatedLaplace: ZeroInflatedMixedModelFit?
    public var laplaceFailure: String?
    /// The Bayesian fit's draws and the sampler that made them.
    public var draws: Draws
    public var sampler: String
    public var settings: SamplerSettings
    /// Every `b_` coefficient: Wald (glmer) and posterior (Bayes).
    public var parameters: [Coefficient]
    /// The parametric bootstrap of the Laplace fit, when replicates were asked for and it ran.
    public var bootstrap: BootstrapResult?
    public var leaveOneOut: PSISLeaveOneOut?
    public var waic: WAIC?
    public var level: Double

    /// Compares the Laplace fit of `design` with the Bayesian fit whose draws are given (sampled by
    /// `sampler` with `settings`, as `loo` samples the model, so both commands see the same draws).
    /// `bootstrapReplicates` replicates of the parametric bootstrap under `bootstrapSeed` (none when
    /// nil; `progress` gets the number finished).
    public static func run(design: ModelDesign, family: Family, draws: Draws, sampler: String, settings: SamplerSettings,
                           level: Double = 0.95, bootstrapReplicates: Int? = nil, bootstrapSeed: UInt64 = 0,
                           progress: ((Int) -> Void)? = nil) throws -> GeneralizedModelComparison {
        var laplace: GeneralizedLinearMixedModelFit?
        var zeroInflated: ZeroInflatedMixedModelFit?
        var failure: String?
        var bootstrap: BootstrapResult?
        // A Laplace fit that fails is reported beside the Bayesian fit (the comparison still has one
        // side); a bootstrap that was asked for and cannot run is the caller's error.
        if family == .zeroInflatedPoisson || family == .zeroInflatedNegativeBinomial {
            var model: ZeroInflatedMixedModel?
            do {
                model = try ZeroInflatedMixedModel(design: design, family: family)
                zeroInflated = try model?.fit()
            } catch {
                failure = "\(error)"
            }
            if let bootstrapReplicates, let model, let zeroInflated {
                bootstrap = try ZeroInflatedBootstrap(model: model, fit: zeroInflated, family: family)
                    .run(replicates: bootstrapReplicates, seed: bootstrapSeed, progress: progress)
            }
        } else {
            var model: GeneralizedLinearMixedModel?
            do {
                model = try GeneralizedLinearMixedModel(design: design, family: family)
                laplace = try model?.fit()
            } catch {
                failure = "\(error)"
            }
            if let bootstrapReplicates, let model, let laplace {
                bootstrap = try GeneralizedBootstrap(design: model.design, fit: laplace, family: family)
                    .run(replicates: bootstrapReplicates, seed: bootstrapSeed, progress: progress)
            }
        }
        var percentile: [String: EstimateInterval] = [:]
        if let bootstrap {
            for summary in bootstrap.summaries(level: level) {
                percentile[summary.name] = EstimateInterval(estimate: summary.estimate, lower: summary.percentile.lower,
                                                            upper: summary.percentile.upper)
            }
        }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        var wald: [String: EstimateInterval] = [:]
        let maximumLikelihood = laplace.map { ($0.fixedEffectNames, $0.fixedEffects, $0.standardErrors) }
            ?? zeroInflated.map { ($0.fixedEffectNames, $0.fixedEffects, $0.standardErrors) }
        if let (names, estimates, standardErrors) = maximumLikelihood {
            for (j, name) in names.enumerated() {
                wald["b_" + brmsName(ofColumn: name)] = EstimateInterval(estimate: estimates[j],
                                                                       lower: estimates[j] - z * standardErrors[j],
                                                                       upper: estimates[j] + z * standardErrors[j])
            }
        }
        let names = draws.variableNames.filter { $0.hasPrefix("b_") }
        let tail = (1 - level) / 2
        let summary = summarize(draws: draws.selecting(names), quantiles: [tail, 1 - tail], intervals: [level])
        let parameters = summary.variables.map { v -> Coefficient in
            let hdi = v.highestDensityIntervals.first ?? nil
            return Coefficient(name: v.name, laplace: wald[v.name], bootstrap: percentile[v.name],
                               bayes: PosteriorInterval(median: v.median, lower: v.quantiles[0], upper: v.quantiles[1],
                                                        hdiLower: hdi?.lower ?? .nan, hdiUpper: hdi?.upper ?? .nan))
        }
        let criteria = try? LeaveOneOutCriteria(PointwiseLogLikelihood(design: design, family: family, draws: draws,
                                                                       seed: settings.seed))
        return GeneralizedModelComparison(design: design, family: family, laplace: laplace, zeroInflatedLaplace: zeroInflated,
                                          laplaceFailure: failure,
                                          draws: draws, sampler: sampler, settings: settings, parameters: parameters,
                                          bootstrap: bootstrap,
                                          leaveOneOut: criteria?.leaveOneOut, waic: criteria?.waic, level: level)
    }
}
