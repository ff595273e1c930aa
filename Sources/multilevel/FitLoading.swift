import Foundation
import Multilevel

/// Options of every post-fit command (`predict`, …): FIT is a fit directory, or a model file that
/// is fitted first (Bayesian unless `--lmer`).
enum FitInputOptions {
    static let specs: [OptionSpec] = [
        .flag("lmer", "When FIT is a model file: fit it by REML as lme4 does instead of sampling the posterior."),
        .option("seed", "N", "When FIT is a model file: the sampler's seed (default: the model file's, else drawn at random and reported)."),
    ] + ModelOptions.specs
}

/// The fit named by the command's positional argument: a fit directory (`fit --output`, `lmer
/// --output`) read back, or a model file fitted now with the model's settings. `ownOptions` are
/// options the command reads itself (predict's bootstrap --seed), allowed with a fit directory.
func loadFittedModel(_ arguments: ParsedArguments, command: String, ownOptions: Set<String> = []) throws -> FittedModel {
    guard arguments.positional.count <= 1 else {
        throw UsageError("expected one FIT, got \(arguments.positional.count): \(arguments.positional.joined(separator: " "))")
    }
    guard let path = arguments.positional.first ?? (arguments.value("formula") != nil ? "" : nil) else {
        throw UsageError("expected FIT: a fit directory (fit --output DIR, lmer --output DIR) or a model file (or --formula and --data)")
    }
    if !path.isEmpty, FitDirectory.isFitDirectory(path) {
        for flag in ["lmer"] where arguments.has(flag) {
            throw UsageError("option --\(flag) applies to a model file, and '\(path)' is a fit directory")
        }
        for option in ["seed", "data", "formula", "family"] where arguments.value(option) != nil && !ownOptions.contains(option) {
            throw UsageError("option --\(option) applies to a model file, and '\(path)' is a fit directory")
        }
        return try FitDirectory.load(URL(fileURLWithPath: path))
    }
    var isDirectory: ObjCBool = false
    if !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw FitDirectoryError(file: path, message: "is a directory without fit.json: not a fit directory (write one with fit --output or lmer --output)")
    }
    let model = try loadModel(arguments, allowingOffset: true, allowingMonotonic: !arguments.has("lmer"),
                              command: arguments.has("lmer") ? "lmer" : nil)
    let specification = model.specification
    let family = try model.responseFamily()
    let rows = FittedModel.rowsUsed(formula: model.formula, table: model.table, factors: specification.factors.map(\.value))
    if arguments.has("lmer") {
        guard family == .gaussian else { throw UsageError("option --lmer: post-fit commands take gaussian lmer fits, not family \(family.name)") }
        let fit = try LinearMixedModel(design: model.design).fit(method: .reml, options: .init(conditionalVariances: true))
        for warning in fit.warnings { writeStandardError("multilevel: \(warning)\n") }
        return FittedModel(kind: .frequentist, engine: "reml", formula: model.formula, family: family, priors: [],
                           factors: specification.factors.map(\.value), dataName: model.dataName, data: rows,
                           design: model.design, settings: nil, draws: nil, mixedModelFit: fit)
    }
    let bayesian = try BayesianModel(design: model.design, family: family,
                                     priorStatements: specification.priors.map { ($0.value, $0.origin.description) })
    let sampler: String
    do {
        sampler = try bayesian.sampler(named: specification.sampler?.value, origin: specification.sampler?.origin.description)
    } catch let error as BayesianModelUsageError {
        throw UsageError(error.description)
    }
    var settings = SamplerSettings()
    settings.chains = specification.chains?.value ?? 4
    settings.iterations = specification.iterations?.value ?? 2000
    settings.warmup = specification.warmup?.value ?? settings.iterations / 2
    if let delta = specification.adaptDelta?.value { settings.adaptDelta = delta }
    if let depth = specification.maxTreedepth?.value { settings.maxTreeDepth = depth }
    var generator = SystemRandomNumberGenerator()
    settings.seed = specification.seed?.value ?? UInt64.random(in: 1...UInt64(Int32.max), using: &generator)
    do { try settings.validate() } catch let error as SamplerSettingsError { throw UsageError(error.description) }
    if specification.seed == nil {
        writeStandardError("multilevel: seed = \(settings.seed) (give --seed \(settings.seed) to reproduce these draws)\n")
    }
    let (fit, notices) = try bayesian.fit(sampler: sampler, settings: settings)
    for notice in notices { writeStandardError("multilevel: \(notice)\n") }
    return FittedModel(kind: .bayesian, engine: sampler, formula: model.formula, family: family,
                       priors: bayesian.priorTexts, factors: specification.factors.map(\.value), dataName: model.dataName,
                       data: rows, design: model.design, settings: settings, draws: fit.draws, mixedModelFit: nil)
}
