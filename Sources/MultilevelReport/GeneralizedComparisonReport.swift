import Foundation
import MultilevelModels

/// `multilevel compare` of a non-gaussian model as text and JSON: 1. the population-level
/// coefficients by glmer (Laplace, Wald interval), the parametric bootstrap when it ran (percentile
/// interval) and the Bayesian fit (median, credible interval, HDI); 2. glmer's logLik / AIC / BIC and the Bayesian fit's PSIS-LOO and WAIC lines (the same
/// lines as the gaussian report).
public enum GeneralizedComparisonReport {
    public static func text(_ c: GeneralizedModelComparison) -> String {
        let level = Int((c.level * 100).rounded())
        var out = "Comparison: \(c.design.formulaText)  (\(c.design.rowCount) rows, family \(c.family.name))\n"
        out += c.zeroInflatedLaplace == nil ? "  glmer = maximum likelihood (Laplace), Wald intervals;\n"
            : "  glmmTMB = maximum likelihood (Laplace, ziformula = ~1), Wald intervals;\n"
        out += "  Bayes = \(c.sampler), \(c.settings.chains) chains x \(c.settings.samplingIterations) draws, median [\(level)% CrI] and \(level)% HDI (seed \(c.settings.seed)).\n"
        if let bootstrap = c.bootstrap {
            out += "  bootstrap = parametric (bootMer: new group-level effects and responses from the fit), \(bootstrap.replicateCount - bootstrap.failedCount) of \(bootstrap.replicateCount) refits, percentile intervals (seed \(bootstrap.seed)).\n"
        }
        out += "  Pooling sections (OLS, no pooling) are drawn for gaussian models only\(c.bootstrap == nil ? "; --replicates N adds the bootstrap" : "").\n\n"
        out += "1. Population-level coefficients (\(level)% intervals, link scale)\n"
        let rows = c.parameters.map { p -> [String] in
            let d = ComparisonReport.decimals(scale: (p.bayes.upper - p.bayes.lower) / 2)
            let laplace = p.laplace.map {
                "\(ComparisonReport.number($0.estimate, d)) [\(ComparisonReport.number($0.lower, d)), \(ComparisonReport.number($0.upper, d))]"
            } ?? ""
            let bootstrap = p.bootstrap.map {
                "\(ComparisonReport.number($0.estimate, d)) [\(ComparisonReport.number($0.lower, d)), \(ComparisonReport.number($0.upper, d))]"
            } ?? ""
            return [p.name, laplace] + (c.bootstrap == nil ? [] : [bootstrap]) + [
                    "\(ComparisonReport.number(p.bayes.median, d)) [\(ComparisonReport.number(p.bayes.lower, d)), \(ComparisonReport.number(p.bayes.upper, d))]",
                    "[\(ComparisonReport.number(p.bayes.hdiLower, d)), \(ComparisonReport.number(p.bayes.hdiUpper, d))]"]
        }
        out += ComparisonReport.table(["parameter", c.zeroInflatedLaplace == nil ? "glmer [Wald]" : "glmmTMB [Wald]"]
                                      + (c.bootstrap == nil ? [] : ["bootstrap [percentile]"]) + ["Bayes median [CrI]", "HDI"], rows)
        out += "\n2. Models\n"
        if let fit = c.laplace {
            out += ComparisonReport.table(["model", "df", "logLik", "AIC", "BIC"], [[
                "glmer (Laplace)", String(fit.degreesOfFreedom), ComparisonReport.number(fit.logLikelihood),
                ComparisonReport.number(fit.akaikeInformationCriterion), ComparisonReport.number(fit.bayesianInformationCriterion),
            ]])
        } else if let fit = c.zeroInflatedLaplace {
            out += ComparisonReport.table(["model", "df", "logLik", "AIC", "BIC"], [[
                "glmmTMB (Laplace)", String(fit.degreesOfFreedom), ComparisonReport.number(fit.logLikelihood),
                ComparisonReport.number(fit.akaikeInformationCriterion), ComparisonReport.number(fit.bayesianInformationCriterion),
            ]])
        } else {
            out += "glmer (Laplace): not fitted (\(c.laplaceFailure ?? "no Laplace fit for family \(c.family.name)"))\n"
        }
        out += ComparisonReport.criteriaText(leaveOneOut: c.leaveOneOut, waic: c.waic)
        if let loo = c.leaveOneOut, loo.paretoKCounts.bad + loo.paretoKCounts.veryBad > 0 {
            let count = loo.paretoKCounts.bad + loo.paretoKCounts.veryBad
            out += "  \(count) observation\(count == 1 ? "" : "s") with k > 0.7: 'multilevel loo' refits \(count == 1 ? "it" : "them") exactly (brms' reloo)\n"
        }
        return out
    }

    public static func json(_ c: GeneralizedModelComparison) -> JSONValue {
        let laplaceKey = c.zeroInflatedLaplace == nil ? "glmer" : "glmmTMB"  // the column's name in the text table
        let interval = { (value: EstimateInterval?) -> JSONValue in
            value.map { .object([("estimate", .number($0.estimate)), ("lower", .number($0.lower)), ("upper", .number($0.upper))]) } ?? .null
        }
        let parameters: [(String, JSONValue)] = c.parameters.map { p in
            (p.name, .object([(laplaceKey, interval(p.laplace))] + (c.bootstrap == nil ? [] : [("bootstrap", interval(p.bootstrap))]) + [
                ("bayes", .object([("median", .number(p.bayes.median)), ("lower", .number(p.bayes.lower)),
                                   ("upper", .number(p.bayes.upper)), ("hdi_lower", .number(p.bayes.hdiLower)),
                                   ("hdi_upper", .number(p.bayes.hdiUpper))])),
            ]))
        }
        let criteria = c.laplace.map { ("glmer (Laplace)", $0.degreesOfFreedom, $0.logLikelihood, $0.akaikeInformationCriterion,
                                        $0.bayesianInformationCriterion) }
            ?? c.zeroInflatedLaplace.map { ("glmmTMB (Laplace)", $0.degreesOfFreedom, $0.logLikelihood,
                                            $0.akaikeInformationCriterion, $0.bayesianInformationCriterion) }
        let fits: JSONValue = criteria.map { model, df, logLik, aic, bic in
            .array([.object([("model", .string(model)), ("parameters", .integer(df)),
                             ("logLik", .number(logLik)), ("AIC", .number(aic)), ("BIC", .number(bic))])])
        } ?? .array([])
        let models: [(String, JSONValue)] = [("fits", fits), ("loo", ComparisonJSON.leaveOneOutJSON(c.leaveOneOut)),
                                             ("waic", ComparisonJSON.waicJSON(c.waic))]
        let settings: [(String, JSONValue)] = [
            ("sampler", .string(c.sampler)), ("seed", .string(String(c.settings.seed))),
            ("chains", .integer(c.settings.chains)), ("iter", .integer(c.settings.iterations)),
            ("warmup", .integer(c.settings.warmup)),
        ]
        return .object([("formula", .string(c.design.formulaText)), ("family", .string(c.family.name)),
                         ("parameters", .object(parameters)), ("models", .object(models)), ("settings", .object(settings))])
    }
}
