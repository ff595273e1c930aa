import Foundation
import MultilevelData
import MultilevelMath

/// Profile-likelihood confidence intervals, lme4's `confint(fit)` default (`method = "profile"`,
/// Bates et al. 2015 §5.1): on the ML fit (lme4's `devfun2` refits REML fits by ML), for every
/// parameter — standard deviations, correlations and σ on lme4's σ scale, and fixed effects — the
/// signed root ζ(v) = sign(v − v̂)·√(d(v) − d̂) of the deviance minimised over all other parameters
/// with this one held at v; the interval is where ζ = ±z₍₁₊ₗₑᵥₑₗ₎/₂. lme4 interpolates ζ by a
/// spline through a grid; here each crossing is found by root finding on ζ itself.
public struct ProfileLikelihood {
    public let model: LinearMixedModel
    /// The ML fit the profiles start from, and its deviance d̂.
    public let maximumLikelihoodFit: LinearMixedModelFit

    /// One profiled parameter on the σ scale: a standard deviation, a correlation or σ.
    private struct ScaleParameter {
        var name: String
        var term: Int      // −1 for σ
        var index: Int     // sd index, or flattened (i, j) for a correlation
        var isCorrelation: Bool
    }

    public init(model: LinearMixedModel) throws {
        self.model = model
        maximumLikelihoodFit = try model.fit(method: .ml, options: .init(conditionalVariances: false))
    }

    /// Intervals for every parameter of `frequentistParameters` order, attached to `estimates`
    /// (the REML or ML fit being reported).
    public func intervals(for estimates: [NamedEstimate], level: Double = 0.95) throws -> [NamedEstimate] {
        let z = NormalDistribution.quantile((1 + level) / 2)
        var bounds = [String: (Double, Double)]()
        let fit = maximumLikelihoodFit
        let base = fit.criterion
        // σ-scale parameters.
        var parameters: [ScaleParameter] = []
        var values: [Double] = []
        for (k, component) in fit.varianceComponents.enumerated() {
            let names = component.columnNames.map(brmsName(ofColumn:))
            let q = names.count
            for i in 0..<q {
                parameters.append(ScaleParameter(name: "sd_\(component.group)__\(names[i])", term: k, index: i, isCorrelation: false))
                values.append(component.standardDeviations[i])
            }
            for j in 0..<q { for i in (j + 1)..<max(j + 1, q) {
                parameters.append(ScaleParameter(name: "cor_\(component.group)__\(names[j])__\(names[i])", term: k,
                                                 index: i * q + j, isCorrelation: true))
                values.append(component.correlations[i * q + j])
            } }
        }
        parameters.append(ScaleParameter(name: "sigma", term: -1, index: 0, isCorrelation: false))
        values.append(fit.sigma)
        let scales = zip(parameters, values).map { $0.isCorrelation ? 1 : ($1 > 0 ? $1 : 1) }
        let lower = parameters.map { $0.isCorrelation ? -1.0 : ($0.term < 0 ? 1e-10 * fit.sigma : 0) }
        let upper = parameters.map { $0.isCorrelation ? 1.0 : Double.infinity }
        let equations = model.equations
        let factor = equations.covarianceFactor
        let termSizes = factor.termSizes
        /// ML deviance at σ-scale parameters (lme4's devfun2).
        func deviance(_ phi: [Double]) -> Double {
            let sigma = phi[phi.count - 1]
            guard sigma > 0 else { return .infinity }
            var theta: [Double] = []
            for (k, q) in termSizes.enumerated() {
                var sds = [Double](repeating: 0, count: q)
                var correlations = [Double](repeating: 0, count: q * q)
                for (p, parameter) in parameters.enumerated() where parameter.term == k {
                    if parameter.isCorrelation {
                        correlations[parameter.index] = phi[p]
                        correlations[(parameter.index % q) * q + parameter.index / q] = phi[p]
                    } else {
                        sds[parameter.index] = phi[p]
                    }
                }
                guard let entries = factor.templateEntries(sds: sds, correlations: correlations, sigma: sigma) else { return .infinity }
                theta += entries
            }
            do { try equations.update(theta: theta) } catch { return .infinity }
            return equations.deviance(sigma: sigma)
        }
        for (p, parameter) in parameters.enumerated() {
            var warm = values.enumerated().filter { $0.offset != p }.map { $0.element / scales[$0.offset] }
            let others = parameters.indices.filter { $0 != p }
            func zeta(_ v: Double) -> Double {
                var phi = values
                phi[p] = v
                let minimum: Double
                if others.isEmpty {
                    minimum = deviance(phi)
                } else {
                    let result = BOBYQA.minimize(start: warm, lower: others.map { lower[$0] / scales[$0] },
                                                 upper: others.map { upper[$0] / scales[$0] },
                                                 options: .init(initialRadius: 0.05, finalRadius: 1e-8)) { s in
                        var point = phi
                        for (k, index) in others.enumerated() { point[index] = s[k] * scales[index] }
                        return deviance(point)
                    }
                    warm = result.x
                    minimum = result.value
                }
                let difference = max(0, minimum - base)
                return (v < values[p] ? -1 : 1) * difference.squareRoot()
            }
            let step = parameter.isCorrelation ? 0.2 : parameter.term < 0 ? values[p] * z / (2 * Double(fit.observationCount)).squareRoot() : 0.3 * scales[p]
            let start = warm
            let lowerEnd = crossing(zeta, estimate: values[p], target: -z, step: step, bound: lower[p])
            warm = start
            let upperEnd = crossing(zeta, estimate: values[p], target: z, step: step, bound: upper[p])
            bounds[parameter.name] = (lowerEnd, upperEnd)
        }
        // Fixed effects: β_j held at v through an offset, θ re-optimised by ML.
        let design = model.design
        let xMatrix = design.fixedEffects
        for j in 0..<design.fixedEffectCount {
            let keep = (0..<design.fixedEffectCount).filter { $0 != j }
            var reduced = DenseMatrix(rows: xMatrix.rows, columns: keep.count)
            for (c, source) in keep.enumerated() { for i in 0..<xMatrix.rows { reduced[i, c] = xMatrix[i, source] } }
            var warmTheta = fit.theta
            let lowerTheta = factor.lowerBounds
            let upperTheta = [Double](repeating: .infinity, count: lowerTheta.count)
            func zeta(_ v: Double) -> Double {
                let offsetResponse = (0..<xMatrix.rows).map { design.response[$0] - xMatrix[$0, j] * v }
                let system = BlockedMixedModelEquations(response: offsetResponse, fixedEffects: reduced, randomTerms: design.randomTerms)
                let result = BOBYQA.minimize(start: warmTheta, lower: lowerTheta, upper: upperTheta,
                                             options: .init(initialRadius: 0.05, finalRadius: 1e-8)) { system.criterion(at: $0, .ml) }
                warmTheta = result.x
                return (v < fit.fixedEffects[j] ? -1 : 1) * max(0, result.value - base).squareRoot()
            }
            let step = z * fit.standardErrors[j]
            let lowerEnd = crossing(zeta, estimate: fit.fixedEffects[j], target: -z, step: step, bound: -.infinity)
            warmTheta = fit.theta
            let upperEnd = crossing(zeta, estimate: fit.fixedEffects[j], target: z, step: step, bound: .infinity)
            bounds["b_" + brmsName(ofColumn: design.fixedEffectNames[j])] = (lowerEnd, upperEnd)
        }
        // Leave the shared equations factored at the ML optimum again.
        try equations.update(theta: fit.theta)
        return estimates.map { estimate in
            var result = estimate
            if let (low, high) = bounds[estimate.name] { result.lower = low; result.upper = high }
            return result
        }
    }

