import Foundation
import Multilevel

/// One model of `loo` or `kfold`: a fit directory read back (`fit --output DIR`), or a model file
/// (with the command's flags applied) fitted now; either way able to refit itself to other rows
/// of its data with the same priors, sampler and settings.
struct CrossValidatedModel {
    /// The model file's name without extension, or the fit directory's name.
    let name: String
    /// The rows as read: the model file's whole table, or the fit directory's `data.csv`.
    let table: DataTable
    /// Response, X and group-level terms on the rows used.
    let design: ModelDesign
    let family: Family
    /// The full-data fit's draws (nil when the command asked for none: a `kfold --fold` job).
    let draws: Draws?
    /// The seed of the refits (and of `kfold`'s folds).
    let seed: UInt64
    /// Whether the seed was given (`--seed`, a model file's `seed:`, a fit directory's record)
    /// rather than drawn at random.
    let seedGiven: Bool
    /// Fits the same model (priors, sampler, settings) to another design and returns its draws;
    /// safe to call from several threads at once (each refit's chains then run one after another).
    let refit: @Sendable (ModelDesign) throws -> Draws
    /// A distributional fit's (`bf()`) pointwise log-likelihood, each row with its own dpar values
    /// (nil for a `kfold --fold` job, which makes no full-data fit).
    var distributional: DistributionalLogLikelihood? = nil
    /// A distributional fit's refits (exact LOO, K-fold), which replace `refit`.
    var distributionalRefits: DistributionalRefits? = nil

    /// Refits without some rows and scores them: the distributional refits of a `bf()` fit, else
    /// `refit` with `PointwiseLogLikelihood`.
    var heldOutScoring: HeldOutLogLikelihood.Scoring {
        distributionalRefits?.scoring ?? HeldOutLogLikelihood.refitting(design: design, family: family, refit: refit)
    }

    /// The model's pointwise log-likelihood on its own rows.
    func pointwiseLogLikelihood() throws -> PointwiseLogLikelihood {
        guard let draws else { throw ComparisonError("\(name): no full-data fit was made (a kfold --fold job scores only its fold)") }
        return try PointwiseLogLikelihood(design: design, family: family, draws: draws, seed: seed)
    }

    /// The pointwise log-likelihood `loo` reads: the distributional one for a `bf()` fit.
    func logLikelihoodBlocks() throws -> any PointwiseLogLikelihoodBlocks {
        if let distributional { return distributional }
        return try pointwiseLogLikelihood()
    }
}

/// Options that define the model to fit; a fit directory keeps its own.
private let modelDefiningOptions = ["data", "sep", "dec", "formula", "family", "factor", "contrasts", "reference", "ordered",
                                    "prior", "sampler", "chains", "cores", "iter", "warmup", "parameterization", "centered"]

/// Loads every FIT named on the command line — a fit directory, or a model file fitted now with
/// the sampler `fit` would choose (or the model the flags describe) — for `command`. Refits run
/// their chains one after another, because the refits themselves run on the cores at once.
/// `fitFullData` false skips a model file's full-data fit (a `kfold --fold` job needs only refits).
func crossValidatedModels(_ arguments: ParsedArguments, command: String, fitFullData: Bool = true) throws -> [CrossValidatedModel] {
    guard !arguments.positional.isEmpty || arguments.value("formula") != nil else {
        throw UsageError("expected at least one FIT: a fit directory (fit --output DIR) or a model file (or --formula and --data)")
    }
    let directories = arguments.positional.filter { FitDirectory.isFitDirectory($0) }
    if let directory = directories.first {
        for option in modelDefiningOptions where !arguments.values(option).isEmpty {
            throw UsageError("option --\(option) applies to model files, and '\(directory)' is a fit directory (its refits use the model stored there)")
        }
    }
    let seedOption = try arguments.integer("seed").map { value -> UInt64 in
        guard value >= 1 else { throw UsageError("option --seed: must be at least 1, got \(value)") }
        return UInt64(value)
    }
    var models: [CrossValidatedModel] = []
    if arguments.positional.isEmpty {
        models.append(try fittedModelFile(arguments, command: command, fitFullData: fitFullData))
    }
    for path in arguments.positional {
        if FitDirectory.isFitDirectory(path) {
            models.append(try storedFit(path, seed: seedOption, command: command))
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw FitDirectoryError(file: path, message: "is a directory without fit.json: not a fit directory (write one with fit --output)")
            }
            var single = arguments
            single.positional = [path]
            models.append(try fittedModelFile(single, command: command, fitFullData: fitFullData))
        }
    }
    return distinctlyNamed(models, paths: arguments.positional)
}

