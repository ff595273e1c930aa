import Foundation
import Multilevel

/// `multilevel predict FIT --newdata CSV`: predictions for new rows from a fit directory (or a
/// model file fitted first) — brms' `posterior_epred` / `posterior_linpred` / `posterior_predict`
/// for Bayesian fits, lme4's `predict` for lmer fits.
struct PredictCommand: Command {
    let name = "predict"
    let summary = "Predict new rows from a fit directory or a model file (brms posterior_epred/predict, lme4 predict)."
    let usage = "FIT --newdata CSV [options]"
    let discussion = """
    FIT is a fit directory written by 'fit --output DIR' or 'lmer --output DIR', or a model file,
    which is fitted first (by 'fit' unless --lmer). The new rows need every column the formula uses
    except the response. Prints one CSV row per new row: its columns, then for Bayesian fits the
    posterior mean (Estimate), standard deviation (Est.Error) and quantiles (Q2.5, Q97.5 by
    default) of brms' posterior_epred (--type epred, the default), posterior_linpred (linpred) or
    posterior_predict (prediction); for lmer fits lme4's predict (Estimate) with the delta-method
    standard error of the population part and --interval confidence limits, or with --interval
    bootstrap percentile limits from lme4's parametric bootstrap (bootMer: --replicates refits to
    data simulated from the fit, each predicting the new rows with its own fixed and group-level
    effects; Std.Error is then the replicates' standard deviation; --seed makes it reproducible).
    As in bootMer (use.u = FALSE) every replicate draws new group-level effects, so the band of a
    known level's prediction is centred near the population prediction and is as wide as the
    spread of the groups' lines, not a band about that level's own line.
    An ordinal (cumulative) fit's epred is, as brms' posterior_epred, the probability of each
    category: one line per new row and category k (column category; brms' fitted() calls it
    P(Y = k)), in --json a categories array per row, with --draws a column V<i>[<k>] per row and
    category.
    --re-formula NA predicts at the population level (brms' re_formula = NA, lme4's re.form = NA);
    '--re-formula "~ (1 | g)"' keeps only the group-level effects it names. A group level the fit
    has not seen needs --allow-new-levels: a Bayesian fit then gives it, draw by draw, the effects
    of an existing level chosen at random (--sample-new-levels uncertainty, brms' default) or
    effects drawn from N(0, Σ) (gaussian); an lmer fit gives it the population prediction (lme4).
    """
    var options: [OptionSpec] {
        [
            .option("newdata", "CSV", "The new rows (CSV with a header row)."),
            .option("type", "TYPE", "epred (default), linpred or prediction (Bayesian fits)."),
            .option("re-formula", "FORMULA", "NA for population-level predictions, or a formula such as '~ (1 | Subject)' keeping some group-level effects (default: all)."),
            .flag("allow-new-levels", "Allow group levels the fit has not seen."),
            .option("sample-new-levels", "HOW", "uncertainty (default) or gaussian: how a new level's effects are drawn (Bayesian fits)."),
            .option("probs", "P,P", "Quantiles to report (default 0.025,0.975)."),
            .flag("draws", "Print every draw instead of summaries: one CSV row per draw, one column per new row (Bayesian fits)."),
            .option("interval", "KIND", "lmer fits: none (default), confidence (delta method on the fixed effects) or bootstrap (parametric bootstrap percentiles, bootMer)."),
            .option("level", "X", "Confidence level of --interval (default 0.95)."),
            .option("replicates", "N", "With --interval bootstrap: the number of bootstrap replicates (default 1000)."),
            .option("seed", "N", "With --interval bootstrap: the bootstrap's seed (default: drawn at random and reported); when FIT is a model file fitted by 'fit': the sampler's seed."),
            .option("dpar", "NAME", "Distributional fits (bf()): the linear predictor (--type linpred) or value (--type epred) of the predicted parameter NAME, e.g. sigma (brms' dpar =)."),
            .option("prediction-seed", "N", "Seed of the random parts (--type prediction, new levels; default: the fit's seed)."),
            .flag("json", "Print one JSON object instead of CSV."),
        ] + FitInputOptions.specs.filter { $0.name != "seed" }
    }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard let newDataPath = arguments.value("newdata") else { throw UsageError("missing --newdata CSV") }
        let type = try parseEnum(arguments.value("type") ?? "epred", option: "type", PredictionType.self)
        let newLevels = try parseEnum(arguments.value("sample-new-levels") ?? "uncertainty", option: "sample-new-levels", NewLevelSampling.self)
        let groupTerms = try groupTermsOption(arguments.value("re-formula"))
        let probabilities = try probabilitiesOption(arguments.value("probs"))
        let interval = arguments.value("interval") ?? "none"
        guard ["none", "confidence", "bootstrap"].contains(interval) else {
            throw UsageError("option --interval: expected none, confidence or bootstrap, got '\(interval)'")
        }
        let level = try arguments.double("level") ?? 0.95
        guard level > 0, level < 1 else { throw UsageError("option --level: must be in (0, 1), got \(level)") }
        let bootstrap = interval == "bootstrap"
        if !bootstrap, arguments.value("replicates") != nil { throw UsageError("option --replicates applies to --interval bootstrap") }
        let replicates = try arguments.integer("replicates") ?? 1000
        guard replicates >= 2 else { throw UsageError("option --replicates: must be at least 2, got \(replicates)") }
        let bootstrapSeed = try bootstrap ? arguments.value("seed").map { text -> UInt64 in
            guard let seed = UInt64(text) else { throw UsageError("option --seed: expected a non-negative integer, got '\(text)'") }
            return seed
        } : nil
        if interval != "none", !arguments.has("lmer"), !(arguments.positional.first.map(FitDirectory.isFitDirectory) ?? false) {
            throw UsageError("option --interval applies to lmer fits: give --lmer to fit the model by REML, or an lmer fit directory")
        }
        let predictionSeed = try arguments.value("prediction-seed").map { text -> UInt64 in
            guard let seed = UInt64(text) else { throw UsageError("option --prediction-seed: expected a non-negative integer, got '\(text)'") }
            return seed
        }
        let newData = try DataTable.read(contentsOf: URL(fileURLWithPath: newDataPath))
        let fitted = try loadFittedModel(arguments, command: name, ownOptions: bootstrap ? ["seed"] : [])
        let allowNewLevels = arguments.has("allow-new-levels")
        let json = arguments.has("json")

