import Foundation

/// The non-canonical links of the Laplace engine's response (glmer's `binomial("probit")`,
/// `binomial("cloglog")`, `poisson("identity")`): Fisher scoring with the expected information, as
/// lme4's PIRLS does for every link (McCullagh & Nelder 1989, §2.5: w = (dμ/dη)²/V(μ), working
/// residual (y − μ)/(dμ/dη)), and the log-likelihood written in μ.
extension GeneralizedLinearResponse {
    /// w = m (dμ/dη)²/(μ(1 − μ)) and (y/m − μ)/(dμ/dη) for binomial; w = p (dμ/dη)²/μ and
    /// (y − μ)/(dμ/dη) for Poisson with prior weight p.
    @inline(__always)
    func nonCanonicalWorkingWeightAndResidual(_ i: Int, mu: Double, eta: Double) -> (weight: Double, residual: Double) {
        let derivative = link.meanDerivative(eta)
        let slope = Swift.abs(derivative) > 1e-300 ? derivative : (derivative < 0 ? -1e-300 : 1e-300)
        switch kind {
        case .binomial:
            let m = trials[i]
            let variance = Swift.max(mu * (1 - mu), 1e-300)
            return (m * slope * slope / variance, (counts[i] / m - mu) / slope)
        case .poisson, .negativeBinomial:
            let rate = Swift.max(mu, 1e-300)
            return (priorWeight(i) * slope * slope / rate, (counts[i] - rate) / slope)
        }
    }

    /// log p(yᵢ | η): y log μ + (m − y) log(1 − μ) + log C(m, y) for binomial, with log μ and
    /// log(1 − μ) from the link without forming μ (`Link.logProbabilities`); p(y log μ − μ − log y!)
    /// for Poisson.
    @inline(__always)
    func nonCanonicalLogLikelihood(_ i: Int, eta: Double) -> Double {
        let y = counts[i]
        switch kind {
        case .binomial:
            let m = trials[i]
            let logs = link.logProbabilities(eta)
            var value = logLikelihoodConstants[i]
            if y > 0 { value += y * logs.logMean }
            if y < m { value += (m - y) * logs.logComplement }
            return value
        case .poisson, .negativeBinomial:
            let mu = link.inverse(eta)
            return priorWeight(i) * (logLikelihoodConstants[i] + (y > 0 ? y * log(mu) : 0) - mu)
        }
    }
}