    /// The v where ζ(v) = target, searching away from the estimate (ζ = 0) in steps that double,
    /// then by regula falsi (Illinois). Returns the bound when ζ does not reach the target before it.
    private func crossing(_ zeta: (Double) -> Double, estimate: Double, target: Double, step initialStep: Double,
                          bound: Double) -> Double {
        let direction: Double = target < 0 ? -1 : 1
        var a = estimate, za = 0.0
        var step = max(initialStep, 1e-8 * max(1, abs(estimate)))
        var b = estimate, zb = 0.0
        var bracketed = false
        for _ in 0..<60 {
            b = a + direction * step
            if (direction < 0 && b <= bound) || (direction > 0 && b >= bound) {
                b = bound
                zb = zeta(b)
                if direction * zb < abs(target) { return bound }
                bracketed = true
                break
            }
            zb = zeta(b)
            if direction * zb >= abs(target) { bracketed = true; break }
            // Extrapolate linearly towards the target, at least doubling.
            let slope = (zb - za) / (b - a)
            let guess = slope * direction > 0 ? (target - zb) / slope : 2 * step
            a = b; za = zb
            step = min(max(abs(guess) * 1.2, step), 8 * step)
        }
        guard bracketed else { return .nan }
        var side = 0
        for _ in 0..<100 {
            let c = b - (zb - target) * (b - a) / (zb - za)
            let zc = zeta(c)
            if abs(zc - target) < 1e-9 || abs(b - a) < 1e-12 * max(1, abs(c)) { return c }
            if (zc - target) * (zb - target) < 0 {
                a = b; za = zb; b = c; zb = zc
                side = 0
            } else {
                b = c; zb = zc
                if side == -1 { za = target + (za - target) / 2 }
                side = -1
            }
        }
        return b
    }
}
