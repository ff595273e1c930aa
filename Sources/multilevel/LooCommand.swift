import Foundation
import Multilevel

/// `multilevel loo`: PSIS-LOO (with exact refits where Pareto k is high) and WAIC of one or more
/// Bayesian fits, and for two or more loo_compare's table and the model weights.
struct LooCommand: Command {
    let name = "loo"
    let summary = "Leave-one-out cross-validation (PSIS-LOO, exact refits, WAIC) and model comparison."
    let usage = "FIT [FIT ...] [options]"
    let discussion = """
    Each FIT is a fit directory (written by 'fit --output DIR') or a model file, which is fitted \
    first as 'fit' would fit it (the model and sampler options apply to model files only). Computes PSIS-LOO as the loo package 2.5 does (Vehtari, \
    Gelman & Gabry 2017; Pareto smoothing as Vehtari et al. 2024; relative efficiency of each \
    observation's likelihood draws from the chains, as relative_eff): elpd_loo, p_loo and looic \
    with standard errors, the Monte Carlo SE of elpd_loo, the Pareto k table, and WAIC. \
    Observations with k > 0.7 are refitted exactly without them (brms' reloo), several at once, \
    when there are at most --reloo of them (default 20; --reloo 0 turns refits off); the table \
    counts them as refitted. With two or more models: loo_compare's table (elpd_diff, se_diff, \
    best first) and loo_model_weights (stacking, Yao et al. 2018, and pseudo-BMA+ with the \
    Bayesian bootstrap). The log-likelihood is evaluated in blocks of rows, never as a whole n × S \
    matrix. Refits of a fit directory use the model, priors, sampler and settings stored there \
    (data.csv, fit.json; --seed replaces the stored seed). Fits of different rows are refused.
    """
    var options: [OptionSpec] { [
        .option("reloo", "N", "Refit exactly the observations with Pareto k > 0.7 when there are at most N of them (default 20; 0: never)."),
        .option("seed", "N", "Random seed of the sampler (model files: default the file's, else a random one, printed; fit directories: default the stored one)."),
    ] + crossValidationSamplingOptions }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let relooLimit = try arguments.integer("reloo") ?? 20
        guard relooLimit >= 0 else { throw UsageError("option --reloo: must be at least 0, got \(relooLimit)") }
        let models = try crossValidatedModels(arguments, command: name)
        try checkSameRows(models)
        var results: [(model: CrossValidatedModel, loo: PSISLeaveOneOut, waic: WAIC, skipped: Int)] = []
        for model in models {
            let criteria = try LeaveOneOutCriteria(try model.logLikelihoodBlocks())
            var loo = criteria.leaveOneOut
            let high = ExactLeaveOneOut.candidates(loo)
            var skipped = 0
            if !high.isEmpty, high.count <= relooLimit {
                writeStandardError("multilevel: \(model.name): refitting \(high.count) observation\(high.count == 1 ? "" : "s") with Pareto k > 0.7 exactly\n")
                loo = try ExactLeaveOneOut.apply(to: loo, rows: high, seed: model.seed, score: model.heldOutScoring)
            } else if !high.isEmpty {
                skipped = high.count
                writeStandardError("multilevel: \(model.name): \(high.count) observations with Pareto k > 0.7, more than --reloo \(relooLimit): not refitted; consider 'multilevel kfold'\n")
            }
            results.append((model, loo, criteria.waic, skipped))
        }
        let comparison = results.count > 1
            ? try LooComparison(names: results.map(\.model.name), pointwiseElpd: results.map(\.loo.pointwiseElpd)) : nil
        let lpd = results.map(\.loo.pointwiseElpd)
        let stacking = results.count > 1 ? ModelWeights.stacking(pointwiseElpd: lpd) : []
        let pseudo = results.count > 1 ? ModelWeights.pseudoBMAPlus(pointwiseElpd: lpd, seed: results[0].model.seed) : []

