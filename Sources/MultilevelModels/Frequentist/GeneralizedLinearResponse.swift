import Foundation
import MultilevelData

/// The response of a generalised linear mixed model fitted by Laplace: the GLM families glmer fits
/// here — binomial (Bernoulli is binomial with one trial) with the logit, probit, cloglog or cauchit
/// link, Poisson with the log, identity or sqrt link, and the negative binomial (log). Holds y and
/// the binomial trials, and gives per observation what PIRLS and the Laplace deviance need
/// (McCullagh & Nelder 1989, ch. 2; lme4's `glmFamily`): the mean μ = g⁻¹(η), the Fisher-scoring
/// working weight w = (dμ/dη)² / Var(y) (the expected information, which lme4's PIRLS uses for
/// every link), the working residual (y − μ)/(dμ/dη), the unit deviance and the log-likelihood. Prior weights (glmer's `weights =` for the Poisson family, `GeneralizedPriorWeights`)
/// multiply each observation's working weight, unit deviance and log-likelihood, and its Pearson
/// residual by √w, as R's `poisson()$dev.resids`, `aic` and `glm.fit` do.
public struct GeneralizedLinearResponse: Sendable {
    /// The two canonical-link families of the Laplace engine.
    public enum Kind: String, Sendable { case binomial, poisson, negativeBinomial }

    public let kind: Kind
    /// The link g of μ = g⁻¹(η) (glmer's `binomial(link = "probit")`).
    public let link: Link
    /// Whether `link` is the kind's canonical one (logit, log), whose closed forms the hot paths use.
    let isCanonical: Bool
    /// Counts of successes (binomial) or events (Poisson).
    public let counts: [Double]
    /// Binomial trials per observation (all 1 for Bernoulli); empty for Poisson.
    public let trials: [Double]
    /// log C(m, y) (binomial) or −log y! (Poisson) per observation, the constant part of the log-likelihood.
    let logLikelihoodConstants: [Double]
    /// Binomial: 2[y log(y/m) + (m − y) log((m − y)/m)] per observation (0 log 0 = 0), the
    /// η-free part of the unit deviance (`devianceSum`); empty for the other kinds.
    let saturatedDevianceConstants: [Double]
    /// Prior weights per observation; empty when every weight is 1.
    public let priorWeights: [Double]
    /// The negative-binomial shape θ (variance μ + μ²/θ; MASS's `negative.binomial(theta)`), held
    /// fixed in one Laplace fit and chosen by `NegativeBinomialMixedModel`; +∞ for the other kinds.
    public internal(set) var shape: Double = .infinity

    /// The response of `design` under `family` (bernoulli and binomial → binomial, poisson → Poisson,
    /// each with the family's link). Throws for families and links the Laplace engine does not fit. `priorWeights` (one positive value per
    /// row, Poisson only: a binomial's weights are its trials, `GeneralizedPriorWeights`) scale
    /// each row's contribution.
    public init(design: ModelDesign, family: Family, priorWeights: [Double]? = nil) throws {
        precondition(priorWeights == nil || priorWeights!.count == design.rowCount, "one prior weight per row")
        self.priorWeights = priorWeights ?? []
        switch family.kind {
        case .binomial, .bernoulli:
            kind = .binomial
            counts = design.response
            trials = design.trials ?? [Double](repeating: 1, count: design.rowCount)
        case .poisson:
            kind = .poisson
            counts = design.response
            trials = []
        case .negativeBinomial:
            kind = .negativeBinomial
            counts = design.response
            trials = []
        default:
            throw MixedModelError("the Laplace (glmer) engine fits the binomial, bernoulli, poisson and (at a given shape) negbinomial families, not '\(family.name)'")
        }
        guard Self.links(of: kind).contains(family.link) else {
            throw MixedModelError("the Laplace (glmer) engine fits family \(family.kind.rawValue) with the link\(Self.links(of: kind).count > 1 ? "s" : "") \(Self.links(of: kind).map(\.rawValue).joined(separator: ", ")), not '\(family.link.rawValue)'")
        }
        link = family.link
        isCanonical = link == Self.links(of: kind)[0]
        if priorWeights != nil && kind == .binomial {
            throw MixedModelError("binomial prior weights are the numbers of trials: build the design with GeneralizedPriorWeights")
        }
        if kind == .binomial {
            logLikelihoodConstants = zip(counts, trials).map { y, m in lgamma(m + 1) - lgamma(y + 1) - lgamma(m - y + 1) }
            saturatedDevianceConstants = zip(counts, trials).map { y, m in
                2 * ((y > 0 ? y * log(y / m) : 0) + (y < m ? (m - y) * log((m - y) / m) : 0))
            }
        } else {
            logLikelihoodConstants = counts.map { -lgamma($0 + 1) }
            saturatedDevianceConstants = []
        }
    }

