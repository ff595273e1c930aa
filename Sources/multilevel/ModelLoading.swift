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

    /// The family as written (`gaussian` when not given).
    var family: String { specification.family?.value ?? "gaussian" }
}

/// Command-line flags that set model-file keys (flag name → key); `--prior` and `--factor` add to
/// the file's entries, the others replace them.
private let modelKeyFlags: [(flag: String, key: String)] = [
    ("data", "data"), ("formula", "formula"), ("family", "family"), ("factor", "factor"), ("prior", "prior"),
    ("chains", "chains"), ("iter", "iter"), ("warmup", "warmup"), ("seed", "seed"), ("sampler", "sampler"),
    ("adapt-delta", "adapt_delta"), ("max-treedepth", "max_treedepth"),
]

/// Reads the optional positional MODEL file, applies flag overrides, reads the CSV and builds the
/// design; prints the design's notices (dropped rows, aliased columns) on stderr. Used by every
/// command that reads a model (`describe`, `lmer`, `fit`, `bootstrap`, `compare`).
func loadModel(_ arguments: ParsedArguments) throws -> LoadedModel {
    let specification = try loadSpecification(arguments)
    guard let formulaSetting = specification.formula else {
        guard let fileURL = specification.fileURL else {
            throw UsageError("no model: give a MODEL file, or --formula and --data")
        }
        throw ModelFileError(location: fileURL.path, message: "no formula: add 'formula: y ~ x + (1 | g)' or give --formula")
    }
    let dataURL = try specification.resolvedDataURL()
    let table = try DataTable.read(contentsOf: dataURL)
    for factor in specification.factors where table.column(named: factor.value) == nil {
        throw ModelFileError(location: factor.origin.description,
                             message: "factor: unknown column '\(factor.value)'" + nearestColumnsHint(for: factor.value, columns: table.columnNames))
    }
    let formula: Formula
    let design: ModelDesign
    do {
        formula = try Formula.parse(formulaSetting.value)
        design = try ModelDesign.build(formula: formula, table: table, factors: specification.factors.map(\.value))
    } catch let error as FormulaError {
        throw LocatedFormulaError(origin: formulaSetting.origin, formula: formulaSetting.value, error: error)
    }
    for notice in design.notices { writeStandardError("multilevel: \(notice)\n") }
    return LoadedModel(specification: specification, table: table, formula: formula, design: design,
                       modelFileURL: specification.fileURL)
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
