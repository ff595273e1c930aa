#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `zero_inflated_negbinomial()`: with probability `zi` a structural zero, otherwise a
/// negative binomial count with mean μ = e^η and `shape` φ:
///     y = 0: log(zi + (1 − zi) NB(0)),   y > 0: log(1 − zi) + log NB(y).
enum ZeroInflatedNegativeBinomialFamily: ResponseFamily {
    typealias Rows = ZeroInflatedNegativeBinomialRows
    static var link: Link { .log }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.shape, .zi] }

    static func supportViolation(response y: Double, trials: Double) -> String? { PoissonFamily.countViolation(y) }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        PoissonFamily.dataConstant(response: response, trials: trials)
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        var rows = ZeroInflatedNegativeBinomialRows(shape: auxiliary[0], zi: auxiliary[1])
        return rows.add(response: y, trials: trials, eta: eta).value - logGamma(y + 1)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    /// The negative binomial count part's weights (the pilot ignores the inflation).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        NegativeBinomialFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    static func pilotDispersion(response: [Double], eta: [Double]) -> Double? {
        NegativeBinomialFamily.pilotDispersion(response: response, eta: eta)
    }

    /// E y = (1 − zi) μ.
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta), zi = auxiliary[1]
        let structuralZero = rng.nextUniform() < zi
        let count = Double(rng.nextNegativeBinomial(mean: mu, shape: auxiliary[0]))
        return ((1 - zi) * mu, structuralZero ? 0 : count)
    }
}

/// The zero-inflated negative binomial rows (`NegativeBinomialFamily.logMass` for the count part;
/// a zero's η and φ derivatives are the count part's, weighted by the probability that the zero is
/// a count zero).
struct ZeroInflatedNegativeBinomialRows: RowLikelihood {
    let shape: Double, logShape: Double, zi: Double, logZi: Double, logOneMinusZi: Double
    var shapeDerivative = 0.0, ziDerivative = 0.0
    init(shape: Double, zi: Double) {
        self.shape = shape; logShape = log(shape); self.zi = zi; logZi = log(zi); logOneMinusZi = log1p(-zi)
    }
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        self.init(shape: auxiliary[0], zi: auxiliary[1])
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let count = NegativeBinomialFamily.logMass(y, eta: eta, shape: shape, logShape: logShape)
        if y == 0 {
            let countZero = logOneMinusZi + count.value
            let total = logSumExp(logZi, countZero)
            let weight = exp(countZero - total)
            shapeDerivative += weight * count.shape
            ziDerivative += -expm1(count.value) * exp(-total)
            return (total, weight * count.eta)
        }
        shapeDerivative += count.shape
        ziDerivative -= 1 / (1 - zi)
        return (logOneMinusZi + count.value, count.eta)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = shapeDerivative
        auxiliaryGradient[1] = ziDerivative
        return 0
    }
}