    /// The links the engine fits for `kind`, the canonical one first: glmer's binomial links whose
    /// mean is a probability for every η, and the Poisson links R's `poisson()` accepts.
    public static func links(of kind: Kind) -> [Link] {
        switch kind {
        case .binomial: return [.logit, .probit, .cloglog, .cauchit]
        case .poisson: return [.log, .identity, .sqrt]
        case .negativeBinomial: return [.log]
        }
    }

    /// Number of observations.
    public var count: Int { counts.count }

    /// The prior weight of observation `i` (1 without weights).
    @inline(__always)
    public func priorWeight(_ i: Int) -> Double { priorWeights.isEmpty ? 1 : priorWeights[i] }

    /// lme4's family line: `binomial  ( logit )`.
    public var familyName: String { kind == .negativeBinomial ? negativeBinomialFamilyName : kind.rawValue }
    public var linkName: String { link.rawValue }

    /// μ = g⁻¹(η) on the response's mean scale: the success probability (binomial) or the rate (Poisson).
    @inline(__always)
    public func mean(_ eta: Double) -> Double {
        guard isCanonical else { return link.inverse(eta) }
        switch kind {
        case .binomial: return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta))
        case .poisson, .negativeBinomial: return exp(eta)
        }
    }

    /// Working weight w = (dμ/dη)²/Var(yᵢ) and working residual (yᵢ − E yᵢ)/(d E yᵢ/dη) for
    /// observation `i` at η, so that one Fisher-scoring (= Newton, canonical link) step solves the
    /// weighted least-squares problem with response η + residual.
    @inline(__always)
    public func workingWeightAndResidual(_ i: Int, eta: Double) -> (weight: Double, residual: Double) {
        let mu = mean(eta)
        guard isCanonical else { return nonCanonicalWorkingWeightAndResidual(i, mu: mu, eta: eta) }
        switch kind {
        case .binomial:
            let m = trials[i]
            let variance = Swift.max(mu * (1 - mu), 1e-300)
            return (m * variance, (counts[i] / m - mu) / variance)
        case .poisson:
            let rate = Swift.max(mu, 1e-300)
            return (priorWeight(i) * rate, (counts[i] - rate) / rate)
        case .negativeBinomial:
            return negativeBinomialWorkingWeightAndResidual(i, mu: mu)
        }
    }

    /// Unit deviance dᵢ(μ) = 2[log p(yᵢ | saturated) − log p(yᵢ | μ)] (R's `dev.resids`).
    @inline(__always)
    public func unitDeviance(_ i: Int, eta: Double) -> Double {
        let mu = mean(eta)
        let y = counts[i]
        switch kind {
        case .binomial:
            let m = trials[i]
            var sum = 0.0
            if y > 0 { sum += y * log(y / (m * mu)) }
            if y < m { sum += (m - y) * log((m - y) / (m * (1 - mu))) }
            return 2 * sum
        case .poisson:
            return 2 * priorWeight(i) * ((y > 0 ? y * log(y / mu) : 0) - (y - mu))
        case .negativeBinomial:
            return negativeBinomialUnitDeviance(y, mu: mu)
        }
    }

    /// Σᵢ dᵢ(μᵢ) over all observations at η (PIRLS' penalised deviance without ‖u‖²). For the
    /// logit link, with −log μ = s(−η) and −log(1 − μ) = s(η), s(t) = max(t, 0) + log(1 + e^(−|t|)),
    ///
    ///     dᵢ = 2[yᵢ log(yᵢ/mᵢ) + (mᵢ − yᵢ) log((mᵢ − yᵢ)/mᵢ)] + 2[mᵢ log(1 + e^(−|ηᵢ|)) + yᵢ max(−ηᵢ, 0) + (mᵢ − yᵢ) max(ηᵢ, 0)]:
    ///
    /// one exponential and one logarithm per observation, and finite where μ rounds to 0 or 1.
    public func devianceSum(eta: [Double]) -> Double {
        var total = 0.0
        guard kind == .binomial && isCanonical else {
            for i in eta.indices { total += unitDeviance(i, eta: eta[i]) }
            return total
        }
        eta.withUnsafeBufferPointer { eta in
            counts.withUnsafeBufferPointer { y in
                trials.withUnsafeBufferPointer { m in
                    saturatedDevianceConstants.withUnsafeBufferPointer { constants in
                        for i in 0..<eta.count {
                            let value = eta[i]
                            let e = exp(-abs(value))
                            total += constants[i] + 2 * (m[i] * log1p(e) + y[i] * Swift.max(-value, 0) + (m[i] - y[i]) * Swift.max(value, 0))
                        }
                    }
                }
            }
        }
        return total
    }

    /// log p(yᵢ | η) including its constant (dbinom / dpois with `log = TRUE`).
    @inline(__always)
    public func logLikelihood(_ i: Int, eta: Double) -> Double {
        let y = counts[i]
        guard isCanonical else { return nonCanonicalLogLikelihood(i, eta: eta) }
        switch kind {
        case .binomial:
            let m = trials[i]
            // y log μ + (m − y) log(1 − μ) = y η − m log(1 + e^η).
            let softplus = eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
            return logLikelihoodConstants[i] + y * eta - m * softplus
        case .poisson:
            return priorWeight(i) * (logLikelihoodConstants[i] + y * eta - exp(eta))
        case .negativeBinomial:
            return logLikelihoodConstants[i] + negativeBinomialLogLikelihood(y, eta: eta)
        }
    }

    /// g(μ₀) for R's starting means (`family$initialize`): (y + ½)/(m + 1) for binomial, y + 0.1 for Poisson.
    public func initialLinearPredictor() -> [Double] {
        (0..<count).map { i in
            switch kind {
            case .binomial:
                let mu = (counts[i] + 0.5) / (trials[i] + 1)
                return link.apply(mu)
            case .poisson:
                return link.apply(counts[i] + 0.1)
            case .negativeBinomial:
                return log(counts[i] + (counts[i] == 0 ? 1.0 / 6 : 0))
            }
        }
    }

    /// Pearson residual (yᵢ − E yᵢ)/√Var(yᵢ) on the proportion scale for binomial, as R's
    /// `residuals(type = "pearson")` — what glmer's "Scaled residuals" summarise.
    public func pearsonResidual(_ i: Int, eta: Double) -> Double {
        let mu = mean(eta)
        switch kind {
        case .binomial:
            let m = trials[i]
            return (counts[i] / m - mu) / (mu * (1 - mu) / m).squareRoot()
        case .poisson:
            return (counts[i] - mu) * (priorWeight(i) / mu).squareRoot()
        case .negativeBinomial:
            return (counts[i] - mu) / (mu + mu * mu / shape).squareRoot()
        }
    }
}
