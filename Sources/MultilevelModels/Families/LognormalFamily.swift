#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// brms' `lognormal()`: log y ~ Normal(μ, σ), identity link on the log scale, auxiliary `sigma`.
/// The likelihood is gaussian's on log y (`GaussianRows`, or `GaussianSufficientStatistics`) plus
/// the Jacobian −Σ log y in the data constant.
enum LognormalFamily: GaussianPilot {
    typealias Rows = GaussianRows
    static var link: Link { .identity }
    static var auxiliaryParameters: [AuxiliaryParameter] { [.sigma] }
    static var hasLogScale: Bool { true }
    static var needsVaryingResponse: Bool { true }
    static var hasGaussianSufficientStatistics: Bool { true }

    static func modelScaleResponse(_ y: Double) -> Double { log(y) }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        y <= 0 ? "response \(formatPriorNumber(y)) is not positive" : nil
    }

    /// −n/2 log 2π − Σ log y (`response` is log y here: −Σ log y is the Jacobian of y ↦ log y).
    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        -Double(response.count) * halfLogTwoPi - response.reduce(0, +)
    }

    /// log N(log y | η, σ) − log y.
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        let logY = log(y)
        return GaussianFamily.logLikelihood(response: logY, trials: trials, eta: eta, auxiliary: auxiliary) - logY
    }

    /// E y = exp(μ + σ²/2); y = exp(μ + σ ε).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        let sigma = auxiliary[0]
        return (exp(mu + sigma * sigma / 2), exp(mu + sigma * rng.nextNormal()))
    }
}
