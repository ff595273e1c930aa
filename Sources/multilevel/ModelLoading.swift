import Foundation
import Multilevel

/// A model ready to fit: the merged specification (model file + flags), the table read from CSV
/// and the design built from it.
struct LoadedModel {
    /// Model-file keys overridden by command-line flags.
    let specification: ModelSpecification
    /// The whole data table as read.
    let table: DataTable
    /// The parsed formula.
    let formula: Formula
    /// Response, X and random-effect terms on the rows used.
    let design: ModelDesign
    /// The model file, when one was given.
    let modelFileURL: URL?
    /// brms' `bf(y ~ …, dpar ~ …)` when the formula is written so (`formula` and `design` are then
    /// the mean's); nil for a plain formula.
    var distributional: DistributionalFormula? = nil

    /// The family as written (`gaussian` when not given).
    var family: String { specification.family?.value ?? "gaussian" }
}

/// Command-line flags that set model-file keys (flag name → key); `--prior` and `--factor` add to
/// the file's entries, the others replace them.
private let modelKeyFlags: [(flag: String, key: String)] = [
    ("data", "data"), ("formula", "formula"), ("family", "family"), ("factor", "factor"), ("prior", "prior"),
    ("contrasts", "contrasts"), ("reference", "reference"), ("ordered", "ordered"), ("sep", "sep"), ("dec", "dec"),
    ("chains", "chains"), ("iter", "iter"), ("warmup", "warmup"), ("seed", "seed"), ("sampler", "sampler"),
    ("adapt-delta", "adapt_delta"), ("max-treedepth", "max_treedepth"), ("parameterization", "parameterization"),
    ("weights", "weights"),
]

