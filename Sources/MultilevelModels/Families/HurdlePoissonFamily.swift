#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `hurdle_poisson()`: zero with probability `hu`, otherwise a zero-truncated Poisson count
/// with rate μ = e^η (brms' `hurdle_poisson_log_lpmf`):
///     y = 0: log hu,   y > 0: log(1 − hu) + y η − μ − log y! − log(1 − e^(−μ)).
enum HurdlePoissonFamily: ResponseFamily {
    typealias Rows = HurdlePoissonRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.hu] }

    static func supportViolation(response y: Double, trials: Double) -> String? { PoissonFamily.countViolation(y) }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        PoissonFamily.dataConstant(response: response, trials: trials)
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        var rows = HurdlePoissonRows(hu: auxiliary[0])
        return rows.add(response: y, trials: trials, eta: eta).value - logGamma(y + 1)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// The Poisson weights (the pilot ignores the hurdle).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        PoissonFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    /// E y = (1 − hu) μ / (1 − e^(−μ)); a positive draw by rejection of zeros for μ > 1 (at most
    /// e⁻¹ of the draws are rejected), else by inversion of the zero-truncated distribution
    /// function (k = 1, 2, … with p₁ = μ e^(−μ)/(1 − e^(−μ)), p_(k+1) = p_k μ/(k + 1)).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta), hu = auxiliary[0]
        let positive = -expm1(-mu)
        let isZero = rng.nextUniform() < hu
        var k = 0.0
        if mu > 1 {
            while k == 0 { k = Double(rng.nextPoisson(mean: mu)) }
        } else {
            let u = rng.nextUniform()
            var p = mu * exp(-mu) / positive, cumulative = p
            k = 1
            while u > cumulative && p > 0 {
                p *= mu / (k + 1)
                k += 1
                cumulative += p
            }
        }
        return ((1 - hu) * mu / positive, isZero ? 0 : k)
    }
}

/// The hurdle Poisson rows: a zero contributes log hu only; a positive count
/// ∂/∂η = y − μ/(1 − e^(−μ)); ∂/∂hu = 1/hu or −1/(1 − hu).
struct HurdlePoissonRows: RowLikelihood {
    let hu: Double, logHu: Double, logOneMinusHu: Double
    var huDerivative = 0.0
    init(hu: Double) { self.hu = hu; logHu = log(hu); logOneMinusHu = log1p(-hu) }
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) { self.init(hu: auxiliary[0]) }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        if y == 0 {
            huDerivative += 1 / hu
            return (logHu, 0)
        }
        huDerivative -= 1 / (1 - hu)
        let mu = exp(eta)
        return (logOneMinusHu + y * eta - mu - log1mexp(-mu), y - mu / -expm1(-mu))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = huDerivative
        return 0
    }
}
