#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// A link function g with μ = g⁻¹(η): the linear predictor η lives on the link scale.
public enum Link: String, Sendable, Equatable, CaseIterable {
    /// η = μ.
    case identity
    /// η = log μ.
    case log
    /// η = log(μ / (1 − μ)).
    case logit

    /// g(μ), the link applied to a mean (brms' `link(y, link)` used by the default priors).
    public func apply(_ mu: Double) -> Double {
        switch self {
        case .identity: return mu
        case .log: return _posteriorLog(mu)
        case .logit: return _posteriorLog(mu / (1 - mu))
        }
    }

    /// g⁻¹(η), the mean of the response for linear predictor η.
    public func inverse(_ eta: Double) -> Double {
        switch self {
        case .identity: return eta
        case .log: return exp(eta)
        case .logit: return inverseLogit(eta)
        }
    }
}

@inline(__always)
func _posteriorLog(_ x: Double) -> Double { log(x) }
