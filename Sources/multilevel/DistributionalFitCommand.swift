import Foundation
import Multilevel

/// `multilevel fit` of a brms distributional model `bf(y ~ …, dpar ~ …)`: joint NUTS on
/// `DistributionalPosterior` (non-centred group-level effects as brms; the marginal and Gibbs
/// samplers assume a constant σ), printed as brms' summary (`sigma_Intercept`, `sd(sigma_Intercept)`
/// rows) or as JSON, or the default priors with `--show-priors` (brms' prior_summary with its dpar
/// column). `--output DIR` writes the fit directory (chains in CmdStan CSV with brms' names, the
/// rows every part uses, the bf() model) that `predict` and `loo` read. Priors: the usual
/// statements for the mean, and brms' `dpar =` as a class suffix (`b_sigma:Days ~ normal(0, 1)`,
/// `Intercept_sigma ~ …`, `sd_sigma:Subject ~ …`). `--hypothesis` is brms' hypothesis() on the
/// draws (`sigma_Days > 0` reads b_sigma_Days), `--bayes-r2` brms' bayes_R2 with every part's
/// own predictor (`FittedModel.bayesianR2`). `--predict DIR` writes y_rep and E(y | θ) of the
/// rows with each row's own predicted dpars (`FittedModel.distributionalPosteriorPredictive`),
/// `--plots DIR` the trace/density plots and brms' pp_check plots from the same replicates.
/// `--sampler` other than nuts and `--chain-id` are refused in one line.
func runDistributionalFit(_ model: LoadedModel, formula: DistributionalFormula, arguments: ParsedArguments,
                          settings: () throws -> SamplerSettings) throws -> Int32 {
    let specification = model.specification
    let origin = specification.formula?.origin.description ?? "--formula"
    for option in ["chain-id"] where arguments.value(option) != nil {
        throw UsageError("--\(option) is not supported yet for a distributional model (\(origin): bf() with \(formula.parameters.map(\.name).joined(separator: ", ")))")
    }
    if arguments.has("bayes-r2") && arguments.has("no-bayes-r2") {
        throw UsageError("options --bayes-r2 and --no-bayes-r2: give one of them")
    }
    let statements = try specification.priors.map { try PriorStatement.parse($0.value, origin: $0.origin.description) }
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
        posterior = try DistributionalPosterior(design: design, family: family, statements: statements)
    } catch let error as DistributionalModelError {
        throw UnsupportedTermError(description: "\(origin): \(error.description)")
    }
    if arguments.has("show-priors") {
        writeStandardOutput(posterior.priorSummary(design: design, statements: statements))
        return 0
    }
    let settings = try settings()
    if let path = arguments.value("plots") { try checkPlotDirectory(path) }
    if let path = arguments.value("predict") { try checkPredictionDirectory(path, force: arguments.has("force")) }
    let outputDirectory = try arguments.value("output").map { try OutputDirectory(checking: $0, force: arguments.has("force")) }
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
    if let directory = outputDirectory {
        let runID = CmdStanRunSettings.runIdentifier(
            configuration: [model.modelName, model.dataFileName, formula.text, family.specification, "nuts",
                            String(settings.seed), String(settings.iterations), String(settings.warmup),
                            String(settings.adaptDelta), String(settings.maxTreeDepth), String(settings.initRadius)]
                + specification.priors.map(\.value),
            data: design.mean.response)
        try writeDistributionalChains(fit, settings: settings, directory: directory, modelName: model.modelName,
                                      dataFile: model.dataFileName, formula: formula.text, family: family.specification, runID: runID)
        writeStandardError("multilevel: chains written to \(directory.url.path)/chain-*.csv\n")
        if stop.signalNumber == nil {
            var record = FitDirectory.ModelRecord(
                kind: .bayesian, engine: "nuts", formula: formula.text, family: model.family, priors: specification.priors.map(\.value),
                factors: specification.factors.map(\.value), dataName: model.dataName,
                dataSource: (try? specification.resolvedDataURL().path) ?? model.dataFileName, settings: settings)
            record.recordDesignOptions(specification.designOptions)
            let rows = FittedModel.rowsUsed(formulas: [formula.mean] + formula.parameters.map(\.formula), table: model.table,
                                            factors: specification.factors.map(\.value))
            try FitDirectory.write(record, data: rows, chains: (0..<settings.chains).map { "chain-\($0 + 1).csv" },
                                   mixedModelFit: nil, into: directory.url)
            writeStandardError("multilevel: fit directory written to \(directory.url.path) (fit.json; 'multilevel predict \(directory.path) --newdata CSV' and 'multilevel loo \(directory.path)' read it)\n")
        }
    }
    let summary = summarize(draws: parameterDraws, quantiles: [0.025, 0.975])
    let hypotheses = try arguments.values("hypothesis").map { try Hypothesis($0, draws: parameterDraws) }
    // The fit as a fit directory would give it back: the rows every part uses, each design on them.
    var fittedModel: FittedModel?
    func fitted() throws -> FittedModel {
        if let fittedModel { return fittedModel }
        let factors = specification.factors.map(\.value)
        let rows = FittedModel.rowsUsed(formulas: [formula.mean] + formula.parameters.map(\.formula), table: model.table,
                                        factors: factors)
        let rowsDesign = try DistributionalDesign.build(formula: formula, table: rows, options: specification.designOptions,
                                                        family: family)
        var made = FittedModel(kind: .bayesian, engine: "nuts", formula: formula.mean, family: family,
                               priors: specification.priors.map(\.value), factors: factors, dataName: model.dataName,
                               data: rows, design: rowsDesign.mean, settings: settings, draws: parameterDraws, mixedModelFit: nil)
        made.distributional = (formula, rowsDesign)
        made.designOptions = specification.designOptions
        fittedModel = made
        return made
    }
    var r2: BayesR2Summary?
    if arguments.has("bayes-r2") { r2 = BayesR2Summary(draws: try fitted().bayesianR2()) }
    if let path = arguments.value("plots") {
        let population = parameterNames.filter { !$0.hasPrefix("r_") }
        let title = formula.text
        var plots = ComparisonPlots.posteriorPlots(draws: parameterDraws, variables: population, title: title)
        do {
            let predictive = try fitted().distributionalPosteriorPredictive(seed: settings.seed)
            plots += ComparisonPlots.posteriorPredictiveChecks(response: try fitted().design.response, replicates: predictive.replicates,
                                                               title: title)
        } catch {
            writeStandardError("multilevel: pp_check plots not drawn: \((error as CustomStringConvertible).description)\n")
        }
        try writePlots(plots, into: try prepareDirectory(path))
    }
    if let path = arguments.value("predict") {
        let written = try writePosteriorPredictions(seed: settings.seed, sourceLines: try fitted().design.sourceLines, directory: path,
                                                    force: arguments.has("force")) { stream in
            try fitted().distributionalPosteriorPredictive(seed: stream)
        }
        writeStandardError("multilevel: posterior predictions written to \(written.path)/predictions.csv and fitted.csv\n")
    }
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
        var fields: [(String, JSONValue)] = [("formula", .string(formula.text)), ("family", .string(family.name)),
                                             ("sampler", .string("nuts (joint, non-centered; distributional model)")),
                                             ("divergences", .number(Double(divergences))), ("parameters", .object(variables))]
        if !hypotheses.isEmpty { fields.append(("hypotheses", hypothesisJSON(hypotheses))) }
        if let r2 { fields.append(("bayes_R2", r2.json)) }
        let json = JSONValue.object(fields)
        writeStandardOutput(json.serialized(pretty: true) + "\n")
    } else {
        writeStandardOutput(brmsSummaryText(description, summary: summary, groupLevelEffects: arguments.has("ranef")))
        if !hypotheses.isEmpty { writeStandardOutput("\n" + hypothesisText(hypotheses)) }
        if let r2 { writeStandardOutput("\n" + r2.text) }
        for line in brmsWarnings(summary: summary, divergences: divergences, treeDepthSaturations: saturations,
                                 maxTreeDepth: settings.maxTreeDepth) {
            writeStandardError("multilevel: \(line)\n")
        }
    }
    return 0
}

