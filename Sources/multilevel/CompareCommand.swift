import Foundation
import Multilevel

/// `multilevel compare`: Compare complete, no and partial pooling, bootstrap and Bayesian fits side by side.
struct CompareCommand: Command {
    let name = "compare"
    let summary = "Compare complete, no and partial pooling, bootstrap and Bayesian fits side by side."
    let usage = "[MODEL] [options]"
    let discussion = """
    Fits a gaussian multilevel model five ways — OLS (complete pooling), each group on its own for \
    the terms that vary by group (no pooling), REML with profile intervals (partial pooling), a \
    parametric bootstrap of the REML fit and NUTS (brms' default priors) — and prints: 1. each \
    population-level parameter by OLS, REML, bootstrap and Bayes (median, 95% credible interval and \
    HDI); 2. each group's coefficients by no, partial and Bayesian pooling, with the shrinkage \
    weight of random intercepts; 3. logLik, AIC and BIC of OLS and the ML mixed model and their \
    likelihood-ratio test, and PSIS-LOO and WAIC of the Bayesian fit. --plots DIR writes up to seven SVG \
    plots; each one the model cannot draw is named on standard error with the reason. The same --seed \
    gives the same output on any number of cores. For other families (bernoulli, binomial, poisson, \
    …) it compares glmer's Laplace fit with the Bayesian fit (the sampler 'fit' chooses): each \
    coefficient by both (with --replicates N, by the parametric bootstrap of the Laplace fit too: \
    bootMer's percentile intervals), glmer's logLik, AIC and BIC, and PSIS-LOO and WAIC of the Bayesian fit, \
    the numbers 'multilevel loo' prints for the same model and seed.
    """
    var options: [OptionSpec] { [
        .option("replicates", "N", "Bootstrap replicates (default 1000 for gaussian models; other families: none unless given, each a Laplace refit)."),
        .option("seed", "N", "Random seed of the bootstrap and the sampler (default: a random one, printed)."),
        .option("chains", "N", "Number of chains (default 4)."),
        .option("cores", "N", "Chains that sample at once (default: two per available core)."),
        .option("iter", "N", "Iterations per chain including warm-up (default 2000)."),
        .option("warmup", "N", "Warm-up iterations per chain (default iter/2)."),
        .option("prior", "PRIOR", "A prior in brms syntax (repeatable).", repeatable: true),
        .option("plots", "DIR", "Write SVG plots into DIR."),
        .flag("json", "Print one JSON object instead of the text tables."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let requestedReplicates = try arguments.integer("replicates")
        if let requestedReplicates, requestedReplicates < 2 {
            throw UsageError("--replicates must be at least 2, not \(requestedReplicates)")
        }
        let loaded = try loadModel(arguments)
        guard loaded.family == "gaussian" else {
            return try runGeneralized(loaded, arguments, replicates: requestedReplicates)
        }
        let replicates = requestedReplicates ?? 1000
        let specification = loaded.specification
        let statements = try specification.priors.map { try PriorStatement.parse($0.value, origin: $0.origin.description) }
        let seed = specification.seed?.value ?? UInt64.random(in: 1...UInt64(Int32.max))
        var sampler = SamplerSettings()
        sampler.chains = specification.chains?.value ?? 4
        sampler.iterations = specification.iterations?.value ?? 2000
        sampler.warmup = specification.warmup?.value ?? sampler.iterations / 2
        sampler.seed = seed
        if let delta = specification.adaptDelta?.value { sampler.adaptDelta = delta }
        if let depth = specification.maxTreedepth?.value { sampler.maxTreeDepth = depth }
        sampler.cores = try arguments.integer("cores")
        do { try sampler.validate() } catch let error as SamplerSettingsError { throw UsageError(error.description) }
        let plotDirectory = try arguments.value("plots").map { try prepareDirectory($0) }

        let bar = standardErrorIsTerminal ? ReplicateProgressBar(total: replicates, label: "bootstrap") : nil
        let comparison = try ModelComparison.run(
            design: loaded.design,
            settings: ComparisonSettings(replicates: replicates, bootstrapSeed: seed, sampler: sampler, priors: statements),
            bootstrapProgress: bar.map { bar in { bar.update($0) } },
            chainProgress: ChainProgress.standardErrorIfTerminal())
        bar?.finish()
        for warning in comparison.restrictedFit.warnings { writeStandardError("multilevel: \(warning)\n") }
        if comparison.bootstrap.failedCount > 0 {
            writeStandardError("multilevel: \(comparison.bootstrap.failedCount) of \(replicates) refits failed and are left out\n")
        }
        if arguments.has("json") {
            writeStandardOutput(ComparisonJSON.json(comparison).serialized() + "\n")
        } else {
            writeStandardOutput(ComparisonReport.text(comparison))
        }
        if let plotDirectory {
            let plots = try ComparisonPlots.all(comparison)
            try writePlots(plots.plots, into: plotDirectory)
            for (file, reason) in plots.skipped { writeStandardError("multilevel: \(file) not written: \(reason)\n") }
        }
        if specification.seed == nil {
            writeStandardError("multilevel: seed = \(seed) (give --seed \(seed) to reproduce)\n")
        }
        return 0
    }
}

/// Creates an output directory (and its parents) when missing, for option `--<option>`; files
/// written there overwrite files of the same name.
func prepareDirectory(_ path: String, option: String = "plots") throws -> URL {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw UsageError("option --\(option): '\(path)' exists and is not a directory") }
        return url
    }
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw UsageError("option --\(option): cannot create directory '\(path)': \(error.localizedDescription)")
    }
    return url
}

/// Writes each SVG into `directory` (whole, under its final name only when complete:
/// `writeFileAtomically`) and names the files on standard error.
func writePlots(_ plots: [(file: String, svg: String)], into directory: URL) throws {
    for plot in plots {
        try writeFileAtomically(Data(plot.svg.utf8), to: directory.appendingPathComponent(plot.file))
    }
    writeStandardError("multilevel: \(plots.count) plots written to \(directory.path): \(plots.map(\.file).joined(separator: ", "))\n")
}
