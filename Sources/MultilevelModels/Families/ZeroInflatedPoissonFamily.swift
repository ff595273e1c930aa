#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `zero_inflated_poisson()`: with probability `zi` a structural zero, otherwise a Poisson
/// count with rate μ = e^η (Stan code of brms 2.18):
///     y = 0: log(zi + (1 − zi) e^(−μ)),   y > 0: log(1 − zi) + y η − μ − log y!.
enum ZeroInflatedPoissonFamily: ResponseFamily {
    typealias Rows = ZeroInflatedPoissonRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.zi] }

    static func supportViolation(response y: Double, trials: Double) -> String? { PoissonFamily.countViolation(y) }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        PoissonFamily.dataConstant(response: response, trials: trials)
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        var rows = ZeroInflatedPoissonRows(zi: auxiliary[0])
        return rows.add(response: y, trials: trials, eta: eta).value - logGamma(y + 1)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// The Poisson count part's weights (the pilot ignores the inflation).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        PoissonFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    /// E y = (1 − zi) μ.
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta), zi = auxiliary[0]
        let structuralZero = rng.nextUniform() < zi
        let count = Double(rng.nextPoisson(mean: mu))
        return ((1 - zi) * mu, structuralZero ? 0 : count)
    }
}

/// The zero-inflated Poisson rows; ∂/∂η is −μ w for a zero (w = the posterior probability that the
/// zero is a Poisson zero) and y − μ otherwise, ∂/∂zi is (1 − e^(−μ)) / p(0) and −1/(1 − zi).
struct ZeroInflatedPoissonRows: RowLikelihood {
    let zi: Double, logZi: Double, logOneMinusZi: Double
    var ziDerivative = 0.0
    init(zi: Double) {
        self.zi = zi; logZi = log(zi); logOneMinusZi = log1p(-zi)
    }
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) { self.init(zi: auxiliary[0]) }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let mu = exp(eta)
        if y == 0 {
            let countZero = logOneMinusZi - mu
            let total = logSumExp(logZi, countZero)
            ziDerivative += -expm1(-mu) * exp(-total)
            return (total, -mu * exp(countZero - total))
        }
        ziDerivative -= 1 / (1 - zi)
        return (logOneMinusZi + y * eta - mu, y - mu)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = ziDerivative
        return 0
    }
}
