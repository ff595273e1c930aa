import Foundation

/// brms' `conditional_effects(fit, effects = "Days")` and its lmer counterpart: the expected
/// response over a grid of one predictor (100 evenly spaced points over its observed range, or
/// each level of a factor), or of two (`Days:f`, one line per level of the second), with every
/// other numeric predictor at its mean and every other factor at its reference level. By default
/// at the population level (brms' `re_formula = NA`); `byGroup` draws one line per level of a
/// grouping factor with its group-level effects. Bayesian fits summarise the draws of
/// posterior_epred as brms does (`robust = TRUE`: estimate = median, se = MAD, 2.5% and 97.5%
/// quantiles); lmer fits give xβ̂ (+ zb̂ by group) with delta-method 95% confidence limits.
/// For a distributional fit (`bf()`) `dpar` gives brms' `conditional_effects(dpar = "sigma")`: the
/// same summaries of that parameter's value (posterior_epred with `dpar`) over the grid.
public struct ConditionalEffects: Sendable {
    /// The grid: one column per effect variable (and the grouping factor when `byGroup`), as text.
    public var gridColumns: [String]
    public var grid: [[String]]
    /// The numeric value of the first effect variable per grid row (nil for a factor).
    public var x: [Double?]
    public var estimate: [Double]
    public var standardError: [Double]
    public var lower: [Double]
    public var upper: [Double]
}

extension FittedModel {
    /// The conditional effects of `effect` (`Days`, `Days:f`), at the population level or, with
    /// `byGroup`, for each level of that grouping factor; `dpar` (bf() fits) that distributional
    /// parameter instead of the mean.
    public func conditionalEffects(effect: String, byGroup: String? = nil, gridPoints: Int = 100,
                                   seed: UInt64 = 1, dpar: AuxiliaryParameter? = nil) throws -> ConditionalEffects {
        let variables = effect.split(separator: ":").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard (1...2).contains(variables.count) else {
            throw FittedModelError("--effect '\(effect)': expected one predictor or two joined by ':' (e.g. Days or Days:f)")
        }
        let responseNames = NewDataDesign.responseColumnNames(formula)
        var groupingNames = Set<String>()
        for term in formula.randomTerms { groupingNames.formUnion(term.groupingVariables) }
        for part in distributional?.formula.parameters ?? [] {
            for term in part.formula.randomTerms { groupingNames.formUnion(term.groupingVariables) }
        }
        if let dpar, kind == .frequentist {
            throw FittedModelError("--dpar \(dpar.rawValue): an lmer fit predicts no distributional parameter (fit bf(y ~ …, \(dpar.rawValue) ~ …) with 'multilevel fit')")
        }
        let predictors = data.columnNames.filter { !responseNames.contains($0) }
        for variable in variables where !predictors.contains(variable) || groupingNames.contains(variable) {
            throw FittedModelError("--effect '\(effect)': '\(variable)' is not a population-level predictor of the model (predictors: \(predictors.filter { !groupingNames.contains($0) }.joined(separator: ", ")))")
        }
        if let byGroup, !groupingNames.contains(byGroup) {
            throw FittedModelError("--by-group '\(byGroup)': not a grouping factor of the model (\(groupingNames.sorted().joined(separator: ", ")))")
        }
        // Values each effect variable takes on the grid.
        func values(of name: String, points: Int) -> [String] {
            switch data.column(named: name)! {
            case .numeric(let v):
                let low = v.min() ?? 0, high = v.max() ?? 0
                return evenlySpaced(from: low, to: high, count: points).map(formatNumber)
            case .factor(let levels, _): return levels
            }
        }
        let first = values(of: variables[0], points: gridPoints)
        let second = variables.count == 2 ? values(of: variables[1], points: gridPoints) : [""]
        let groups: [String] = byGroup.map { name -> [String] in
            if case .factor(let levels, _)? = data.column(named: name) { return levels }
            return []
        } ?? [""]
        var csv = predictors.joined(separator: ",") + "\n"
        var grid: [[String]] = [], xs: [Double?] = []
        func typical(_ name: String) -> String {
            switch data.column(named: name)! {
            case .numeric(let v): return formatNumber(v.reduce(0, +) / Double(max(v.count, 1)))
            case .factor(let levels, _): return levels[0]
            }
        }
        for group in groups {
            for b in second {
                for a in first {
                    var fields: [String] = []
                    for name in predictors {
                        let value = name == variables[0] ? a : (variables.count == 2 && name == variables[1]) ? b
                            : (name == byGroup ? group : typical(name))
                        let isFactor = data.column(named: name)?.isFactor == true
                        fields.append(isFactor ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value)
                    }
                    csv += fields.joined(separator: ",") + "\n"
                    grid.append([a] + (variables.count == 2 ? [b] : []) + (byGroup != nil ? [group] : []))
                    xs.append(Double(a))
                }
            }
        }
        let table = try DataTable(csv: csv, fileName: "conditional-effects grid")
        let groupTerms: NewDataDesign.GroupTerms = byGroup.map { name in
            let terms = design.randomTerms.filter { $0.grouping.name == name }
            let effects = Array(Set(terms.flatMap(\.columnNames))).sorted { a, _ in a == "(Intercept)" }
            let left = effects.contains("(Intercept)") ? ["1"] + effects.filter { $0 != "(Intercept)" } : ["0"] + effects
            return .subset("~ (\(left.joined(separator: " + ")) | \(name))")
        } ?? .none
        let columns = variables + (byGroup.map { [$0] } ?? [])
        switch kind {
        case .bayesian:
            let prediction = try posteriorPrediction(table, type: .epred, groupTerms: groupTerms, seed: seed, dpar: dpar)
            var estimate: [Double] = [], error: [Double] = [], lower: [Double] = [], upper: [Double] = []
            var buffer: [Double] = []
            for i in 0..<prediction.rowCount {
                prediction.values(row: i, into: &buffer)
                let summary = PredictionSummary(draws: buffer, probabilities: [0.025, 0.5, 0.975])
                estimate.append(summary.quantiles[1])
                error.append(medianAbsoluteDeviation(buffer))
                lower.append(summary.quantiles[0])
                upper.append(summary.quantiles[2])
            }
            return ConditionalEffects(gridColumns: columns, grid: grid, x: xs, estimate: estimate, standardError: error,
                                      lower: lower, upper: upper)
        case .frequentist:
            let prediction = try mixedModelPrediction(table, groupTerms: groupTerms, allowNewLevels: false)
            return ConditionalEffects(gridColumns: columns, grid: grid, x: xs, estimate: prediction.estimates,
                                      standardError: prediction.standardErrors, lower: prediction.lower, upper: prediction.upper)
        }
    }
}
