import Foundation
import MultilevelMath

/// One fitted model as lme4's `anova.merMod` uses it: its name, number of parameters (`npar`,
/// lme4's df of logLik), ML (or Laplace) log-likelihood and number of observations.
public struct LikelihoodRatioModel: Sendable, Equatable {
    public var name: String
    public var parameterCount: Int
    public var logLikelihood: Double
    public var observationCount: Int

    public init(name: String, parameterCount: Int, logLikelihood: Double, observationCount: Int) {
        self.name = name
        self.parameterCount = parameterCount
        self.logLikelihood = logLikelihood
        self.observationCount = observationCount
    }

    /// −2ℓ + 2·npar.
    public var akaikeInformationCriterion: Double { -2 * logLikelihood + 2 * Double(parameterCount) }
    /// −2ℓ + log(n)·npar.
    public var bayesianInformationCriterion: Double { -2 * logLikelihood + log(Double(observationCount)) * Double(parameterCount) }
    /// −2ℓ.
    public var deviance: Double { -2 * logLikelihood }
}

/// One row of lme4's `anova(m1, m2, ...)` table: the model, and for every row after the first the
/// likelihood-ratio test against the row above (Chisq = 2·max(0, Δℓ), Df = Δnpar,
/// Pr(>Chisq) = P(χ²_Df ≥ Chisq)).
public struct LikelihoodRatioRow: Sendable, Equatable {
    public var model: LikelihoodRatioModel
    public var chiSquare: Double?
    public var degreesOfFreedom: Int?
    public var pValue: Double?
}

/// lme4's `anova.merMod` for two or more fits by ML (Laplace for GLMMs): rows ordered by number
/// of parameters (stably, as R's `order`), each tested against the row above. The χ² reference
/// assumes the models are nested and that no parameter lies on the boundary under the smaller
/// model (see `LikelihoodRatioTest` on the conservative p-value for variance components).
public func likelihoodRatioTable(_ models: [LikelihoodRatioModel]) -> [LikelihoodRatioRow] {
    let ordered = models.indices.sorted { models[$0].parameterCount != models[$1].parameterCount
        ? models[$0].parameterCount < models[$1].parameterCount : $0 < $1 }.map { models[$0] }
    return ordered.enumerated().map { index, model in
        guard index > 0 else { return LikelihoodRatioRow(model: model, chiSquare: nil, degreesOfFreedom: nil, pValue: nil) }
        let previous = ordered[index - 1]
        let statistic = 2 * max(0, model.logLikelihood - previous.logLikelihood)
        let df = model.parameterCount - previous.parameterCount
        // χ² on 0 df is a point mass at 0 (R's pchisq(x, 0, lower.tail = FALSE) = 0 for x ≥ 0).
        let p = df > 0 ? ChiSquaredDistribution(degreesOfFreedom: Double(df)).ccdf(statistic) : 0
        return LikelihoodRatioRow(model: model, chiSquare: statistic, degreesOfFreedom: df, pValue: p)
    }
}
