import Foundation
import MultilevelData
import MultilevelModels

/// glmer-style text output of `multilevel lmer --family binomial|bernoulli|poisson`:
/// `summary(glmer(...))` — title, family, the AIC/BIC/logLik/deviance/df.resid table, scaled
/// (Pearson) residual quantiles, random effects (Variance / Std.Dev. / Corr, no residual row),
/// fixed effects with Estimate / Std. Error / z value / Pr(>|z|) and significance stars,
/// correlation of fixed effects — and its JSON (`lmer --json` shape, method "Laplace").
public enum GlmerSummary {
    public static func text(_ fit: GeneralizedLinearMixedModelFit, dataName: String) -> String {
        var out = fit.quadraturePoints > 1
            ? "Generalized linear mixed model fit by maximum likelihood (Adaptive\n  Gauss-Hermite Quadrature, nAGQ = \(fit.quadraturePoints)) [glmerMod]\n"
            : "Generalized linear mixed model fit by maximum likelihood (Laplace\n  Approximation) [glmerMod]\n"
        out += " Family: \(fit.familyName)  ( \(fit.linkName) )\n"
        out += "Formula: \(fit.formulaText)\n   Data: \(dataName)\n\n"
        out += MixedModelSummaryLayout.informationCriteriaTable(
            aic: fit.akaikeInformationCriterion, bic: fit.bayesianInformationCriterion, logLikelihood: fit.logLikelihood,
            deviance: -2 * fit.logLikelihood, residualDegreesOfFreedom: fit.residualDegreesOfFreedom) + "\n"
        out += "Scaled residuals: \n" + LmerSummary.quantileTable(fit.pearsonResiduals) + "\n"
        out += "Random effects:\n" + MixedModelSummaryLayout.randomEffectsTable(fit.varianceComponents, residualStandardDeviation: nil)
        out += MixedModelSummaryLayout.groupsLine(terms: fit.terms, observationCount: fit.observationCount) + "\n"
        out += "Fixed effects:\n" + fixedEffectsTable(fit)
        out += MixedModelSummaryLayout.correlationBlock(names: fit.fixedEffectNames, covariance: fit.fixedEffectsCovariance)
        for warning in fit.warnings { out += warning + "\n" }
        return out
    }

    /// printCoefmat(Estimate, Std. Error, z value, Pr(>|z|)) with lme4's digits (4) and stars.
    static func fixedEffectsTable(_ fit: GeneralizedLinearMixedModelFit) -> String {
        waldTable(names: fit.fixedEffectNames, estimates: fit.fixedEffects, standardErrors: fit.standardErrors,
                  zValues: fit.zValues, pValues: fit.pValues)
    }

    /// The Wald z table of any coefficients (glmer's and glmmTMB's layout).
    static func waldTable(names: [String], estimates estimateValues: [Double], standardErrors standardErrorValues: [Double],
                          zValues zValueNumbers: [Double], pValues pValueNumbers: [Double]) -> String {
        let (estimates, standardErrors) = MixedModelSummaryLayout.estimateColumns(estimateValues, standardErrors: standardErrorValues)
        let zValues = LmerSummary.rFormat(zValueNumbers.map { LmerSummary.roundDecimals($0, 3) }, digits: 4)
        let pValues = formatPValues(pValueNumbers, digits: 3)
        let showStars = pValueNumbers.contains { $0 < 0.1 }
        var columns = [("Estimate", estimates), ("Std. Error", standardErrors),
                       ("z value", zValues), ("Pr(>|z|)", pValues)]
        if showStars {
            let stars = pValueNumbers.map(significanceStars)
            let width = stars.map(\.count).max() ?? 0
            columns.append(("", stars.map { LmerSummary.pad(right: $0, to: width) }))
        }
        var table = LmerSummary.coefficientTable(rowNames: names, columns: columns)
        if showStars {
            table += "---\nSignif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1\n"
        }
        return table
    }

    /// R's `symnum` coding of a p-value.
    static func significanceStars(_ p: Double) -> String {
        p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : " "
    }