/// A fit directory read back; its refits use the model, priors, sampler, parameterisation and
/// settings stored there (`seed` replaces the stored seed for the refits and the folds).
private func storedFit(_ path: String, seed: UInt64?, command: String) throws -> CrossValidatedModel {
    let fitted = try FitDirectory.load(URL(fileURLWithPath: path))
    guard fitted.kind == .bayesian, let draws = fitted.draws, var settings = fitted.settings else {
        throw FitDirectoryError(file: URL(fileURLWithPath: path).appendingPathComponent("fit.json").path,
                                message: "a \(fitted.kind.rawValue) fit (lmer --output): \(command) needs a Bayesian fit (fit --output)")
    }
    if fitted.distributional != nil {
        let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        let statements = try fitted.priors.map { try PriorStatement.parse($0, origin: "\(path)/fit.json") }
        if let seed { settings.seed = seed }
        settings.cores = 1
        settings.firstChain = 0
        return try distributionalModel(name: name, fitted: fitted, statements: statements, options: fitted.designOptions,
                                       settings: settings, seedGiven: true)
    }
    let family = fitted.family, priorTexts = fitted.priors.map { (text: $0, origin: "\(path)/fit.json") }
    let engine = fitted.engine, parameterisation = fitted.parameterization
    let model = try BayesianModel(design: fitted.design, family: family, priorStatements: priorTexts)
    do { _ = try model.sampler(named: engine, origin: "\(path)/fit.json engine") } catch let error as BayesianModelUsageError {
        throw FitDirectoryError(file: "\(path)/fit.json", message: error.description)
    }
    if let seed { settings.seed = seed }
    settings.cores = 1
    settings.firstChain = 0
    let refitSettings = settings
    let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
    return CrossValidatedModel(name: name, table: fitted.data, design: fitted.design, family: family, draws: draws,
                               seed: refitSettings.seed, seedGiven: true, refit: { design in
        let model = try BayesianModel(design: design, family: family, priorStatements: priorTexts)
        return try model.fit(sampler: engine, settings: refitSettings, parameterisation: parameterisation).fit.draws
    })
}

/// A model file (or the model the flags describe) fitted now as `fit` would (unless `fitFullData`
/// is false), with `fit`'s sampler, priors and parameterisation, which its refits use too.
private func fittedModelFile(_ arguments: ParsedArguments, command: String, fitFullData: Bool) throws -> CrossValidatedModel {
    // brms' addition terms: the pointwise log-likelihood is brms' log_lik of each row (log CDF /
    // CCDF of a censored row, truncation and weights included; PointwiseAdditionTerms); an
    // offset() enters every row's η.
    let loaded = try loadModel(arguments, allowingOffset: true, allowingAdditions: true, allowingMonotonic: true,
                               allowingDistributional: true)
    let family = try loaded.responseFamily()
    if let formula = loaded.distributional, formula.isDistributional {
        return try distributionalModelFile(loaded, formula: formula, family: family, arguments: arguments, fitFullData: fitFullData)
    }
    // The sampler and priors `fit` would use, through the library's rules (BayesianModel).
    let priorTexts = loaded.specification.priors.map { (text: $0.value, origin: $0.origin.description) }
    let chosen = loaded.specification.sampler.map { (name: $0.value, origin: $0.origin.description) }
    let sampler: String
    do {
        sampler = try BayesianModel(design: loaded.design, family: family, priorStatements: priorTexts)
            .sampler(named: chosen?.name, origin: chosen?.origin)
    } catch let error as BayesianModelUsageError {
        throw UsageError(error.description)
    }
    let settings = try FitCommand().samplerSettings(loaded.specification, arguments)
    let parameterisation = try FitCommand().parameterisationChoice(loaded.specification, arguments, sampler: sampler,
                                                                  design: loaded.design)
    var refitSettings = settings
    refitSettings.cores = 1
    let singleCoreSettings = refitSettings
    let fitOnce: @Sendable (ModelDesign, SamplerSettings, ChainProgress?) throws -> BayesianFit = { design, settings, progress in
        let model = try BayesianModel(design: design, family: family, priorStatements: priorTexts)
        return try model.fit(sampler: sampler, settings: settings, parameterisation: parameterisation, progress: progress).0
    }
    let fit = fitFullData ? try fitOnce(loaded.design, settings, ChainProgress.standardErrorIfTerminal()) : nil
    return CrossValidatedModel(name: loaded.modelName, table: loaded.table, design: loaded.design, family: family,
                               draws: fit?.draws, seed: settings.seed, seedGiven: loaded.specification.seed != nil,
                               refit: { design in try fitOnce(design, singleCoreSettings, nil).draws })
}

