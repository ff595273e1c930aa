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
    ArviZ, R's posterior and 'multilevel diagnose'). SIGINT, SIGTERM or SIGQUIT stops the chains, keeps
    every draw made so far and prints their summary (exit 130, 143 or 131).

    Joint NUTS samples each group-level term non-centred as brms does (r = diag(sd) L z) or
    centred (r itself, r ~ MVN(0, Σ)): the same posterior in a better geometry when a level's data
    outweigh the prior. By default (--parameterization auto) a term is centred when the median
    over its levels of sd² · I_j exceeds 1, with sd² a moment estimate of the term's variance at
    its lower 95% bound (times χ²(J−1; 0.05)/(J−1) for J levels, so a term with few levels stays
    non-centred) and I_j the level's Fisher information (gaussian n_j/σ², bernoulli/binomial
    Σ trials·p(1 − p), poisson Σ μ, …), from a quick pilot fit before sampling; the centred terms
    are named on stderr. A centred intercept-only term nested in another (instructors within
    departments) is moreover hierarchically centred: it samples each level's effect plus that of
    the level it lies in, and the coarsest such term its effects plus the Intercept (Gelfand,
    Sahu & Carlin 1995), also named on stderr. When an intercept-only term is nested in another
    (broods within locations), auto samples every one-column term partially centred per level
    instead: level j's effect is scaled by sd^(1-w_j), w_j = v I_j/(1 + v I_j) the share of its
    posterior precision that comes from its data at the pilot's variance v (for a term with another
    nested in it, v's lower 95% bound) (Papaspiliopoulos, Roberts & Sköld 2007), w = 1 centred,
    w = 0 non-centred. --parameterization partial asks for that per-level weighting for
    any model. The draws and their columns are the same either way.
    """
    var options: [OptionSpec] {
        [
            .option("prior", "PRIOR", "A prior in brms syntax, e.g. 'b ~ normal(0, 10)', 'sd:Subject ~ student_t(3, 0, 50)' (repeatable).", repeatable: true),
            .option("chains", "N", "Number of chains (default 4)."),
            .option("cores", "N", "Chains that sample at once (default: two per available core, sharing them); the others wait their turn."),
            .option("iter", "N", "Iterations per chain including warm-up (default 2000)."),
            .option("warmup", "N", "Warm-up iterations per chain (default iter/2)."),
            .option("seed", "N", "Random seed (default: drawn at random and reported); the same seed gives byte-identical chains on any number of cores."),
            .option("sampler", "NAME", "nuts, gibbs or marginal (default: marginal for a gaussian model when its collapsed density is cheap enough, nuts otherwise)."),
            .option("adapt-delta", "X", "Target acceptance statistic of step-size adaptation, in (0, 1) (default 0.8)."),
            .option("max-treedepth", "N", "Maximum NUTS tree depth (default 10)."),
            .option("init", "X", "Initial values drawn uniformly from (-X, X) on the unconstrained scale (default 2)."),
            .option("output", "DIR", "Write the fit directory DIR: one CmdStan-format CSV per chain (chain-1.csv, ...), the rows used (data.csv), the model (model.txt) and fit.json (docs/fit-directory.md); with --chain-id only the chain's CSV."),
            .flag("force", "Allow --output to write into an existing directory."),
            .flag("show-priors", "Print the priors in brms' prior_summary layout and exit."),
            .flag("ranef", "Also summarise group-level effects r_<group>[level,term]."),
            .option("hypothesis", "H", "brms' hypothesis(), e.g. 'Days > 8' or 'Intercept + 5 * Days = 300' (population-level effects without b_; repeatable): printed after the summary, and in the JSON.", repeatable: true),
            .flag("bayes-r2", "Bayesian R² (Gelman et al. 2019, brms' bayes_R2) after the summary and in the JSON, however large the model and for every family (by default it is there for gaussian models with draws × rows ≤ 10⁷)."),
            .flag("no-bayes-r2", "Leave Bayesian R² out of the summary and the JSON."),
            .flag("json", "Print one JSON object instead of the text summary."),
            .option("plots", "DIR", "Write trace and density plots and brms' pp_check plots (SVG) into DIR: pp_check.svg (density of y over 50 replicated data sets), pp_check_stat.svg (mean of y_rep per draw against mean of y)."),
            .option("predict", "DIR", "Write posterior predictive draws (DIR/predictions.csv, y_rep per draw) and fitted values with 95% intervals (DIR/fitted.csv)."),
            .option("chain-id", "K", "Run only chain K (1-based) with the stream a multi-chain run gives chain K."),
            .option("parameterization", "MODE", "auto, partial, centered or noncentered: how joint NUTS samples the group-level effects (default auto: centre a term when its levels' data outweigh its prior, see above; partial: every one-column term partially centred per level, see above)."),
            .option("centered", "GROUPS", "Comma-separated grouping factors whose terms joint NUTS samples centred, the others non-centred (instead of --parameterization)."),
        ] + ModelOptions.specs
    }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let model = try loadModel(arguments, allowingOffset: true, allowingAdditions: true, allowingMonotonic: true,
                                  allowingDistributional: true)
        if let distributional = model.distributional, distributional.isDistributional {
            return try runDistributionalFit(model, formula: distributional, arguments: arguments) {
                try samplerSettings(model.specification, arguments)
            }
        }
        let specification = model.specification
        let family = try model.responseFamily()
        let bayesianModel = try BayesianModel(design: model.design, family: family,
                                              priorStatements: specification.priors.map { ($0.value, $0.origin.description) })
        if arguments.has("show-priors") {
            writeStandardOutput(try bayesianModel.priorSummary())
            return 0
        }
        let sampler: String
        do {
            sampler = try bayesianModel.sampler(named: specification.sampler?.value,
                                                origin: specification.sampler?.origin.description)
        } catch let error as BayesianModelUsageError {
            throw UsageError(error.description)
        }
        try checkResponse(model.design, family: family)     // the response's own errors first
        let parameterisation = try parameterisationChoice(model.specification, arguments, sampler: sampler, design: model.design)
        let settings = try samplerSettings(specification, arguments)
        // Kept per draw: sampler columns and the unconstrained and constrained parameters (≈ 2d).
        let keptDraws = Double(settings.chains) * Double(settings.samplingIterations + (settings.saveWarmup ? settings.warmup : 0))
        // Plus the design and, per chain sampling at once, a few row-length working vectors.
        let design = model.design
        let rowValues = Double(design.rowCount) * Double(design.fixedEffectCount + design.randomTerms.map(\.columnCount).reduce(0, +) + 2)
        let working = Double(ChainScheduling.width(chains: settings.chains, cores: settings.cores)) * Double(design.rowCount) * 4
        try requireMemoryBudget(values: keptDraws * Double(2 * (TransitionStatistics.columnNames.count + 2 * ParameterLayout(design: design, family: family).dimension))
                                    + rowValues + working,
                                for: "--iter \(settings.iterations) with --chains \(settings.chains) on \(design.rowCount) rows")
        try bayesianModel.requireProperPosterior()          // after the budget: the check reads every row

        // Every output path is checked now but created only once the model, priors and settings
        // have all been accepted (the sink creates --output when the run starts), so a rejected
        // run leaves nothing behind and can be repeated without --force.
        let force = arguments.has("force")
        let outputDirectory = try arguments.value("output").map { try OutputDirectory(checking: $0, force: force) }
        let runID = CmdStanRunSettings.runIdentifier(
            configuration: [model.modelName, model.dataFileName, model.design.formulaText, family.specification, sampler,
                            String(settings.seed), String(settings.iterations), String(settings.warmup),
                            String(settings.adaptDelta), String(settings.maxTreeDepth), String(settings.initRadius)]
                + specification.priors.map(\.value),
            data: model.design.response)
        if let path = arguments.value("plots") { try checkPlotDirectory(path) }
        if let path = arguments.value("predict") { try checkPredictionDirectory(path, force: force) }
        let sink = outputDirectory.map {
            CmdStanOutputSink(directory: $0, settings: settings, modelName: model.modelName,
                              dataFile: model.dataFileName, formula: model.design.formulaText, family: family.specification,
                              engine: sampler == "gibbs" ? "gibbs" : "nuts", runID: runID,
                              clearingAll: !arguments.has("chain-id"))
        }
        let stop = InterruptionHandler()
        let progress = ChainProgress.standardErrorIfTerminal()
        let fit: BayesianFit
        do {
            let (result, notices) = try bayesianModel.fit(sampler: sampler, settings: settings, parameterisation: parameterisation,
                                                          sink: sink, progress: progress, stopFlag: stop.flag)
            fit = result
            for notice in notices { writeStandardError("multilevel: \(notice)\n") }
        } catch {
            let kept = outputDirectory?.cleanUpAfterFailedRun(chains: settings.firstChain..<(settings.firstChain + settings.chains),
                                                              withDraws: sink?.chainsWithDraws ?? []) ?? []
            if let first = kept.first {
                writeStandardError("multilevel: the draws written before the failure are kept in \(first)\(kept.count > 1 ? " and \(kept.count - 1) more .chain-K.csv.partial files" : "")\n")
            }
            throw error
        }
        stop.disarm()

        let unrun = chainsWithoutDraws(fit.chainSummaries, settings: settings)
        if stop.signalNumber != nil, !unrun.isEmpty {
            writeStandardError("multilevel: interrupted before chains \(chainList(unrun)) made a draw; they wrote no file and are not in the summary\n")
        }
        let parameterNames = Array(fit.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count))
        let parameterDraws = fit.draws.selecting(parameterNames)
        if stop.signalNumber != nil, parameterDraws.drawsPerChain == 0 {
            writeStandardError("multilevel: interrupted during warm-up: no draws to summarise\n")
            return 128 + (stop.signalNumber ?? SIGINT)
        }
        let summary = summarize(draws: parameterDraws, quantiles: [0.025, 0.975])
        let divergences = fit.chainSummaries.map(\.divergences).reduce(0, +)
        let saturations = fit.chainSummaries.map(\.treeDepthSaturations).reduce(0, +)
        let rejections = fit.chainSummaries.map(\.nonFiniteRejections).reduce(0, +)
        var levelCounts: [String: Int] = [:]
        for term in model.design.randomTerms { levelCounts[term.grouping.name] = term.grouping.levelCount }
        // An interrupted run describes the draws it summarises: the chains that made draws, each
        // cut to the shortest of them (post-warm-up draws = chains × (iter − warmup) still holds).
        let interrupted = stop.signalNumber != nil
        let description = BayesianFitDescription(
            family: family.name, links: family.brmsLinks, formula: model.design.formulaText,
            dataName: model.dataName, observationCount: model.design.rowCount,
            chains: interrupted ? parameterDraws.chainCount : settings.chains,
            iterations: interrupted ? settings.warmup + parameterDraws.drawsPerChain : settings.iterations,
            warmup: settings.warmup, groupLevelCounts: levelCounts,
            samplerDescription: sampler == "gibbs" ? "Gibbs sampling (MCMCglmm-style blocked updates)"
                : sampler == "marginal" ? "sampling(NUTS) of the marginal posterior"
                : "sampling(NUTS)")

        let hypotheses = try arguments.values("hypothesis").map { try Hypothesis($0, draws: parameterDraws) }
        // Bayesian R² and the pp_check plots need E(y | θ) and y_rep for every draw and row: by
        // default only when that is cheap (≤ 10⁷ values).
        if arguments.has("bayes-r2") && arguments.has("no-bayes-r2") {
            throw UsageError("options --bayes-r2 and --no-bayes-r2: give one of them")
        }
        let requiredR2 = arguments.has("bayes-r2")
        let predictiveValues = Double(parameterDraws.chains.reduce(0) { $0 + $1.count } / max(1, parameterDraws.variableCount))
            * Double(model.design.rowCount)
        let cheap = predictiveValues <= Self.defaultPredictiveValues
        // The default covers gaussian models only: the predictive of other families can draw from
        // overflowing means early in a poor run (a poisson η in the thousands), which --bayes-r2 and
        // --predict report but a summary should not trip over.
        let defaultR2 = !requiredR2 && !arguments.has("no-bayes-r2") && cheap && family == .gaussian
        let r2 = requiredR2 ? BayesR2Summary(draws: try bayesianR2(draws: parameterDraws, design: model.design, family: family))
            : defaultR2 ? (try? bayesianR2(draws: parameterDraws, design: model.design, family: family)).map(BayesR2Summary.init(draws:)) : nil
        var predictive: PosteriorPredictive?
        var predictiveProblem = cheap ? nil : "draws × rows = \(Int(predictiveValues)) > \(Int(Self.defaultPredictiveValues))"
        if arguments.value("plots") != nil && cheap {
            do {
                predictive = try PosteriorPredictive(draws: parameterDraws, design: model.design, family: family, seed: settings.seed)
            } catch {
                predictiveProblem = (error as CustomStringConvertible).description
            }
        }
        var extra: [(String, JSONValue)] = []
        if !hypotheses.isEmpty { extra.append(("hypotheses", hypothesisJSON(hypotheses))) }
        if let r2 { extra.append(("bayes_R2", r2.json)) }

        // Files first: a reader that closes standard output early (`| head -1`) cannot stop them.
        if let path = arguments.value("plots") {
            let plotDirectory = try prepareDirectory(path)
            let population = parameterNames.filter { !$0.hasPrefix("r_") }
            var plots = ComparisonPlots.posteriorPlots(draws: parameterDraws, variables: population, title: model.design.formulaText)
            if let predictive {
                plots += ComparisonPlots.posteriorPredictiveChecks(response: model.design.response, replicates: predictive.replicates,
                                                                   title: model.design.formulaText)
            } else {
                writeStandardError("multilevel: pp_check plots not drawn: \(predictiveProblem ?? "no posterior predictive draws")\n")
            }
            try writePlots(plots, into: plotDirectory)
        }
        if let directory = outputDirectory {
            writeStandardError("multilevel: chains written to \(directory.url.path)/chain-*.csv\n")
            // A complete run (not one chain of a cluster job, not interrupted) is a fit directory.
            if stop.signalNumber == nil, arguments.value("chain-id") == nil {
                var record = FitDirectory.ModelRecord(
                    kind: .bayesian, engine: sampler, formula: model.design.formulaText, family: model.family,
                    priors: specification.priors.map(\.value), factors: specification.factors.map(\.value),
                    dataName: model.dataName, dataSource: (try? specification.resolvedDataURL().path) ?? model.dataFileName,
                    settings: settings, parameterization: sampler == "nuts" ? parameterisation.recordedText : nil)
                record.recordDesignOptions(specification.designOptions)
                try FitDirectory.write(record, data: FittedModel.rowsUsed(formula: model.formula, table: model.table,
                                                                          factors: specification.factors.map(\.value)),
                                       chains: (0..<settings.chains).map { "chain-\($0 + 1).csv" }, mixedModelFit: nil,
                                       into: directory.url)
                writeStandardError("multilevel: fit directory written to \(directory.url.path) (fit.json; 'multilevel predict \(directory.path) --newdata CSV' and the other post-fit commands read it)\n")
            }
        }
        if let path = arguments.value("predict") {
            let directory = try writePosteriorPredictions(draws: fit.draws, design: model.design, family: family, seed: settings.seed,
                                                          directory: path, force: arguments.has("force"))
            writeStandardError("multilevel: posterior predictions written to \(directory.path)/predictions.csv and fitted.csv\n")
        }
        if arguments.has("json") {
            let json = bayesianFitJSON(
                description, method: sampler == "gibbs" ? "Gibbs" : sampler == "marginal" ? "NUTS (marginal)" : "NUTS",
                summary: summary,
                warmupSeconds: fit.chainSummaries.map(\.warmupSeconds).max() ?? 0,
                samplingSeconds: fit.chainSummaries.map(\.samplingSeconds).max() ?? 0,
                divergences: divergences, treeDepthSaturations: saturations,
                extra: [("seed", .string(String(settings.seed))),
                        ("interrupted", .bool(stop.signalNumber != nil))] + extra)
            writeStandardOutput(json.serialized() + "\n")
        } else {
            writeStandardOutput(brmsSummaryText(description, summary: summary, groupLevelEffects: arguments.has("ranef")))
            if !hypotheses.isEmpty { writeStandardOutput("\n" + hypothesisText(hypotheses)) }
            if let r2 { writeStandardOutput("\n" + r2.text) }
        }
        for warning in bayesianModel.warnings(parameterDraws: parameterDraws, summary: summary, divergences: divergences,
                                              treeDepthSaturations: saturations, maxTreeDepth: settings.maxTreeDepth) {
            writeStandardError("Warning: \(warning)\n")
        }
        if rejections > 0 {
            writeStandardError("multilevel: \(rejections) proposals (warm-up included) reached a non-finite log density and were rejected, as Stan rejects them\n")
        }
        if specification.seed == nil {
            writeStandardError("multilevel: seed = \(settings.seed) (give --seed \(settings.seed) to reproduce these draws)\n")
        }
        if let signal = stop.signalNumber {
            writeStandardError("multilevel: interrupted; the summary covers the draws made before the signal\n")
            return 128 + signal
        }
        return 0
    }

    /// The most draw × row values for which Bayesian R² and the pp_check plots are computed
    /// without being asked for (two arrays of that many doubles: 160 MB).
    static let defaultPredictiveValues = 1e7

    /// `parameterization` (model file or `--parameterization`) / `--centered` as a
    /// `ParameterisationChoice` (joint NUTS only). A command-line `--centered` overrides the model
    /// file's `parameterization`; the file's key is ignored, with a notice, by the other samplers.
    func parameterisationChoice(_ specification: ModelSpecification, _ arguments: ParsedArguments,
                                        sampler: String, design: ModelDesign) throws -> ParameterisationChoice {
        var mode = specification.parameterization
        let groups = arguments.value("centered")
        if groups != nil, let setting = mode, case .file = setting.origin { mode = nil }
        if let setting = mode, case .file = setting.origin, sampler != "nuts" {
            writeStandardError("multilevel: parameterization (\(setting.origin)) ignored: it applies to joint NUTS, not the \(sampler) sampler\n")
            mode = nil
        }
        if mode == nil && groups == nil { return .automatic }
        guard sampler == "nuts" else {
            throw UsageError("option --\(groups != nil ? "centered" : "parameterization") applies to joint NUTS (--sampler nuts), not the \(sampler) sampler")
        }
        if let groups {
            guard mode == nil else { throw UsageError("options --centered and --parameterization: give one of them") }
            let names = groups.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw UsageError("option --centered: expected comma-separated grouping factors, got '\(groups)'")
            }
            let choice = ParameterisationChoice.centredGroups(names)
            do { _ = try choice.centredTerms(design: design, family: .gaussian) } catch {
                throw UsageError("option --centered: \(error)")
            }
            return choice
        }
        switch mode!.value {
        case "auto": return .automatic
        case "partial": return .automaticPartial
        case "centered", "centred": return .centred
        default: return .nonCentred       // the other values `ModelSpecification` accepts
        }
    }

    /// The sampler settings from the model file and flags, checked as brms/CmdStan check them.
    func samplerSettings(_ specification: ModelSpecification, _ arguments: ParsedArguments) throws -> SamplerSettings {
        var settings = SamplerSettings()
        settings.chains = specification.chains?.value ?? 4
        settings.iterations = specification.iterations?.value ?? 2000
        settings.warmup = specification.warmup?.value ?? settings.iterations / 2
        var generator = SystemRandomNumberGenerator()
        settings.seed = specification.seed?.value ?? UInt64.random(in: 1...UInt64(Int32.max), using: &generator)
        if let delta = specification.adaptDelta?.value { settings.adaptDelta = delta }
        if let depth = specification.maxTreedepth?.value { settings.maxTreeDepth = depth }
        if let radius = try arguments.double("init") { settings.initRadius = radius }
        settings.cores = try arguments.integer("cores")
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

/// `--plots DIR` must be a directory or not exist yet (it is created when the plots are written).
func checkPlotDirectory(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
        throw UsageError("option --plots: '\(path)' exists and is not a directory")
    }
}

/// `--predict DIR` must be a directory or not exist yet, and without `--force` must not hold the
/// files it would write (checked again, and the directory created, when they are written).
func checkPredictionDirectory(_ path: String, force: Bool) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else { throw UsageError("option --predict: '\(path)' exists and is not a directory") }
    let directory = URL(fileURLWithPath: path)
    for name in ["predictions.csv", "fitted.csv"] where !force {
        let file = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: file.path) {
            throw UsageError("option --predict: '\(file.path)' already exists; give --force to replace it")
        }
    }
}

/// The chains (0-based) that kept no draw: never started, or stopped before their first kept
/// iteration (during warm-up when warm-up draws are not saved).
func chainsWithoutDraws(_ summaries: [ChainSummary], settings: SamplerSettings) -> [Int] {
    let firstKept = settings.saveWarmup ? 0 : settings.warmup
    return summaries.filter { !$0.started || $0.completedIterations <= firstKept }.map(\.chain)
}

/// "3", "3–16" or "2, 5–7" for 0-based chain numbers, printed 1-based.
func chainList(_ chains: [Int]) -> String {
    var parts: [String] = []
    var index = 0
    while index < chains.count {
        var end = index
        while end + 1 < chains.count, chains[end + 1] == chains[end] + 1 { end += 1 }
        parts.append(end == index ? "\(chains[index] + 1)" : "\(chains[index] + 1)–\(chains[end] + 1)")
        index = end + 1
    }
    return parts.joined(separator: ", ")
}

/// Streams each chain to `DIR/chain-K.csv` through `CmdStanCSVWriter` (temporary name, flushed
/// rows, renamed when the chain ends — with a comment when it was interrupted).
final class CmdStanOutputSink: ConstrainedDrawSink, @unchecked Sendable {
    private let directory: OutputDirectory
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
    /// Per chain, the draw rows written.
    private var rowCounts: [Int]

    /// Identifies the run in every chain's comments (`run_id`), so `diagnose` can refuse chains of
    /// different runs.
    private let runID: String
    /// Whether `--force` clears every earlier chain file (a whole run) or only this run's chain.
    private let clearingAll: Bool

    init(directory: OutputDirectory, settings: SamplerSettings, modelName: String, dataFile: String, formula: String,
         family: String, engine: String = "nuts", runID: String, clearingAll: Bool) {
        self.engine = engine
        self.runID = runID
        self.clearingAll = clearingAll
        gibbsRows = Array(repeating: [], count: settings.chains)
        self.directory = directory
        self.settings = settings
        self.modelName = modelName
        self.dataFile = dataFile
        self.formula = formula
        self.family = family
        writers = Array(repeating: nil, count: settings.chains)
        rowCounts = Array(repeating: 0, count: settings.chains)
    }

    /// Called when the model, priors and settings have been accepted and sampling starts: creates
    /// the directory.
    func prepare(parameterNames names: [String]) throws {
        parameterNames = names
        try directory.create(chains: settings.firstChain..<(settings.firstChain + settings.chains), clearingAll: clearingAll)
    }

    func chainStarted(chain: Int) throws {}

    /// The chains (0-based) that have written at least one draw row.
    var chainsWithDraws: Set<Int> {
        Set(rowCounts.indices.filter { rowCounts[$0] > 0 }.map { $0 + settings.firstChain })
    }

    private func writer(for chain: Int) throws -> CmdStanCSVWriter {
        let index = chain - settings.firstChain
        if let writer = writers[index] { return writer }
        var run = CmdStanRunSettings(modelName: modelName, chain: chain, settings: settings, dataFile: dataFile,
                                     extra: [("formula", formula), ("family", family),
                                             ("vector_kernels", VectorKernels.selected.rawValue), ("run_id", runID)])
        run.engine = engine
        let writer = try CmdStanCSVWriter(url: directory.url.appendingPathComponent("chain-\(chain + 1).csv"),
                                          settings: run, parameterNames: parameterNames,
                                          samplerColumns: engine == "gibbs" ? ["lp__"] : CmdStanCSVWriter.nutsSamplerColumns)
        writers[index] = writer
        return writer
    }

    func draw(chain: Int, iteration: Int, isWarmup: Bool, row: UnsafeBufferPointer<Double>) throws {
        let index = chain - settings.firstChain
        rowCounts[index] += 1
        guard engine == "gibbs" else { return try writer(for: chain).append(row) }
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

    /// Closes the chain's file under its final name; a chain stopped before its first draw row
    /// (interrupted during warm-up) leaves no file, as a chain that never started leaves none.
    func chainFinished(chain: Int, summary: ChainSummary) throws {
        let index = chain - settings.firstChain
        if summary.stopped {
            guard rowCounts[index] > 0 else {
                if let writer = writers[index] {
                    try writer.finishInterrupted(reason: "interrupted before the first draw")
                    try? FileManager.default.removeItem(at: directory.url.appendingPathComponent("chain-\(chain + 1).csv"))
                }
                return
            }
            try writer(for: chain).finishInterrupted(reason: "interrupted after \(summary.completedIterations) of \(settings.iterations) iterations")
        } else {
            try writer(for: chain).finish(warmupSeconds: summary.warmupSeconds, samplingSeconds: summary.samplingSeconds)
        }
    }
}
