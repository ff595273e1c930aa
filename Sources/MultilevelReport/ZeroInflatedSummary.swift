import Foundation
import MultilevelData
import MultilevelMath
import MultilevelModels

/// glmmTMB-style text and JSON of a zero-inflated Laplace fit (`lmer --family
/// zero_inflated_poisson | zero_inflated_negbinomial`): family, formula, zero-inflation formula
/// ~1, the AIC/BIC/logLik/deviance/df.resid table, random effects, the conditional model's Wald
/// table, the dispersion (nbinom2 shape) and the zero-inflation model's intercept on the logit scale.
public enum ZeroInflatedSummary {
    static func glmmTMBFamily(_ fit: ZeroInflatedMixedModelFit) -> String { fit.shape == nil ? "poisson" : "nbinom2" }

    public static func text(_ fit: ZeroInflatedMixedModelFit, dataName: String) -> String {
        var out = " Family: \(glmmTMBFamily(fit))  ( log )  [zero-inflated: \(fit.familyName)]\n"
        out += "Formula:          \(fit.formulaText)\nZero inflation:   ~1\nData: \(dataName)\n\n"
        out += MixedModelSummaryLayout.informationCriteriaTable(
            aic: fit.akaikeInformationCriterion, bic: fit.bayesianInformationCriterion, logLikelihood: fit.logLikelihood,
            deviance: -2 * fit.logLikelihood, residualDegreesOfFreedom: fit.observationCount - fit.degreesOfFreedom) + "\n"
        out += "Random effects:\n\nConditional model:\n"
        out += MixedModelSummaryLayout.randomEffectsTable(fit.varianceComponents, residualStandardDeviation: nil)
        out += MixedModelSummaryLayout.groupsLine(terms: fit.terms, observationCount: fit.observationCount) + "\n"
        if let shape = fit.shape {
            out += "Dispersion parameter for nbinom2 family (): \(LmerSummary.rFormat([shape], digits: 3)[0])\n\n"
        }
        out += "Conditional model:\n" + GlmerSummary.waldTable(names: fit.fixedEffectNames, estimates: fit.fixedEffects,
                                                               standardErrors: fit.standardErrors, zValues: fit.zValues, pValues: fit.pValues)
        let z = fit.zeroInflationLogit / fit.zeroInflationLogitStandardError
        out += "\nZero-inflation model (logit scale; zi = \(LmerSummary.rFormat([fit.zeroInflationProbability], digits: 4)[0])):\n"
            + GlmerSummary.waldTable(names: ["(Intercept)"], estimates: [fit.zeroInflationLogit],
                                     standardErrors: [fit.zeroInflationLogitStandardError], zValues: [z],
                                     pValues: [2 * NormalDistribution.cdf(-abs(z))])
        if fit.zeroInflationAtBoundary {
            out += "zi is at its boundary 0 (logit held at \(LmerSummary.rFormat([fit.zeroInflationLogit], digits: 3)[0])): the zero inflation does not improve on the count model\n"
        }
        for warning in fit.warnings { out += warning + "\n" }
        return out
    }

    public static func json(_ fit: ZeroInflatedMixedModelFit, family: String) -> JSONValue {
        .object([
            ("formula", .string(fit.formulaText)),
            ("family", .string(family)),
            ("method", .string("Laplace (glmmTMB, ziformula = ~1)")),
            ("nobs", .integer(fit.observationCount)),
            ("logLik", .optionalNumber(fit.logLikelihood)),
            ("AIC", .optionalNumber(fit.akaikeInformationCriterion)),
            ("BIC", .optionalNumber(fit.bayesianInformationCriterion)),
            ("df", .integer(fit.degreesOfFreedom)),
            ("theta", .array(fit.theta.map { .optionalNumber($0) })),
            ("zi_logit_Intercept", .object([("estimate", .optionalNumber(fit.zeroInflationLogit)),
                                            ("se", .optionalNumber(fit.zeroInflationLogitStandardError)),
                                            ("at_boundary", .bool(fit.zeroInflationAtBoundary))])),
            ("parameters", LmerJSON.parametersObject(fit.namedEstimates)),
            ("warnings", .array(fit.warnings.map { .string($0) })),
        ])
    }
}
