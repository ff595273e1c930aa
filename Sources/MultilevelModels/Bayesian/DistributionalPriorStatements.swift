import MultilevelData

extension DistributionalPosterior {
    /// The posterior of `design` under `family` with brms' default priors updated by the user's
    /// `statements`, as brms' `set_prior` does for `bf()`: a statement without `dpar` addresses the
    /// mean's classes (and the auxiliary parameters that are not predicted), one with `dpar`
    /// (`b_sigma ~ …`, `b_sigma:Days ~ …`, `Intercept_sigma ~ …`, `sd_sigma:Subject ~ …`,
    /// `cor_sigma ~ lkj(2)`) the classes of that dpar's linear predictor (`priorSets`).
    public init(design: DistributionalDesign, family: Family, statements: [PriorStatement]) throws {
        let parts = design.parameters.map { ($0.parameter, $0.design) }
        try Self.check(design: design.mean, parameters: parts, family: family)
        let predictors = [DistributionalPredictor(parameter: nil, design: design.mean)]
            + parts.map { DistributionalPredictor(parameter: $0.0, design: $0.1) }
        var priors = Self.defaultPriors(design: design.mean, predictors: predictors, family: family)
        let sets = try Self.priorSets(design: design, family: family, statements: statements)
        for (p, predictor) in predictors.enumerated() {
            let set = sets[p]
            if predictor.hasIntercept { priors.intercept[p] = set.effectivePrior(.intercept) }
            priors.coefficients[p] = predictor.coefficientNames.map { set.effectivePrior(.b, coefficient: $0) }
            priors.standardDeviations[p] = predictor.terms.map { term in
                term.columnNames.map { set.effectivePrior(.sd, coefficient: $0, group: term.groupName) }
            }
            priors.correlationEta[p] = predictor.terms.map { term in
                if case let .lkj(eta) = set.effectivePrior(.cor, group: term.groupName) { return eta }
                return 1
            }
        }
        let predicted = Set(parts.map(\.0))
        for (a, parameter) in family.auxiliaryParameters.enumerated() where !predicted.contains(parameter) {
            priors.auxiliary[a] = sets[0].effectivePrior(parameter.priorClass)
        }
        try self.init(design: design.mean, parameters: parts, family: family, priors: priors)
    }

    /// The prior tables of a distributional model with the user's `statements` applied: `[0]` the
    /// mean's (brms' defaults of the mean's design, without the rows of the predicted dpars), then
    /// one per predicted dpar in formula order (the `b`, `Intercept`, `sd` and `L` rows of its
    /// design, its Intercept's default brms' for that dpar, student_t(3, 0, 2.5) for sigma).
    /// Statements are checked as brms checks them (`PriorSet.apply`: no such coefficient or group,
    /// duplicates), each one line; a prior on a predicted dpar's own class (`sigma ~ …` with
    /// `sigma ~ Days`) and `cov` priors are refused.
    static func priorSets(design: DistributionalDesign, family: Family, statements: [PriorStatement]) throws -> [PriorSet] {
        let predicted = design.parameters.map(\.parameter)
        for statement in statements {
            func fail(_ what: String) -> PriorError { PriorError(message: "\(statement.origin): prior '\(statement.text)': \(what)") }
            if statement.parameterClass == .cov {
                throw fail("huang_wand covariance priors are not supported with bf()")
            }
            if statement.dpar.isEmpty, let parameter = predicted.first(where: { $0.priorClass == statement.parameterClass }) {
                throw fail("'\(parameter.rawValue)' is predicted by its own formula; give priors on its coefficients (b_\(parameter.rawValue), Intercept_\(parameter.rawValue), sd_\(parameter.rawValue)), as brms' dpar = \(parameter.rawValue)")
            }
            if !statement.dpar.isEmpty, !predicted.contains(where: { $0.rawValue == statement.dpar }) {
                throw fail("the model does not predict '\(statement.dpar)' (its formula predicts \(predicted.isEmpty ? "no auxiliary parameter" : predicted.map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let predictedClasses = Set(predicted.map(\.priorClass))
        var mean = PriorSet.defaults(for: design.mean, family: family)
        mean.rows.removeAll { predictedClasses.contains($0.parameterClass) }
        try mean.apply(statements.filter { $0.dpar.isEmpty })
        var sets = [mean]
        for part in design.parameters {
            var set = PriorSet.defaults(for: part.design, family: family)
            set.rows.removeAll { ![PriorClass.b, .intercept, .sd, .cor].contains($0.parameterClass) }
            if let i = set.rows.firstIndex(where: { $0.parameterClass == .intercept && $0.coefficient.isEmpty }) {
                set.rows[i].prior = part.parameter.distributionalInterceptPrior ?? .flat
            }
            try set.apply(statements.filter { $0.dpar == part.parameter.rawValue }.map { statement in
                var copy = statement
                copy.dpar = ""
                return copy
            })
            sets.append(set)
        }
        return sets
    }
}