    /// R's `format.pval(pv, digits)`: values ≥ 1e-4 formatted together, smaller ones together,
    /// each group by `format(x, digits)` (fixed or scientific, whichever is narrower), values below
    /// machine epsilon as `<2e-16`.
    static func formatPValues(_ values: [Double], digits: Int) -> [String] {
        let eps = Double.ulpOfOne
        var result = [String](repeating: "NA", count: values.count)
        let tiny = values.indices.filter { values[$0] < eps }
        let fixedGroup = values.indices.filter { values[$0] >= eps && floor(log10(values[$0])) >= (digits > 1 ? -4 : -3) }
        let otherGroup = values.indices.filter { values[$0] >= eps && !fixedGroup.contains($0) }
        for group in [fixedGroup, otherGroup] where !group.isEmpty {
            for (k, text) in formatNumbers(group.map { values[$0] }, digits: digits).enumerated() { result[group[k]] = text }
        }
        for i in tiny { result[i] = "<2e-16" }
        return result
    }

    /// R's `format(x, digits)` for positive numbers: significant digits needed (at most `digits`),
    /// then fixed notation unless it is wider than scientific.
    static func formatNumbers(_ values: [Double], digits: Int) -> [String] {
        func significant(_ x: Double) -> Int {
            var s = digits
            while s > 1 {
                let text = String(format: "%.\(s - 1)e", x)
                let mantissa = text.split(separator: "e")[0]
                if mantissa.hasSuffix("0") { s -= 1 } else { break }
            }
            return s
        }
        let sig = values.map(significant)
        let exponents = values.map { Int(floor(log10(Double(String(format: "%.\(digits - 1)e", $0)) ?? $0))) }
        let decimals = max(0, zip(sig, exponents).map { $0 - 1 - $1 }.max() ?? 0)
        let integerWidth = max(1, (exponents.max() ?? 0) + 1)
        let fixedWidth = integerWidth + (decimals > 0 ? decimals + 1 : 0)
        let mantissaDigits = sig.max() ?? 1
        let scientificWidth = (mantissaDigits > 1 ? mantissaDigits + 1 : 1) + 4
        if fixedWidth <= scientificWidth {
            return values.map { String(format: "%.\(decimals)f", $0) }
        }
        return values.map { String(format: "%.\(mantissaDigits - 1)e", $0) }
    }

    /// `lmer --json` for a GLMM: formula, family, method "Laplace", nobs, logLik, AIC, BIC,
    /// deviance (lme4's `deviance()`: Σ unit deviances), criterion null, singular, theta,
    /// parameters, ranef, warnings.
    public static func json(_ fit: GeneralizedLinearMixedModelFit, family: String) -> JSONValue {
        var ranef: [(String, JSONValue)] = []
        var groups: [String] = []
        for term in fit.terms where !groups.contains(term.grouping.name) { groups.append(term.grouping.name) }
        for group in groups {
            let indices = fit.terms.indices.filter { fit.terms[$0].grouping.name == group }
            let levels = fit.terms[indices[0]].grouping.levels
            ranef.append((group, .object(levels.enumerated().map { level, label in
                (label, .object(indices.flatMap { k -> [(String, JSONValue)] in
                    let q = fit.terms[k].columnCount
                    return fit.terms[k].brmsColumnNames.enumerated().map { j, column in
                        var entry: [(String, JSONValue)] = [("mode", .optionalNumber(fit.conditionalModes[k][level * q + j]))]
                        if !fit.conditionalStandardDeviations.isEmpty {
                            entry.append(("condsd", .optionalNumber(fit.conditionalStandardDeviations[k][level * q + j])))
                        }
                        return (column, .object(entry))
                    }
                }))
            })))
        }
        return .object([
            ("formula", .string(fit.formulaText)),
            ("family", .string(family)),
            ("method", .string(fit.quadraturePoints > 1 ? "AGQ, nAGQ = \(fit.quadraturePoints)" : "Laplace")),
            ("nobs", .integer(fit.observationCount)),
            ("logLik", .optionalNumber(fit.logLikelihood)),
            ("AIC", .optionalNumber(fit.akaikeInformationCriterion)),
            ("BIC", .optionalNumber(fit.bayesianInformationCriterion)),
            ("deviance", .optionalNumber(fit.deviance)),
            ("criterion", .null),
            ("singular", .bool(fit.isSingular)),
            ("theta", .array(fit.theta.map { .optionalNumber($0) })),
            ("parameters", LmerJSON.parametersObject(frequentistParameters(fit))),
            ("ranef", .object(ranef)),
            ("warnings", .array(fit.warnings.map { .string($0) })),
        ])
    }
}
