import Foundation
import Multilevel

/// `multilevel fit`: the Bayesian fit brms would make (default priors, NUTS with Stan's
/// adaptation, chains in parallel), printed as brms' summary or as JSON, with the chains optionally
/// streamed to CmdStan-format CSV files.
struct FitCommand: Command {
    let name = "fit"
    let summary = "Fit a Bayesian multilevel model with NUTS or Gibbs (brms-style summary)."
    let usage = "[MODEL] [options]"
    let discussion = """
    Samples the posterior brms builds for the model (brms' default priors unless --prior replaces
    them) with NUTS as Stan does: 4 chains of 2000 iterations, the first 1000 warm-up, run in
    parallel. The same --seed gives byte-identical draws whatever the number of cores. With
    --output DIR each chain is streamed to DIR/chain-K.csv in CmdStan's CSV layout (readable by
    ArviZ, R's posterior and 'multilevel diagnose'). SIGINT or SIGTERM stops the chains, keeps
    every draw made so far and prints their summary (exit 130 or 143).
    """
    var options: [OptionSpec] {
        [
            .option("prior", "PRIOR", "A prior in brms syntax, e.g. 'b ~ normal(0, 10)', 'sd:Subject ~ student_t(3, 0, 50)' (repeatable).", repeatable: true),
            .option("chains", "N", "Number of chains (default 4)."),
            .option("iter", "N", "Iterations per chain including warm-up (default 2000)."),
            .option("warmup", "N", "Warm-up iterations per chain (default iter/2)."),
            .option("seed", "N", "Random seed (default: drawn at random and reported); the same seed gives byte-identical chains on any number of cores."),
            .option("sampler", "NAME", "nuts (default), gibbs or marginal."),
            .option("adapt-delta", "X", "Target acceptance statistic of step-size adaptation, in (0, 1) (default 0.8)."),
            .option("max-treedepth", "N", "Maximum NUTS tree depth (default 10)."),
            .option("init", "X", "Initial values drawn uniformly from (-X, X) on the unconstrained scale (default 2)."),
            .option("output", "DIR", "Write one CmdStan-format CSV per chain (chain-1.csv, ...) into DIR."),
            .flag("force", "Allow --output to write into an existing directory."),
            .flag("show-priors", "Print the priors in brms' prior_summary layout and exit."),
            .flag("ranef", "Also summarise group-level effects r_<group>[level,term]."),
            .flag("json", "Print one JSON object instead of the text summary."),
            .option("plots", "DIR", "Write trace and density plots (SVG) into DIR."),
            .option("predict", "DIR", "Write posterior predictive draws (DIR/predictions.csv, y_rep per draw) and fitted values with 95% intervals (DIR/fitted.csv)."),
            .option("chain-id", "K", "Run only chain K (1-based) with the stream a multi-chain run gives chain K."),
        ] + ModelOptions.specs
    }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let model = try loadModel(arguments)
        let specification = model.specification
        let family = try Family(name: model.family)
        // MCMCglmm-style covariance priors (inv_wishart / inv_gamma on a group's covariance or the
        // residual variance) are for the Gibbs sampler; the rest are brms prior statements.
        var statements: [PriorStatement] = []
        var covarianceStatements: [CovariancePriorStatement] = []
        for setting in specification.priors {
            if CovariancePriorStatement.isCovarianceStatement(setting.value) {
                covarianceStatements.append(try CovariancePriorStatement.parse(setting.value, origin: setting.origin.description))
            } else {
                statements.append(try PriorStatement.parse(setting.value, origin: setting.origin.description))
            }
        }
        if arguments.has("show-priors") {
            var priorSet = PriorSet.defaults(for: model.design, family: family)
            try priorSet.apply(statements)
            writeStandardOutput(priorSet.summaryTable())
            return 0
        }
        let plotDirectory = try arguments.value("plots").map(preparePlotDirectory)
        let sampler = specification.sampler?.value ?? "nuts"
        guard ["nuts", "marginal", "gibbs"].contains(sampler) else {
            throw UsageError("unknown sampler '\(sampler)' (\(specification.sampler!.origin)); use nuts, gibbs or marginal")
        }
        if sampler != "gibbs", let first = covarianceStatements.first {
            throw UsageError("prior '\(first.text)' (\(first.origin)) is a Gibbs covariance prior; give --sampler gibbs, or use huang_wand / lkj priors with NUTS")
        }
        if sampler == "marginal", family != .gaussian {
            throw UsageError("--sampler marginal needs the gaussian family, not \(family.name); use --sampler nuts")
        }
        let settings = try samplerSettings(specification, arguments)
        // Kept per draw: sampler columns and the unconstrained and constrained parameters (≈ 2d).
        let keptDraws = Double(settings.chains) * Double(settings.samplingIterations + (settings.saveWarmup ? settings.warmup : 0))
        try requireMemoryBudget(values: keptDraws * Double(2 * (TransitionStatistics.columnNames.count + 2 * ParameterLayout(design: model.design, family: family).dimension)),
                                for: "--iter \(settings.iterations) with --chains \(settings.chains)")

