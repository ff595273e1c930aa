import Foundation
import Multilevel

/// `multilevel anova MODEL MODEL [MODEL ...]`: likelihood-ratio tests between mixed models, as
/// lme4's `anova(m1, m2, ...)`.
struct AnovaCommand: Command {
    let name = "anova"
    let summary = "Compare two or more mixed models by likelihood-ratio tests, as lme4's anova(m1, m2, ...)."
    let usage = "MODEL|FITDIR MODEL|FITDIR [...] [options]  |  --formula F1 --formula F2 [...] --data CSV [options]"
    let discussion = """
    Fits every model by maximum likelihood (gaussian models are fitted by ML rather than REML, with \
    lme4's notice; other families by the Laplace approximation) and prints lme4's table: npar, AIC, BIC, \
    logLik, deviance, and for each model after the first the χ² test against the model above (Chisq, \
    Df, Pr(>Chisq)), models ordered by number of parameters. The models must be fitted to the same rows \
    of the same response. The χ² test assumes the models are nested; a note says when they do not look \
    nested. Models come from model files, fit directories written by 'lmer --output DIR', or from \
    repeated --formula with one --data.
    """
    var options: [OptionSpec] { [
        .option("data", "CSV", "Data file (overrides each model file's 'data')."),
        .option("formula", "FORMULA", "A model formula (repeatable: one model per --formula, named m1, m2, ...).", repeatable: true),
        .option("family", "FAMILY", "Response family for every model (overrides the model files)."),
        .option("factor", "COLUMN", "Treat a numeric column as a factor (repeatable).", repeatable: true),
        .flag("json", "Print one JSON object instead of the table."),
    ] }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let formulas = arguments.values("formula")
        if !arguments.positional.isEmpty && !formulas.isEmpty {
            throw UsageError("give either MODEL files or --formula options, not both")
        }
        // One ParsedArguments per model, so each loads as `lmer` would load it.
        var perModel: [(name: String, arguments: ParsedArguments)] = []
        if formulas.isEmpty {
            var names: [String] = []
            for path in arguments.positional {
                var single = arguments
                single.positional = [path]
                var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                if names.contains(name) { name += "_\(names.count + 1)" }
                names.append(name)
                perModel.append((name, single))
            }
        } else {
            for (k, formula) in formulas.enumerated() {
                var single = arguments
                single.options["formula"] = [formula]
                perModel.append(("m\(k + 1)", single))
            }
        }
        guard perModel.count >= 2 else {
            throw UsageError("anova compares two or more models; got \(perModel.count) (give MODEL files or repeated --formula)")
        }
        var loaded: [(name: String, model: ComparedModel)] = []
        for entry in perModel {
            if let path = entry.arguments.positional.first, FitDirectory.isFitDirectory(path) {
                loaded.append((entry.name, try ComparedModel(directory: path)))
            } else {
                let model = try loadModel(entry.arguments)
                loaded.append((entry.name, ComparedModel(design: model.design, family: model.family, fileName: model.table.fileName,
                                                         dataName: (try? model.specification.resolvedDataURL().deletingPathExtension().lastPathComponent) ?? "data",
                                                         fromDirectory: false)))
            }
        }
        let first = loaded[0]
        for other in loaded.dropFirst() {
            if other.model.design.responseName != first.model.design.responseName {
                throw ComparisonInputError(description: "models have different responses: \(first.name) models '\(first.model.design.responseName)', \(other.name) models '\(other.model.design.responseName)'")
            }
            if first.model.fromDirectory || other.model.fromDirectory {
                // A fit directory keeps only the rows it used: compare the responses row by row.
                let a = first.model.design.response, b = other.model.design.response
                if a != b {
                    throw ComparisonInputError(description: "models were fitted to different rows: \(first.name) to \(a.count), \(other.name) to \(b.count) observations (\(a.count == b.count ? "the responses differ" : "\(abs(a.count - b.count)) row\(abs(a.count - b.count) == 1 ? "" : "s") more or fewer")); anova needs the same rows")
                }
                continue
            }
            let a = Set(first.model.design.sourceLines), b = Set(other.model.design.sourceLines)
            if a != b || first.model.fileName != other.model.fileName {
                let differing = a.symmetricDifference(b).count
                throw ComparisonInputError(description: "models were fitted to different rows: \(first.name) to \(a.count), \(other.name) to \(b.count) observations (\(first.model.fileName == other.model.fileName ? "\(differing) row\(differing == 1 ? " differs" : "s differ")" : "different data files")); anova needs the same rows")
            }
        }
        var notices: [String] = []
        var models: [LikelihoodRatioModel] = []
        var formulaTexts: [String: String] = [:]
        let gaussian = loaded.filter { $0.model.family == "gaussian" }.map(\.name)
        if !gaussian.isEmpty { notices.append("refitting model(s) with ML (instead of REML)") }
        for (name, model) in loaded {
            formulaTexts[name] = model.design.formulaText
            if model.family == "gaussian" {
                let fit = try LinearMixedModel(design: model.design).fit(method: .ml, options: .init(conditionalVariances: false))
                notices += fit.warnings.map { "\(name): \($0)" }
                models.append(LikelihoodRatioModel(name: name, parameterCount: fit.degreesOfFreedom,
                                                   logLikelihood: fit.logLikelihood, observationCount: fit.observationCount))
            } else {
                let fit = try GeneralizedLinearMixedModel(design: model.design, family: Family(name: model.family)).fit()
                notices += fit.warnings.map { "\(name): \($0)" }
                models.append(LikelihoodRatioModel(name: name, parameterCount: fit.degreesOfFreedom,
                                                   logLikelihood: fit.logLikelihood, observationCount: fit.observationCount))
            }
        }
        let rows = likelihoodRatioTable(models)
        let byName = Dictionary(uniqueKeysWithValues: loaded.map { ($0.name, $0.model.design) })
        var notes: [String] = []
        for k in 1..<rows.count where !looksNested(byName[rows[k - 1].model.name]!, in: byName[rows[k].model.name]!) {
            notes.append("\(rows[k - 1].model.name) does not look nested in \(rows[k].model.name): the χ² test assumes nested models")
        }
        let dataName = first.model.dataName
        for notice in notices + notes { writeStandardError("multilevel: \(notice)\n") }
        if arguments.has("json") {
            writeStandardOutput(LikelihoodRatioReport.json(rows, formulas: formulaTexts, dataName: dataName, notes: notes).serialized() + "\n")
        } else {
            writeStandardOutput(LikelihoodRatioReport.text(rows, formulas: formulaTexts, dataName: dataName))
        }
        return 0
    }

    /// Whether `smaller`'s columns are among `larger`'s: every fixed-effect column, and every
    /// random-effect column of each grouping factor (a necessary condition for nesting).
    func looksNested(_ smaller: ModelDesign, in larger: ModelDesign) -> Bool {
        guard Set(smaller.fixedEffectNames).isSubset(of: Set(larger.fixedEffectNames)) else { return false }
        func columns(_ design: ModelDesign) -> [String: Set<String>] {
            var result: [String: Set<String>] = [:]
            for term in design.randomTerms { result[term.grouping.name, default: []].formUnion(term.columnNames) }
            return result
        }
        let large = columns(larger)
        return columns(smaller).allSatisfy { group, names in names.isSubset(of: large[group] ?? []) }
    }
}

/// One model given to `anova`: from a model file or `--formula`, or from a fit directory written
/// by `lmer --output` (its rows, formula and family; refitted by ML as every gaussian model is).
struct ComparedModel {
    let design: ModelDesign
    let family: String
    let fileName: String
    let dataName: String
    let fromDirectory: Bool

    init(design: ModelDesign, family: String, fileName: String, dataName: String, fromDirectory: Bool) {
        self.design = design
        self.family = family
        self.fileName = fileName
        self.dataName = dataName
        self.fromDirectory = fromDirectory
    }

    init(directory path: String) throws {
        let fitted = try FitDirectory.load(URL(fileURLWithPath: path))
        guard fitted.kind == .frequentist else {
            throw ComparisonInputError(description: "\(path): a Bayesian fit directory; anova compares maximum-likelihood fits (write one with 'lmer --output')")
        }
        self.init(design: fitted.design, family: fitted.family.rawValue, fileName: fitted.data.fileName,
                  dataName: fitted.dataName, fromDirectory: true)
    }
}

/// Models that cannot be compared (different responses or rows): exit 1 with one line.
struct ComparisonInputError: Error, CustomStringConvertible {
    let description: String
}
