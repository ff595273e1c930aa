import Foundation
import Multilevel

extension CompareCommand {
    /// `compare` of a non-gaussian model: glmer (Laplace) beside the Bayesian fit, sampled exactly
    /// as `loo` samples it (the default sampler rule, `fit`'s settings), with the same PSIS-LOO and
    /// WAIC (`GeneralizedModelComparison`); with --replicates N, the parametric bootstrap of the
    /// Laplace fit too (opt-in: every replicate is a Laplace refit).
    func runGeneralized(_ loaded: LoadedModel, _ arguments: ParsedArguments, replicates: Int?) throws -> Int32 {
        if arguments.value("plots") != nil {
            throw UsageError("option --plots: the plots of compare are for gaussian models, and the family is \(loaded.family)")
        }
        let family = try loaded.responseFamily()
        if replicates != nil, family != .zeroInflatedPoisson, family != .zeroInflatedNegativeBinomial,
           let reason = GeneralizedBootstrap.refusal(of: family) {
            throw UsageError("option --replicates: \(reason)")
        }
        let specification = loaded.specification
        let priorTexts = specification.priors.map { (text: $0.value, origin: $0.origin.description) }
        let model: BayesianModel
        let sampler: String
        do {
            model = try BayesianModel(design: loaded.design, family: family, priorStatements: priorTexts)
            sampler = try model.sampler(named: specification.sampler?.value, origin: specification.sampler?.origin.description)
        } catch let error as BayesianModelUsageError {
            throw UsageError(error.description)
        }
        let settings = try FitCommand().samplerSettings(specification, arguments)
        let (fit, notices) = try model.fit(sampler: sampler, settings: settings, progress: ChainProgress.standardErrorIfTerminal())
        for notice in notices { writeStandardError("multilevel: \(notice)\n") }
        let bar = standardErrorIsTerminal && replicates != nil ? ReplicateProgressBar(total: replicates!, label: "bootstrap") : nil
        let comparison = try GeneralizedModelComparison.run(design: loaded.design, family: family, draws: fit.draws,
                                                            sampler: sampler, settings: settings, bootstrapReplicates: replicates,
                                                            bootstrapSeed: settings.seed, progress: bar.map { bar in { bar.update($0) } })
        bar?.finish()
        if let bootstrap = comparison.bootstrap, bootstrap.failedCount > 0 {
            writeStandardError("multilevel: \(bootstrap.failedCount) of \(bootstrap.replicateCount) bootstrap refits failed and are left out\n")
        }
        if let laplace = comparison.laplace {
            for warning in laplace.warnings { writeStandardError("multilevel: glmer: \(warning)\n") }
        }
        if let zeroInflated = comparison.zeroInflatedLaplace {
            for warning in zeroInflated.warnings { writeStandardError("multilevel: glmmTMB: \(warning)\n") }
        }
        if arguments.has("json") {
            writeStandardOutput(GeneralizedComparisonReport.json(comparison).serialized() + "\n")
        } else {
            writeStandardOutput(GeneralizedComparisonReport.text(comparison))
        }
        if specification.seed == nil {
            writeStandardError("multilevel: seed = \(settings.seed) (give --seed \(settings.seed) to reproduce)\n")
        }
        return 0
    }
}
