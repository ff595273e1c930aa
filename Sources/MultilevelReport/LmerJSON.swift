import MultilevelData
import MultilevelModels

/// `multilevel lmer --json`: one object in the shape of the lme4 reference files
/// (../shared/reference/*.json): method, criterion, logLik, AIC, BIC (lme4's: the REML
/// log-likelihood for REML fits), nobs, theta (always an array), singular, parameters under brms
/// names ({estimate, se?, lower?, upper?}), ranef ({group: {level: {term: {mode, condsd}}}}),
/// warnings.
public enum LmerJSON {
    /// The mixed-model fit; `parameters` may carry intervals (profile or Wald). `tests` adds
    /// `fixed_effect_tests` ({b_name: {estimate, se, df, t, p}}, lmerTest's coefficient table,
    /// with `ddf` naming the method) and `r2` adds `r2_nakagawa`.
    public static func object(_ fit: LinearMixedModelFit, parameters: [NamedEstimate]? = nil,
                              intervalMethod: String? = nil, level: Double = 0.95, includeRanef: Bool = true,
                              tests: [FixedEffectTest]? = nil, ddf: String? = nil, r2: NakagawaR2? = nil) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("formula", .string(fit.formulaText)),
            ("family", .string("gaussian")),
            ("method", .string(fit.method.rawValue)),
            ("nobs", .integer(fit.observationCount)),
            ("logLik", .optionalNumber(fit.logLikelihood)),
            ("AIC", .optionalNumber(fit.akaikeInformationCriterion)),
            ("BIC", .optionalNumber(fit.bayesianInformationCriterion)),
            ("deviance", fit.method == .ml ? .optionalNumber(fit.criterion) : .null),
            ("criterion", .optionalNumber(fit.criterion)),
            ("singular", .bool(fit.isSingular)),
            ("theta", .array(fit.theta.map { .optionalNumber($0) })),
        ]
        if let intervalMethod {
            pairs.append(("intervals", .string(intervalMethod)))
            pairs.append(("level", .number(level)))
        }
        pairs.append(("parameters", parametersObject(parameters ?? frequentistParameters(fit))))
        if let tests {
            pairs.append(("ddf", .string(ddf ?? "satterthwaite")))
            pairs.append(("fixed_effect_tests", .object(zip(fit.fixedEffectNames, tests).map { name, test in
                ("b_" + brmsName(ofColumn: name), .object([
                    ("estimate", .optionalNumber(test.estimate)), ("se", .optionalNumber(test.standardError)),
                    ("df", .optionalNumber(test.degreesOfFreedom)), ("t", .optionalNumber(test.tValue)),
                    ("p", .optionalNumber(test.pValue)),
                ]))
            })))
        }
        if let r2 {
            pairs.append(("r2_nakagawa", .object([
                ("marginal", .optionalNumber(r2.marginal)), ("conditional", .optionalNumber(r2.conditional)),
                ("var_fixed", .optionalNumber(r2.fixedVariance)), ("var_random", .optionalNumber(r2.randomVariance)),
                ("var_residual", .optionalNumber(r2.residualVariance)),
            ])))
        }
        if !fit.droppedFixedEffectNames.isEmpty {
            pairs.append(("dropped_fixed_effects", .array(fit.droppedFixedEffectNames.map { .string($0) })))
        }
        if includeRanef {
            var groups: [(String, JSONValue)] = []
            var current: (group: String, levels: [(String, JSONValue)])?
            var levelTerms: (level: String, terms: [(String, JSONValue)])?
            func closeLevel() {
                if let open = levelTerms { current?.levels.append((open.level, .object(open.terms))) }
                levelTerms = nil
            }
            func closeGroup() {
                closeLevel()
                if let open = current { groups.append((open.group, .object(open.levels))) }
                current = nil
            }
            for mode in conditionalModes(of: fit) {
                if current?.group != mode.group { closeGroup(); current = (mode.group, []) }
                if levelTerms?.level != mode.level { closeLevel(); levelTerms = (mode.level, []) }
                var entry: [(String, JSONValue)] = [("mode", .optionalNumber(mode.mode))]
                if let sd = mode.conditionalSD { entry.append(("condsd", .optionalNumber(sd))) }
                levelTerms?.terms.append((mode.term, .object(entry)))
            }
            closeGroup()
            pairs.append(("ranef", .object(groups)))
        }
        pairs.append(("warnings", .array(fit.warnings.map { .string($0) })))
        return .object(pairs)
    }

    /// {name: {estimate, se?, lower?, upper?}}.
    public static func parametersObject(_ parameters: [NamedEstimate]) -> JSONValue {
        .object(parameters.map { parameter in
            var entry: [(String, JSONValue)] = [("estimate", .optionalNumber(parameter.estimate))]
            if let se = parameter.standardError { entry.append(("se", .optionalNumber(se))) }
            if let lower = parameter.lower { entry.append(("lower", .optionalNumber(lower))) }
            if let upper = parameter.upper { entry.append(("upper", .optionalNumber(upper))) }
            return (parameter.name, .object(entry))
        })
    }

    /// Complete pooling (`lm`): parameters b_… with t intervals.
    public static func completePooling(_ fit: LeastSquaresFit, formula: String) -> JSONValue {
        .object([("formula", .string(formula)), ("pooling", .string("complete")), ("method", .string("OLS"))]
                + leastSquaresSummary(fit)
                + [("parameters", parametersObject(fit.coefficients.map { coefficient in
                    var renamed = coefficient
                    renamed.name = "b_" + brmsName(ofColumn: coefficient.name)
                    return renamed
                }))])
    }

    /// No pooling: {groups: {level: {term: {estimate, se, lower, upper}}}}.
    public static func noPooling(_ fit: NoPoolingFit) -> JSONValue {
        let groups: [(String, JSONValue)] = fit.levels.enumerated().map { level, label in
            (label, .object(fit.termNames.enumerated().map { t, term in
                guard let estimate = fit.perGroup[level][t] else { return (term, .null) }
                return (term, .object([("estimate", .optionalNumber(estimate.estimate)), ("se", .optionalNumber(estimate.standardError)),
                                       ("lower", .optionalNumber(estimate.lower)), ("upper", .optionalNumber(estimate.upper))]))
            }))
        }
        return .object([("formula", .string(fit.formula)), ("pooling", .string("none")), ("method", .string("OLS")),
                        ("group", .string(fit.group))] + leastSquaresSummary(fit.leastSquares) + [("groups", .object(groups))])
    }

    private static func leastSquaresSummary(_ fit: LeastSquaresFit) -> [(String, JSONValue)] {
        [("nobs", .integer(fit.observationCount)), ("sigma", .optionalNumber(fit.sigma)),
         ("df_residual", .integer(fit.residualDegreesOfFreedom)), ("logLik", .optionalNumber(fit.logLikelihood)),
         ("AIC", .optionalNumber(fit.akaikeInformationCriterion)), ("BIC", .optionalNumber(fit.bayesianInformationCriterion)),
         ("level", .optionalNumber(fit.level))]
    }
}