        switch fitted.kind {
        case .frequentist:
            for option in ["type", "sample-new-levels", "probs", "prediction-seed", "dpar"] where arguments.value(option) != nil {
                throw UsageError("option --\(option) applies to Bayesian fits; this is an lmer fit")
            }
            if arguments.has("draws") { throw UsageError("option --draws applies to Bayesian fits; this is an lmer fit") }
            let percent = formatPercent((1 - level) / 2), upperPercent = formatPercent(1 - (1 - level) / 2)
            var columns: [(String, [Double])]
            if bootstrap {
                try requireMemoryBudget(values: Double(replicates) * Double(newData.rowCount + 8), for: "--replicates \(replicates)")
                let seed = bootstrapSeed ?? UInt64.random(in: 1...UInt64(UInt32.max))
                if bootstrapSeed == nil {
                    writeStandardError("multilevel: bootstrap seed = \(seed) (give --seed \(seed) to reproduce these limits)\n")
                }
                let bar = standardErrorIsTerminal ? ReplicateProgressBar(total: replicates, label: "bootstrap") : nil
                let prediction = try fitted.bootstrapPrediction(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels,
                                                                replicates: replicates, seed: seed,
                                                                probabilities: [(1 - level) / 2, 1 - (1 - level) / 2],
                                                                progress: bar.map { bar in { bar.update($0) } })
                bar?.finish()
                let failed = prediction.result.failedCount
                if failed == replicates { throw BootstrapFailedError(replicates: replicates) }
                if failed > 0 { writeStandardError("multilevel: \(failed) of \(replicates) refits failed and are left out\n") }
                columns = [("Estimate", prediction.estimates), ("Std.Error", prediction.standardErrors),
                           ("l-\(percent)", prediction.quantiles.map { $0[0] }), ("u-\(upperPercent)", prediction.quantiles.map { $0[1] })]
            } else {
                let prediction = try fitted.mixedModelPrediction(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels,
                                                                 level: level)
                columns = [("Estimate", prediction.estimates), ("Std.Error", prediction.standardErrors)]
                if interval == "confidence" {
                    columns += [("l-\(percent)", prediction.lower), ("u-\(upperPercent)", prediction.upper)]
                }
            }
            let kind = bootstrap ? "lme4 predict, bootMer parametric percentiles (\(replicates) replicates)" : "lme4 predict"
            writeStandardOutput(json ? predictionJSON(newData, columns: columns, kind: kind).serialized() + "\n"
                                     : predictionCSV(newData, columns: columns))
        case .bayesian:
            if interval != "none" { throw UsageError("option --interval applies to lmer fits; a Bayesian fit reports quantiles (--probs)") }
            let seed = predictionSeed ?? fitted.settings?.seed ?? 1
            let dpar = try arguments.value("dpar").map { name -> AuxiliaryParameter in
                guard let parameter = AuxiliaryParameter(rawValue: name) else {
                    throw UsageError("option --dpar: '\(name)' is not a distributional parameter (sigma, shape, phi, nu, …)")
                }
                return parameter
            }
            let prediction = try fitted.posteriorPrediction(newData, type: type, groupTerms: groupTerms,
                                                            allowNewLevels: allowNewLevels, newLevels: newLevels, seed: seed,
                                                            dpar: dpar)
            // brms' posterior_epred of an ordinal fit: P(Y = k) per category, one output row per
            // (new row, category).
            let categories = type == .epred ? prediction.categoryCount : 0
            if arguments.has("draws") {
                writeStandardOutput(categories > 0 ? categoryDrawsCSV(prediction) : drawsCSV(prediction))
                return 0
            }
            let summaries = categories > 0 ? prediction.categorySummaries(probabilities: probabilities)
                                           : prediction.summaries(probabilities: probabilities)
            var columns: [(String, [Double])] = [("Estimate", summaries.map(\.mean)), ("Est.Error", summaries.map(\.sd))]
            for (k, p) in probabilities.enumerated() { columns.append(("Q" + formatPercent(p).dropLast(), summaries.map { $0.quantiles[k] })) }
            let kind = "posterior_\(type.rawValue == "prediction" ? "predict" : type.rawValue)"
            writeStandardOutput(json ? predictionJSON(newData, columns: columns, kind: kind, categories: categories).serialized() + "\n"
                                     : predictionCSV(newData, columns: columns, categories: categories))
        }
        return 0
    }

    private func parseEnum<T: RawRepresentable & CaseIterable>(_ text: String, option: String, _: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw UsageError("option --\(option): expected \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    private func groupTermsOption(_ text: String?) throws -> NewDataDesign.GroupTerms {
        guard let text else { return .all }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if ["NA", "~0", "~ 0", "~1", "~ 1", "0"].contains(trimmed) { return .none }
        if ["NULL", "full"].contains(trimmed) { return .all }
        return .subset(trimmed)
    }

}

