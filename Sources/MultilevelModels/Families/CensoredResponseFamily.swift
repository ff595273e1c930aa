#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// The distribution function of a continuous family, for censored responses (brms'
/// `y | cens(censored)`: a right-censored row contributes log(1 − F(y)), a left-censored one
/// log F(y)). Each returns the value and its derivatives in η and in the family's auxiliary
/// parameters (constrained scale, `auxiliaryParameters` order; at most two), so that a censored
/// row can join the row pass with the same chain rule as an observed one.
protocol CensoredResponseFamily: ResponseFamily {
    /// log F(y | η, auxiliary).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm
    /// log(1 − F(y | η, auxiliary)).
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm
    /// log p(y | η, auxiliary) of an observed row, every constant included, with its derivatives
    /// (the addition-term pass's density for uncensored rows).
    static func logDensityTerm(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm
    /// The lower end of the response's support (0 for the positive families, −∞ otherwise): a
    /// truncation bound at or below it truncates nothing.
    static var supportLowerEnd: Double { get }
    /// Whether the response is an integer count (poisson, negbinomial): F(k) = P(Y ≤ k), the
    /// complement P(Y > k), and `trunc()` bounds are inclusive (brms' `lcdf(lb - 1)`).
    static var isDiscrete: Bool { get }
}

extension CensoredResponseFamily {
    static var supportLowerEnd: Double { 0 }
    static var isDiscrete: Bool { false }
    static var supportsAdditionTerms: Bool { true }
    @inline(__always)
    static func additionRowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double { runner.runAdditions(Self.self) }
}

/// A censored row's log-probability with its derivatives in η and in the (at most two)
/// auxiliary parameters.
struct CensoredTerm {
    var value: Double
    var eta: Double
    var auxiliary: (Double, Double)
}

/// log Φ(z) and log Φ(−z) with d/dz, for the normal-based families.
@inline(__always)
func normalTail(_ z: Double, upper: Bool) -> (value: Double, derivative: Double) {
    let x = upper ? -z : z
    let logProbability = NormalDistribution.logCDF(x)
    let ratio = exp(NormalDistribution.logDensity(x) - logProbability)     // φ(x)/Φ(x)
    return (logProbability, upper ? -ratio : ratio)
}

extension GaussianFamily: CensoredResponseFamily {
    /// log Φ((y − η)/σ); ∂/∂η = −r/σ, ∂/∂σ = −r z/σ with r = φ(z)/Φ(z).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let sigma = auxiliary[0], z = (y - eta) / sigma
        let tail = normalTail(z, upper: false)
        return CensoredTerm(value: tail.value, eta: -tail.derivative / sigma, auxiliary: (-tail.derivative * z / sigma, 0))
    }

    /// log Φ(−(y − η)/σ).
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let sigma = auxiliary[0], z = (y - eta) / sigma
        let tail = normalTail(z, upper: true)
        return CensoredTerm(value: tail.value, eta: -tail.derivative / sigma, auxiliary: (-tail.derivative * z / sigma, 0))
    }
}

extension LognormalFamily: CensoredResponseFamily {
    /// The gaussian distribution function at log y.
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        GaussianFamily.logCDF(log(y), eta: eta, auxiliary: auxiliary)
    }

    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        GaussianFamily.logCCDF(log(y), eta: eta, auxiliary: auxiliary)
    }
}

extension ExponentialFamily: CensoredResponseFamily {
    /// log(1 − e^(−t)), t = y e^(−η); ∂/∂η = −t/(eᵗ − 1).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let t = y * exp(-eta)
        return CensoredTerm(value: log1mexp(-t), eta: -t / expm1(t), auxiliary: (0, 0))
    }

    /// −t; ∂/∂η = t.
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let t = y * exp(-eta)
        return CensoredTerm(value: -t, eta: t, auxiliary: (0, 0))
    }
}

extension WeibullFamily: CensoredResponseFamily {
    /// t = (y/σ)^k = e^(k z), z = log y − η + log Γ(1 + 1/k), and its derivatives
    /// ∂t/∂η = −k t, ∂t/∂k = t (z − k c), c = ψ(1 + 1/k)/k².
    private static func power(_ y: Double, eta: Double, shape k: Double) -> (t: Double, eta: Double, shape: Double) {
        let z = log(y) - eta + logGamma(1 + 1 / k)
        let t = exp(k * z)
        let c = digamma(1 + 1 / k) / (k * k)
        return (t, -k * t, t * (z - k * c))
    }

    /// log(1 − e^(−t)); ∂ = ∂t/(eᵗ − 1).
    static func logCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let p = power(y, eta: eta, shape: auxiliary[0])
        let scale = 1 / expm1(p.t)
        return CensoredTerm(value: log1mexp(-p.t), eta: p.eta * scale, auxiliary: (p.shape * scale, 0))
    }

    /// −t.
    static func logCCDF(_ y: Double, eta: Double, auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let p = power(y, eta: eta, shape: auxiliary[0])
        return CensoredTerm(value: -p.t, eta: -p.eta, auxiliary: (-p.shape, 0))
    }
}
