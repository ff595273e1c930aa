import Foundation
import MultilevelMath

/// The Laplace approximation to a GLMM's deviance (Bates et al. 2015 §5; lme4's `glmer`, nAGQ = 1):
/// with û the conditional mode from PIRLS and Lθ the Cholesky factor of ΛθᵀZᵀWZΛθ + I at the
/// mode's working weights,
///
///     −2 log L(θ, β) ≈ −2 log p(y | β, û) + ‖û‖² + log|Lθ|².
///
/// With `startLinearPredictor` set, every evaluation runs PIRLS as lme4 does (from that η₀, lme4's
/// tolerance and factor; `lme4ConditionalMode`), which is what glmer's numbers are; without it,
/// PIRLS runs to full precision from the last mode.
public final class LaplaceApproximation {
    public let pirls: PenalizedIterativelyReweightedLeastSquares
    /// The last mode computed (start of the next PIRLS run).
    public private(set) var lastMode: PenalizedIterativelyReweightedLeastSquares.Mode?
    /// lme4's `lp0`: the linear predictor every PIRLS run starts from (nil: full-precision PIRLS).
    public var startLinearPredictor: [Double]?

    public init(pirls: PenalizedIterativelyReweightedLeastSquares) { self.pirls = pirls }

    /// −2 log p(y | β, û) + ‖û‖² + log|Lθ|² at a PIRLS mode.
    public func deviance(of mode: PenalizedIterativelyReweightedLeastSquares.Mode) -> Double {
        var squaredNorm = 0.0
        for block in mode.spherical { for value in block { squaredNorm += value * value } }
        return pirls.minusTwoLogLikelihood(eta: mode.linearPredictor) + squaredNorm + mode.equations.logDeterminantL
    }

    /// The mode at θ with β held (or estimated jointly when `beta` is nil).
    public func mode(theta: [Double], beta: [Double]?) throws -> PenalizedIterativelyReweightedLeastSquares.Mode {
        if let eta0 = startLinearPredictor {
            let mode = try pirls.lme4ConditionalMode(theta: theta, fixedEffects: beta, start: eta0)
            lastMode = mode
            return mode
        }
        let start = lastMode.map(\.spherical)
        let mode = try pirls.conditionalMode(theta: theta, fixedEffects: beta, startSpherical: start,
                                             startBeta: beta == nil ? lastMode?.fixedEffects : nil)
        lastMode = mode
        return mode
    }

    /// The Laplace deviance at (θ, β); β nil profiles β by joint PIRLS (glmer's nAGQ = 0 stage).
    /// +∞ when the weighted system cannot be factored.
    public func deviance(theta: [Double], beta: [Double]?) -> Double {
        guard let mode = try? mode(theta: theta, beta: beta) else { return .infinity }
        let value = deviance(of: mode)
        return value.isFinite ? value : .infinity
    }
}