/// The probabilities of a `--probs P,P,…` option (`defaults` when absent).
func probabilitiesOption(_ text: String?, defaults: [Double] = [0.025, 0.975]) throws -> [Double] {
    guard let text else { return defaults }
    let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= 1 }) else {
        throw UsageError("option --probs: expected comma-separated probabilities in [0, 1], got '\(text)'")
    }
    return values.map { $0! }
}

/// `2.5%`, `97.5%`, `50%` for a probability (R's `paste0(100 * p, "%")`).
func formatPercent(_ p: Double) -> String {
    RCollation.label(of: (p * 100 * 1e10).rounded() / 1e10) + "%"
}

/// The new rows' columns followed by `columns`, as CSV (numbers in their shortest exact form).
/// With `categories` K > 0 (an ordinal fit's per-category epred) each new row gives K lines, the
/// new row's columns, `category` = k and the values of P(Y = k) (`columns` row-major by row, then
/// category).
func predictionCSV(_ newData: DataTable, columns: [(String, [Double])], categories: Int = 0) -> String {
    let names = newData.columnNames + (categories > 0 ? ["category"] : []) + columns.map(\.0)
    var text = names.map(csvField).joined(separator: ",") + "\n"
    for row in 0..<newData.rowCount {
        let fields: [String] = zip(newData.columnNames, newData.columns).map { _, column in
            switch column {
            case .numeric(let values): return values[row].isNaN ? "NA" : formatNumber(values[row])
            case .factor(let levels, let codes): return codes[row] < 0 ? "NA" : csvField(levels[Int(codes[row])])
            }
        }
        if categories > 0 {
            for k in 0..<categories {
                let values = columns.map { formatNumber($0.1[row * categories + k]) }
                text += (fields + [String(k + 1)] + values).joined(separator: ",") + "\n"
            }
        } else {
            text += (fields + columns.map { formatNumber($0.1[row]) }).joined(separator: ",") + "\n"
        }
    }
    return text
}

