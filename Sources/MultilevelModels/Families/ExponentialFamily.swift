#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `exponential()`: y ≥ 0 with mean μ = e^η (rate 1/μ): log p = −η − y e^(−η).
enum ExponentialFamily: ResponseFamily {
    typealias Rows = ExponentialRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [] }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        y < 0 ? "response \(formatPriorNumber(y)) is negative" : nil
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        -eta - y * exp(-eta)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// Var y = μ²: weight 1.
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        PoissonFamily.logLinkWorkingWeightAndResidual(response: y, eta: eta) { mu in mu * mu }
    }

    /// y = −μ log(1 − u).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, -mu * log1p(-rng.nextUniform()))
    }
}

/// The exponential rows: ∂/∂η = y e^(−η) − 1.
struct ExponentialRows: RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let ratio = y * exp(-eta)
        return (-eta - ratio, ratio - 1)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}