/// Reads the optional positional MODEL file, applies flag overrides, reads the CSV and builds the
/// design; prints the design's notices (dropped rows, aliased columns) on stderr. Used by every
/// command that reads a model (`describe`, `lmer`, `fit`, `bootstrap`, `compare`).
///
/// Only `describe`, `lmer` and `fit` (and the post-fit commands, which fit a model file with `fit`)
/// take a formula with `offset()` (`allowingOffset`), and only `describe` and `fit` brms' addition
/// terms `se()`, `cens()`, `weights()`, `trunc()` (`allowingAdditions`); the other commands refuse
/// them in one line rather than fit a different model.
func loadModel(_ arguments: ParsedArguments, allowingOffset: Bool = false, allowingAdditions: Bool = false,
               allowingWeights: Bool = false, allowingMonotonic: Bool = false, allowingDistributional: Bool = false,
               command: String? = nil) throws -> LoadedModel {
    let specification = try loadSpecification(arguments)
    guard let formulaSetting = specification.formula else {
        guard let fileURL = specification.fileURL else {
            throw UsageError("no model: give a MODEL file, or --formula and --data")
        }
        throw ModelFileError(location: fileURL.path, message: "no formula: add 'formula: y ~ x + (1 | g)' or give --formula")
    }
    let table: DataTable
    if specification.data?.value == "-" {
        table = try DataTable.read(data: FileHandle.standardInput.readDataToEndOfFile(), fileName: "<stdin>",
                                   options: specification.csvOptions)
    } else {
        table = try DataTable.read(contentsOf: try specification.resolvedDataURL(), options: specification.csvOptions)
    }
    for factor in specification.factors where table.column(named: factor.value) == nil {
        throw ModelFileError(location: factor.origin.description,
                             message: "factor: unknown column '\(factor.value)'" + nearestColumnsHint(for: factor.value, columns: table.columnNames))
    }
    let formula: Formula
    let design: ModelDesign
    var distributional: DistributionalFormula?
    do {
        if DistributionalFormula.isBrmsFormulaCall(formulaSetting.value) {
            // brms' bf(): the mean's formula, and the dpar formulas for `fit` (and `describe`).
            let parsed = try DistributionalFormula.parse(formulaSetting.value)
            if parsed.isDistributional && !allowingDistributional {
                let dpars = parsed.parameters.map { "\($0.name) ~ …" }.joined(separator: ", ")
                throw UnsupportedTermError(description: command == "lmer"
                    ? "\(formulaSetting.origin): bf() with \(dpars) (brms' distributional regression) has no lme4 form; fit it with 'multilevel fit'"
                    : "\(formulaSetting.origin): bf() with \(dpars) (brms' distributional regression) is fitted by 'multilevel fit'; this command does not support it yet")
            }
            distributional = parsed
            formula = parsed.mean
        } else {
            formula = try Formula.parse(formulaSetting.value)
        }
        if distributional?.isDistributional != true, let term = formula.randomTerms.first(where: { $0.id != nil }) {
            throw FormulaError(column: term.column, message: "\(term.text): brms' |ID| correlates group-level terms across the parts of a bf() formula with predicted dpars; within one formula write them as one term (… | \(term.groupingName))")
        }
        if !allowingMonotonic, let term = formula.monotonic.first {
            // Before the design: the data need not be ordinal for this refusal.
            throw UnsupportedTermError(description: command == "lmer"
                ? "\(formulaSetting.origin): \(term.text) is a brms term with no lme4 form; fit it with 'multilevel fit'"
                : "\(formulaSetting.origin): \(term.text) (a brms monotonic effect) is fitted by 'multilevel fit'; this command does not support it yet")
        }
        design = try ModelDesign.build(formula: formula, table: table, options: specification.designOptions)
    } catch let error as FormulaError {
        throw LocatedFormulaError(origin: formulaSetting.origin, formula: formulaSetting.value, error: error)
    }
    if design.offset != nil, !allowingOffset, let node = formula.offsets.first {
        throw UnsupportedTermError(description: "\(formulaSetting.origin): offset(\(node.deparsed)) is fitted by 'multilevel lmer' and 'multilevel fit'; this command does not support offsets yet")
    }
    if let weights = specification.weights, !allowingWeights {
        throw UnsupportedTermError(description: "\(weights.origin): 'weights: \(weights.value)' (lme4's prior weights) is used by 'multilevel lmer'; for brms' weights write 'y | weights(\(weights.value)) ~ …' in the formula")
    }
    if !allowingAdditions, let label = formula.additions.labels.first {
        throw UnsupportedTermError(description: "\(formulaSetting.origin): \(label) is a brms addition term fitted by 'multilevel fit'; this command does not support it\(label.hasPrefix("se(") ? " (lme4 cannot fix residual variances; metafor's rma is the frequentist meta-analysis)" : "")")
    }
    try checkPredictorMagnitudes(design, table: table)
    for (name, _) in formula.referencedColumns { if let notice = table.typeNotices[name] { writeStandardError("multilevel: \(notice)\n") } }
    for notice in design.notices { writeStandardError("multilevel: \(notice)\n") }
    return LoadedModel(specification: specification, table: table, formula: formula, design: design,
                       modelFileURL: specification.fileURL, distributional: distributional)
}

/// The model file (if a positional argument names one) with the command-line flags applied, and
/// checked (`warmup < iter`).
func loadSpecification(_ arguments: ParsedArguments) throws -> ModelSpecification {
    guard arguments.positional.count <= 1 else {
        throw UsageError("expected at most one MODEL file, got \(arguments.positional.count): \(arguments.positional.joined(separator: " "))")
    }
    var specification = ModelSpecification()
    if let path = arguments.positional.first {
        specification = try ModelSpecification.load(url: URL(fileURLWithPath: path))
    }
    for (flag, key) in modelKeyFlags {
        for value in arguments.values(flag) {
            do {
                try specification.set(key: key, value: value, origin: .option(flag))
            } catch let error as ModelFileError {
                throw UsageError(error.description)
            }
        }
    }
    do {
        try specification.validate()
    } catch let error as ModelFileError where error.location.hasPrefix("option --") {
        throw UsageError(error.description)  // a bad combination of flags is a usage error (exit 2)
    }
    return specification
}

/// A formula error with where the formula came from, printed with a caret under the column:
/// `sleep.model:2: formula error at column 27: expected ')' ...`.
struct LocatedFormulaError: Error, CustomStringConvertible {
    let origin: ModelSpecification.Origin
    let formula: String
    let error: FormulaError

    var description: String { "\(origin): \(error.description)" }
}

/// A formula term the command cannot fit: one line naming the term and the command that can.
struct UnsupportedTermError: Error, CustomStringConvertible {
    let description: String
}

/// A predictor whose values are too large for the fit's sums of squares: one line naming it, the
/// row and what to do.
struct PredictorMagnitudeError: Error, CustomStringConvertible {
    let description: String
}

/// Refuses model-matrix columns (fixed and group-level) whose squares summed over the rows overflow
/// double precision (values near 1e300): every cross-product of the fit would be infinite, and the
/// rank check would drop such a column as if it were collinear — a silently different model. The
/// response has its own check with the family (`checkResponse`). A fixed-effect column already
/// dropped by the rank check is looked up in the data table by name.
func checkPredictorMagnitudes(_ design: ModelDesign, table: DataTable) throws {
    func check(_ name: String, _ values: [Double], lines: [Int]) throws {
        var largest = 0.0, row = 0
        for (i, value) in values.enumerated() where value.isFinite && abs(value) > largest {
            largest = abs(value)
            row = i
        }
        guard !(largest * largest * Double(max(1, values.count))).isFinite else { return }
        let line = row < lines.count ? " (\(table.fileName) line \(lines[row]))" : ""
        let divisor = pow(10, (log10(largest) - 2).rounded(.down))
        throw PredictorMagnitudeError(description: "predictor '\(name)' reaches \(String(format: "%g", largest))\(line): its sum of squares overflows double precision; rescale it (for example divide by \(String(format: "%g", divisor)))")
    }
    for (j, name) in design.fixedEffectNames.enumerated() where name != "(Intercept)" {
        try check(name, design.fixedEffects.column(j), lines: design.sourceLines)
    }
    for term in design.randomTerms {
        let q = term.columnCount
        for (k, name) in term.columnNames.enumerated() where name != "(Intercept)" {
            try check(name, stride(from: k, to: term.values.count, by: q).map { term.values[$0] }, lines: design.sourceLines)
        }
    }
    for name in design.droppedFixedEffectNames {
        if case .numeric(let values)? = table.column(named: name) {
            try check(name, values, lines: table.sourceLines)
        }
    }
}
