import Foundation
import Multilevel

/// `multilevel bootstrap`: Bootstrap a mixed-model fit: parametric, by group or by row.
struct BootstrapCommand: Command {
    let name = "bootstrap"
    let summary = "Bootstrap a mixed-model fit: parametric, by group or by row."
    let usage = "[MODEL] [options]"
    let discussion = """
    Fits the model by REML (or ML with --ml), then refits it to --replicates data sets made by \
    --type: parametric simulates new random effects and residuals from the fit (lme4's bootMer); \
    for the families lmer fits by the Laplace approximation (bernoulli, binomial, poisson, \
    negbinomial, the zero-inflated counts) it simulates new random effects and then responses from \
    the family, parametric only; \
    group resamples levels of the first grouping factor with replacement, whole; row resamples rows \
    with replacement, --fraction of them per replicate (intervals then describe estimates from that \
    many rows). Refits run in parallel, warm-started from the fit; the same --seed gives the same \
    output on any number of cores. Prints percentile, basic and normal intervals (95% or --level, as \
    R's boot.ci) and the bootstrap SE of every population-level parameter; failed refits are counted \
    and left out. --output DIR writes the replicates themselves (bootMer's t) to DIR/replicates.csv. \
    --bands adds pointwise percentile bands (--probs, default the --level interval and the median) of \
    the population-level fitted line at each distinct row of X and, for the parametric bootstrap, of \
    each level's line of the first grouping factor; with --output they go to DIR/bands_population.csv, \
    DIR/bands_groups.csv and the plots DIR/bands_population.svg, DIR/bands_groups.svg.
    """
    var options: [OptionSpec] { [
        .option("type", "KIND", "parametric (default), group or row."),
        .option("replicates", "N", "Number of bootstrap replicates (default 1000)."),
        .option("fraction", "X", "With --type row: the fraction of rows kept in each resample, in (0, 1] (default 1)."),
        .option("seed", "N", "Random seed (default: a random one, printed)."),
        .option("level", "X", "Level of the intervals, in (0, 1) (default 0.95)."),
        .option("output", "DIR", "Also write DIR/replicates.csv: one row per replicate, one column per parameter (bootMer's t)."),
        .flag("bands", "Also report percentile bands of the population-level and the groups' fitted lines."),
        .option("probs", "P,P", "With --bands: the probabilities of the bands (default (1 − level)/2, 0.5, (1 + level)/2)."),
        .flag("ml", "Refit by maximum likelihood instead of REML."),
        .flag("json", "Print one JSON object instead of the text summary."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let type = arguments.value("type") ?? "parametric"
        let fraction = try arguments.double("fraction")
        let scheme: BootstrapScheme
        switch type {
        case "parametric": scheme = .parametric
        case "group": scheme = .groups
        case "row": scheme = .rows(fraction: fraction ?? 1)
        default: throw UsageError("--type must be parametric, group or row, not '\(type)'")
        }
        if let fraction {
            guard type == "row" else { throw UsageError("--fraction applies to --type row only") }
            guard fraction > 0 && fraction <= 1 else { throw UsageError("--fraction must be in (0, 1], not \(fraction)") }
        }
        let replicates = try arguments.integer("replicates") ?? 1000
        guard replicates >= 2 else { throw UsageError("--replicates must be at least 2, not \(replicates)") }
        let level = try arguments.double("level") ?? 0.95
        guard level > 0 && level < 1 else { throw UsageError("--level must be in (0, 1), not \(level)") }
        let bands = arguments.has("bands")
        if arguments.value("probs") != nil && !bands { throw UsageError("--probs applies to --bands only") }
        let probabilities = try probabilitiesOption(arguments.value("probs"), defaults: [(1 - level) / 2, 0.5, (1 + level) / 2])
        let outputDirectory = try arguments.value("output").map { try prepareDirectory($0, option: "output") }

        let loaded = try loadModel(arguments, allowingWeights: true, command: "lmer")
        if loaded.family != "gaussian" {
            return try runLaplace(arguments, loaded: loaded, scheme: scheme, replicates: replicates, level: level,
                                  outputDirectory: outputDirectory)
        }
        let seed = loaded.specification.seed?.value ?? UInt64.random(in: 0...UInt64(UInt32.max))
        // lme4's prior weights: the model of the √w-scaled rows has the weighted fit's β, θ and σ, and
        // simulating or resampling its rows is simulating or resampling the weighted model's
        // (`PriorWeightedLinearMixedModel`); the bands would be on the scaled rows, so they are refused.
        var design = loaded.design
        if let setting = loaded.specification.weights {
            if bands { throw UsageError("--bands is not available with prior weights (\(setting.origin): weights: \(setting.value))") }
            design = try PriorWeightedLinearMixedModel(design: design, weights: priorWeightColumn(setting, loaded: loaded)).scaledDesign
        }
        let model = try LinearMixedModel(design: design)
        if !model.aliasedColumns.isEmpty {
            writeStandardError("multilevel: fixed-effect model matrix is rank deficient so dropping \(model.aliasedColumns.count) column(s) / coefficient(s): \(model.aliasedColumns.joined(separator: ", "))\n")
        }
        let fittedPerReplicate = bands && scheme == .parametric ? Double(model.design.rowCount) : 0
        try requireMemoryBudget(values: Double(replicates) * (Double(model.design.fixedEffectCount + model.equations.covarianceFactor.lowerBounds.count + 1)
                                                              + fittedPerReplicate),
                                for: "--replicates \(replicates)")
        let fit = try model.fit(method: arguments.has("ml") ? .ml : .reml, options: .init(conditionalVariances: false))
        for warning in fit.warnings { writeStandardError("multilevel: \(warning)\n") }
        let bar = standardErrorIsTerminal ? ReplicateProgressBar(total: replicates, label: "bootstrap") : nil
        let result = try MixedModelBootstrap(model: model, fit: fit).run(scheme: scheme, replicates: replicates, seed: seed,
                                                                        recordFittedValues: bands,
                                                                        progress: bar.map { bar in { bar.update($0) } })
        bar?.finish()
        try finishReplicates(result, outputDirectory: outputDirectory)
        let fittedBands = bands ? BootstrapFittedBands(result: result, design: model.design, fit: fit, probabilities: probabilities) : nil
        if let outputDirectory, let fittedBands {
            try writeBands(fittedBands, design: model.design, to: outputDirectory)
        }
        if arguments.has("json") {
            var json = BootstrapReport.json(result, formula: loaded.design.formulaText, level: level)
            if let fittedBands, case .object(var pairs) = json {
                pairs.append(("bands", BootstrapBandsReport.json(fittedBands, design: model.design)))
                json = .object(pairs)
            }
            writeStandardOutput(json.serialized() + "\n")
        } else {
            writeStandardOutput(BootstrapReport.text(result, formula: loaded.design.formulaText, level: level))
            if let fittedBands { writeStandardOutput(BootstrapBandsReport.text(fittedBands, design: model.design)) }
        }
        return 0
    }
}

/// DIR/bands_population.csv and .svg, and DIR/bands_groups.csv and .svg when there are group bands.
private func writeBands(_ bands: BootstrapFittedBands, design: ModelDesign, to directory: URL) throws {
    let plots = BootstrapBandsReport.plots(bands, design: design)
    var files = [("bands_population.csv", BootstrapBandsReport.csv(bands.population, bands: bands, design: design)),
                 ("bands_population.svg", plots.population)]
    if let factor = bands.groupingFactor, let groups = plots.groups {
        files += [("bands_groups.csv", BootstrapBandsReport.csv(bands.groups, bands: bands, design: design, groupingFactor: factor)),
                  ("bands_groups.svg", groups)]
    }
    for (name, text) in files {
        let url = directory.appendingPathComponent(name)
        do {
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw UsageError("option --output: cannot write '\(url.path)': \(error.localizedDescription)")
        }
    }
    writeStandardError("multilevel: bands written to \(files.map { directory.appendingPathComponent($0.0).path }.joined(separator: ", "))\n")
}

/// Every refit failed: there is no bootstrap distribution to report.
struct BootstrapFailedError: Error, CustomStringConvertible {
    let replicates: Int
    var description: String { "all \(replicates) bootstrap refits failed (see the reasons above)" }
}

/// A one-line progress bar on standard error (`bootstrap [#######.......]  48%  960/2000`), redrawn
/// in place when the percentage changes; called from worker threads, serialised by the caller.
final class ReplicateProgressBar: @unchecked Sendable {
    let total: Int
    let label: String
    private var shown = -1

    init(total: Int, label: String) {
        self.total = max(1, total)
        self.label = label
    }

    func update(_ done: Int) {
        let percent = 100 * done / total
        guard percent != shown else { return }
        shown = percent
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percentText = String(repeating: " ", count: 3 - String(percent).count) + String(percent)
        writeStandardError("\r\(label) [\(bar)] \(percentText)%  \(done)/\(total)")
    }

    func finish() {
        writeStandardError("\r" + String(repeating: " ", count: label.count + 50) + "\r")
    }
}

extension BootstrapCommand {
    /// After the replicates of either bootstrap engine: the failed refits on stderr, an error when
    /// every refit failed, and with `--output` the replicates as `DIR/replicates.csv` (bootMer's `t`).
    func finishReplicates(_ result: BootstrapResult, outputDirectory: URL?) throws {
        let replicates = result.replicateCount
        if result.failedCount > 0 {
            writeStandardError("multilevel: \(result.failedCount) of \(replicates) refits failed and are left out\n")
        }
        if result.failedCount == replicates { throw BootstrapFailedError(replicates: replicates) }
        guard let outputDirectory else { return }
        let url = outputDirectory.appendingPathComponent("replicates.csv")
        do {
            try BootstrapReport.replicatesCSV(result).write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw UsageError("option --output: cannot write '\(url.path)': \(error.localizedDescription)")
        }
        writeStandardError("multilevel: \(replicates) replicates written to \(url.path)\n")
    }
}
