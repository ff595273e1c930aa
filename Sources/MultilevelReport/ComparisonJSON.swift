import MultilevelModels

/// `multilevel compare --json`: `{"parameters": {name: {"ols"?, "lmer", "bootstrap", "bayes"}},
/// "groups": {group: {level: {term: {"no_pooling", "partial_pooling", "bayes"}}}}, "models": {…}}`.
public enum ComparisonJSON {
    static func interval(_ e: EstimateInterval) -> JSONValue {
        .object([("estimate", .number(e.estimate)), ("lower", .number(e.lower)), ("upper", .number(e.upper))])
    }

    static func posterior(_ p: PosteriorInterval) -> JSONValue {
        .object([("median", .number(p.median)), ("lower", .number(p.lower)), ("upper", .number(p.upper)),
                 ("hdi_lower", .number(p.hdiLower)), ("hdi_upper", .number(p.hdiUpper))])
    }

    public static func json(_ c: ModelComparison) -> JSONValue {
        let parameters: [(String, JSONValue)] = c.parameters.map { p in
            var fields: [(String, JSONValue)] = []
            if let ols = p.ordinaryLeastSquares { fields.append(("ols", interval(ols))) }
            fields.append(("lmer", interval(p.restrictedMaximumLikelihood)))
            fields.append(("bootstrap", p.bootstrap.map(interval) ?? .null))
            fields.append(("bayes", p.bayes.map(posterior) ?? .null))
            return (p.name, .object(fields))
        }
        var groupOrder: [String] = []
        var levelOrder: [String: [String]] = [:]
        var terms: [String: [(String, JSONValue)]] = [:]
        for g in c.groups {
            if levelOrder[g.group] == nil { groupOrder.append(g.group); levelOrder[g.group] = [] }
            let key = g.group + "\u{0}" + g.level
            if terms[key] == nil { levelOrder[g.group]!.append(g.level); terms[key] = [] }
            var fields: [(String, JSONValue)] = [("n", .integer(g.size))]
            fields.append(("no_pooling", g.noPooling.map {
                .object([("estimate", .number($0.estimate)), ("se", .number($0.standardError))])
            } ?? .null))
            fields.append(("partial_pooling", .object([
                ("estimate", .number(g.partialPooling.coefficient)),
                ("conditional_mode", .number(g.partialPooling.conditionalMode)),
                ("conditional_sd", .number(g.partialPooling.conditionalSD)),
            ])))
            fields.append(("bayes", g.bayes.map {
                .object([("mean", .number($0.mean)), ("lower", .number($0.lower)), ("upper", .number($0.upper))])
            } ?? .null))
            if let w = g.shrinkageWeight { fields.append(("shrinkage_weight", .number(w))) }
            terms[key]!.append((g.term, .object(fields)))
        }
        let groups: [(String, JSONValue)] = groupOrder.map { group in
            (group, .object(levelOrder[group]!.map { level in (level, .object(terms[group + "\u{0}" + level]!)) }))
        }
        let test = c.likelihoodRatioTest
        let models: [(String, JSONValue)] = [
            ("fits", .array(c.models.map { m in
                .object([("model", .string(m.model)), ("parameters", .integer(m.parameterCount)),
                         ("logLik", .number(m.logLikelihood)), ("AIC", .number(m.akaikeInformationCriterion)),
                         ("BIC", .number(m.bayesianInformationCriterion))])
            })),
            ("likelihood_ratio_test", .object([("statistic", .number(test.statistic)), ("df", .integer(test.degreesOfFreedom)),
                                               ("p_value", .number(test.pValue)),
                                               ("reference", .string("naive chi-squared (as lme4's anova)"))])),
            ("loo", leaveOneOutJSON(c.leaveOneOut)),
            ("waic", waicJSON(c.waic)),
        ]
        let settings: [(String, JSONValue)] = [
            ("replicates", .integer(c.settings.replicates)), ("bootstrap_failures", .integer(c.bootstrap.failedCount)),
            ("seed", .string(String(c.settings.bootstrapSeed))), ("chains", .integer(c.settings.sampler.chains)),
            ("iter", .integer(c.settings.sampler.iterations)), ("warmup", .integer(c.settings.sampler.warmup)),
        ]
        return .object([("formula", .string(c.design.formulaText)), ("parameters", .object(parameters)),
                         ("groups", .object(groups)), ("models", .object(models)), ("settings", .object(settings))])
    }

    /// PSIS-LOO of the Bayesian fit as `compare --json` writes it (null when not computed).
    static func leaveOneOutJSON(_ loo: PSISLeaveOneOut?) -> JSONValue {
        guard let loo else { return .null }
        return .object([("elpd_loo", .number(loo.elpd.estimate)), ("elpd_loo_se", .number(loo.elpd.standardError)),
                        ("p_loo", .number(loo.effectiveParameters.estimate)), ("p_loo_se", .number(loo.effectiveParameters.standardError)),
                        ("looic", .number(loo.looic.estimate)), ("looic_se", .number(loo.looic.standardError)),
                        ("pareto_k", .object([("good", .integer(loo.paretoKCounts.good)), ("ok", .integer(loo.paretoKCounts.ok)),
                                              ("bad", .integer(loo.paretoKCounts.bad)), ("very_bad", .integer(loo.paretoKCounts.veryBad))]))])
    }

    /// WAIC of the Bayesian fit as `compare --json` writes it (null when not computed).
    static func waicJSON(_ waic: WAIC?) -> JSONValue {
        guard let w = waic else { return .null }
        return .object([("elpd_waic", .number(w.elpd.estimate)), ("elpd_waic_se", .number(w.elpd.standardError)),
                        ("p_waic", .number(w.effectiveParameters.estimate)), ("p_waic_se", .number(w.effectiveParameters.standardError)),
                        ("waic", .number(w.waic.estimate)), ("waic_se", .number(w.waic.standardError))])
    }
}
