import Foundation
import Multilevel

/// `multilevel kfold`: K-fold cross-validation by refitting (brms' `kfold`), random, grouped
/// (whole groups held out, predicted as new levels; leave-one-group-out when K is the number of
/// groups) or stratified folds, run in parallel or as separate `--fold` jobs merged afterwards.
struct KFoldCommand: Command {
    let name = "kfold"
    let summary = "K-fold cross-validation by refitting (random, grouped or stratified folds)."
    let usage = "FIT [FIT ...] [options]"
    let discussion = """
    Each FIT is a fit directory (written by 'fit --output DIR') or a model file, which is fitted \
    first as 'fit' would fit it (the model and sampler options apply to model files only); a fit directory's \
    refits use the model, priors, sampler and settings stored there. Refits each model K times, each time without one fold of rows, and scores the held-out rows by \
    the refit (brms' kfold): elpd_kfold with its SE, p_kfold (against the full-data fit) and \
    kfoldic; with two or more models, loo_compare's table. --group G holds out whole levels of G \
    (brms' folds = "grouped"; a held-out level is predicted as a new level, each draw borrowing the \
    effects of a random fitted level, as sample_new_levels = "uncertainty"); K equal to the number \
    of levels is leave-one-group-out. --stratify Y balances the levels of column Y across folds. \
    Folds run on the cores at once. On a cluster, run each fold as a job with --fold J (the same \
    --k, --group/--stratify and --seed), writing its held-out scores to standard output, and \
    combine the files with --merge FILE...; the merged result equals a single run's.
    """
    var options: [OptionSpec] { [
        .option("k", "K", "Number of folds (default 10)."),
        .option("group", "G", "Hold out whole levels of grouping factor G (grouped folds; K up to its number of levels)."),
        .option("stratify", "Y", "Stratify the folds by the values of column Y."),
        .option("fold", "J", "Run only fold J and print its held-out scores (CSV) for --merge."),
        .option("merge", "FILE", "Combine fold files written by --fold runs (repeatable).", repeatable: true),
        .option("seed", "N", "Random seed of the folds and the sampler (model files: default the file's, else a random one, printed; fit directories: default the stored one)."),
    ] + crossValidationSamplingOptions }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let k = try arguments.integer("k") ?? 10
        guard k >= 2 else { throw UsageError("option --k: needs at least 2 folds, got \(k)") }
        if arguments.value("group") != nil, arguments.value("stratify") != nil {
            throw UsageError("options --group and --stratify: give one of them")
        }
        let onlyFold = try arguments.integer("fold")
        if let onlyFold, !(1...k).contains(onlyFold) { throw UsageError("option --fold: must be in 1...\(k), got \(onlyFold)") }
        let mergeFiles = arguments.values("merge")
        if onlyFold != nil, !mergeFiles.isEmpty { throw UsageError("options --fold and --merge: give one of them") }
        if onlyFold != nil || !mergeFiles.isEmpty, arguments.positional.count > 1 {
            throw UsageError("--fold and --merge take one FIT")
        }
        if onlyFold != nil || !mergeFiles.isEmpty, arguments.value("seed") == nil,
           let path = arguments.positional.first, !FitDirectory.isFitDirectory(path) {
            throw UsageError("--fold and --merge need --seed with a model file (every job must make the same folds)")
        }
        // A --fold job scores its fold with a refit: the full-data fit is not needed.
        let models = try crossValidatedModels(arguments, command: name, fitFullData: onlyFold == nil)
        try checkSameRows(models)
        let design = models[0].design
        let folds = try foldAssignment(models[0], k: k, arguments: arguments)
        let description = foldDescription(models[0], k: k, arguments: arguments)

        if let onlyFold {
            let model = models[0]
            let result = try KFold.runFold(onlyFold, folds: folds, seed: model.seed, score: model.heldOutScoring)
            var text = "# multilevel kfold fold \(onlyFold) of \(k); \(description); model \(model.name); rows \(design.rowCount); seed \(model.seed)\n"
            text += "row,fold,elpd\n"
            for (row, value) in zip(result.rows, result.elpd) { text += "\(row + 1),\(onlyFold),\(value)\n" }
            writeStandardOutput(text)
            return 0
        }