        let outputDirectory = try arguments.value("output").map { try prepareOutputDirectory($0, force: arguments.has("force")) }
        let sink = outputDirectory.map {
            CmdStanOutputSink(directory: $0, settings: settings, modelName: model.modelName,
                              dataFile: model.dataFileName, formula: model.design.formulaText, family: family.name,
                              engine: sampler == "gibbs" ? "gibbs" : "nuts")
        }
        let stop = InterruptionHandler()
        let progress = ChainProgress.standardErrorIfTerminal()
        let fit: BayesianFit
        switch sampler {
        case "marginal":
            fit = try BayesianFit.runMarginal(design: model.design, priors: statements, settings: settings, sink: sink,
                                              progress: progress, stopFlag: stop.flag)
        case "gibbs":
            fit = try GibbsSampler.fit(design: model.design, family: family, priors: statements,
                                       covariance: covarianceStatements, settings: settings, sink: sink,
                                       progress: progress, stopFlag: stop.flag)
        default:
            fit = try BayesianFit.run(design: model.design, family: family, priors: statements, settings: settings,
                                      sink: sink, progress: progress, stopFlag: stop.flag)
        }
        stop.disarm()

        let parameterNames = Array(fit.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count))
        let parameterDraws = fit.draws.selecting(parameterNames)
        let summary = summarize(draws: parameterDraws, quantiles: [0.025, 0.975])
        let divergences = fit.chainSummaries.map(\.divergences).reduce(0, +)
        let saturations = fit.chainSummaries.map(\.treeDepthSaturations).reduce(0, +)
        let rejections = fit.chainSummaries.map(\.nonFiniteRejections).reduce(0, +)
        var levelCounts: [String: Int] = [:]
        for term in model.design.randomTerms { levelCounts[term.grouping.name] = term.grouping.levelCount }
        let description = BayesianFitDescription(
            family: family.name, links: family.brmsLinks, formula: model.design.formulaText,
            dataName: model.dataName, observationCount: model.design.rowCount, chains: settings.chains,
            iterations: settings.iterations, warmup: settings.warmup, groupLevelCounts: levelCounts,
            samplerDescription: sampler == "gibbs" ? "Gibbs sampling (MCMCglmm-style blocked updates)"
                : sampler == "marginal" ? "sampling(NUTS) on the marginal posterior, group-level effects drawn exactly"
                : "sampling(NUTS)")

        if arguments.has("json") {
            let json = bayesianFitJSON(
                description, method: sampler == "gibbs" ? "Gibbs" : sampler == "marginal" ? "NUTS (marginal)" : "NUTS",
                summary: summary,
                warmupSeconds: fit.chainSummaries.map(\.warmupSeconds).max() ?? 0,
                samplingSeconds: fit.chainSummaries.map(\.samplingSeconds).max() ?? 0,
                divergences: divergences, treeDepthSaturations: saturations,
                extra: [("seed", .string(String(settings.seed))),
                        ("interrupted", .bool(stop.signalNumber != nil))])
            writeStandardOutput(json.serialized() + "\n")
        } else {
            writeStandardOutput(brmsSummaryText(description, summary: summary, groupLevelEffects: arguments.has("ranef")))
        }
        for warning in brmsWarnings(summary: summary, divergences: divergences, treeDepthSaturations: saturations,
                                    maxTreeDepth: settings.maxTreeDepth) {
            writeStandardError("Warning: \(warning)\n")
        }
        for warning in separationWarnings(model.design, family: family) { writeStandardError("Warning: \(warning)\n") }
        if rejections > 0 {
            writeStandardError("multilevel: \(rejections) proposals (warm-up included) reached a non-finite log density and were rejected, as Stan rejects them\n")
        }
        if specification.seed == nil {
            writeStandardError("multilevel: seed = \(settings.seed) (give --seed \(settings.seed) to reproduce these draws)\n")
        }
        if let plotDirectory {
            let population = parameterNames.filter { !$0.hasPrefix("r_") }
            try writePlots(ComparisonPlots.posteriorPlots(draws: parameterDraws, variables: population,
                                                          title: model.design.formulaText), into: plotDirectory)
        }
        if let directory = outputDirectory {
            writeStandardError("multilevel: chains written to \(directory.path)/chain-*.csv\n")
        }
        if let path = arguments.value("predict") {
            let directory = try writePosteriorPredictions(draws: fit.draws, design: model.design, family: family, seed: settings.seed,
                                                          directory: path, force: arguments.has("force"))
            writeStandardError("multilevel: posterior predictions written to \(directory.path)/predictions.csv and fitted.csv\n")
        }
        if let signal = stop.signalNumber {
            writeStandardError("multilevel: interrupted; the summary covers the draws made before the signal\n")
            return 128 + signal
        }
        return 0
    }

    /// The sampler settings from the model file and flags, checked as brms/CmdStan check them.
    private func samplerSettings(_ specification: ModelSpecification, _ arguments: ParsedArguments) throws -> SamplerSettings {
        var settings = SamplerSettings()
        settings.chains = specification.chains?.value ?? 4
        settings.iterations = specification.iterations?.value ?? 2000
        settings.warmup = specification.warmup?.value ?? settings.iterations / 2
        var generator = SystemRandomNumberGenerator()
        settings.seed = specification.seed?.value ?? UInt64.random(in: 1...UInt64(Int32.max), using: &generator)
        if let delta = specification.adaptDelta?.value { settings.adaptDelta = delta }
        if let depth = specification.maxTreedepth?.value { settings.maxTreeDepth = depth }
        if let radius = try arguments.double("init") { settings.initRadius = radius }
        if let chainID = try arguments.integer("chain-id") {
            guard chainID >= 1 else { throw UsageError("option --chain-id: must be at least 1, got \(chainID)") }
            settings.firstChain = chainID - 1
            settings.chains = 1
        }
        do {
            try settings.validate()
        } catch let error as SamplerSettingsError {
            throw UsageError(error.description)
        }
        return settings
    }
}

