import Foundation
import Multilevel

/// One model of `loo` or `kfold`: loaded from its model file (with the command's flags applied),
/// fitted, and able to refit itself to other rows of its data.
struct CrossValidatedModel {
    let loaded: LoadedModel
    let family: Family
    let fit: BayesianFit
    let seed: UInt64
    /// Fits the same model (priors, sampler, settings) to another design and returns its draws;
    /// safe to call from several threads at once (each refit's chains then run one after another).
    let refit: @Sendable (ModelDesign) throws -> Draws

    var name: String { loaded.modelName }

    /// The model's pointwise log-likelihood on its own rows.
    func pointwiseLogLikelihood() throws -> PointwiseLogLikelihood {
        try PointwiseLogLikelihood(design: loaded.design, family: family, draws: fit.draws, seed: seed)
    }
}

/// Loads and fits every MODEL named on the command line (or the model the flags describe), with
/// the sampler `fit` would choose; `parallelRefits` runs each refit's chains one after another,
/// because the refits themselves run on the cores at once.
func crossValidatedModels(_ arguments: ParsedArguments, parallelRefits: Bool) throws -> [CrossValidatedModel] {
    let paths = arguments.positional.isEmpty ? [nil] : arguments.positional.map { Optional($0) }
    return try paths.map { path in
        var single = arguments
        single.positional = path.map { [$0] } ?? []
        let loaded = try loadModel(single)
        let family = try Family(name: loaded.family)
        // The sampler and priors `fit` would use, through the library's rules (BayesianModel).
        let priorTexts = loaded.specification.priors.map { (text: $0.value, origin: $0.origin.description) }
        let chosen = loaded.specification.sampler.map { (name: $0.value, origin: $0.origin.description) }
        _ = try BayesianModel(design: loaded.design, family: family, priorStatements: priorTexts)
            .sampler(named: chosen?.name, origin: chosen?.origin)
        let settings = try FitCommand().samplerSettings(loaded.specification, single)
        var refitSettings = settings
        if parallelRefits { refitSettings.cores = 1 }
        let singleCoreSettings = refitSettings
        let fitOnce: @Sendable (ModelDesign, SamplerSettings, ChainProgress?) throws -> BayesianFit = { design, settings, progress in
            let model = try BayesianModel(design: design, family: family, priorStatements: priorTexts)
            let sampler = try model.sampler(named: chosen?.name, origin: chosen?.origin)
            return try model.fit(sampler: sampler, settings: settings, progress: progress).0
        }
        let fit = try fitOnce(loaded.design, settings, ChainProgress.standardErrorIfTerminal())
        return CrossValidatedModel(loaded: loaded, family: family, fit: fit, seed: settings.seed,
                                   refit: { design in try fitOnce(design, singleCoreSettings, nil).draws })
    }
}

/// The sampler options `loo` and `kfold` share with `fit`, after their own.
let crossValidationSamplingOptions: [OptionSpec] = [
    .option("chains", "N", "Number of chains (default 4)."),
    .option("cores", "N", "Chains that sample at once in the full-data fit (default: two per available core)."),
    .option("iter", "N", "Iterations per chain including warm-up (default 2000)."),
    .option("warmup", "N", "Warm-up iterations per chain (default iter/2)."),
    .option("prior", "PRIOR", "A prior in brms syntax (repeatable).", repeatable: true),
    .option("sampler", "NAME", "nuts, gibbs or marginal (default as 'fit')."),
    .flag("json", "Print one JSON object instead of the text tables."),
] + ModelOptions.specs

/// Refuses to compare fits whose rows differ (another data file, other rows dropped for missing
/// values, another response): one line naming the two models.
func checkSameRows(_ models: [CrossValidatedModel]) throws {
    guard let first = models.first else { return }
    for model in models.dropFirst() {
        let a = first.loaded.design, b = model.loaded.design
        guard a.rowCount == b.rowCount, a.response == b.response, a.sourceLines == b.sourceLines else {
            throw ComparisonError("fits use different rows: \(first.name) has \(a.rowCount) observations of \(a.responseName), \(model.name) \(b.rowCount) of \(b.responseName); compare fits of the same data")
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
