/// A response distribution of the GLMM class with its link (brms' `family` argument): the
/// registry of the families under `Families/`. Adding a family is its file and one case here
/// (with its line in `visit`).
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
    /// Counts with structural zeros (`zi`), log link.
    case zeroInflatedPoisson = "zero_inflated_poisson"
    /// Overdispersed counts with structural zeros (`shape`, `zi`), log link.
    case zeroInflatedNegativeBinomial = "zero_inflated_negbinomial"
    /// Zeros with probability `hu`, else zero-truncated Poisson counts, log link.
    case hurdlePoisson = "hurdle_poisson"
    /// Zeros with probability `hu`, else zero-truncated negative binomial counts (`shape`), log link.
    case hurdleNegativeBinomial = "hurdle_negbinomial"
    /// Non-negative times with mean e^η, log link.
    case exponential
    /// Positive times with mean e^η and `shape` k, log link.
    case weibull

    /// Calls `visitor` with the family's type (one line per family).
    func visit<Visitor: ResponseFamilyVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch self {
        case .gaussian: return visitor.visit(GaussianFamily.self)
        case .student: return visitor.visit(StudentFamily.self)
        case .bernoulli: return visitor.visit(BernoulliFamily.self)
        case .binomial: return visitor.visit(BinomialFamily.self)
        case .poisson: return visitor.visit(PoissonFamily.self)
        case .negativeBinomial: return visitor.visit(NegativeBinomialFamily.self)
        case .lognormal: return visitor.visit(LognormalFamily.self)
        case .gamma: return visitor.visit(GammaFamily.self)
        case .zeroInflatedPoisson: return visitor.visit(ZeroInflatedPoissonFamily.self)
        case .zeroInflatedNegativeBinomial: return visitor.visit(ZeroInflatedNegativeBinomialFamily.self)
        case .hurdlePoisson: return visitor.visit(HurdlePoissonFamily.self)
        case .hurdleNegativeBinomial: return visitor.visit(HurdleNegativeBinomialFamily.self)
        case .exponential: return visitor.visit(ExponentialFamily.self)
        case .weibull: return visitor.visit(WeibullFamily.self)
        }
    }

    /// The family named as brms or R names it (`gaussian`, `negbinomial`, `Gamma` or `gamma`,
    /// `zero_inflated_poisson()`, …).
    public init(name: String) throws {
        switch name.hasSuffix("()") ? String(name.dropLast(2)) : name {
        case "gaussian", "normal": self = .gaussian
        case "student", "student_t": self = .student
        case "bernoulli": self = .bernoulli
        case "binomial": self = .binomial
        case "poisson": self = .poisson
        case "negbinomial", "negative_binomial": self = .negativeBinomial
        case "lognormal": self = .lognormal
        case "Gamma", "gamma": self = .gamma
        case "zero_inflated_poisson": self = .zeroInflatedPoisson
        case "zero_inflated_negbinomial", "zero_inflated_negative_binomial": self = .zeroInflatedNegativeBinomial
        case "hurdle_poisson": self = .hurdlePoisson
        case "hurdle_negbinomial", "hurdle_negative_binomial": self = .hurdleNegativeBinomial
        case "exponential": self = .exponential
        case "weibull": self = .weibull
        default:
            throw FamilyError(message: "unknown family '\(name)' (known: "
                + Family.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
    }

    /// The family's type, for members that need no specialisation.
    var descriptor: any ResponseFamily.Type { visit(DescriptorVisitor()) }

    /// brms' name, as printed in the summary's `Family:` line.
    public var name: String { rawValue }

    /// The (only supported) link of the family.
    public var link: Link { descriptor.link }

    /// The family's auxiliary parameters in brms' output order.
    public var auxiliaryParameters: [AuxiliaryParameter] { descriptor.auxiliaryParameters }

    /// Whether the family models the response on the log scale with an identity link (brms'
    /// `has_logscale`), which the default priors treat as a log link.
    public var hasLogScale: Bool { descriptor.hasLogScale }

    /// log p(y | η, auxiliary) of one observation with every constant (see
    /// `ResponseFamily.logLikelihood`).
    public func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        descriptor.logLikelihood(response: y, trials: trials, eta: eta, auxiliary: auxiliary)
    }
}

private struct DescriptorVisitor: ResponseFamilyVisitor {
    func visit<F: ResponseFamily>(_ family: F.Type) -> any ResponseFamily.Type { family }
}

/// An unknown family name or a response the family cannot model.
public struct FamilyError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}

extension Family {
    /// The part of the log-likelihood that depends on the data only (added once).
    func dataConstant(response: [Double], trials: [Double]) -> Double {
        descriptor.dataConstant(response: response, trials: trials)
    }

    /// Checks the response against the family's support; the error names the first offending
    /// row by its line in the data file (`data.csv line 12: …` when the file's name is known).
    func validate(response: [Double], trials: [Double]?, sourceLines: [Int], dataFileName: String? = nil) throws {
        func fail(_ i: Int, _ what: String) -> FamilyError {
            let line: String
            if i < sourceLines.count {
                line = (dataFileName.map { "\($0) " } ?? "") + "line \(sourceLines[i])"
            } else {
                line = "row \(i + 1)"
            }
            return FamilyError(message: "\(line): \(what) for family \(name)")
        }
        let family = descriptor
        for (i, y) in response.enumerated() {
            guard y.isFinite else { throw fail(i, "response \(y) is not finite") }
            if family.needsTrials && trials == nil {
                throw FamilyError(message: "family \(name) needs the number of trials: write `y | trials(n) ~ …` or `cbind(successes, failures) ~ …`")
            }
            if let violation = family.supportViolation(response: y, trials: trials?[i] ?? 1) { throw fail(i, violation) }
        }
    }
}
