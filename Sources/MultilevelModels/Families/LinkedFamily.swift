#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// Family `F` with link `L` instead of its default link (brms' `bernoulli(link = "probit")`,
/// `poisson("identity")`, `Gamma("inverse")`, …; the pairs are listed in `Family.visit`).
///
/// F's likelihood depends on its linear predictor only through the mean, so with μ = L⁻¹(η) the
/// row log-likelihood is F's at η_F = g_F(μ), g_F the default link, and by the chain rule
///     ∂ℓ/∂η = ∂ℓ/∂η_F · (dμ/dη) / (dμ/dη_F)
/// (McCullagh & Nelder 1989, §2.5, the same factor that turns a canonical-link score into the
/// general one). The probability families (bernoulli, binomial; default link logit) instead read
/// log μ and log(1 − μ) from `Link.logProbabilities`, so that η far in either tail keeps a finite,
/// accurate log-likelihood and gradient: ℓ = y log μ + (n − y) log(1 − μ) (+ log C(n, y) once).
/// A mean outside F's support (μ ≤ 0 for a count with the identity link) has log-likelihood −∞,
/// as Stan rejects such a proposal.
enum LinkedFamily<F: ResponseFamily, L: StaticLink>: ResponseFamily {
    typealias Rows = LinkedRows<F, L>
    static var link: Link { L.link }
    static var links: [Link] { F.links }
    static var auxiliaryParameters: [AuxiliaryParameter] { F.auxiliaryParameters }
    static var hasLogScale: Bool { F.hasLogScale }
    static var needsVaryingResponse: Bool { F.needsVaryingResponse }
    static var needsTrials: Bool { F.needsTrials }
    static var mergesRows: Bool { F.mergesRows }

    static func modelScaleResponse(_ y: Double) -> Double { F.modelScaleResponse(y) }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        F.supportViolation(response: y, trials: trials)
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        F.dataConstant(response: response, trials: trials)
    }

    /// F's linear predictor for the mean L⁻¹(η), nil when the mean is outside F's support.
    @inline(__always)
    static func defaultLinkPredictor(_ eta: Double) -> Double? {
        let value = F.link.apply(L.link.inverse(eta))
        return value.isNaN || (value.isInfinite && !F.link.isProbabilityLink) ? nil : value
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        if F.link.isProbabilityLink {
            // log C(n, y): F's log-likelihood at η = 0 (μ = ½) plus n log 2.
            let constant = F.logLikelihood(response: y, trials: trials, eta: 0, auxiliary: auxiliary) + trials * 0.693_147_180_559_945_3
            let p = L.link.logProbabilities(eta)
            return constant + binaryTerm(y, trials, p.logMean) + binaryTerm(trials - y, trials, p.logComplement)
        }
        guard let etaF = defaultLinkPredictor(eta) else { return -.infinity }
        return F.logLikelihood(response: y, trials: trials, eta: etaF, auxiliary: auxiliary)
    }

    /// k log p, 0 when k = 0 (so that log p = −∞ with no such outcome adds nothing).
    @inline(__always)
    static func binaryTerm(_ k: Double, _ n: Double, _ logP: Double) -> Double { k == 0 ? 0 : k * logP }

    /// F's start mapped to this link's scale (L(μ) with μ = F's start's mean; 1 mapped when that is
    /// outside L's domain, e.g. y = 0 under the inverse link).
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        let start = L.link.apply(F.link.inverse(F.pilotInitialLinearPredictor(response: y, trials: trials)))
        return start.isFinite ? start : L.link.apply(1)
    }

    /// F's weight and residual at η_F, rescaled by k = (dμ/dη)/(dμ/dη_F): w = w_F k², r = r_F / k.
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        guard let etaF = defaultLinkPredictor(eta) else { return (1e-10, 0) }
        let base = F.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: etaF, dispersion: dispersion)
        let k = L.link.meanDerivative(eta) / F.link.meanDerivative(etaF)
        guard k.isFinite, k != 0 else { return (1e-10, 0) }
        return (base.weight * k * k, base.residual / k)
    }

    static func pilotDispersion(response: [Double], eta: [Double]) -> Double? {
        F.pilotDispersion(response: response, eta: eta.map { defaultLinkPredictor($0) ?? 0 })
    }

    /// F's mean and draw at η_F (NaN for a mean outside F's support).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        guard let etaF = defaultLinkPredictor(eta) else { return (.nan, .nan) }
        return F.meanAndDraw(eta: etaF, trials: trials, auxiliary: auxiliary, rng: &rng)
    }
}

/// The rows of `LinkedFamily<F, L>`: F's rows at η_F = g_F(L⁻¹(η)) with the chain-rule factor,
/// or, for the probability families, y log μ + (n − y) log(1 − μ) from `Link.logProbabilities`
/// (`trials` counts merged bernoulli rows, as in `BinomialRows`).
struct LinkedRows<F: ResponseFamily, L: StaticLink>: RowLikelihood {
    var base: F.Rows
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        base = F.Rows(auxiliary: auxiliary, rowCount: rowCount, sumLogResponse: sumLogResponse)
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        if F.link.isProbabilityLink {
            let p = L.link.logProbabilities(eta), failures = trials - y
            let value = LinkedFamily<F, L>.binaryTerm(y, trials, p.logMean)
                + LinkedFamily<F, L>.binaryTerm(failures, trials, p.logComplement)
            let derivative = (y == 0 ? 0 : y * p.logMeanDerivative)
                + (failures == 0 ? 0 : failures * p.logComplementDerivative)
            return (value, derivative)
        }
        guard let etaF = LinkedFamily<F, L>.defaultLinkPredictor(eta) else { return (-.infinity, 0) }
        let term = base.add(response: y, trials: trials, eta: etaF)
        return (term.value, term.etaDerivative * L.link.meanDerivative(eta) / F.link.meanDerivative(etaF))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        base.finish(auxiliaryGradient: auxiliaryGradient)
    }
}
