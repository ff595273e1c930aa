#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

// The distribution functions of the count families with their derivatives, for brms'
// `y | trunc(lb, ub)` on counts (`AdditionTermPass`). For an integer response brms' bounds are
// inclusive, so the normaliser is P(lb ≤ Y ≤ ub) = F(ub) − F(lb − 1) with F(k) = P(Y ≤ k)
// (Stan's `poisson_lcdf`, `neg_binomial_2_lcdf`) and the upper tail S(k) = P(Y > k)
// (`…_lccdf`). Both tails are computed directly, never as 1 − the other, so that bounds far in
// either tail keep their relative accuracy.

extension PoissonFamily: CensoredResponseFamily {
    static var isDiscrete: Bool { true }

    /// y η − e^η − log y!; ∂η = y − μ.
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let mu = exp(eta)
        return CensoredTerm(value: y * eta - mu - logGamma(y + 1), eta: y - mu, auxiliary: (0, 0))
    }

    /// log P(Y ≤ k) = log Q(k + 1, μ) (the regularised upper incomplete gamma function; Abramowitz
    /// & Stegun 26.4.21); ∂/∂η = −μ p(k)/F(k), since dF(k)/dμ = −p(k).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let k = y.rounded(.down)
        guard k >= 0 else { return CensoredTerm(value: -.infinity, eta: 0, auxiliary: (0, 0)) }
        let logF = logRegularizedIncompleteGamma(k + 1, exp(eta)).logQ
        return CensoredTerm(value: logF, eta: -exp(eta + logMass(k, eta: eta) - logF), auxiliary: (0, 0))
    }

    /// log P(Y > k) = log P(k + 1, μ) (the regularised lower incomplete gamma function);
    /// ∂/∂η = μ p(k)/S(k).
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let k = y.rounded(.down)
        guard k >= 0 else { return CensoredTerm(value: 0, eta: 0, auxiliary: (0, 0)) }
        let logS = logRegularizedIncompleteGamma(k + 1, exp(eta)).logP
        return CensoredTerm(value: logS, eta: exp(eta + logMass(k, eta: eta) - logS), auxiliary: (0, 0))
    }

    /// log p(k) = k η − e^η − log k!.
    @inline(__always)
    static func logMass(_ k: Double, eta: Double) -> Double { k * eta - exp(eta) - logGamma(k + 1) }
}

extension NegativeBinomialFamily: CensoredResponseFamily {
    static var isDiscrete: Bool { true }

