import Foundation

/// A fit that outlives the command that made it: the model as given, the rows it used, and the
/// chains (Bayesian) or the REML/ML estimates (frequentist). Every post-fit question (`predict`,
/// `effects`, `hypothesis`, `bayes_R2`) is a method on this value or takes it. It is read from a
/// fit directory (`load(directory:)`, layout in docs/fit-directory.md) or made by fitting a model
/// (`FittedModel.bayesian(…)`, `FittedModel.frequentist(…)`).
public struct FittedModel: Sendable {
    /// Which engine made the fit.
    public enum Kind: String, Sendable { case bayesian, frequentist }

    public var kind: Kind
    /// `nuts`, `marginal`, `gibbs` (Bayesian); `reml`, `ml` (frequentist).
    public var engine: String
    /// The formula as given.
    public var formula: Formula
    public var family: Family
    /// Prior statements as given (brms syntax); empty = brms' defaults.
    public var priors: [String]
    /// Columns forced to factors.
    public var factors: [String]
    /// The data set's name as summaries print it.
    public var dataName: String
    /// The rows the fit used (the columns the formula refers to), in fit order.
    public var data: DataTable
    /// The design on `data`.
    public var design: ModelDesign
    /// Bayesian: sampler settings used (seed included).
    public var settings: SamplerSettings?
    /// Bayesian: the constrained draws (`b_…`, `sd_…`, `r_<g>[level,term]`, `sigma`, …), chains in
    /// order, `lp__` included when the chains recorded it.
    public var draws: Draws?
    /// Frequentist: the fit.
    public var mixedModelFit: LinearMixedModelFit?
    /// Bayesian, joint NUTS: how the group-level effects were parameterised (refits use the same).
    public var parameterization: ParameterisationChoice = .automatic
    /// brms' distributional model `bf(y ~ …, dpar ~ …)`: the whole formula and the designs of every
    /// part on `data` (`formula` and `design` are then the mean's); nil for other fits.
    public var distributional: (formula: DistributionalFormula, design: DistributionalDesign)?
    /// Contrasts, reference levels and ordered factors the designs were built with (refits rebuild
    /// them so).
    public var designOptions = DesignOptions()

    public init(kind: Kind, engine: String, formula: Formula, family: Family, priors: [String], factors: [String],
                dataName: String, data: DataTable, design: ModelDesign, settings: SamplerSettings?,
                draws: Draws?, mixedModelFit: LinearMixedModelFit?) {
        self.kind = kind
        self.engine = engine
        self.formula = formula
        self.family = family
        self.priors = priors
        self.factors = factors
        self.dataName = dataName
        self.data = data
        self.design = design
        self.settings = settings
        self.draws = draws
        self.mixedModelFit = mixedModelFit
    }

    /// The rows of `table` a design of `formula` uses (complete cases over the referenced columns,
    /// as `ModelDesign.build` selects them), restricted to those columns (and `factors`), with the
    /// factors' levels as the design sees them.
    public static func rowsUsed(formula: Formula, table: DataTable, factors: [String]) -> DataTable {
        rowsUsed(formulas: [formula], table: table, factors: factors)
    }

    /// The rows of `table` the designs of all of `formulas` use (complete cases over every column
    /// any of them refers to: a distributional model's mean and dpar formulas), restricted to those
    /// columns (and `factors`).
    public static func rowsUsed(formulas: [Formula], table: DataTable, factors: [String]) -> DataTable {
        var referenced: [String] = []
        for formula in formulas {
            for (name, _) in formula.referencedColumns where !referenced.contains(name) { referenced.append(name) }
        }
        var names = referenced
        for name in factors where !names.contains(name) && table.column(named: name) != nil { names.append(name) }
        var working = table
        for name in factors { working = working.forcingFactor(name) }
        let rows = (0..<table.rowCount).filter { row in
            referenced.allSatisfy { working.column(named: $0)?.isMissing(row) != true }
        }
        return working.subset(rows: rows, columns: names.filter { working.column(named: $0) != nil })
    }
}

/// A fit directory that cannot be read: one line naming the file and what is wrong.
public struct FitDirectoryError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
    public var description: String { "\(file): \(message)" }
}