/// Writes each chain of a distributional fit to `DIR/chain-K.csv` in CmdStan's CSV layout
/// (`CmdStanCSVWriter`: brms' names in CmdStan's index form, `r_Subject__sigma.1.1`, with the
/// index names in comments), the adaptation block after the warm-up rows, and the timings. The
/// draws are written after sampling (joint NUTS keeps them in memory for the summary anyway).
func writeDistributionalChains(_ fit: DistributionalFit, settings: SamplerSettings, directory: OutputDirectory,
                               modelName: String, dataFile: String, formula: String, family: String, runID: String) throws {
    let samplerColumns = TransitionStatistics.columnNames.count
    let names = Array(fit.draws.variableNames.dropFirst(samplerColumns))
    try directory.create(chains: 0..<settings.chains, clearingAll: true)
    let width = fit.draws.variableCount
    for (c, chain) in fit.draws.chains.enumerated() {
        let summary = c < fit.chainSummaries.count ? fit.chainSummaries[c] : nil
        let run = CmdStanRunSettings(modelName: modelName, chain: c, settings: settings, dataFile: dataFile,
                                     extra: [("formula", formula), ("family", family), ("run_id", runID)])
        let writer = try CmdStanCSVWriter(url: directory.url.appendingPathComponent("chain-\(c + 1).csv"), settings: run,
                                          parameterNames: names, samplerColumns: CmdStanCSVWriter.nutsSamplerColumns)
        let rows = chain.count / max(width, 1)
        let warmupRows = settings.saveWarmup ? min(rows, settings.warmup) : 0
        for row in 0..<rows {
            if row == warmupRows, let adaptation = summary?.adaptation {
                try writer.writeAdaptation(stepSize: adaptation.stepSize, inverseMetricDiagonal: adaptation.inverseMetricDiagonal)
            }
            try writer.append(Array(chain[(row * width)..<((row + 1) * width)]))
        }
        if let summary, summary.stopped {
            try writer.finishInterrupted(reason: "interrupted after \(summary.completedIterations) of \(settings.iterations) iterations")
        } else {
            try writer.finish(warmupSeconds: summary?.warmupSeconds ?? 0, samplingSeconds: summary?.samplingSeconds ?? 0)
        }
    }
}
