#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

extension AuxiliaryParameter {
    /// brms 2.18's default link of the parameter when it is predicted (`brmsfamily()$link_<dpar>`):
    /// `log` for sigma, shape and phi, `logm1` for nu (ν = 1 + e^η), `logit` for zi and hu,
    /// `identity` for alpha.
    public var distributionalLinkName: String {
        switch self {
        case .sigma, .shape, .phi: return "log"
        case .nu: return "logm1"
        case .zi, .hu: return "logit"
        case .alpha, .thresholdGap: return "identity"
        }
    }

    /// The parameter's value at its linear predictor η (the inverse of its distributional link)
    /// and d value / dη.
    @inline(__always)
    func inverseDistributionalLink(_ eta: Double) -> (value: Double, derivative: Double) {
        switch self {
        case .sigma, .shape, .phi:
            let value = exp(eta)
            return (value, value)
        case .nu:
            let e = exp(eta)
            return (1 + e, e)
        case .zi, .hu:
            let value = inverseLogit(eta)
            return (value, value * (1 - value))
        case .alpha, .thresholdGap:
            return (eta, 1)
        }
    }

    /// The distributional link applied to a value of the parameter (for starting values and tests).
    func distributionalLink(_ value: Double) -> Double {
        switch self {
        case .sigma, .shape, .phi: return log(value)
        case .nu: return log(value - 1)
        case .zi, .hu: return log(value / (1 - value))
        case .alpha, .thresholdGap: return value
        }
    }

    /// brms 2.18's default prior of the dpar's intercept on the link scale (`get_prior`):
    /// student_t(3, 0, 2.5) for the log-link dpars (sigma, shape, phi), normal(2.7, 0.8) for nu,
    /// logistic(0, 1) for the logit-link zi and hu (a uniform prior on the probability at the
    /// intercept), normal(0, 4) for skew_normal's alpha (identity link, as its constant prior).
    var distributionalInterceptPrior: PriorDistribution? {
        switch self {
        case .sigma, .shape, .phi: return .studentT(degreesOfFreedom: 3, location: 0, scale: 2.5)
        case .nu: return .normal(mean: 2.7, sd: 0.8)
        case .zi, .hu: return .logistic(location: 0, scale: 1)
        case .alpha: return .normal(mean: 0, sd: 4)
        case .thresholdGap: return nil
        }
    }
}
