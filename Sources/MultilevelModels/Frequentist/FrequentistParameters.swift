import MultilevelData

/// One reported parameter under its brms name (DESIGN §3): estimate, standard error where lme4
/// gives one (fixed effects), and an interval when one was computed.
public struct NamedEstimate: Sendable, Equatable {
    public var name: String
    public var estimate: Double
    public var standardError: Double?
    public var lower: Double?
    public var upper: Double?

    public init(name: String, estimate: Double, standardError: Double? = nil, lower: Double? = nil, upper: Double? = nil) {
        self.name = name
        self.estimate = estimate
        self.standardError = standardError
        self.lower = lower
        self.upper = upper
    }
}

/// The parameters of a mixed-model fit in report order: `b_…` (fixed effects with SEs), then per
/// term `sd_<group>__<column>` and `cor_<group>__<column>__<column>`, then `sigma`.
public func frequentistParameters(_ fit: LinearMixedModelFit) -> [NamedEstimate] {
    var result = zip(fit.fixedEffectNames, zip(fit.fixedEffects, fit.standardErrors)).map {
        NamedEstimate(name: "b_" + brmsName(ofColumn: $0), estimate: $1.0, standardError: $1.1)
    }
    for component in fit.varianceComponents {
        let names = component.columnNames.map(brmsName(ofColumn:))
        for (k, name) in names.enumerated() {
            result.append(NamedEstimate(name: "sd_\(component.group)__\(name)", estimate: component.standardDeviations[k]))
        }
        let q = names.count
        for j in 0..<q { for i in (j + 1)..<max(j + 1, q) {
            result.append(NamedEstimate(name: "cor_\(component.group)__\(names[j])__\(names[i])",
                                        estimate: component.correlations[i * q + j]))
        } }
    }
    result.append(NamedEstimate(name: "sigma", estimate: fit.sigma))
    return result
}

/// One conditional mode b̂ with its conditional SD (`ranef(fit, condVar = TRUE)`).
public struct ConditionalMode: Sendable, Equatable {
    /// Grouping factor, level label and column (brms spelling: `Intercept`, `Days`).
    public var group: String
    public var level: String
    public var term: String
    public var mode: Double
    public var conditionalSD: Double?
}

/// All conditional modes, grouped by grouping factor (in order of first appearance among the
/// fitted terms), then level, then the term columns of every term on that factor.
public func conditionalModes(of fit: LinearMixedModelFit) -> [ConditionalMode] {
    conditionalModes(terms: fit.terms, modes: fit.conditionalModes, standardDeviations: fit.conditionalStandardDeviations)
}

/// The conditional modes of a Laplace (glmer) fit, in the same order as the linear mixed model's.
public func conditionalModes(of fit: GeneralizedLinearMixedModelFit) -> [ConditionalMode] {
    conditionalModes(terms: fit.terms, modes: fit.conditionalModes, standardDeviations: fit.conditionalStandardDeviations)
}

/// Group by group (first appearance), level by level, each term's columns; `standardDeviations`
/// empty when they were not computed.
func conditionalModes(terms: [RandomEffectTerm], modes: [[Double]], standardDeviations: [[Double]]) -> [ConditionalMode] {
    var groups: [String] = []
    for term in terms where !groups.contains(term.grouping.name) { groups.append(term.grouping.name) }
    var result: [ConditionalMode] = []
    for group in groups {
        let termIndices = terms.indices.filter { terms[$0].grouping.name == group }
        let levels = terms[termIndices[0]].grouping.levels
        for (level, label) in levels.enumerated() {
            for k in termIndices {
                let term = terms[k]
                let q = term.columnCount
                for (j, column) in term.brmsColumnNames.enumerated() {
                    let sd = standardDeviations.isEmpty ? nil : standardDeviations[k][level * q + j]
                    result.append(ConditionalMode(group: group, level: label, term: column,
                                                  mode: modes[k][level * q + j], conditionalSD: sd))
                }
            }
        }
    }
    return result
}
