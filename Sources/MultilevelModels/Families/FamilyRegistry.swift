import Foundation
/// A response distribution of the GLMM class with its link (brms' `family` argument, e.g.
/// `bernoulli(link = "probit")`): the registry of the families under `Families/`. Adding a family
/// is its file and one case of `Kind` (with its lines in `visit`); adding a link to a family is
/// the link in the family's `links` and one line in `visit`.
///
/// Two families are equal when both distribution and link are: code that special-cases
/// `.bernoulli` or `.gaussian` means the canonical (default) link, and a family with another link
/// takes the general paths (`LinkedFamily`).
public struct Family: Sendable, Hashable {
    /// The response distribution, named as brms names it.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
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
        /// Proportions in (0, 1) with mean logistic(η) and precision `phi`.
        case beta
        /// Ordinal ratings 1 … K, P(y ≤ k) = F(τ_k − η), logit link (probit too).
        case cumulative
        /// Skewed continuous response with mean η (identity link), `sigma` and skewness `alpha`.
        case skewNormal = "skew_normal"
        /// Zeros with probability `hu`, else lognormal with log-scale mean η and `sigma`.
        case hurdleLognormal = "hurdle_lognormal"
    }

    /// The response distribution.
    public let kind: Kind
    /// The link of the mean (brms' `link`).
    public let link: Link

    /// The family with its default link, or with `link` (which `visit` must list for the kind).
    init(_ kind: Kind, link: Link? = nil) {
        self.kind = kind
        self.link = link ?? Family.visitDefault(kind, DescriptorVisitor()).link
    }

    public static let gaussian = Family(.gaussian)
    public static let student = Family(.student)
    public static let bernoulli = Family(.bernoulli)
    public static let binomial = Family(.binomial)
    public static let poisson = Family(.poisson)
    public static let negativeBinomial = Family(.negativeBinomial)
    public static let lognormal = Family(.lognormal)
    public static let gamma = Family(.gamma)
    public static let zeroInflatedPoisson = Family(.zeroInflatedPoisson)
    public static let zeroInflatedNegativeBinomial = Family(.zeroInflatedNegativeBinomial)
    public static let hurdlePoisson = Family(.hurdlePoisson)
    public static let hurdleNegativeBinomial = Family(.hurdleNegativeBinomial)
    public static let exponential = Family(.exponential)
    public static let weibull = Family(.weibull)
    public static let beta = Family(.beta)
    public static let cumulative = Family(.cumulative)
    public static let skewNormal = Family(.skewNormal)
    public static let hurdleLognormal = Family(.hurdleLognormal)

    /// Every distribution with its default link.
    public static var allCases: [Family] { Kind.allCases.map { Family($0) } }

    /// Every distribution with every link it supports (`ResponseFamily.links`).
    public static var allLinked: [Family] {
        Kind.allCases.flatMap { kind in Family.visitDefault(kind, LinksVisitor()).map { Family(kind, link: $0) } }
    }

    /// The distribution's name (brms' family name, without the link).
    public var rawValue: String { kind.rawValue }

    /// Calls `visitor` with the family's type: the distribution's own type for its default link,
    /// `LinkedFamily<F, L>` for another link it supports (one line per pair).
    func visit<Visitor: ResponseFamilyVisitor>(_ visitor: Visitor) -> Visitor.Result {
        switch (kind, link) {
        case (.bernoulli, .probit): return visitor.visit(LinkedFamily<BernoulliFamily, ProbitLink>.self)
        case (.bernoulli, .cloglog): return visitor.visit(LinkedFamily<BernoulliFamily, ComplementaryLogLogLink>.self)
        case (.bernoulli, .cauchit): return visitor.visit(LinkedFamily<BernoulliFamily, CauchitLink>.self)
        case (.binomial, .probit): return visitor.visit(LinkedFamily<BinomialFamily, ProbitLink>.self)
        case (.binomial, .cloglog): return visitor.visit(LinkedFamily<BinomialFamily, ComplementaryLogLogLink>.self)
        case (.binomial, .cauchit): return visitor.visit(LinkedFamily<BinomialFamily, CauchitLink>.self)
        case (.poisson, .identity): return visitor.visit(LinkedFamily<PoissonFamily, IdentityLink>.self)
        case (.poisson, .sqrt): return visitor.visit(LinkedFamily<PoissonFamily, SquareRootLink>.self)
        case (.negativeBinomial, .identity): return visitor.visit(LinkedFamily<NegativeBinomialFamily, IdentityLink>.self)
        case (.negativeBinomial, .sqrt): return visitor.visit(LinkedFamily<NegativeBinomialFamily, SquareRootLink>.self)
        case (.gaussian, .log): return visitor.visit(LinkedFamily<GaussianFamily, LogLink>.self)
        case (.gaussian, .reciprocal): return visitor.visit(LinkedFamily<GaussianFamily, ReciprocalLink>.self)
        case (.gamma, .reciprocal): return visitor.visit(LinkedFamily<GammaFamily, ReciprocalLink>.self)
        case (.gamma, .identity): return visitor.visit(LinkedFamily<GammaFamily, IdentityLink>.self)
        case (.cumulative, .probit): return visitor.visit(CumulativeFamily<ProbitLink>.self)
        default: return Family.visitDefault(kind, visitor)
        }
    }

    /// Calls `visitor` with the distribution's own type (its default link; one line per family).
    static func visitDefault<Visitor: ResponseFamilyVisitor>(_ kind: Kind, _ visitor: Visitor) -> Visitor.Result {
        switch kind {
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
        case .beta: return visitor.visit(BetaFamily.self)
        case .cumulative: return visitor.visit(CumulativeFamily<LogitLink>.self)
        case .skewNormal: return visitor.visit(SkewNormalFamily.self)
        case .hurdleLognormal: return visitor.visit(HurdleLognormalFamily.self)
        }
    }

    /// The family named as brms or R names it, with an optional link as brms writes it:
    /// `gaussian`, `negbinomial`, `Gamma` or `gamma`, `zero_inflated_poisson()`,
    /// `bernoulli(link = "probit")`, `binomial("cloglog")`, `poisson(link = identity)`.
    /// Throws a one-line `FamilyError` for an unknown family or a link the family does not have.
    public init(name: String) throws {
        let text = name.trimmingCharacters(in: .whitespaces)
        var base = text, linkName: String?
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            base = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            var argument = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
                .trimmingCharacters(in: .whitespaces)
            if argument.hasPrefix("link") {
                let rest = argument.dropFirst(4).trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix("=") { argument = String(rest.dropFirst()).trimmingCharacters(in: .whitespaces) }
            }
            for quote in ["\"", "'"] where argument.count >= 2 && argument.hasPrefix(quote) && argument.hasSuffix(quote) {
                argument = String(argument.dropFirst().dropLast())
            }
            if !argument.isEmpty { linkName = argument }
        }
        let kind: Kind
        switch base {
        case "gaussian", "normal": kind = .gaussian
        case "student", "student_t": kind = .student
        case "bernoulli": kind = .bernoulli
        case "binomial": kind = .binomial
        case "poisson": kind = .poisson
        case "negbinomial", "negative_binomial": kind = .negativeBinomial
        case "lognormal": kind = .lognormal
        case "Gamma", "gamma": kind = .gamma
        case "zero_inflated_poisson": kind = .zeroInflatedPoisson
        case "zero_inflated_negbinomial", "zero_inflated_negative_binomial": kind = .zeroInflatedNegativeBinomial
        case "hurdle_poisson": kind = .hurdlePoisson
        case "hurdle_negbinomial", "hurdle_negative_binomial": kind = .hurdleNegativeBinomial
        case "exponential": kind = .exponential
        case "weibull": kind = .weibull
        case "beta", "Beta": kind = .beta
        case "cumulative": kind = .cumulative
        case "skew_normal": kind = .skewNormal
        case "hurdle_lognormal": kind = .hurdleLognormal
        default:
            throw FamilyError(message: "unknown family '\(name)' (known: "
                + Kind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        let links = Family.visitDefault(kind, LinksVisitor())
        guard let linkName else { self.init(kind); return }
        guard let link = Link(brmsName: linkName), links.contains(link) else {
            throw FamilyError(message: "family \(kind.rawValue) has no link '\(linkName)' (its links: "
                + links.map(\.rawValue).joined(separator: ", ") + ")")
        }
        self.init(kind, link: link)
    }

    /// The family's type, for members that need no specialisation.
    var descriptor: any ResponseFamily.Type { visit(DescriptorVisitor()) }

    /// brms' name, as printed in the summary's `Family:` line.
    public var name: String { kind.rawValue }

    /// The family as brms writes it with a link other than the default
    /// (`bernoulli(link = "probit")`), or its name for the default link; `init(name:)` reads it
    /// back (fit directories, model files).
    public var specification: String {
        link == Family(kind).link ? kind.rawValue : "\(kind.rawValue)(link = \"\(link.rawValue)\")"
    }

    /// The links the distribution supports, its default first.
    public var links: [Link] { Family.visitDefault(kind, LinksVisitor()) }

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

extension Family: CustomStringConvertible {
    public var description: String { specification }
}

private struct LinksVisitor: ResponseFamilyVisitor {
    func visit<F: ResponseFamily>(_ family: F.Type) -> [Link] { family.links }
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
