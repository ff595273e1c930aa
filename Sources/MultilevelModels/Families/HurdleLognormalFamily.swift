#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `hurdle_lognormal()`: zero with probability `hu`, otherwise log y ~ Normal(μ, σ) with
/// μ = η (identity link on the log scale, brms' `logscale` special, so the default priors read
/// log y as lognormal's do) and `sigma` σ (brms' `hurdle_lognormal_lpdf`):
///     y = 0: log hu,   y > 0: log(1 − hu) − log y − ½ log 2π − log σ − (log y − μ)²/(2σ²).
/// The response is any y ≥ 0; `hu ~ beta(1, 1)` by default.
enum HurdleLognormalFamily: ResponseFamily {
    typealias Rows = HurdleLognormalRows
    static var link: Link { .identity }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.sigma, .hu] }
    static var hasLogScale: Bool { true }
    static var needsVaryingResponse: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        y < 0 ? "response \(formatPriorNumber(y)) is negative" : nil
    }

    /// −Σ_{y > 0} (log y + ½ log 2π).
    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        var sum = 0.0
        for y in response where y > 0 { sum -= log(y) + halfLogTwoPi }
        return sum
    }

    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let hu = auxiliary[1]
        if y == 0 { return log(hu) }
        return log1p(-hu) + LognormalFamily.logLikelihood(response: y, trials: trials, eta: eta, auxiliary: auxiliary)
    }

    // The pilot reads log y (−∞ for a zero, `ParameterisationPilot`): the positive rows are
    // gaussian on the log scale, a zero carries no information on μ.

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double { y.isFinite ? y : 0 }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        y.isFinite ? (1 / dispersion, y - eta) : (0, 0)
    }

    /// The mean squared residual of the positive rows (at least 10⁻¹²).
    static func pilotDispersion(response y: [Double], eta: [Double]) -> Double? {
        var sum = 0.0, count = 0.0
        for i in y.indices where y[i].isFinite {
            sum += (y[i] - eta[i]) * (y[i] - eta[i])
            count += 1
        }
        return max(sum / max(count, 1), 1e-12)
    }

    /// E y = (1 − hu) exp(μ + σ²/2); y = 0 with probability hu, else exp(μ + σ ε).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let sigma = auxiliary[0], hu = auxiliary[1]
        let isZero = rng.nextUniform() < hu
        let draw = exp(eta + sigma * rng.nextNormal())
        return ((1 - hu) * exp(eta + sigma * sigma / 2), isZero ? 0 : draw)
    }
}

/// Hurdle lognormal rows: a zero contributes log hu; a positive y with r = log y − η contributes
/// log(1 − hu) − log σ − r²/(2σ²) (−log y − ½ log 2π in the data constant):
///     ∂/∂η = r/σ²,   ∂/∂σ = Σ_{y > 0} (−1/σ + r²/σ³),   ∂/∂hu = n₀/hu − n₊/(1 − hu).
struct HurdleLognormalRows: RowLikelihood {
    let sigma: Double, inverseVariance: Double, hu: Double, logHu: Double, logOneMinusHu: Double
    var positiveCount = 0.0, zeroCount = 0.0, sumSquares = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; inverseVariance = 1 / (sigma * sigma)
        hu = auxiliary[1]; logHu = log(hu); logOneMinusHu = log1p(-hu)
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        if y == 0 {
            zeroCount += 1
            return (logHu, 0)
        }
        positiveCount += 1
        let r = log(y) - eta
        sumSquares += r * r
        return (logOneMinusHu - 0.5 * r * r * inverseVariance, r * inverseVariance)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = -positiveCount / sigma + sumSquares * inverseVariance / sigma
        auxiliaryGradient[1] = zeroCount / hu - positiveCount / (1 - hu)
        return -positiveCount * log(sigma)
    }
}
