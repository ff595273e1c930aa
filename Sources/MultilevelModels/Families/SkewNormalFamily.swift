#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `skew_normal()`: a skew-normal response with mean μ = η (identity link), standard
/// deviation `sigma` σ and skewness `alpha` α (Azzalini 1985, *Scand. J. Statist.* 12, 171–178).
/// brms writes it through Stan's skew_normal(ξ, ω, α) with
///     δ = α/√(1 + α²),  ω = σ/√(1 − (2/π) δ²),  ξ = μ − ω δ √(2/π),
/// so that E y = μ and SD y = σ; with z = (y − ξ)/ω the density is (2/ω) φ(z) Φ(α z):
///     log p = log 2 − ½ log 2π − log ω − z²/2 + log Φ(α z),
/// log Φ from `NormalDistribution.logCDF` (finite far into the lower tail). Default priors as
/// brms 2.18: `sigma` as gaussian's, `alpha ~ normal(0, 4)`.
enum SkewNormalFamily: GaussianPilot {
    typealias Rows = SkewNormalRows
    static var link: Link { .identity }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.sigma, .alpha] }
    static var needsVaryingResponse: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? { nil }

    /// n (log 2 − ½ log 2π).
    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        Double(response.count) * (logTwo - halfLogTwoPi)
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let shape = SkewNormalShape(sigma: auxiliary[0], alpha: auxiliary[1])
        let z = (y - eta) * shape.inverseOmega + shape.shift
        return logTwo - halfLogTwoPi + log(shape.inverseOmega) - 0.5 * z * z
            + NormalDistribution.logCDF(auxiliary[1] * z)
    }

    /// E y = μ; y = ξ + ω (δ |U₀| + √(1 − δ²) U₁) with U₀, U₁ independent standard normal
    /// (Azzalini's representation of the skew-normal).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let shape = SkewNormalShape(sigma: auxiliary[0], alpha: auxiliary[1])
        let omega = 1 / shape.inverseOmega, delta = shape.delta
        let u0 = rng.nextNormal(), u1 = rng.nextNormal()
        let standard = delta * abs(u0) + (1 - delta * delta).squareRoot() * u1
        return (eta, eta + omega * (standard - shape.shift))
    }
}

/// log 2.
let logTwo = 0.693_147_180_559_945_309_42

/// brms' conversion of (σ, α) to the skew-normal's δ, 1/ω and the shift δ√(2/π) of the
/// standardised z = (y − μ)/ω + δ√(2/π).
struct SkewNormalShape {
    /// √(2/π).
    static let c = 0.797_884_560_802_865_355_88
    let delta: Double, root: Double, inverseOmega: Double, shift: Double
    init(sigma: Double, alpha: Double) {
        delta = alpha / (1 + alpha * alpha).squareRoot()
        root = (1 - SkewNormalShape.c * SkewNormalShape.c * delta * delta).squareRoot()
        inverseOmega = root / sigma
        shift = delta * SkewNormalShape.c
    }
}

/// Skew-normal rows. With s = √(1 − c²δ²) (c = √(2/π)), w = (y − μ) s/σ, z = w + cδ,
/// λ = φ(αz)/Φ(αz) and D = −z + αλ (∂/∂z of −z²/2 + log Φ(αz)):
///     ∂/∂η = −D s/σ,   ∂/∂σ = Σ (−1 − D w)/σ,
///     ∂/∂α = δ'(α) Σ [−c²δ/s² + D (c − w c²δ/s²)] + Σ z λ,   δ'(α) = (1 + α²)^(−3/2);
/// the rows' shared term n (log s − log σ) is added in `finish`.
struct SkewNormalRows: RowLikelihood {
    let sigma: Double, alpha: Double, shape: SkewNormalShape, rowCount: Int
    var sumD = 0.0, sumDW = 0.0, sumZLambda = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; alpha = auxiliary[1]
        shape = SkewNormalShape(sigma: sigma, alpha: alpha)
        self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let w = (y - eta) * shape.inverseOmega
        let z = w + shape.shift
        let t = alpha * z
        let logPhi = NormalDistribution.logCDF(t)
        let lambda = exp(NormalDistribution.logDensity(t) - logPhi)
        let d = -z + alpha * lambda
        sumD += d; sumDW += d * w; sumZLambda += z * lambda
        return (-0.5 * z * z + logPhi, -d * shape.inverseOmega)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        let c = SkewNormalShape.c, delta = shape.delta, root = shape.root
        let k = c * c * delta / (root * root)
        let deltaDerivative = 1 / ((1 + alpha * alpha) * (1 + alpha * alpha).squareRoot())
        auxiliaryGradient[0] = (-n - sumDW) / sigma
        auxiliaryGradient[1] = deltaDerivative * (-n * k + c * sumD - k * sumDW) + sumZLambda
        return n * log(shape.inverseOmega)
    }
}