    /// log Γ(y + φ) − log Γ(φ) − log y! + φ log p + y log(1 − p), p = φ/(μ + φ), with the
    /// derivatives of `logMass`.
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let shape = auxiliary[0]
        let mass = logMass(y, eta: eta, shape: shape, logShape: log(shape))
        return CensoredTerm(value: mass.value - logGamma(y + 1), eta: mass.eta, auxiliary: (mass.shape, 0))
    }

    /// log P(Y ≤ k) = log I_p(φ, k + 1) with p = φ/(μ + φ) (the regularised incomplete beta
    /// function; Johnson, Kemp & Kotz 2005, eq. 5.31); ∂/∂η = −p^φ (1 − p)^(k+1) / (B(φ, k + 1) F),
    /// ∂/∂φ from `shapeDerivatives`.
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let k = y.rounded(.down)
        guard k >= 0 else { return CensoredTerm(value: -.infinity, eta: 0, auxiliary: (0, 0)) }
        let tails = distributionTails(k, eta: eta, shape: auxiliary[0])
        return CensoredTerm(value: tails.logF, eta: -exp(tails.logEtaSlope - tails.logF),
                            auxiliary: (exp(tails.shape.logScale - tails.logF) * tails.shape.sum, 0))
    }

    /// log P(Y > k) = log(1 − I_p(φ, k + 1)), computed as I_(1−p)(k + 1, φ).
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let k = y.rounded(.down)
        guard k >= 0 else { return CensoredTerm(value: 0, eta: 0, auxiliary: (0, 0)) }
        let tails = distributionTails(k, eta: eta, shape: auxiliary[0])
        return CensoredTerm(value: tails.logS, eta: exp(tails.logEtaSlope - tails.logS),
                            auxiliary: (-exp(tails.shape.logScale - tails.logS) * tails.shape.sum, 0))
    }

    /// log F(k), log S(k), log |∂F/∂η| and ∂F/∂φ = e^logScale · sum (`shapeDerivativeOfF`).
    @inline(__always)
    private static func distributionTails(_ k: Double, eta: Double, shape: Double)
        -> (logF: Double, logS: Double, logEtaSlope: Double, shape: (logScale: Double, sum: Double)) {
        let logShape = log(shape)
        let logP = -log1pexp(eta - logShape), logQ = -log1pexp(logShape - eta)    // log p, log(1 − p)
        let (logF, logS) = logRegularizedIncompleteBeta(shape, k + 1, x: exp(logP), y: exp(logQ))
        let logEtaSlope = shape * logP + (k + 1) * logQ - logBeta(shape, k + 1)
        let slope = shapeDerivativeOfF(k, eta: eta, shape: shape, logP: logP, logQ: logQ, lowerTail: logF <= -log(2.0))
        return (logF, logS, logEtaSlope, slope)
    }

    /// ∂F(k)/∂φ = Σ_{j ≤ k} p(j) d_j = −Σ_{j > k} p(j) d_j (the masses sum to 1), with
    /// d_j = ∂ log p(j)/∂φ = ψ(j + φ) − ψ(φ) + log p + (μ − j)/(μ + φ). Summed over the smaller
    /// tail (the lower one when F ≤ ½), starting at its term next to k and walking away from k
    /// with the mass ratios p(j + 1)/p(j) = (j + φ)(1 − p)/(j + 1), so no term underflows before
    /// it is negligible; stops once past the mode the terms fall below 10⁻¹⁷ of the sum. Returns
    /// ∂F/∂φ as e^logScale · sum, logScale the log mass of the tail's first term, so that a tail
    /// far below the smallest double still gives d log F/∂φ and d log S/∂φ.
    static func shapeDerivativeOfF(_ k: Double, eta: Double, shape: Double, logP: Double, logQ: Double,
                                   lowerTail: Bool) -> (logScale: Double, sum: Double) {
        let mu = exp(eta), q = exp(logQ), denominator = mu + shape
        // ψ(j + φ) − ψ(φ): the finite sum Σ_{i<j} 1/(φ + i) for small j.
        func digammaDifference(_ j: Double) -> Double {
            if j <= 64 {
                var sum = 0.0, i = 0.0
                while i < j { sum += 1 / (shape + i); i += 1 }
                return sum
            }
            return digamma(j + shape) - digamma(shape)
        }
        if lowerTail {
            var j = k, term = 1.0, psi = digammaDifference(k), sum = 0.0, mass = 0.0
            while j >= 0 {
                let d = psi + logP + (mu - j) / denominator
                sum += term * d
                mass += term
                if j == 0 { break }
                let ratio = j / ((j - 1 + shape) * q)                  // p(j − 1)/p(j)
                term *= ratio
                psi -= 1 / (shape + j - 1)
                j -= 1
                if ratio < 1, term * max(1, abs(psi) + abs(logP) + (mu + j) / denominator) < 1e-17 * mass { break }
            }
            return (logMass(k, eta: eta, shape: shape, logShape: log(shape)).value - logGamma(k + 1), sum)
        }
        var j = k + 1, term = 1.0, psi = digammaDifference(k + 1), sum = 0.0, mass = 0.0, steps = 0
        while steps < 10_000_000 {
            let d = psi + logP + (mu - j) / denominator
            sum += term * d
            mass += term
            let ratio = (j + shape) * q / (j + 1)                       // p(j + 1)/p(j)
            term *= ratio
            psi += 1 / (shape + j)
            j += 1
            steps += 1
            if ratio < 1, term * max(1, abs(psi) + abs(logP) + (mu + j) / denominator) < 1e-17 * mass { break }
        }
        return (logMass(k + 1, eta: eta, shape: shape, logShape: log(shape)).value - logGamma(k + 2), -sum)
    }
}
