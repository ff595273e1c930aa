#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `gaussian()`: y ~ Normal(μ, σ), identity link, auxiliary `sigma`. The posterior reads the
/// data through `GaussianSufficientStatistics`; `GaussianRows` is its row pass when asked for.
enum GaussianFamily: GaussianPilot {
    typealias Rows = GaussianRows
    static var link: Link { .identity }
    static var links: [Link] { [.identity, .log, .reciprocal] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.sigma] }
    static var needsVaryingResponse: Bool { true }
    static var hasGaussianSufficientStatistics: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? { nil }

    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        -Double(response.count) * halfLogTwoPi
    }

    /// log N(y | η, σ) = −log σ − ½ log 2π − (y − η)²/(2σ²).
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let sigma = auxiliary[0], r = (y - eta) / sigma
        return -log(sigma) - halfLogTwoPi - 0.5 * r * r
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, mu + auxiliary[0] * rng.nextNormal())
    }
}

/// Normal(η, σ): log p = −log σ − ½ log 2π − (y − η)²/(2σ²).
struct GaussianRows: RowLikelihood {
    let sigma: Double, inverseVariance: Double, rowCount: Int
    var sumSquares = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; inverseVariance = 1 / (sigma * sigma); self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let r = y - eta
        sumSquares += r * r
        return (-0.5 * r * r * inverseVariance, r * inverseVariance)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = -Double(rowCount) / sigma + sumSquares * inverseVariance / sigma
        return -Double(rowCount) * log(sigma)
    }
}

/// The families the pilot treats as gaussian on the identity scale (gaussian, student, lognormal):
/// η starts at y, working weight 1/σ² and residual y − η, σ² the mean squared residual.
protocol GaussianPilot: ResponseFamily {}

extension GaussianPilot {
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double { y }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        (1 / dispersion, y - eta)
    }

    /// The mean squared residual (at least 10⁻¹²).
    static func pilotDispersion(response y: [Double], eta: [Double]) -> Double? {
        let n = Double(max(1, y.count))
        var sum = 0.0
        for i in y.indices { sum += (y[i] - eta[i]) * (y[i] - eta[i]) }
        return max(sum / n, 1e-12)
    }
}