        if arguments.has("json") {
            var object: [(String, JSONValue)] = [("models", .array(results.map { entry in
                .object([("model", .string(entry.model.name)), ("formula", .string(entry.model.design.formulaText)),
                         ("family", .string(entry.model.family.name)), ("draws", .integer(entry.loo.draws)),
                         ("observations", .integer(entry.loo.observations)),
                         ("elpd_loo", estimateJSON(entry.loo.elpd)), ("p_loo", estimateJSON(entry.loo.effectiveParameters)),
                         ("looic", estimateJSON(entry.loo.looic)), ("mcse_elpd_loo", .number(entry.loo.monteCarloError)),
                         ("pareto_k_counts", .object([("good", .integer(entry.loo.paretoKCounts.good)),
                                                      ("ok", .integer(entry.loo.paretoKCounts.ok)),
                                                      ("bad", .integer(entry.loo.paretoKCounts.bad)),
                                                      ("very_bad", .integer(entry.loo.paretoKCounts.veryBad))])),
                         ("refitted", .array(entry.loo.exactlyRefitted.map { .integer($0 + 1) })),
                         ("elpd_waic", estimateJSON(entry.waic.elpd)), ("p_waic", estimateJSON(entry.waic.effectiveParameters)),
                         ("waic", estimateJSON(entry.waic.waic)),
                         ("pointwise", .object([("elpd_loo", .array(entry.loo.pointwiseElpd.map { .number($0) })),
                                                ("p_loo", .array(entry.loo.pointwiseEffectiveParameters.map { .number($0) })),
                                                ("pareto_k", .array(entry.loo.paretoK.map { .number($0) })),
                                                ("mcse_elpd_loo", .array(entry.loo.pointwiseMonteCarloError.map { .number($0) }))]))])
            }))]
            if let comparison {
                object.append(("loo_compare", comparisonJSON(comparison)))
                object.append(("weights", .array(results.indices.map { k in
                    .object([("model", .string(results[k].model.name)), ("stacking", .number(stacking[k])),
                             ("pseudobma_plus", .number(pseudo[k]))])
                })))
            }
            writeStandardOutput(JSONValue.object(object).serialized() + "\n")
        } else {
            var text = ""
            for entry in results {
                if results.count > 1 { text += "Model \(entry.model.name): \(entry.model.design.formulaText)\n" }
                text += leaveOneOutText(entry.loo, waic: entry.waic, skipped: entry.skipped)
                text += "\n"
            }
            if let comparison {
                text += "Model comparison (loo_compare):\n" + comparisonTable(comparison) + "\n"
                let width = max(6, results.map(\.model.name.count).max() ?? 0)
                text += "Model weights (loo_model_weights):\n" + String(repeating: " ", count: width) + "  stacking pseudo-BMA+\n"
                for k in results.indices {
                    text += results[k].model.name.padding(toLength: width, withPad: " ", startingAt: 0)
                        + String(format: "  %8.3f %11.3f\n", stacking[k], pseudo[k])
                }
            }
            writeStandardOutput(text)
        }
        for entry in results where !entry.model.seedGiven {
            writeStandardError("multilevel: \(entry.model.name): seed = \(entry.model.seed) (give --seed \(entry.model.seed) to reproduce)\n")
        }
        return 0
    }

    /// loo's print: the estimates, the Monte Carlo SE, the Pareto k table; then WAIC.
    private func leaveOneOutText(_ loo: PSISLeaveOneOut, waic: WAIC, skipped: Int) -> String {
        var text = "Computed from \(loo.draws) by \(loo.observations) log-likelihood matrix\n\n"
        text += estimateTable([("elpd_loo", loo.elpd), ("p_loo", loo.effectiveParameters), ("looic", loo.looic)])
        text += "------\n"
        text += String(format: "Monte Carlo SE of elpd_loo is %.1f.\n\n", loo.monteCarloError)
        let counts = loo.paretoKCounts
        let n = Double(loo.observations)
        func line(_ label: String, _ count: Int) -> String {
            label + String(format: " %5d %6.1f%%\n", count, 100 * Double(count) / n)
        }
        text += "Pareto k diagnostic values:\n"
        text += "                              Count   Pct.\n"
        text += line("(-Inf, 0.5]   (good)        ", counts.good)
        text += line(" (0.5, 0.7]   (ok)          ", counts.ok)
        text += line("   (0.7, 1]   (bad)         ", counts.bad)
        text += line("   (1, Inf)   (very bad)    ", counts.veryBad)
        if !loo.exactlyRefitted.isEmpty {
            text += line("refitted exactly (k > 0.7)  ", loo.exactlyRefitted.count)
        }
        if counts.bad + counts.veryBad == 0 {
            text += loo.exactlyRefitted.isEmpty ? "All Pareto k estimates are ok (k < 0.7).\n"
                : "All other Pareto k estimates are ok (k < 0.7).\n"
        } else if skipped > 0 {
            text += "\(skipped) Pareto k estimates above 0.7: elpd_loo is unreliable for them (raise --reloo or use kfold).\n"
        }
        text += "\n" + estimateTable([("elpd_waic", waic.elpd), ("p_waic", waic.effectiveParameters), ("waic", waic.waic)])
        if waic.largeEffectiveParameterCount > 0 {
            text += "\(waic.largeEffectiveParameterCount) of \(loo.observations) p_waic estimates exceed 0.4; WAIC is unreliable, use LOO.\n"
        }
        return text
    }
}
