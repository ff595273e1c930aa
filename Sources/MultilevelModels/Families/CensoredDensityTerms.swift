#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

// The full log densities (every constant) with their derivatives in η and in the auxiliary
// parameters, per family, for the rows of the addition-term pass (`AdditionTermPass`): brms
// writes `normal_lpdf`, `student_t_lpdf`, `lognormal_lpdf`, `gamma_lpdf`, `exponential_lpdf`,
// `weibull_lpdf` for an uncensored row with `cens()`, `weights()` or `trunc()`.

extension GaussianFamily {
    static var supportLowerEnd: Double { -.infinity }

    /// −log σ − ½ log 2π − ½ z², z = (y − η)/σ; ∂η = z/σ, ∂σ = (z² − 1)/σ.
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let sigma = auxiliary[0], z = (y - eta) / sigma
        return CensoredTerm(value: -log(sigma) - halfLogTwoPi - 0.5 * z * z, eta: z / sigma,
                            auxiliary: ((z * z - 1) / sigma, 0))
    }
}

extension LognormalFamily {
    /// The gaussian density of log y, minus log y (the Jacobian).
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let logY = log(y)
        var term = GaussianFamily.logDensityTerm(logY, eta: eta, auxiliary: auxiliary)
        term.value -= logY
        return term
    }
}

extension ExponentialFamily {
    /// −η − y e^(−η); ∂η = y e^(−η) − 1.
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let t = y * exp(-eta)
        return CensoredTerm(value: -eta - t, eta: t - 1, auxiliary: (0, 0))
    }
}

extension WeibullFamily {
    /// log k + k z − t − log y with z = log y − η + log Γ(1 + 1/k), t = e^(k z);
    /// ∂η = k (t − 1), ∂k = 1/k + z − t z + k c (t − 1), c = ψ(1 + 1/k)/k².
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let k = auxiliary[0], logY = log(y)
        let z = logY - eta + logGamma(1 + 1 / k)
        let t = exp(k * z)
        let c = digamma(1 + 1 / k) / (k * k)
        return CensoredTerm(value: log(k) + k * z - t - logY, eta: k * (t - 1),
                            auxiliary: (1 / k + z - t * z + k * c * (t - 1), 0))
    }
}

extension GammaFamily: CensoredResponseFamily {
    /// α log α − α η − log Γ(α) + (α − 1) log y − α y e^(−η) (shape α, mean e^η);
    /// ∂η = α (y e^(−η) − 1), ∂α = log α + 1 − η − ψ(α) + log y − y e^(−η).
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let shape = auxiliary[0], ratio = y * exp(-eta), logY = log(y)
        return CensoredTerm(value: shape * log(shape) - shape * eta - logGamma(shape) + (shape - 1) * logY - shape * ratio,
                            eta: shape * (ratio - 1),
                            auxiliary: (log(shape) + 1 - eta - digamma(shape) + logY - ratio, 0))
    }

    /// log P(α, x) with x = α y e^(−η) (the regularised lower incomplete gamma function):
    /// ∂η = −x p(x)/P, ∂α = (x/α) p(x)/P + ∂ log P(a, x)/∂a at fixed x, p(x) = x^(α−1) e^(−x)/Γ(α).
    /// The last derivative has no closed form; it is a central difference (step 10⁻⁵ max(1, α)).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        incompleteGammaTail(y, eta: eta, shape: auxiliary[0], upper: false)
    }

    /// log Q(α, x) = log(1 − P(α, x)), derivatives as `logCDF` with the signs of Q = 1 − P.
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        incompleteGammaTail(y, eta: eta, shape: auxiliary[0], upper: true)
    }

    private static func incompleteGammaTail(_ y: Double, eta: Double, shape: Double, upper: Bool) -> CensoredTerm {
        let x = shape * y * exp(-eta)
        let tails = logRegularizedIncompleteGamma(shape, x)
        let logTail = upper ? tails.logQ : tails.logP
        let logDensity = (shape - 1) * log(x) - x - logGamma(shape)
        let ratio = exp(logDensity - logTail) * (upper ? -1 : 1)        // ±p(x)/tail
        let h = 1e-5 * max(1, shape)
        let plus = logRegularizedIncompleteGamma(shape + h, x), minus = logRegularizedIncompleteGamma(shape - h, x)
        let shapeAtFixedX = ((upper ? plus.logQ : plus.logP) - (upper ? minus.logQ : minus.logP)) / (2 * h)
        return CensoredTerm(value: logTail, eta: -x * ratio, auxiliary: (x / shape * ratio + shapeAtFixedX, 0))
    }
}

extension StudentFamily: CensoredResponseFamily {
    static var supportLowerEnd: Double { -.infinity }

    /// log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ − (ν+1)/2 log(1 + z²/ν), z = (y − η)/σ;
    /// ∂η = (ν+1) z/(σ(ν + z²)), ∂σ = ((ν+1) z²/(ν + z²) − 1)/σ,
    /// ∂ν = ½ (ψ((ν+1)/2) − ψ(ν/2) − 1/ν − log(1 + z²/ν) + (ν+1) z²/(ν(ν + z²))).
    @inline(__always)
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let sigma = auxiliary[0], nu = auxiliary[1], z = (y - eta) / sigma
        let z2 = z * z, logTerm = log1p(z2 / nu)
        let value = logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * log(nu * Double.pi) - log(sigma) - (nu + 1) / 2 * logTerm
        let nuDerivative = 0.5 * (digamma((nu + 1) / 2) - digamma(nu / 2) - 1 / nu - logTerm + (nu + 1) * z2 / (nu * (nu + z2)))
        return CensoredTerm(value: value, eta: (nu + 1) * z / (sigma * (nu + z2)),
                            auxiliary: (((nu + 1) * z2 / (nu + z2) - 1) / sigma, nuDerivative))
    }

    /// log T_ν(z), z = (y − η)/σ: ∂η = −f(z)/(σ F), ∂σ = −z f(z)/(σ F); ∂ν (no closed form) a
    /// central difference of log T_ν(z) at fixed z (step 10⁻⁵ max(1, ν)).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        studentTail(y, eta: eta, sigma: auxiliary[0], nu: auxiliary[1], upper: false)
    }

    /// log(1 − T_ν(z)), the same derivatives with the opposite signs for η and σ.
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        studentTail(y, eta: eta, sigma: auxiliary[0], nu: auxiliary[1], upper: true)
    }

    private static func studentTail(_ y: Double, eta: Double, sigma: Double, nu: Double, upper: Bool) -> CensoredTerm {
        let z = (y - eta) / sigma
        func logTail(_ degrees: Double) -> Double {
            let tails = StudentTDistribution(degreesOfFreedom: degrees).logCDFAndCCDF(z)
            return upper ? tails.logCCDF : tails.logCDF
        }
        let value = logTail(nu)
        let ratio = exp(StudentTDistribution(degreesOfFreedom: nu).logDensity(z) - value) * (upper ? -1 : 1)
        let h = 1e-5 * max(1, nu)
        let nuDerivative = (logTail(nu + h) - logTail(nu - h)) / (2 * h)
        return CensoredTerm(value: value, eta: -ratio / sigma, auxiliary: (-ratio * z / sigma, nuDerivative))
    }
}
