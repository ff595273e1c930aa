import Foundation
import MultilevelMath

/// The adaptive Gauss–Hermite approximation to a GLMM's deviance for a model with one scalar
/// random-effect term (lme4's `glmer(nAGQ = n)`, n > 1; Pinheiro & Bates 1995; Pinheiro & Chao
/// 2006). The integral over each level's spherical effect uⱼ factorises; at the PIRLS mode ûⱼ with
/// conditional SD sⱼ = 1/Lⱼⱼ it is evaluated on the nodes ûⱼ + zₖsⱼ of the n-point rule for the
/// standard normal (weights wₖ). With lme4's definition (`glmerAGQ`), built on deviance residuals
/// dᵢ rather than −2 log p(yᵢ | ·),
///
///     D(θ, β) = Σⱼ cⱼ(ûⱼ) + log|Lθ|² − 2 Σⱼ log Σₖ wₖ exp(−½[cⱼ(ûⱼ + zₖsⱼ) − cⱼ(ûⱼ)] + zₖ²/2),
///
/// cⱼ(u) = u² + Σ_{i in level j} dᵢ(η(u)); with n = 1 the last sum is 0 and D is the Laplace
/// deviance up to the saturated log-likelihood. glmer's logLik for nAGQ > 1 is −D/2.
public final class AdaptiveGaussHermiteQuadrature {
    public let laplace: LaplaceApproximation
    public let rule: GaussHermiteRule

    /// Refuses models with more than one random-effect term or a term with more than one column
    /// (lme4's "nAGQ > 1 is only available for models with a single, scalar random-effects term").
    public init(laplace: LaplaceApproximation, points: Int) throws {
        let terms = laplace.pirls.fittingTerms
        guard terms.count == 1, terms[0].columnCount == 1 else {
            throw MixedModelError("--nagq \(points): adaptive Gauss-Hermite quadrature is only available for models with a single, scalar random-effects term (as glmer's nAGQ > 1); this model has \(terms.map(\.text).joined(separator: ", "))")
        }
        guard (2...100).contains(points) else {
            throw MixedModelError("--nagq must be 1 (Laplace) to 100 quadrature points, not \(points)")
        }
        self.laplace = laplace
        rule = GaussHermiteRule(points: points)
    }

    /// D(θ, β) with û from PIRLS at β held; +∞ when PIRLS fails.
    public func deviance(theta: [Double], beta: [Double]) -> Double {
        guard let mode = try? laplace.mode(theta: theta, beta: beta) else { return .infinity }
        let value = deviance(of: mode)
        return value.isFinite ? value : .infinity
    }

    public func deviance(of mode: PenalizedIterativelyReweightedLeastSquares.Mode) -> Double {
        let pirls = laplace.pirls
        let response = pirls.response
        let term = pirls.fittingTerms[0]
        let levelOf = term.grouping.levelIndex
        let u = mode.spherical[0]
        let levels = u.count
        let eta = mode.linearPredictor
        let lambda = mode.theta[0]
        let conditionalSD = mode.equations.sphericalConditionalCovarianceBlocks()[0].map { $0.squareRoot() }
        func levelDeviances(shift z: Double) -> [Double] {
            var c = (0..<levels).map { (u[$0] + z * conditionalSD[$0]) * (u[$0] + z * conditionalSD[$0]) }
            for i in eta.indices {
                let j = levelOf[i]
                c[j] += response.unitDeviance(i, eta: eta[i] + lambda * term.values[i] * z * conditionalSD[j])
            }
            return c
        }
        let base = levelDeviances(shift: 0)
        var multiplier = [Double](repeating: 0, count: levels)
        for (z, w) in zip(rule.nodes, rule.weights) {
            if z == 0 {
                for j in 0..<levels { multiplier[j] += w }
                continue
            }
            let shifted = levelDeviances(shift: z)
            for j in 0..<levels { multiplier[j] += w * exp(-0.5 * (shifted[j] - base[j]) + z * z / 2) }
        }
        return base.reduce(0, +) + mode.equations.logDeterminantL - 2 * multiplier.reduce(0) { $0 + log($1) }
    }
}