/// A `bf()` model file fitted now as `fit` fits it (joint NUTS on the rows every part uses, unless
/// `fitFullData` is false), refitted by `DistributionalRefits` with the same priors and settings.
private func distributionalModelFile(_ loaded: LoadedModel, formula: DistributionalFormula, family: Family,
                                     arguments: ParsedArguments, fitFullData: Bool) throws -> CrossValidatedModel {
    let specification = loaded.specification
    if let sampler = specification.sampler, sampler.value != "nuts" {
        throw UsageError("\(sampler.origin): sampler '\(sampler.value)' assumes a constant sigma; a distributional model (bf()) is sampled by joint NUTS only")
    }
    let statements = try specification.priors.map { try PriorStatement.parse($0.value, origin: $0.origin.description) }
    let settings = try FitCommand().samplerSettings(specification, arguments)
    let factors = specification.factors.map(\.value)
    let rows = FittedModel.rowsUsed(formulas: [formula.mean] + formula.parameters.map(\.formula), table: loaded.table,
                                    factors: factors)
    let design: DistributionalDesign
    do {
        design = try DistributionalDesign.build(formula: formula, table: rows, options: specification.designOptions, family: family)
    } catch let error as FormulaError {
        throw LocatedFormulaError(origin: specification.formula!.origin, formula: formula.text, error: error)
    }
    var draws: Draws?
    do {
        let posterior = try DistributionalPosterior(design: design, family: family, statements: statements)
        if fitFullData {
            let fit = try DistributionalFit.run(posterior: posterior, settings: settings, progress: ChainProgress.standardErrorIfTerminal())
            draws = fit.draws.selecting(Array(fit.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count)))
        }
    } catch let error as DistributionalModelError {
        throw UnsupportedTermError(description: "\(specification.formula?.origin.description ?? "--formula"): \(error.description)")
    }
    var fitted = FittedModel(kind: .bayesian, engine: "nuts", formula: formula.mean, family: family,
                             priors: specification.priors.map(\.value), factors: factors, dataName: loaded.dataName,
                             data: rows, design: design.mean, settings: settings, draws: draws, mixedModelFit: nil)
    fitted.distributional = (formula, design)
    fitted.designOptions = specification.designOptions
    var refitSettings = settings
    refitSettings.cores = 1
    return try distributionalModel(name: loaded.modelName, fitted: fitted, statements: statements,
                                   options: specification.designOptions, settings: refitSettings,
                                   seedGiven: specification.seed != nil)
}

/// The `CrossValidatedModel` of a distributional fit (`fitted.draws` nil: no full-data fit).
private func distributionalModel(name: String, fitted: FittedModel, statements: [PriorStatement], options: DesignOptions,
                                 settings: SamplerSettings, seedGiven: Bool) throws -> CrossValidatedModel {
    var model = CrossValidatedModel(name: name, table: fitted.data, design: fitted.design, family: fitted.family,
                                    draws: fitted.draws, seed: settings.seed, seedGiven: seedGiven, refit: { _ in
        throw ComparisonError("\(name): a distributional model is refitted by its DistributionalRefits")
    })
    if fitted.draws != nil { model.distributional = try fitted.distributionalLogLikelihood() }
    model.distributionalRefits = try DistributionalRefits(fitted: fitted, statements: statements, options: options, settings: settings)
    return model
}

