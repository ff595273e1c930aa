import Foundation

/// The estimation criterion of a linear mixed model.
public enum EstimationMethod: String, Sendable {
    /// Restricted (residual) maximum likelihood, lme4's default.
    case reml = "REML"
    /// Maximum likelihood.
    case ml = "ML"
}

extension BlockedMixedModelEquations {
    /// The profiled criterion at the factored θ (Bates et al. 2015):
    /// ML deviance d(θ) = log|Lθ|² + n (1 + log(2π r²/n)) (eq. 35), REML criterion
    /// d_R(θ) = log|Lθ|² + log|R_X|² + (n − p)(1 + log(2π r²/(n − p))) (eq. 42).
    public func profiledCriterion(_ method: EstimationMethod) -> Double {
        let n = Double(observationCount)
        let r2 = penalizedResidualSumOfSquares
        switch method {
        case .ml:
            return logDeterminantL + n * (1 + log(2 * Double.pi * r2 / n))
        case .reml:
            let df = n - Double(fixedEffectCount)
            return logDeterminantL + logDeterminantRX + df * (1 + log(2 * Double.pi * r2 / df))
        }
    }

    /// The ML deviance at θ and a given σ, β profiled out (what lme4's `devfun2` profiles):
    /// log|Lθ|² + n log(2πσ²) + r²(θ)/σ².
    public func deviance(sigma: Double) -> Double {
        let n = Double(observationCount)
        return logDeterminantL + n * log(2 * Double.pi * sigma * sigma) + penalizedResidualSumOfSquares / (sigma * sigma)
    }

    /// σ̂ at the factored θ: √(r²/n) for ML, √(r²/(n − p)) for REML (eq. 33, 40).
    public func residualStandardDeviation(_ method: EstimationMethod) -> Double {
        let n = Double(observationCount)
        let df = method == .ml ? n : n - Double(fixedEffectCount)
        return (penalizedResidualSumOfSquares / df).squareRoot()
    }

    /// The criterion as a function of θ, for the optimiser: refactors and evaluates; +∞ if the
    /// factorisation fails.
    public func criterion(at theta: [Double], _ method: EstimationMethod) -> Double {
        do { try update(theta: theta) } catch { return .infinity }
        return profiledCriterion(method)
    }
}