        var results: [(model: CrossValidatedModel, kfold: KFold)] = []
        for model in models {
            let full = try fullFitLpd(model)
            let kfold: KFold
            if mergeFiles.isEmpty {
                kfold = try KFold.run(folds: folds, seed: model.seed, fullFitLpd: full, score: model.heldOutScoring)
            } else {
                kfold = try KFold(combining: try mergeFiles.map { try readFoldFile($0, folds: folds) }, folds: folds, fullFitLpd: full)
            }
            results.append((model, kfold))
        }
        let comparison = results.count > 1
            ? try LooComparison(names: results.map(\.model.name), pointwiseElpd: results.map(\.kfold.pointwiseElpd)) : nil
        if arguments.has("json") {
            var object: [(String, JSONValue)] = [("k", .integer(k)), ("folds", .string(description)),
                                                 ("fold_of_row", .array(folds.map { .integer($0) })),
                                                 ("models", .array(results.map { entry in
                .object([("model", .string(entry.model.name)), ("formula", .string(entry.model.design.formulaText)),
                         ("elpd_kfold", estimateJSON(entry.kfold.elpd)),
                         ("p_kfold", entry.kfold.effectiveParameters.map(estimateJSON) ?? .null),
                         ("kfoldic", estimateJSON(entry.kfold.kfoldic)),
                         ("new_level_rows", .integer(entry.kfold.newLevelRows)),
                         ("pointwise_elpd_kfold", .array(entry.kfold.pointwiseElpd.map { .number($0) }))])
            }))]
            if let comparison { object.append(("loo_compare", comparisonJSON(comparison))) }
            writeStandardOutput(JSONValue.object(object).serialized() + "\n")
        } else {
            var text = "Based on \(k)-fold cross-validation (\(description))\n\n"
            for entry in results {
                if results.count > 1 { text += "Model \(entry.model.name): \(entry.model.design.formulaText)\n" }
                var rows = [("elpd_kfold", entry.kfold.elpd)]
                if let p = entry.kfold.effectiveParameters { rows.append(("p_kfold", p)) }
                rows.append(("kfoldic", entry.kfold.kfoldic))
                text += estimateTable(rows)
                if entry.kfold.newLevelRows > 0 {
                    text += "\(entry.kfold.newLevelRows) held-out rows predicted as new levels.\n"
                }
                text += "\n"
            }
            if let comparison { text += "Model comparison (loo_compare):\n" + comparisonTable(comparison) }
            writeStandardOutput(text)
        }
        for entry in results where !entry.model.seedGiven {
            writeStandardError("multilevel: \(entry.model.name): seed = \(entry.model.seed) (give --seed \(entry.model.seed) to reproduce)\n")
        }
        return 0
    }

    /// The pointwise lpdᵢ = log((1/S) Σₛ p(yᵢ | θˢ)) of the full-data fit (for p_kfold).
    private func fullFitLpd(_ model: CrossValidatedModel) throws -> [Double] {
        let ll = try model.logLikelihoodBlocks()
        var lpd = [Double](repeating: 0, count: ll.observationCount)
        let step = ll.blockRows(targetValues: 4_000_000)
        var buffer = [Double](repeating: 0, count: step * ll.drawCount)
        for start in stride(from: 0, to: ll.observationCount, by: step) {
            let rows = start..<min(ll.observationCount, start + step)
            buffer.withUnsafeMutableBufferPointer { values in
                ll.block(rows: rows, into: values)
                for (j, i) in rows.enumerated() {
                    lpd[i] = logSumExp(UnsafeBufferPointer(rebasing: values[(j * ll.drawCount)..<((j + 1) * ll.drawCount)]))
                        - log(Double(ll.drawCount))
                }
            }
        }
        return lpd
    }

    /// The fold of every row: grouped by a grouping factor, stratified by a column, or random.
    private func foldAssignment(_ model: CrossValidatedModel, k: Int, arguments: ParsedArguments) throws -> [Int] {
        let design = model.design
        if let group = arguments.value("group") {
            guard let term = design.randomTerms.first(where: { $0.grouping.name == group }) else {
                let names = Array(Set(design.randomTerms.map(\.grouping.name))).sorted()
                throw UsageError("option --group: '\(group)' is not a grouping factor of the model (grouping factors: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
            guard k <= term.grouping.levelCount else {
                throw UsageError("option --k: \(k) folds but '\(group)' has only \(term.grouping.levelCount) levels")
            }
            return FoldSplit.grouped(levelIndex: term.grouping.levelIndex, levelCount: term.grouping.levelCount,
                                     folds: k, seed: model.seed)
        }
        guard k <= design.rowCount else { throw UsageError("option --k: \(k) folds but only \(design.rowCount) rows") }
        if let column = arguments.value("stratify") {
            return FoldSplit.stratified(strata: try strata(of: column, model), folds: k, seed: model.seed)
        }
        return FoldSplit.random(observations: design.rowCount, folds: k, seed: model.seed)
    }

    /// The used rows' values of `column` as stratum codes.
    private func strata(of column: String, _ model: CrossValidatedModel) throws -> [Int] {
        let design = model.design
        if column == design.responseName { return codes(design.response.map { "\($0)" }) }
        guard let values = model.table.column(named: column) else {
            throw UsageError("option --stratify: unknown column '\(column)'" + nearestColumnsHint(for: column, columns: model.table.columnNames))
        }
        var rowOfLine: [Int: Int] = [:]
        for (row, line) in model.table.sourceLines.enumerated() { rowOfLine[line] = row }
        let labels: [String]
        switch values {
        case .numeric(let numbers): labels = numbers.map { "\($0)" }
        case .factor(let levels, let codes): labels = codes.map { $0 >= 0 ? levels[Int($0)] : "NA" }
        }
        return codes(design.sourceLines.map { rowOfLine[$0].map { labels[$0] } ?? "NA" })
    }

    private func codes(_ labels: [String]) -> [Int] {
        let levels = Array(Set(labels)).sorted()
        let index = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return labels.map { index[$0]! }
    }

    private func foldDescription(_ model: CrossValidatedModel, k: Int, arguments: ParsedArguments) -> String {
        if let group = arguments.value("group") {
            let levels = model.design.randomTerms.first { $0.grouping.name == group }?.grouping.levelCount ?? 0
            return levels == k ? "leave-one-group-out by \(group), \(levels) levels" : "grouped by \(group), \(levels) levels"
        }
        if let column = arguments.value("stratify") { return "stratified by \(column)" }
        return "random folds"
    }

    /// Reads a `--fold` job's CSV and checks its rows against this run's folds.
    private func readFoldFile(_ path: String, folds: [Int]) throws -> KFoldFold {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw UsageError("option --merge: cannot read '\(path)': \(error.localizedDescription)")
        }
        var rows: [Int] = [], values: [Double] = [], fold: Int?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty || line.hasPrefix("#") || line == "row,fold,elpd" { continue }
            let fields = line.split(separator: ",")
            guard fields.count == 3, let row = Int(fields[0]), let f = Int(fields[1]), let value = Double(fields[2]),
                  row >= 1, row <= folds.count else {
                throw ComparisonError("\(path) line \(number + 1): expected 'row,fold,elpd', got '\(line)'")
            }
            guard folds[row - 1] == f, fold == nil || fold == f else {
                throw ComparisonError("\(path) line \(number + 1): row \(row) is not in fold \(f) of this run (same --k, --group/--stratify and --seed?)")
            }
            fold = f
            rows.append(row - 1)
            values.append(value)
        }
        guard let fold else { throw ComparisonError("\(path): no rows") }
        return KFoldFold(fold: fold, rows: rows, elpd: values, newLevelRows: 0)
    }
}
