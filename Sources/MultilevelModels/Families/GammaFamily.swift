#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `Gamma("log")`: positive y with mean μ = e^η and shape α (rate α/μ, variance μ²/α).
enum GammaFamily: ResponseFamily {
    typealias Rows = GammaRows
    static var link: Link { .log }
    static var links: [Link] { [.log, .reciprocal, .identity] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.shape] }
    static var needsVaryingResponse: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        LognormalFamily.supportViolation(response: y, trials: trials)
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    /// α log α − α η − log Γ(α) + (α − 1) log y − α y e^(−η).
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let shape = auxiliary[0]
        return shape * log(shape) - shape * eta - logGamma(shape) + (shape - 1) * log(y) - shape * y * exp(-eta)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        PoissonFamily.logLinkWorkingWeightAndResidual(response: y, eta: eta) { mu in mu * mu / dispersion }
    }

    /// α̂ = n / Σ((y − μ)/μ)² (10⁸ for an exact fit).
    static func pilotDispersion(response y: [Double], eta: [Double]) -> Double? {
        let n = Double(max(1, y.count))
        var sum = 0.0
        for i in y.indices {
            let mu = exp(min(eta[i], 700))
            sum += (y[i] - mu) * (y[i] - mu) / (mu * mu)
        }
        return sum > 0 ? n / sum : 1e8
    }

    /// y = μ · Gamma(α, 1)/α.
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        let shape = auxiliary[0]
        return (mu, rng.nextGamma(shape: shape) * mu / shape)
    }
}

/// Gamma with log link, mean μ = e^η and shape α (rate α/μ):
/// log p = α log α − α η − log Γ(α) + (α − 1) log y − α y e^(−η).
struct GammaRows: RowLikelihood {
    let shape: Double, rowCount: Int, sumLogResponse: Double
    var sumScaled = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        shape = auxiliary[0]; self.rowCount = rowCount; self.sumLogResponse = sumLogResponse
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let ratio = y * exp(-eta)
        sumScaled += eta + ratio
        return (-shape * (eta + ratio), shape * (ratio - 1))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = n * (log(shape) + 1 - posteriorDigamma(shape)) + sumLogResponse - sumScaled
        return n * (shape * log(shape) - logGamma(shape)) + (shape - 1) * sumLogResponse
    }
}
