import Foundation

/// The negative-binomial (NB2) pieces of the Laplace engine's response, log link, shape θ held
/// fixed: MASS's `negative.binomial(theta)` family as lme4's `glmer.nb` uses it (Venables & Ripley
/// 2002, §7.4; Lawless 1987). Var(y) = μ + μ²/θ.
extension GeneralizedLinearResponse {
    /// A copy with shape θ (the response of one glmer fit inside glmer.nb's θ search).
    public func withNegativeBinomialShape(_ shape: Double) -> GeneralizedLinearResponse {
        var copy = self
        copy.shape = shape
        return copy
    }

    /// R's family line for the shape: `Negative Binomial(2.0522)` (θ rounded to 4 decimals and
    /// printed by `format`, MASS's `famname`).
    var negativeBinomialFamilyName: String {
        "Negative Binomial(\(Self.rFormat(roundedShape: (shape * 10_000).rounded() / 10_000)))"
    }

    static func rFormat(roundedShape x: Double) -> String {
        guard x.isFinite else { return "Inf" }
        var text = String(format: "%.7g", x)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Fisher-scoring weight w = (dμ/dη)²/Var(y) = μθ/(μ + θ) and working residual (y − μ)/μ for
    /// the log link (the expected information, as lme4's PIRLS uses for non-canonical links).
    @inline(__always)
    func negativeBinomialWorkingWeightAndResidual(_ i: Int, mu: Double) -> (weight: Double, residual: Double) {
        let rate = Swift.max(mu, 1e-300)
        return (rate * shape / (rate + shape), (counts[i] - rate) / rate)
    }

    /// Unit deviance 2[y log(max(y, 1)/μ) − (y + θ) log((y + θ)/(μ + θ))] (MASS's `dev.resids`).
    @inline(__always)
    func negativeBinomialUnitDeviance(_ y: Double, mu: Double) -> Double {
        2 * (y * log(Swift.max(y, 1) / mu) - (y + shape) * log((y + shape) / (mu + shape)))
    }

    /// log p(y | η) without −log y!: log Γ(θ + y) − log Γ(θ) + θ log θ + yη − (θ + y) log(θ + e^η)
    /// (MASS's `aic` term).
    @inline(__always)
    func negativeBinomialLogLikelihood(_ y: Double, eta: Double) -> Double {
        let theta = shape
        // log(θ + e^η) without overflow for large η.
        let logSum = eta > log(theta) ? eta + log1p(theta * exp(-eta)) : log(theta) + log1p(exp(eta) / theta)
        return lgamma(theta + y) - lgamma(theta) + theta * log(theta) + y * eta - (theta + y) * logSum
    }
}
