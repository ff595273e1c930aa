import Foundation
import MultilevelModels

/// `multilevel compare` as text: 1. population-level parameters by four methods, 2. group-level
/// estimates by no, partial and Bayesian pooling (with Gelman & Hill's shrinkage weight for
/// random intercepts), 3. model comparison (logLik / AIC / BIC, likelihood-ratio test).
public enum ComparisonReport {
    static func number(_ x: Double, _ digits: Int = 2) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "NA"
    }

    static func interval(_ e: EstimateInterval?, _ digits: Int = 2) -> String {
        guard let e else { return "" }
        return "\(number(e.estimate, digits)) [\(number(e.lower, digits)), \(number(e.upper, digits))]"
    }

    /// Decimals for numbers whose uncertainty is `scale` (a standard error or an interval's half
    /// width): three significant digits of it, but 2 to 3 decimals — sleepstudy's
    /// b_Intercept 251.41 [237.68, 265.13] keeps two, radon's σ 0.726 [0.692, 0.761] gets three.
    static func decimals(scale: Double) -> Int {
        guard scale.isFinite, scale > 0 else { return 2 }
        return min(3, max(2, 2 - Int(log10(scale).rounded(.down))))
    }

    /// Lays out rows of cells: first column left-aligned, the others right-aligned.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { j in all.map { $0[j].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { j, cell in
                let padding = String(repeating: " ", count: widths[j] - cell.count)
                return j == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func text(_ c: ModelComparison) -> String {
        let level = Int((c.settings.level * 100).rounded())
        var out = "Comparison: \(c.design.formulaText)  (\(c.design.rowCount) rows)\n"
        out += "  OLS = complete pooling, lm; REML = partial pooling, lmer, profile intervals;\n"
        out += "  bootstrap = parametric, \(c.bootstrap.replicateCount - c.bootstrap.failedCount) of \(c.settings.replicates) refits, percentile intervals (seed \(c.settings.bootstrapSeed));\n"
        out += "  Bayes = NUTS, \(c.settings.sampler.chains) chains x \(c.settings.sampler.samplingIterations) draws, median [\(level)% CrI] and \(level)% HDI (seed \(c.settings.sampler.seed)).\n\n"

        out += "1. Population-level parameters (\(level)% intervals)\n"
        let parameterRows = c.parameters.map { p -> [String] in
            let reml = p.restrictedMaximumLikelihood
            let d = decimals(scale: (reml.upper - reml.lower) / 2)
            let hdi = p.bayes.map { "[\(number($0.hdiLower, d)), \(number($0.hdiUpper, d))]" } ?? ""
            let bayes = p.bayes.map { "\(number($0.median, d)) [\(number($0.lower, d)), \(number($0.upper, d))]" } ?? ""
            return [p.name, interval(p.ordinaryLeastSquares, d), interval(reml, d), interval(p.bootstrap, d), bayes, hdi]
        }
        out += table(["parameter", "OLS", "REML [profile]", "bootstrap [percentile]", "Bayes median [CrI]", "HDI"], parameterRows)

        out += "\n2. Group-level coefficients (estimate ± SE; partial pooling = fixed effect + conditional mode ± conditional SD)\n"
        let hasWeights = c.groups.contains { $0.shrinkageWeight != nil }
        let groupRows = c.groups.map { g -> [String] in
            let d = decimals(scale: g.partialPooling.conditionalSD)
            var row = ["\(g.group) \(g.level)", g.term, String(g.size),
                       g.noPooling.map { "\(number($0.estimate, d)) ± \(number($0.standardError, d))" } ?? "",
                       "\(number(g.partialPooling.coefficient, d)) ± \(number(g.partialPooling.conditionalSD, d))",
                       g.bayes.map { "\(number($0.mean, d)) [\(number($0.lower, d)), \(number($0.upper, d))]" } ?? ""]
            if hasWeights { row.append(g.shrinkageWeight.map { number($0, 3) } ?? "") }
            return row
        }
        var groupHeader = ["level", "term", "n", "no pooling", "partial pooling (REML)", "Bayes mean [CrI]"]
        if hasWeights { groupHeader.append("weight") }
        out += table(groupHeader, groupRows)
        if hasWeights {
            out += "  weight = (n_j/σ²_y) / (n_j/σ²_y + 1/σ²_α) (Gelman & Hill 2006, eq. 12.4; σ_y, σ_α from REML): the share of the group's own mean in its partial-pooling intercept.\n"
        }

        out += "\n3. Models\n"
        out += table(["model", "df", "logLik", "AIC", "BIC"], c.models.map {
            [$0.model, String($0.parameterCount), number($0.logLikelihood), number($0.akaikeInformationCriterion),
             number($0.bayesianInformationCriterion)]
        })
        let test = c.likelihoodRatioTest
        let p = test.pValue < 2.2e-16 ? "p < 2.2e-16" : "p = " + String(format: "%.4g", test.pValue)
        out += "Likelihood-ratio test, OLS vs ML mixed model: Chisq = \(number(test.statistic)), df = \(test.degreesOfFreedom), \(p)\n"
        out += "  (naive χ² reference with df = difference in parameters, as lme4's anova; variance components on the\n"
        out += "   boundary make the correct χ²-mixture p-value smaller, so this one is conservative)\n"
        out += criteriaText(leaveOneOut: c.leaveOneOut, waic: c.waic)
        return out
    }

    /// The PSIS-LOO and WAIC lines of the Bayesian fit (`LeaveOneOutCriteria`, as `multilevel loo`).
    static func criteriaText(leaveOneOut: PSISLeaveOneOut?, waic: WAIC?) -> String {
        var out = ""
        if let loo = leaveOneOut {
            let k = loo.paretoKCounts
            out += "PSIS-LOO (Bayesian fit): elpd_loo = \(number(loo.elpd.estimate)) (SE \(number(loo.elpd.standardError))), "
            out += "p_loo = \(number(loo.effectiveParameters.estimate)) (SE \(number(loo.effectiveParameters.standardError))), "
            out += "LOOIC = \(number(loo.looic.estimate)) (SE \(number(loo.looic.standardError)))\n"
            out += "  Pareto k: \(k.good) good (<= 0.5), \(k.ok) ok (<= 0.7), \(k.bad) bad (<= 1), \(k.veryBad) very bad (> 1)\n"
        } else {
            out += "PSIS-LOO: not available for this fit\n"
        }
        if let w = waic {
            out += "WAIC (Bayesian fit): elpd_waic = \(number(w.elpd.estimate)) (SE \(number(w.elpd.standardError))), "
            out += "p_waic = \(number(w.effectiveParameters.estimate)), WAIC = \(number(w.waic.estimate)) (SE \(number(w.waic.standardError)))\n"
        } else {
            out += "WAIC: not available for this fit\n"
        }
        return out
    }
}
