#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// A link function g with μ = g⁻¹(η): the linear predictor η lives on the link scale. The cases
/// are brms' (and R's `make.link`) links, named as brms writes them (`link = "probit"`):
/// McCullagh & Nelder (1989), *Generalized Linear Models*, §2.2.4 and Table 2.1 for identity, log,
/// logit, probit, cloglog, inverse and sqrt; the cauchit link is the Cauchy distribution function
/// (Koenker & Yoon 2009, *J. Econometrics* 152, 120–130).
///
/// Besides g and g⁻¹ the link gives dμ/dη and d²μ/dη² (the chain rule of a row log-likelihood
/// written in μ, and the IRLS working weights), and, for the links of a probability (logit,
/// probit, cloglog, cauchit), log μ and log(1 − μ) with their η-derivatives computed without
/// forming μ, so that they stay finite and accurate far into both tails.
public enum Link: String, Sendable, Equatable, CaseIterable {
    /// η = μ.
    case identity
    /// η = log μ.
    case log
    /// η = log(μ / (1 − μ)).
    case logit
    /// η = Φ⁻¹(μ), Φ the standard normal distribution function.
    case probit
    /// η = log(−log(1 − μ)), the complementary log-log link.
    case cloglog
    /// η = tan(π(μ − ½)), the standard Cauchy quantile function.
    case cauchit
    /// η = 1/μ (brms' and R's `inverse`; the case is not named `inverse` to keep `inverse(_:)`,
    /// g⁻¹, unambiguous).
    case reciprocal = "inverse"
    /// η = √μ, μ = η² (brms: `mu = square(eta)`).
    case sqrt

    /// The link named as brms or R write it (`"probit"`, `"inverse"`), nil for a name it does not
    /// know.
    public init?(brmsName name: String) {
        self.init(rawValue: name)
    }

    /// Whether μ = g⁻¹(η) is a probability in (0, 1) for every η (logit, probit, cloglog,
    /// cauchit): the links of bernoulli, binomial and cumulative models.
    public var isProbabilityLink: Bool {
        switch self {
        case .logit, .probit, .cloglog, .cauchit: return true
        case .identity, .log, .reciprocal, .sqrt: return false
        }
    }

    /// g(μ), the link applied to a mean (brms' `link(y, link)` used by the default priors).
    public func apply(_ mu: Double) -> Double {
        switch self {
        case .identity: return mu
        case .log: return _posteriorLog(mu)
        case .logit: return _posteriorLog(mu / (1 - mu))
        case .probit: return NormalDistribution.quantile(mu)
        case .cloglog: return _posteriorLog(-log1p(-mu))
        case .cauchit: return tan(Double.pi * (mu - 0.5))
        case .reciprocal: return 1 / mu
        case .sqrt: return _linkSquareRoot(mu)
        }
    }

    /// g⁻¹(η), the mean of the response for linear predictor η. The probability links are
    /// evaluated in a form exact in both tails: Φ(η) by `NormalDistribution.cdf`,
    /// 1 − exp(−e^η) by expm1, and the Cauchy distribution function as atan2(1, −η)/π
    /// (= ½ + atan(η)/π without the cancellation of ½ − atan(|η|)/π for η → −∞).
    public func inverse(_ eta: Double) -> Double {
        switch self {
        case .identity: return eta
        case .log: return exp(eta)
        case .logit: return inverseLogit(eta)
        case .probit: return NormalDistribution.cdf(eta)
        case .cloglog: return -expm1(-exp(eta))
        case .cauchit: return atan2(1, -eta) / Double.pi
        case .reciprocal: return 1 / eta
        case .sqrt: return eta * eta
        }
    }

    /// dμ/dη at η: 1, e^η, μ(1 − μ), φ(η), e^(η − e^η), 1/(π(1 + η²)), −1/η², 2η.
    public func meanDerivative(_ eta: Double) -> Double {
        switch self {
        case .identity: return 1
        case .log: return exp(eta)
        case .logit:
            let e = exp(-Swift.abs(eta))
            return e / ((1 + e) * (1 + e))
        case .probit: return NormalDistribution.density(eta)
        case .cloglog: return exp(eta - exp(eta))
        case .cauchit: return 1 / (Double.pi * (1 + eta * eta))
        case .reciprocal: return -1 / (eta * eta)
        case .sqrt: return 2 * eta
        }
    }

