import Foundation
import Multilevel

/// `multilevel describe`: Print the parsed model: response, family, rows used, fixed-effect columns, random terms.
struct DescribeCommand: Command {
    let name = "describe"
    let summary = "Print the parsed model: response, family, rows used, fixed-effect columns, random terms."
    let usage = "MODEL [options]"
    let discussion = """
    Reads the model file (or --formula and --data), the CSV, and builds the design without fitting:
    the response, the family, how many rows are used and how many were dropped for missing values,
    the fixed-effect columns (as R's model.matrix names them) and, for each random term, its
    grouping factor, number of levels and observations per level (min / median / max).
    --matrices DIR also writes X and Z as CSV (Z's columns named r_group[level,column], in lme4's
    order; sparse triplets when Z has more than 1,000,000 cells).
    """
    var options: [OptionSpec] { ModelOptions.specs + [
        .flag("json", "Print one JSON object instead of the text description."),
        .option("matrices", "DIR", "Write the model matrices: DIR/X.csv, and DIR/Z.csv (dense, up to 1,000,000 cells) or "
                + "DIR/Z_triplets.csv with DIR/Z_columns.csv (sparse, beyond)."),
    ] }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let model = try loadModel(arguments, allowingOffset: true, allowingAdditions: true, allowingWeights: true,
                                  allowingMonotonic: true, allowingDistributional: true)
        if let path = arguments.value("matrices") {
            let directory = try prepareDirectory(path, option: "matrices")
            let files = [("X.csv", DesignMatricesCSV.fixedEffects(model.design))] + DesignMatricesCSV.randomEffects(model.design)
            for (file, csv) in files {
                let url = directory.appendingPathComponent(file)
                do {
                    try csv.write(to: url, atomically: true, encoding: .utf8)
                } catch {
                    throw UsageError("option --matrices: cannot write '\(url.path)': \(error.localizedDescription)")
                }
            }
            writeStandardError("multilevel: model matrices written to \(directory.path): \(files.map(\.0).joined(separator: ", "))\n")
        }
        let description = ModelDescription(model)
        var text = description.text
        for part in model.distributional?.parameters ?? [] {
            // brms' bf(): the mean's design is described above; each dpar's formula and link here.
            let link = AuxiliaryParameter(rawValue: part.name)?.distributionalLinkName ?? "?"
            text += "Distributional parameter: \(part.text) (\(link) link); 'fit' samples the model by joint NUTS, non-centered (the marginal and Gibbs samplers assume a constant \(part.name))\n"
        }
        writeStandardOutput(arguments.has("json") ? description.json.serialized() + "\n" : text)
        return 0
    }
}

/// What `describe` reports about a loaded model, as text or JSON.
struct ModelDescription {
    /// One random term: grouping factor and observations per level.
    struct Term {
        let text: String
        let group: String
        let levels: Int
        let columns: [String]
        let minimum: Int
        let median: Double
        let maximum: Int
    }

    let model: LoadedModel
    let terms: [Term]

    init(_ model: LoadedModel) {
        self.model = model
        terms = model.design.randomTerms.map { term in
            var counts = [Int](repeating: 0, count: term.grouping.levelCount)
            for level in term.grouping.levelIndex { counts[level] += 1 }
            counts.sort()
            let middle = counts.count / 2
            let median = counts.isEmpty ? 0 : (counts.count % 2 == 1 ? Double(counts[middle])
                                                : Double(counts[middle - 1] + counts[middle]) / 2)
            return Term(text: term.text, group: term.grouping.name, levels: term.grouping.levelCount,
                        columns: term.columnNames, minimum: counts.first ?? 0, median: median, maximum: counts.last ?? 0)
        }
    }

    private var responseKind: String {
        let design = model.design
        if let levels = design.responseLevels { return "factor: \(levels[0]) = 0, \(levels[1]) = 1" }
        if let levels = design.orderedResponseLevels {
            return "ordered: " + levels.enumerated().map { "\($1) = \($0 + 1)" }.joined(separator: " < ")
        }
        if design.trials != nil { return "successes, with binomial trials" }
        return "numeric"
    }

