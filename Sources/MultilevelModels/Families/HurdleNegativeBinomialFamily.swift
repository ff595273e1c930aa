#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `hurdle_negbinomial()`: zero with probability `hu`, otherwise a zero-truncated negative
/// binomial count with mean μ = e^η and `shape` φ:
///     y = 0: log hu,   y > 0: log(1 − hu) + log NB(y) − log(1 − NB(0)).
enum HurdleNegativeBinomialFamily: ResponseFamily {
    typealias Rows = HurdleNegativeBinomialRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.shape, .hu] }

    static func supportViolation(response y: Double, trials: Double) -> String? { PoissonFamily.countViolation(y) }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        PoissonFamily.dataConstant(response: response, trials: trials)
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        var rows = HurdleNegativeBinomialRows(shape: auxiliary[0], hu: auxiliary[1])
        return rows.add(response: y, trials: trials, eta: eta).value - logGamma(y + 1)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// The negative binomial weights (the pilot ignores the hurdle).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        NegativeBinomialFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    static func pilotDispersion(response: [Double], eta: [Double]) -> Double? {
        NegativeBinomialFamily.pilotDispersion(response: response, eta: eta)
    }

    /// E y = (1 − hu) μ / (1 − NB(0)), NB(0) = (φ/(μ + φ))^φ; a positive draw by rejection of
    /// zeros (after 10⁴ zeros in a row, where NB(0) is within 10⁻⁴ of 1, the draw is 1).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta), shape = auxiliary[0], hu = auxiliary[1]
        let logZero = -shape * log1pexp(eta - log(shape))
        let isZero = rng.nextUniform() < hu
        var draw = 0
        for _ in 0..<10_000 where draw == 0 { draw = rng.nextNegativeBinomial(mean: mu, shape: shape) }
        return ((1 - hu) * mu / -expm1(logZero), isZero ? 0 : Double(max(draw, 1)))
    }
}

/// The hurdle negative binomial rows: a positive count's derivatives are the count part's plus
/// those of −log(1 − NB(0)), which are NB(0)/(1 − NB(0)) · ∂ log NB(0).
struct HurdleNegativeBinomialRows: RowLikelihood {
    let shape: Double, logShape: Double, hu: Double, logHu: Double, logOneMinusHu: Double
    var shapeDerivative = 0.0, huDerivative = 0.0
    init(shape: Double, hu: Double) {
        self.shape = shape; logShape = log(shape); self.hu = hu; logHu = log(hu); logOneMinusHu = log1p(-hu)
    }
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        self.init(shape: auxiliary[0], hu: auxiliary[1])
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        if y == 0 {
            huDerivative += 1 / hu
            return (logHu, 0)
        }
        huDerivative -= 1 / (1 - hu)
        let count = NegativeBinomialFamily.logMass(y, eta: eta, shape: shape, logShape: logShape)
        let zero = NegativeBinomialFamily.logMass(0, eta: eta, shape: shape, logShape: logShape)
        let odds = 1 / expm1(-zero.value)                     // NB(0) / (1 − NB(0))
        shapeDerivative += count.shape + odds * zero.shape
        return (logOneMinusHu + count.value - log1mexp(zero.value), count.eta + odds * zero.eta)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = shapeDerivative
        auxiliaryGradient[1] = huDerivative
        return 0
    }
}
