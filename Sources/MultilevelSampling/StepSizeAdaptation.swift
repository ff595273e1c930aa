import Foundation

/// Nesterov dual averaging of log ε towards a target acceptance statistic δ (Hoffman & Gelman 2014,
/// §3.2.1, eq. 6; Stan's `stepsize_adaptation`).
///
/// After t adaptation transitions with acceptance statistics α₁…αₜ:
///   H̄ₜ = (1 − 1/(t + t₀)) H̄ₜ₋₁ + (δ − αₜ)/(t + t₀),
///   log εₜ = μ − √t H̄ₜ / γ,
///   log ε̄ₜ = t^(−κ) log εₜ + (1 − t^(−κ)) log ε̄ₜ₋₁,
/// with μ = log(10 ε₀). The chain samples with εₜ during warm-up and with ε̄ afterwards.
public struct StepSizeAdaptation: Sendable, Equatable {
    /// Target acceptance statistic δ (Stan's `adapt_delta`).
    public var targetAcceptance: Double
    /// Shrinkage target μ for log ε.
    public var mu: Double
    /// Shrinkage strength γ.
    public var gamma: Double
    /// Iteration offset t₀ that damps the first iterations.
    public var t0: Double
    /// Decay exponent κ of the averaging weights.
    public var kappa: Double

    /// Number of adaptation steps t since the last restart.
    public private(set) var counter: Double = 0
    /// Running average H̄ of δ − α.
    public private(set) var averageAcceptanceError: Double = 0
    /// Running average log ε̄.
    public private(set) var averageLogStepSize: Double = 0

    /// Stan's defaults: δ = 0.8, γ = 0.05, t₀ = 10, κ = 0.75, μ = log(10 ε₀) with ε₀ = 1.
    public init(targetAcceptance: Double = 0.8, initialStepSize: Double = 1,
                gamma: Double = 0.05, t0: Double = 10, kappa: Double = 0.75) {
        self.targetAcceptance = targetAcceptance
        self.mu = log(10 * initialStepSize)
        self.gamma = gamma
        self.t0 = t0
        self.kappa = kappa
    }

    /// Forgets the averages (t = 0, H̄ = 0, log ε̄ = 0), as after each metric update.
    public mutating func restart() {
        counter = 0
        averageAcceptanceError = 0
        averageLogStepSize = 0
    }

    /// Sets μ = log(10 ε) and restarts: called after each metric update with the step size the
    /// heuristic found for the new metric.
    public mutating func restart(initialStepSize: Double) {
        mu = log(10 * initialStepSize)
        restart()
    }

    /// One dual-averaging update with acceptance statistic `acceptStat` (capped at 1); returns the
    /// step size εₜ for the next transition.
    public mutating func learn(acceptStat: Double) -> Double {
        counter += 1
        let alpha = min(acceptStat, 1)
        let eta = 1 / (counter + t0)
        averageAcceptanceError = (1 - eta) * averageAcceptanceError + eta * (targetAcceptance - alpha)
        let logStepSize = mu - counter.squareRoot() * averageAcceptanceError / gamma
        let weight = pow(counter, -kappa)
        averageLogStepSize = (1 - weight) * averageLogStepSize + weight * logStepSize
        return exp(logStepSize)
    }

    /// The final step size ε̄ = exp(log ε̄ₜ), used after warm-up.
    public var finalStepSize: Double { exp(averageLogStepSize) }
}
