import Foundation
import Multilevel

extension CompareCommand {
    /// `compare` of a non-gaussian model: glmer (Laplace) beside the Bayesian fit, sampled exactly
    /// as `loo` samples it (the default sampler rule, `fit`'s settings), with the same PSIS-LOO and
    /// WAIC (`GeneralizedModelComparison`).
    func runGeneralized(_ loaded: LoadedModel, _ arguments: ParsedArguments) throws -> Int32 {
        for option in ["replicates", "plots"] where arguments.value(option) != nil {
            throw UsageError("option --\(option): the bootstrap and the plots of compare are for gaussian models, and the family is \(loaded.family)")
        }
        let family = try loaded.responseFamily()
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
        let comparison = try GeneralizedModelComparison.run(design: loaded.design, family: family, draws: fit.draws,
                                                            sampler: sampler, settings: settings)
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