/// The models with names that tell them apart: where two share a name, each is called by its path
/// as given.
private func distinctlyNamed(_ models: [CrossValidatedModel], paths: [String]) -> [CrossValidatedModel] {
    guard models.count == paths.count else { return models }
    let counts = Dictionary(models.map { ($0.name, 1) }, uniquingKeysWith: +)
    return zip(models, paths).map { model, path in
        guard counts[model.name, default: 0] > 1 else { return model }
        var renamed = CrossValidatedModel(name: path, table: model.table, design: model.design, family: model.family,
                                          draws: model.draws, seed: model.seed, seedGiven: model.seedGiven, refit: model.refit)
        renamed.distributional = model.distributional
        renamed.distributionalRefits = model.distributionalRefits
        return renamed
    }
}

/// The sampler options `loo` and `kfold` share with `fit`, after their own.
let crossValidationSamplingOptions: [OptionSpec] = [
    .option("chains", "N", "Model files: number of chains (default 4)."),
    .option("cores", "N", "Model files: chains that sample at once in the full-data fit (default: two per available core)."),
    .option("iter", "N", "Model files: iterations per chain including warm-up (default 2000)."),
    .option("warmup", "N", "Model files: warm-up iterations per chain (default iter/2)."),
    .option("prior", "PRIOR", "Model files: a prior in brms syntax (repeatable).", repeatable: true),
    .option("sampler", "NAME", "Model files: nuts, gibbs or marginal (default as 'fit')."),
    .option("parameterization", "MODE", "Model files, joint NUTS: auto, partial, centered or noncentered (as 'fit'; refits use it too)."),
    .option("centered", "GROUPS", "Model files, joint NUTS: grouping factors sampled centred, the others non-centred (as 'fit')."),
    .flag("json", "Print one JSON object instead of the text tables."),
] + ModelOptions.specs

/// Refuses to compare fits whose rows differ (another data file, other rows dropped for missing
/// values, another response): one line naming the two models. Rows are the same when the counts,
/// the responses (and binomial trials) agree row by row, and, for two model files, the data lines.
func checkSameRows(_ models: [CrossValidatedModel]) throws {
    guard let first = models.first else { return }
    for model in models.dropFirst() {
        let a = first.design, b = model.design
        guard a.rowCount == b.rowCount else {
            throw ComparisonError("fits use different rows: \(first.name) has \(a.rowCount) observations of \(a.responseName), \(model.name) \(b.rowCount) of \(b.responseName); compare fits of the same data")
        }
        if let row = (0..<a.rowCount).first(where: { a.response[$0] != b.response[$0] || a.trials?[$0] != b.trials?[$0] }) {
            throw ComparisonError("fits use different rows: \(first.name) and \(model.name) have \(a.rowCount) observations each, but row \(row + 1) differs (\(a.responseName) \(formatNumber(a.response[row])) against \(b.responseName) \(formatNumber(b.response[row]))); compare fits of the same data")
        }
    }
}

/// `name  Estimate  SE` rows as loo prints them (one decimal).
func estimateTable(_ rows: [(String, EstimateWithError)]) -> String {
    let width = max(8, rows.map(\.0.count).max() ?? 0)
    var text = String(repeating: " ", count: width) + "  Estimate     SE\n"
    for (name, value) in rows {
        text += name.padding(toLength: width, withPad: " ", startingAt: 0)
            + String(format: "  %8.1f %6.1f\n", value.estimate, value.standardError)
    }
    return text
}

/// loo_compare's table: `elpd_diff se_diff`, best first.
func comparisonTable(_ comparison: LooComparison) -> String {
    let width = max(6, comparison.rows.map(\.name.count).max() ?? 0)
    var text = String(repeating: " ", count: width) + "  elpd_diff se_diff\n"
    for row in comparison.rows {
        text += row.name.padding(toLength: width, withPad: " ", startingAt: 0)
            + String(format: "  %9.1f %7.1f\n", row.elpdDifference, row.standardErrorOfDifference)
    }
    return text
}

func estimateJSON(_ value: EstimateWithError) -> JSONValue {
    .object([("estimate", .number(value.estimate)), ("se", .number(value.standardError))])
}

func comparisonJSON(_ comparison: LooComparison) -> JSONValue {
    .array(comparison.rows.map { row in
        .object([("model", .string(row.name)), ("elpd_diff", .number(row.elpdDifference)),
                 ("se_diff", .number(row.standardErrorOfDifference)), ("elpd", estimateJSON(row.elpd))])
    })
}