    var text: String {
        let design = model.design
        var text = ""
        if let url = model.modelFileURL { text += "Model:        \(url.relativePath)\n" }
        text += "Formula:      \(design.formulaText)\n"
        text += "Family:       \(model.family)\n"
        text += "Data:         \(model.table.fileName) (\(model.table.rowCount) rows, \(model.table.columnNames.count) columns)\n"
        text += "Observations: \(design.rowCount) used, \(design.droppedRowCount) dropped"
        if !design.missingValueColumns.isEmpty { text += " (missing values in \(design.missingValueColumns.joined(separator: ", ")))" }
        text += "\nResponse:     \(design.responseName) (\(responseKind))\n"

        text += "\nFixed effects (\(design.fixedEffectCount) column\(design.fixedEffectCount == 1 ? "" : "s")):\n"
        for name in design.fixedEffectNames { text += "  \(name)\n" }
        if !design.droppedFixedEffectNames.isEmpty {
            text += "  dropped as aliased: \(design.droppedFixedEffectNames.joined(separator: ", "))\n"
        }
        let codings = design.recipe?.termCodings ?? []
        if !codings.isEmpty {
            text += "\nTerm coding:\n"
            let width = codings.map(\.label.count).max() ?? 0
            for (label, coding) in codings { text += "  \(label.padding(toLength: width, withPad: " ", startingAt: 0))  \(coding)\n" }
        }

        for (m, effect) in design.monotonic.enumerated() {
            if m == 0 { text += "\nMonotonic effects (brms' mo(), Bürkner & Charpentier 2020):\n" }
            let last = effect.minimum + Double(effect.categoryCount)
            text += "  \(effect.text): \(effect.categoryCount + 1) categories (\(effect.variable) = \(RCollation.label(of: effect.minimum))…\(RCollation.label(of: last)))\(effect.covariates.isEmpty ? "" : " times " + effect.covariates.joined(separator: " · ")); parameters \(effect.coefficientName), \(effect.simplexName)[1..\(effect.categoryCount)]\n"
            for term in design.randomTerms where term.monotonic.contains(m) {
                // (mo(x) | g): brms' (bsp + r_g) · mo(simo, x), the same simplex.
                let group = term.grouping.name, name = "mo" + brmsName(ofColumn: effect.variable)
                text += "    varied by group in \(term.text): (\(effect.coefficientName) + r_\(group)[level,\(name)]) · mo(\(effect.simplexName), \(effect.variable)); sd_\(group)__\(name)\n"
            }
        }

        text += "\nRandom effects (\(terms.count) term\(terms.count == 1 ? "" : "s")):\n"
        guard !terms.isEmpty else { return text + "  none\n" }
        var rows: [[String]] = [["term", "group", "levels", "obs/level min", "median", "max", "columns"]]
        for t in terms {
            let median = t.median == t.median.rounded() ? String(Int(t.median)) : String(t.median)
            rows.append([t.text, t.group, String(t.levels), String(t.minimum), median, String(t.maximum),
                         t.columns.joined(separator: ", ")])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { c, cell in
                c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
            }
            text += "  " + cells.joined(separator: "  ") + "\n"
        }
        return text
    }

    var json: JSONValue {
        let design = model.design
        return .object([
            ("model", model.modelFileURL.map { .string($0.relativePath) } ?? .null),
            ("formula", .string(design.formulaText)),
            ("family", .string(model.family)),
            ("data", .string(model.table.fileName)),
            ("rows", .integer(model.table.rowCount)),
            ("nobs", .integer(design.rowCount)),
            ("dropped_rows", .integer(design.droppedRowCount)),
            ("missing_value_columns", .array(design.missingValueColumns.map(JSONValue.string))),
            ("response", .object([
                ("name", .string(design.responseName)),
                ("levels", design.responseLevels.map { .array($0.map(JSONValue.string)) } ?? .null),
                ("ordered_levels", design.orderedResponseLevels.map { .array($0.map(JSONValue.string)) } ?? .null),
                ("binomial_trials", .bool(design.trials != nil)),
            ])),
            ("fixed_effects", .array(design.fixedEffectNames.map(JSONValue.string))),
            ("dropped_fixed_effects", .array(design.droppedFixedEffectNames.map(JSONValue.string))),
            ("monotonic_effects", .array(design.monotonic.enumerated().map { m, effect in
                .object([("term", .string(effect.text)), ("variable", .string(effect.variable)),
                         ("categories", .integer(effect.categoryCount + 1)), ("minimum", .number(effect.minimum)),
                         ("covariates", .array(effect.covariates.map(JSONValue.string))),
                         ("coefficient", .string(effect.coefficientName)), ("simplex", .string(effect.simplexName)),
                         ("group_level_terms", .array(design.randomTerms.filter { $0.monotonic.contains(m) }.map { .string($0.text) }))])
            })),
            ("term_coding", .array((design.recipe?.termCodings ?? []).map { .object([("term", .string($0.label)), ("coding", .string($0.coding))]) })),
            ("random_terms", .array(terms.map { t in
                .object([
                    ("term", .string(t.text)), ("group", .string(t.group)), ("levels", .integer(t.levels)),
                    ("columns", .array(t.columns.map(JSONValue.string))),
                    ("obs_per_level", .object([("min", .integer(t.minimum)), ("median", .number(t.median)),
                                               ("max", .integer(t.maximum))])),
                ])
            })),
        ])
    }
}