/// Creates (or, with `force`, reuses) the output directory; an existing one without `--force`
/// is an error, so earlier results are never overwritten by accident.
func prepareOutputDirectory(_ path: String, force: Bool) throws -> URL {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw UsageError("option --output: '\(path)' exists and is not a directory") }
        guard force else {
            throw UsageError("option --output: directory '\(path)' already exists; give --force to write into it")
        }
    } else {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw UsageError("option --output: cannot create directory '\(path)': \(error.localizedDescription)")
        }
    }
    return url
}

/// Streams each chain to `DIR/chain-K.csv` through `CmdStanCSVWriter` (temporary name, flushed
/// rows, renamed when the chain ends — with a comment when it was interrupted).
final class CmdStanOutputSink: ConstrainedDrawSink, @unchecked Sendable {
    private let directory: URL
    private let settings: SamplerSettings
    private let modelName: String
    private let dataFile: String
    private let formula: String
    private let family: String
    /// One writer per chain, each touched only by its chain's thread.
    private var writers: [CmdStanCSVWriter?]
    private var parameterNames: [String] = []

    /// `gibbs` writes `lp__` as the only sampler column (the NUTS statistics mean nothing there).
    private let engine: String
    /// Per chain, the row without the NUTS-only columns (Gibbs).
    private var gibbsRows: [[Double]]

    init(directory: URL, settings: SamplerSettings, modelName: String, dataFile: String, formula: String,
         family: String, engine: String = "nuts") {
        self.engine = engine
        gibbsRows = Array(repeating: [], count: settings.chains)
        self.directory = directory
        self.settings = settings
        self.modelName = modelName
        self.dataFile = dataFile
        self.formula = formula
        self.family = family
        writers = Array(repeating: nil, count: settings.chains)
    }

    func prepare(parameterNames names: [String]) throws { parameterNames = names }

    func chainStarted(chain: Int) throws {}

    private func writer(for chain: Int) throws -> CmdStanCSVWriter {
        let index = chain - settings.firstChain
        if let writer = writers[index] { return writer }
        var run = CmdStanRunSettings(modelName: modelName, chainID: chain + 1, seed: settings.seed,
                                     sampleCount: settings.samplingIterations, warmupCount: settings.warmup,
                                     saveWarmup: settings.saveWarmup)
        run.maxTreeDepth = settings.maxTreeDepth
        run.adaptDelta = settings.adaptDelta
        run.initRadius = settings.initRadius
        run.dataFile = dataFile
        run.extra = [("formula", formula), ("family", family)]
        run.engine = engine
        let writer = try CmdStanCSVWriter(url: directory.appendingPathComponent("chain-\(chain + 1).csv"),
                                          settings: run, parameterNames: parameterNames,
                                          samplerColumns: engine == "gibbs" ? ["lp__"] : CmdStanCSVWriter.nutsSamplerColumns)
        writers[index] = writer
        return writer
    }

    func draw(chain: Int, iteration: Int, isWarmup: Bool, row: UnsafeBufferPointer<Double>) throws {
        guard engine == "gibbs" else { return try writer(for: chain).append(row) }
        let index = chain - settings.firstChain
        let statistics = TransitionStatistics.columnNames.count
        if gibbsRows[index].count != row.count - statistics + 1 {
            gibbsRows[index] = [Double](repeating: 0, count: row.count - statistics + 1)
        }
        gibbsRows[index][0] = row[0]
        for k in statistics..<row.count { gibbsRows[index][k - statistics + 1] = row[k] }
        try writer(for: chain).append(gibbsRows[index])
    }

    func adaptationFinished(chain: Int, adaptation: AdaptationSummary) throws {
        try writer(for: chain).writeAdaptation(stepSize: adaptation.stepSize, inverseMetricDiagonal: adaptation.inverseMetricDiagonal)
    }

    func chainFinished(chain: Int, summary: ChainSummary) throws {
        let writer = try writer(for: chain)
        if summary.stopped {
            try writer.finishInterrupted(reason: "interrupted after \(summary.completedIterations) of \(settings.iterations) iterations")
        } else {
            try writer.finish(warmupSeconds: summary.warmupSeconds, samplingSeconds: summary.samplingSeconds)
        }
    }
}
