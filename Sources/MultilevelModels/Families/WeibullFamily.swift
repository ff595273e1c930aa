#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `weibull()`: y > 0 with mean μ = e^η and `shape` k; Stan's `weibull_lpdf(y | k, σ)` with
/// scale σ = μ / Γ(1 + 1/k):
///     log p = log k − k log σ + (k − 1) log y − (y/σ)^k,   log σ = η − log Γ(1 + 1/k).
enum WeibullFamily: ResponseFamily {
    typealias Rows = WeibullRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.shape] }
    static var needsVaryingResponse: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        LognormalFamily.supportViolation(response: y, trials: trials)
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let shape = auxiliary[0]
        let z = log(y) - (eta - logGamma(1 + 1 / shape))
        return log(shape) + shape * z - exp(shape * z) - log(y)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// The gamma family's weights (Var y ∝ μ² for a fixed shape).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        GammaFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    static func pilotDispersion(response: [Double], eta: [Double]) -> Double? {
        GammaFamily.pilotDispersion(response: response, eta: eta)
    }

    /// y = σ (−log(1 − u))^(1/k).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let shape = auxiliary[0]
        let scale = exp(eta - logGamma(1 + 1 / shape))
        return (link.inverse(eta), scale * pow(-log1p(-rng.nextUniform()), 1 / shape))
    }
}

/// The Weibull rows with z = log y − log σ and t = e^(k z) = (y/σ)^k: the row adds k z − t,
/// ∂/∂η = k (t − 1); `finish` adds n log k − Σ log y and
///     ∂/∂k = n/k + Σ z − Σ t z + k c (Σ t − n),   c = ∂ log σ/∂k = ψ(1 + 1/k)/k².
struct WeibullRows: RowLikelihood {
    let shape: Double, logGammaShift: Double, rowCount: Int, sumLogResponse: Double
    var sumZ = 0.0, sumTZ = 0.0, sumT = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        shape = auxiliary[0]; logGammaShift = logGamma(1 + 1 / shape)
        self.rowCount = rowCount; self.sumLogResponse = sumLogResponse
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let z = log(y) - (eta - logGammaShift)
        let t = exp(shape * z)
        sumZ += z
        sumTZ += t * z
        sumT += t
        return (shape * z - t, shape * (t - 1))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        let c = digamma(1 + 1 / shape) / (shape * shape)
        auxiliaryGradient[0] = n / shape + sumZ - sumTZ + shape * c * (sumT - n)
        return n * log(shape) - sumLogResponse
    }
}
