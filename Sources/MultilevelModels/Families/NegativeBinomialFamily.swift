#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `negbinomial()`: counts with mean μ = e^η and shape φ (variance μ + μ²/φ), Stan's
/// `neg_binomial_2_log`.
enum NegativeBinomialFamily: ResponseFamily {
    typealias Rows = NegativeBinomialRows
    static var link: Link { .log }
    static var links: [Link] { [.log, .identity, .sqrt] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.shape] }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        PoissonFamily.countViolation(y)
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        PoissonFamily.dataConstant(response: response, trials: trials)
    }

    /// log Γ(y + φ) − log Γ(φ) − log y! + φ log φ + y η − (y + φ) log(μ + φ).
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let shape = auxiliary[0], logShape = log(shape)
        let logSum = logShape + log1pexp(eta - logShape)
        return logGamma(y + shape) - logGamma(shape) - logGamma(y + 1)
            + shape * logShape + y * eta - (y + shape) * logSum
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        PoissonFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        PoissonFamily.logLinkWorkingWeightAndResidual(response: y, eta: eta) { mu in mu + mu * mu / dispersion }
    }

    /// φ̂ = Σ μ² / Σ((y − μ)² − μ) (10⁸ when the counts show no overdispersion).
    static func pilotDispersion(response y: [Double], eta: [Double]) -> Double? {
        var excess = 0.0, squares = 0.0
        for i in y.indices {
            let mu = exp(min(eta[i], 700))
            excess += (y[i] - mu) * (y[i] - mu) - mu
            squares += mu * mu
        }
        return excess > 0 ? squares / excess : 1e8
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, Double(rng.nextNegativeBinomial(mean: mu, shape: auxiliary[0])))
    }

    /// log NB(y | μ = e^η, φ) without −log y! (the zero-inflated and hurdle families' count part),
    /// with its derivatives in η and φ:
    ///     ∂/∂η = y − (y + φ) μ/(μ + φ),
    ///     ∂/∂φ = ψ(y + φ) − ψ(φ) + log φ + 1 − log(μ + φ) − (y + φ)/(μ + φ).
    @inline(__always)
    static func logMass(_ y: Double, eta: Double, shape: Double, logShape: Double)
        -> (value: Double, eta: Double, shape: Double) {
        let logSum = logShape + log1pexp(eta - logShape)         // log(μ + φ)
        let meanShare = inverseLogit(eta - logShape)             // μ / (μ + φ)
        let ratio = (y + shape) / (shape + exp(eta))
        if y == 0 {
            return (shape * (logShape - logSum), -shape * meanShare, logShape + 1 - logSum - ratio)
        }
        return (logGamma(y + shape) - logGamma(shape) + shape * logShape + y * eta - (y + shape) * logSum,
                y - (y + shape) * meanShare,
                digamma(y + shape) - digamma(shape) + logShape + 1 - logSum - ratio)
    }
}

/// Negative binomial (Stan's `neg_binomial_2_log`) with mean μ = e^η and shape φ:
/// log p = log Γ(y + φ) − log Γ(φ) − log y! + φ log φ + y η − (y + φ) log(μ + φ).
struct NegativeBinomialRows: RowLikelihood {
    let shape: Double, logShape: Double, rowCount: Int
    var shapeDerivative = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        shape = auxiliary[0]; logShape = log(shape); self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        // log(μ + φ) = log φ + log(1 + e^(η − log φ)), stable for large η.
        let logSum = logShape + log1pexp(eta - logShape)
        let meanShare = inverseLogit(eta - logShape)            // μ / (μ + φ)
        let value = logGamma(y + shape) + y * eta - (y + shape) * logSum
        shapeDerivative += posteriorDigamma(y + shape) - logSum - (y + shape) / (shape + exp(eta))
        return (value, y - (y + shape) * meanShare)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = shapeDerivative + n * (logShape + 1 - posteriorDigamma(shape))
        return n * (shape * logShape - logGamma(shape))
    }
}
