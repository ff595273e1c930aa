import MultilevelData

/// The population-level parameters of a linear mixed model under their brms names, in the order
/// `frequentistParameters` reports them: `b_<column>` for β, then for each term (fitting order)
/// `sd_<group>__<column>` and `cor_<group>__<column>__<column>` from Σ = σ²TTᵀ, then `sigma`.
/// These are the statistics a bootstrap replicate records.
public func populationParameterValues(fixedEffectNames: [String], fixedEffects: [Double], terms: [RandomEffectTerm],
                                      covarianceFactor: RelativeCovarianceFactor, theta: [Double], sigma: Double)
    -> [(name: String, value: Double)] {
    var result: [(name: String, value: Double)] = zip(fixedEffectNames, fixedEffects).map {
        ("b_" + brmsName(ofColumn: $0), $1)
    }
    for (k, term) in terms.enumerated() {
        let (sds, correlations) = covarianceFactor.standardDeviationsAndCorrelations(ofTerm: k, theta: theta, sigma: sigma)
        let names = term.brmsColumnNames
        let q = names.count
        let group = term.grouping.name
        for i in 0..<q { result.append(("sd_\(group)__\(names[i])", sds[i])) }
        for j in 0..<q { for i in (j + 1)..<max(j + 1, q) {
            result.append(("cor_\(group)__\(names[j])__\(names[i])", correlations[i * q + j]))
        } }
    }
    result.append(("sigma", sigma))
    return result
}

extension LinearMixedModelFit {
    /// The fit's population-level parameters (names and estimates) in report order.
    public var populationParameterValues: [(name: String, value: Double)] {
        MultilevelModels.populationParameterValues(fixedEffectNames: fixedEffectNames, fixedEffects: fixedEffects,
                                                   terms: terms, covarianceFactor: covarianceFactor, theta: theta,
                                                   sigma: sigma)
    }
}
