import Foundation
import Multilevel

/// `multilevel fit` of a brms distributional model `bf(y ~ …, dpar ~ …)`: joint NUTS on
/// `DistributionalPosterior` (non-centred group-level effects as brms; the marginal and Gibbs
/// samplers assume a constant σ), printed as brms' summary (`sigma_Intercept`, `sd(sigma_Intercept)`
/// rows) or as JSON, or the default priors with `--show-priors` (brms' prior_summary with its dpar
/// column). The options that need the constant-parameter model (`--output`, `--predict`,
/// `--plots`, `--bayes-r2`, `--hypothesis`, `--prior`, `--sampler` other than nuts) are refused in
/// one line.
func runDistributionalFit(_ model: LoadedModel, formula: DistributionalFormula, arguments: ParsedArguments,
                          settings: () throws -> SamplerSettings) throws -> Int32 {
    let specification = model.specification
    let origin = specification.formula?.origin.description ?? "--formula"
    for option in ["output", "predict", "plots", "hypothesis", "chain-id"] where arguments.value(option) != nil {
        throw UsageError("--\(option) is not supported yet for a distributional model (\(origin): bf() with \(formula.parameters.map(\.name).joined(separator: ", ")))")
    }
    if arguments.has("bayes-r2") {
        throw UsageError("--bayes-r2 is not supported yet for a distributional model (\(origin): bf() with predicted auxiliary parameters)")
    }
    if let prior = specification.priors.first {
        throw UnsupportedTermError(description: "\(prior.origin): prior statements are not supported yet with bf() (brms' dpar = …); the default priors are used without them")
    }
    if let sampler = specification.sampler, sampler.value != "nuts" {
        throw UsageError("\(sampler.origin): sampler '\(sampler.value)' assumes a constant sigma; a distributional model (bf()) is sampled by joint NUTS only")
    }
    let family = try model.responseFamily()
    let design: DistributionalDesign
    do {
        design = try DistributionalDesign.build(formula: formula, table: model.table, options: specification.designOptions,
                                                family: family)
    } catch let error as FormulaError {
        throw LocatedFormulaError(origin: specification.formula!.origin, formula: formula.text, error: error)
    }
    let posterior: DistributionalPosterior
    do {
        posterior = try DistributionalPosterior(design: design, family: family)
    } catch let error as DistributionalModelError {
        throw UnsupportedTermError(description: "\(origin): \(error.description)")
    }
    if arguments.has("show-priors") {
        writeStandardOutput(posterior.priorSummary(design: design))
        return 0
    }
    let settings = try settings()
    let stop = InterruptionHandler()
    let fit = try DistributionalFit.run(posterior: posterior, settings: settings,
                                        progress: ChainProgress.standardErrorIfTerminal(), stopFlag: stop.flag)
    stop.disarm()
    let parameterNames = Array(fit.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count))
    let parameterDraws = fit.draws.selecting(parameterNames)
    guard parameterDraws.drawsPerChain > 0 else {
        writeStandardError("multilevel: interrupted during warm-up: no draws to summarise\n")
        return 128 + (stop.signalNumber ?? SIGINT)
    }
    let summary = summarize(draws: parameterDraws, quantiles: [0.025, 0.975])
    var levelCounts: [String: Int] = [:]
    for part in [design.mean] + design.parameters.map(\.design) {
        for term in part.randomTerms { levelCounts[term.grouping.name] = term.grouping.levelCount }
    }
    let links: [(parameter: String, link: String)] = family.brmsLinks.map { link in
        guard let part = design.parameters.first(where: { $0.parameter.rawValue == link.parameter }) else { return link }
        return (parameter: link.parameter, link: part.parameter.distributionalLinkName)
    }
    let formulaText = ([formula.mean.text.trimmingCharacters(in: .whitespaces)] + formula.parameters.map(\.text))
        .joined(separator: " \n         ")
    let description = BayesianFitDescription(
        family: family.name, links: links, formula: formulaText, dataName: model.dataName,
        observationCount: design.mean.rowCount, chains: settings.chains, iterations: settings.iterations,
        warmup: settings.warmup, groupLevelCounts: levelCounts,
        samplerDescription: "sampling(NUTS)")
    let divergences = fit.chainSummaries.map(\.divergences).reduce(0, +)
    let saturations = fit.chainSummaries.map(\.treeDepthSaturations).reduce(0, +)
    if arguments.has("json") {
        var variables: [(String, JSONValue)] = []
        for v in summary.variables where arguments.has("ranef") || !v.name.hasPrefix("r_") {
            variables.append((v.name, .object([("mean", .number(v.mean)), ("sd", .number(v.sd)),
                                               ("q2.5", .number(v.quantiles[0])), ("q97.5", .number(v.quantiles[1])),
                                               ("rhat", .number(v.rhat)), ("ess_bulk", .number(v.essBulk)),
                                               ("ess_tail", .number(v.essTail)), ("mcse_mean", .number(v.mcseMean))])))
        }
        let json = JSONValue.object([("formula", .string(formula.text)), ("family", .string(family.name)),
                                     ("sampler", .string("nuts (joint, non-centered; distributional model)")),
                                     ("divergences", .number(Double(divergences))), ("parameters", .object(variables))])
        writeStandardOutput(json.serialized(pretty: true) + "\n")
    } else {
        writeStandardOutput(brmsSummaryText(description, summary: summary, groupLevelEffects: arguments.has("ranef")))
        for line in brmsWarnings(summary: summary, divergences: divergences, treeDepthSaturations: saturations,
                                 maxTreeDepth: settings.maxTreeDepth) {
            writeStandardError("multilevel: \(line)\n")
        }
    }
    return 0
}
