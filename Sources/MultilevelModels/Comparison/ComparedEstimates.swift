import MultilevelSampling

/// A point estimate with its interval (a confidence, profile, bootstrap or credible interval).
public struct EstimateInterval: Sendable, Equatable {
    public var estimate: Double
    public var lower: Double
    public var upper: Double

    public init(estimate: Double, lower: Double, upper: Double) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
    }
}

/// A posterior summary of one quantity: median, central 95% credible interval (2.5% and 97.5%
/// quantiles, type 7) and the 95% highest-density interval.
public struct PosteriorInterval: Sendable, Equatable {
    public var median: Double
    public var lower: Double
    public var upper: Double
    public var hdiLower: Double
    public var hdiUpper: Double
}

/// One population-level parameter (`b_…`, `sd_…`, `cor_…`, `sigma`) estimated four ways.
public struct ParameterComparison: Sendable, Equatable {
    public var name: String
    /// Complete pooling (`lm`): estimate and t interval; fixed effects only.
    public var ordinaryLeastSquares: EstimateInterval?
    /// REML estimate with the profile-likelihood interval (lme4's `confint`).
    public var restrictedMaximumLikelihood: EstimateInterval
    /// The REML estimate with the bootstrap percentile interval.
    public var bootstrap: EstimateInterval?
    /// Posterior median, credible interval and HDI.
    public var bayes: PosteriorInterval?
}

/// A group's own estimate: no-pooling coefficient ± SE.
public struct NoPoolingEstimate: Sendable, Equatable {
    public var estimate: Double
    public var standardError: Double
}

/// A group's partial-pooling coefficient from the REML fit (lme4's `coef`): β̂ₜ + b̂ⱼₜ, with the
/// conditional mode b̂ⱼₜ and its conditional SD (`ranef(fit, condVar = TRUE)`).
public struct PartialPoolingEstimate: Sendable, Equatable {
    public var coefficient: Double
    public var conditionalMode: Double
    public var conditionalSD: Double
}

/// A group's Bayesian coefficient b_t + r_<group>[level,t], summarised over the draws: mean and
/// central 95% credible interval.
public struct BayesianGroupEstimate: Sendable, Equatable {
    public var mean: Double
    public var lower: Double
    public var upper: Double
}

/// One group level and one term (`Subject 308`, `Intercept`) estimated three ways.
public struct GroupComparison: Sendable, Equatable {
    public var group: String
    public var level: String
    public var term: String
    /// Rows in the level.
    public var size: Int
    public var noPooling: NoPoolingEstimate?
    public var partialPooling: PartialPoolingEstimate
    public var bayes: BayesianGroupEstimate?
    /// Gelman & Hill's eq. 12.4 weight, for random-intercept terms only.
    public var shrinkageWeight: Double?
}

/// logLik / AIC / BIC of one fitted model.
public struct InformationCriteria: Sendable, Equatable {
    public var model: String
    public var parameterCount: Int
    public var logLikelihood: Double
    public var akaikeInformationCriterion: Double
    public var bayesianInformationCriterion: Double
}
