/// A family-specific (auxiliary) parameter of the likelihood, named as brms names it.
public enum AuxiliaryParameter: String, Sendable, Equatable, CaseIterable {
    /// Residual standard deviation (gaussian, student, lognormal), lower bound 0.
    case sigma
    /// Shape (negative binomial, gamma), lower bound 0.
    case shape
    /// Degrees of freedom of the Student-t family, lower bound 1 (brms: `real<lower=1> nu`).
    case nu
    /// Zero-inflation probability (zero-inflated families), in (0, 1).
    case zi
    /// Hurdle probability, P(y = 0) (hurdle families), in (0, 1).
    case hu
    /// Precision of the beta family (variance μ(1 − μ)/(1 + φ)), lower bound 0.
    case phi
    /// The gap τ_{k+1} − τ_k > 0 between consecutive thresholds of an ordinal model (`cumulative`,
    /// K − 2 of them; `OrdinalThresholds`): Stan's `ordered` transform. Reported as the thresholds
    /// `b_Intercept[k]`, never by itself; its prior is the Intercept class's on each threshold.
    case thresholdGap = "Intercept_gap"
    /// Skewness of the skew_normal family, any real number (brms: `real alpha`).
    case alpha

    /// The lower bound of the parameter's support; the unconstrained value is log(x − bound)
    /// (logit x for a probability).
    public var lowerBound: Double {
        switch self {
        case .nu: return 1
        case .alpha: return -.infinity
        default: return 0
        }
    }

    /// Whether the parameter takes any real value (skew_normal's `alpha`): the unconstrained value
    /// is the parameter itself, with no Jacobian.
    public var isUnbounded: Bool { self == .alpha }

    /// Whether the parameter is a probability (brms: `real<lower=0, upper=1>`), unconstrained by
    /// the logit: x = logistic(y), log-Jacobian log x + log(1 − x).
    public var isProbability: Bool { self == .zi || self == .hu }

    /// The prior class of the parameter (`sigma ~ …` in a prior statement).
    var priorClass: PriorClass {
        switch self {
        case .sigma: return .sigma
        case .shape: return .shape
        case .nu: return .nu
        case .zi: return .zi
        case .hu: return .hu
        case .phi: return .phi
        case .thresholdGap: return .intercept
        case .alpha: return .alpha
        }
    }

    /// brms 2.18's default prior (`get_prior`): `sigma ~ student_t(3, 0, s)` with s the default
    /// scale of the response on the identity scale (`PriorSet.defaultScaleLocation`),
    /// `shape`, `phi ~ gamma(0.01, 0.01)`, `nu ~ gamma(2, 0.1)`, `zi`, `hu ~ beta(1, 1)`,
    /// `alpha ~ normal(0, 4)`.
    func defaultPrior(identityScale: Double) -> PriorDistribution {
        switch self {
        case .sigma: return .studentT(degreesOfFreedom: 3, location: 0, scale: identityScale)
        case .shape, .phi: return .gamma(shape: 0.01, rate: 0.01)
        case .nu: return .gamma(shape: 2, rate: 0.1)
        case .zi, .hu: return .beta(alpha: 1, beta: 1)
        case .thresholdGap: return .flat
        case .alpha: return .normal(mean: 0, sd: 4)
        }
    }
}
