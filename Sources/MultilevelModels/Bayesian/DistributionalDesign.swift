import MultilevelData

/// The designs of a distributional model: the mean's and one per predicted auxiliary parameter,
/// built from the same data table (`DistributionalFormula`).
public struct DistributionalDesign: Sendable {
    /// The mean's design.
    public var mean: ModelDesign
    /// Each predicted dpar with its design, in formula order.
    public var parameters: [(parameter: AuxiliaryParameter, design: ModelDesign)]

    /// Builds every part of `formula` on `table` under `family`. A dpar that is not one of the
    /// family's auxiliary parameters is a `FormulaError` at its column (`formula error at column
    /// 31: family gaussian has no parameter 'phi' (it has: sigma)`).
    public static func build(formula: DistributionalFormula, table: DataTable, options: DesignOptions = DesignOptions(),
                             family: Family) throws -> DistributionalDesign {
        var parameters: [(parameter: AuxiliaryParameter, design: ModelDesign)] = []
        let available = family.kind == .cumulative ? [] : family.auxiliaryParameters
        for part in formula.parameters {
            guard let parameter = AuxiliaryParameter(rawValue: part.name), available.contains(parameter) else {
                let list = available.isEmpty ? "it has no auxiliary parameter"
                    : "it has: \(available.map(\.rawValue).joined(separator: ", "))"
                throw FormulaError(column: part.column, message: "family \(family.rawValue) has no parameter '\(part.name)' to predict (\(list))")
            }
            guard parameter.distributionalInterceptPrior != nil else {
                throw FormulaError(column: part.column, message: "predicting '\(part.name)' is not supported yet (brms' default prior of its intercept has no counterpart here); predict sigma, shape, phi, nu, zi, hu or alpha")
            }
            parameters.append((parameter, try ModelDesign.build(formula: part.formula, table: table, options: options)))
        }
        let mean = try ModelDesign.build(formula: formula.mean, table: table, options: options)
        return DistributionalDesign(mean: mean, parameters: parameters)
    }
}

extension DistributionalPosterior {
    /// The posterior of `design` under `family` with brms' default priors unless `priors` is given.
    public init(design: DistributionalDesign, family: Family, priors: DistributionalPriors? = nil) throws {
        try self.init(design: design.mean, parameters: design.parameters.map { ($0.parameter, $0.design) }, family: family,
                      priors: priors)
    }
}