/// One JSON object: what was predicted and, per new row, its columns and the predicted values.
/// With `categories` K > 0 (an ordinal fit's per-category epred) each row holds `categories`: K
/// objects with `category` = k and the values of P(Y = k).
func predictionJSON(_ newData: DataTable, columns: [(String, [Double])], kind: String, categories: Int = 0) -> JSONValue {
    let rows: [JSONValue] = (0..<newData.rowCount).map { row in
        var pairs: [(String, JSONValue)] = zip(newData.columnNames, newData.columns).map { name, column in
            switch column {
            case .numeric(let values): return (name, .optionalNumber(values[row].isNaN ? nil : values[row]))
            case .factor(let levels, let codes): return (name, codes[row] < 0 ? .null : .string(levels[Int(codes[row])]))
            }
        }
        if categories > 0 {
            pairs.append(("categories", .array((0..<categories).map { k in
                .object([("category", .integer(k + 1))] + columns.map { ($0.0, .number($0.1[row * categories + k])) })
            })))
        } else {
            pairs += columns.map { ($0.0, .number($0.1[row])) }
        }
        return .object(pairs)
    }
    return .object([("prediction", .string(kind)), ("rows", .array(rows))])
}

/// Every draw: a header naming each new row by its line in the new-data file, then one row per draw.
func drawsCSV(_ prediction: PosteriorPrediction) -> String {
    var columns: [[Double]] = []
    var buffer: [Double] = []
    for i in 0..<prediction.rowCount {
        prediction.values(row: i, into: &buffer)
        columns.append(buffer)
    }
    var text = (0..<prediction.rowCount).map { "V\($0 + 1)" }.joined(separator: ",") + "\n"
    for s in 0..<prediction.drawCount {
        text += columns.map { formatNumber($0[s]) }.joined(separator: ",") + "\n"
    }
    return text
}

/// Every draw of an ordinal fit's per-category epred: a header naming column `V<i>[<k>]` for
/// P(Y = k) of new row i (R's draws × rows × categories array of `posterior_epred`, flattened row
/// by row), then one row per draw.
func categoryDrawsCSV(_ prediction: PosteriorPrediction) -> String {
    let categories = prediction.categoryCount, draws = prediction.drawCount
    var rows: [[Double]] = []
    var buffer: [Double] = []
    for i in 0..<prediction.rowCount {
        prediction.categoryProbabilities(row: i, into: &buffer)
        rows.append(buffer)
    }
    var text = (0..<prediction.rowCount).flatMap { i in (1...categories).map { "V\(i + 1)[\($0)]" } }
        .joined(separator: ",") + "\n"
    var fields: [String] = []
    fields.reserveCapacity(prediction.rowCount * categories)
    for s in 0..<draws {
        fields.removeAll(keepingCapacity: true)
        for row in rows { for k in 0..<categories { fields.append(formatNumber(row[k * draws + s])) } }
        text += fields.joined(separator: ",") + "\n"
    }
    return text
}

private func csvField(_ value: String) -> String {
    value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
}