    /// d²μ/dη² at η: 0, e^η, μ(1 − μ)(1 − 2μ), −η φ(η), e^(η − e^η)(1 − e^η),
    /// −2η/(π(1 + η²)²), 2/η³, 2.
    public func meanSecondDerivative(_ eta: Double) -> Double {
        switch self {
        case .identity: return 0
        case .log: return exp(eta)
        case .logit:
            let mu = inverseLogit(eta)
            return meanDerivative(eta) * (1 - 2 * mu)
        case .probit: return -eta * NormalDistribution.density(eta)
        case .cloglog: return exp(eta - exp(eta)) * (1 - exp(eta))
        case .cauchit:
            let q = 1 + eta * eta
            return -2 * eta / (Double.pi * q * q)
        case .reciprocal: return 2 / (eta * eta * eta)
        case .sqrt: return 2
        }
    }

    /// For a probability link: log μ, log(1 − μ) and their derivatives with respect to η, each
    /// finite wherever the true value is representable (the bernoulli, binomial and cumulative
    /// log-likelihoods y log μ + (n − y) log(1 − μ)).
    ///
    /// - logit: −log(1 + e^(−η)), −log(1 + e^η); 1 − μ, −μ.
    /// - probit: log Φ(η), log Φ(−η) (`NormalDistribution.logCDF`, Mills' ratio in the tails);
    ///   the derivatives φ(η)/Φ(η) and −φ(η)/Φ(−η) as exp(log φ − log Φ).
    /// - cloglog: with t = e^η, log(1 − e^(−t)) (η − t/2 once t < 10⁻⁸, where
    ///   1 − e^(−t) = t(1 − t/2 + …); log1p(−e^(−t)) once t > 1), −t; t/(e^t − 1), −t.
    /// - cauchit: log(atan2(1, −η)/π), log(atan2(1, η)/π);
    ///   1/((1 + η²) atan2(1, −η)), −1/((1 + η²) atan2(1, η)).
    ///
    /// Not meaningful for identity, log, inverse or sqrt (NaN).
    public func logProbabilities(_ eta: Double)
        -> (logMean: Double, logComplement: Double, logMeanDerivative: Double, logComplementDerivative: Double) {
        switch self {
        case .logit:
            let mu = inverseLogit(eta)
            return (-log1pexp(-eta), -log1pexp(eta), inverseLogit(-eta), -mu)
        case .probit:
            let logDensity = NormalDistribution.logDensity(eta)
            let logMean = NormalDistribution.logCDF(eta), logComplement = NormalDistribution.logCDF(-eta)
            return (logMean, logComplement, exp(logDensity - logMean), -exp(logDensity - logComplement))
        case .cloglog:
            let t = exp(eta)
            let logMean = t < 1e-8 ? eta - 0.5 * t : t > 1 ? log1p(-exp(-t)) : _posteriorLog(-expm1(-t))
            let derivative = t < 1e-8 ? 1 - 0.5 * t : t / expm1(t)
            return (logMean, -t, derivative, -t)
        case .cauchit:
            let lower = atan2(1, -eta), upper = atan2(1, eta)
            let q = 1 + eta * eta
            return (_posteriorLog(lower / Double.pi), _posteriorLog(upper / Double.pi), 1 / (q * lower), -1 / (q * upper))
        case .identity, .log, .reciprocal, .sqrt:
            return (.nan, .nan, .nan, .nan)
        }
    }
}

@inline(__always)
func _posteriorLog(_ x: Double) -> Double { log(x) }

/// √x, named apart from the `Link.sqrt` case that shadows the C function inside `Link`.
@inline(__always)
func _linkSquareRoot(_ x: Double) -> Double { sqrt(x) }
