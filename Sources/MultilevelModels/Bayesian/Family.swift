/// A family-specific (auxiliary) parameter of the likelihood, named as brms names it.
public enum AuxiliaryParameter: String, Sendable, Equatable, CaseIterable {
    /// Residual standard deviation (gaussian, student, lognormal), lower bound 0.
    case sigma
    /// Shape (negative binomial, gamma), lower bound 0.
    case shape
    /// Degrees of freedom of the Student-t family, lower bound 1 (brms: `real<lower=1> nu`).
    case nu

    /// The lower bound of the parameter's support; the unconstrained value is log(x − bound).
    public var lowerBound: Double { self == .nu ? 1 : 0 }
}

/// A response distribution of the GLMM class with its link (brms' `family` argument).
public enum Family: String, Sendable, Equatable, CaseIterable {
    /// Normal response, identity link, `sigma`.
    case gaussian
    /// Student-t response, identity link, `sigma` and `nu`.
    case student
    /// 0/1 response, logit link.
    case bernoulli
    /// Successes out of `trials`, logit link.
    case binomial
    /// Counts, log link.
    case poisson
    /// Counts, log link, `shape` φ (variance μ + μ²/φ).
    case negativeBinomial = "negbinomial"
    /// log y normal, identity link on the log scale, `sigma`.
    case lognormal
    /// Positive response, log link, `shape` α (variance μ²/α).
    case gamma = "Gamma"

    /// The family named as brms or R names it (`gaussian`, `negbinomial`, `Gamma` or `gamma`, …).
    public init(name: String) throws {
        switch name {
        case "gaussian", "normal": self = .gaussian
        case "student", "student_t": self = .student
        case "bernoulli": self = .bernoulli
        case "binomial": self = .binomial
        case "poisson": self = .poisson
        case "negbinomial", "negative_binomial": self = .negativeBinomial
        case "lognormal": self = .lognormal
        case "Gamma", "gamma": self = .gamma
        default:
            throw FamilyError(message: "unknown family '\(name)' (known: "
                + Family.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
    }

    /// brms' name, as printed in the summary's `Family:` line.
    public var name: String { rawValue }

    /// The (only supported) link of the family.
    public var link: Link {
        switch self {
        case .gaussian, .student, .lognormal: return .identity
        case .bernoulli, .binomial: return .logit
        case .poisson, .negativeBinomial, .gamma: return .log
        }
    }

    /// The family's auxiliary parameters in brms' output order.
    public var auxiliaryParameters: [AuxiliaryParameter] {
        switch self {
        case .gaussian, .lognormal: return [.sigma]
        case .student: return [.sigma, .nu]
        case .negativeBinomial, .gamma: return [.shape]
        case .bernoulli, .binomial, .poisson: return []
        }
    }

    /// Whether the family models the response on the log scale with an identity link (brms'
    /// `has_logscale`), which the default priors treat as a log link.
    public var hasLogScale: Bool { self == .lognormal }
}

/// An unknown family name or a response the family cannot model.
public struct FamilyError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}
