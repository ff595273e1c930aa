import Foundation
import MultilevelData
import MultilevelMath

/// Profile-likelihood confidence intervals for a GLMM's Laplace fit, lme4's `confint(glmer fit)`
/// (`profile.merMod` over the standard deviations and correlations of the random effects, lme4's
/// `.sig01` …, and the fixed effects; Bates et al. 2015 §5.1): for each parameter v the signed root
/// ζ(v) = sign(v − v̂)·√(d(v) − d̂) of the Laplace deviance d minimised over every other
/// variance parameter and fixed effect with v held; the interval is where ζ = ±z₍₁₊ₗₑᵥₑₗ₎/₂.
/// The deviance at (θ, β) has its conditional modes from PIRLS to full precision
/// (`LaplaceApproximation`). lme4 interpolates ζ by a spline through a grid of about a dozen
/// points; here each crossing is found by root finding on ζ itself.
public struct GeneralizedProfileLikelihood {
    public let model: GeneralizedLinearMixedModel
    public let fit: GeneralizedLinearMixedModelFit

    public init(model: GeneralizedLinearMixedModel, fit: GeneralizedLinearMixedModelFit) {
        self.model = model
        self.fit = fit
    }

    /// Intervals for every parameter of `frequentistParameters(fit)` attached to `estimates`.
    public func intervals(for estimates: [NamedEstimate], level: Double = 0.95) throws -> [NamedEstimate] {
        let z = NormalDistribution.quantile((1 + level) / 2)
        let laplace = LaplaceApproximation(pirls: model.pirls)
        let factor = model.pirls.covarianceFactor
        let termSizes = factor.termSizes
        let p = fit.fixedEffects.count
        let identityOrders = termSizes.map { Array(0..<$0) }
        let unprofiled = ProfileLikelihood.ScaleCoordinates(termSizes: termSizes, orders: identityOrders)
        // φ without its last (σ) coordinate, which a GLMM holds at 1.
        let varianceCount = unprofiled.count - 1
        let betaScales = fit.standardErrors.map { $0.isFinite && $0 > 0 ? $0 : 1 }

        /// The deviance at variance coordinates φ (σ = 1 appended) and β.
        func deviance(_ phi: [Double], _ coordinates: ProfileLikelihood.ScaleCoordinates, _ beta: [Double]) -> Double {
            guard let theta = coordinates.theta(phi + [1], factor: factor) else { return .infinity }
            return laplace.deviance(theta: theta, beta: beta)
        }
        let base = laplace.deviance(theta: fit.theta, beta: fit.fixedEffects)
        guard base.isFinite else { throw MixedModelError("the Laplace deviance could not be evaluated at the estimates") }
        var bounds = [String: (Double, Double)]()

        // The profiled coordinate of each parameter: index < varianceCount a variance coordinate,
        // otherwise the fixed effect index − varianceCount.
        struct Target { var name: String; var position: Int; var orders: [[Int]]; var estimate: Double; var step: Double; var lower: Double; var upper: Double }
        var targets: [Target] = []
        for (k, component) in fit.varianceComponents.enumerated() {
            let names = component.columnNames.map(brmsName(ofColumn:))
            let q = names.count
            for i in 0..<q {
                let sd = component.standardDeviations[i]
                targets.append(Target(name: "sd_\(component.group)__\(names[i])", position: unprofiled.offsets[k] + i,
                                      orders: identityOrders, estimate: sd, step: 0.3 * (sd > 0 ? sd : 1), lower: 0, upper: .infinity))
            }
            for j in 0..<q { for i in (j + 1)..<max(j + 1, q) {
                var orders = identityOrders
                orders[k] = [j, i] + (0..<q).filter { $0 != j && $0 != i }
                targets.append(Target(name: "cor_\(component.group)__\(names[j])__\(names[i])", position: unprofiled.offsets[k] + q,
                                      orders: orders, estimate: component.correlations[i * q + j], step: 0.2, lower: -1, upper: 1))
            } }
        }
        for j in 0..<p {
            targets.append(Target(name: "b_" + brmsName(ofColumn: fit.fixedEffectNames[j]), position: varianceCount + j,
                                  orders: identityOrders, estimate: fit.fixedEffects[j], step: z * betaScales[j],
                                  lower: -.infinity, upper: .infinity))
        }
        for target in targets {
            let coordinates = ProfileLikelihood.ScaleCoordinates(termSizes: termSizes, orders: target.orders)
            let phiHat = Array(coordinates.point(fit.varianceComponents, sigma: 1).prefix(varianceCount))
            let full = phiHat + fit.fixedEffects
            let scales = phiHat.map { $0 > 0 ? $0 : 1 } + betaScales
            let lowerAll = Array(coordinates.lower.prefix(varianceCount)) + [Double](repeating: -.infinity, count: p)
            let upperAll = Array(coordinates.upper.prefix(varianceCount)) + [Double](repeating: .infinity, count: p)
            let others = full.indices.filter { $0 != target.position }
            var warm = others.map { full[$0] / scales[$0] }
            func objective(_ point: [Double]) -> Double {
                deviance(Array(point[..<varianceCount]), coordinates, Array(point[varianceCount...]))
            }
            func zeta(_ v: Double) -> Double {
                var point = full
                point[target.position] = v
                let minimum = ProfileLikelihood.minimum(of: objective, holding: point, free: others, scales: scales,
                                                        lower: lowerAll, upper: upperAll, warm: &warm)
                return (v < target.estimate ? -1 : 1) * max(0, minimum - base).squareRoot()
            }
            let start = warm
            let lowerEnd = ProfileLikelihood.crossing(zeta, estimate: target.estimate, target: -z, step: target.step, bound: target.lower)
            warm = start
            let upperEnd = ProfileLikelihood.crossing(zeta, estimate: target.estimate, target: z, step: target.step, bound: target.upper)
            bounds[target.name] = (lowerEnd, upperEnd)
        }
        return estimates.map { estimate in
            var result = estimate
            if let (low, high) = bounds[estimate.name] { result.lower = low; result.upper = high }
            return result
        }
    }
}
