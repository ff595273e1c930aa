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

    /// The σ-scale coordinates of a profile: per term (fitting order) its standard deviations and
    /// the canonical partial correlations of its correlation matrix with the variables taken in
    /// `orders[term]`, then σ. Every point in the box (sd ≥ 0, CPC ∈ [−1, 1], σ > 0) is a valid
    /// covariance, for any block size; a correlation (i, j) is profiled as the first CPC of its
    /// term with i and j ordered first.
    struct ScaleCoordinates {
        var termSizes: [Int]
        var orders: [[Int]]
        var offsets: [Int]
        var count: Int

        init(termSizes: [Int], orders: [[Int]]) {
            self.termSizes = termSizes
            self.orders = orders
            var offsets: [Int] = []
            var running = 0
            for q in termSizes { offsets.append(running); running += q + q * (q - 1) / 2 }
            self.offsets = offsets
            count = running + 1
        }

        /// The coordinates of a fit's variance components and σ.
        func point(_ components: [VarianceComponent], sigma: Double) -> [Double] {
            var phi: [Double] = []
            for (k, component) in components.enumerated() {
                phi += component.standardDeviations
                let q = termSizes[k]
                phi += CanonicalPartialCorrelations.coordinates(of: component.correlations.map { $0.isFinite ? $0 : 0 },
                                                                order: orders[k])
                    ?? [Double](repeating: 0, count: q * (q - 1) / 2)
            }
            return phi + [sigma]
        }

        var lower: [Double] {
            var bounds: [Double] = []
            for q in termSizes {
                bounds += [Double](repeating: 0, count: q) + [Double](repeating: -1, count: q * (q - 1) / 2)
            }
            return bounds + [0]
        }

        var upper: [Double] {
            var bounds: [Double] = []
            for q in termSizes {
                bounds += [Double](repeating: .infinity, count: q) + [Double](repeating: 1, count: q * (q - 1) / 2)
            }
            return bounds + [.infinity]
        }

        /// θ at coordinates φ; nil when φ is outside the box or not finite.
        func theta(_ phi: [Double], factor: RelativeCovarianceFactor) -> [Double]? {
            let sigma = phi[count - 1]
            guard sigma > 0, phi.allSatisfy(\.isFinite) else { return nil }
            var theta: [Double] = []
            for (k, q) in termSizes.enumerated() {
                let base = offsets[k]
                let sds = Array(phi[base..<(base + q)])
                let z = Array(phi[(base + q)..<(base + q + q * (q - 1) / 2)])
                guard sds.allSatisfy({ $0 >= 0 }), z.allSatisfy({ abs($0) <= 1 }) else { return nil }
                let correlations = CanonicalPartialCorrelations.correlations(from: z, order: orders[k])
                guard let entries = factor.templateEntries(sds: sds, correlations: correlations, sigma: sigma) else { return nil }
                theta += entries
            }
            return theta
        }
    }

    public init(model: LinearMixedModel) throws {
        self.model = model
        maximumLikelihoodFit = try model.fit(method: .ml, options: .init(conditionalVariances: false))
    }

    /// Intervals for every parameter of `frequentistParameters` order, attached to `estimates`
    /// (the REML or ML fit being reported); with `only`, for those parameters alone (lme4's `parm`),
    /// the others keeping the intervals they came with.
    public func intervals(for estimates: [NamedEstimate], level: Double = 0.95,
                          only: Set<String>? = nil) throws -> [NamedEstimate] {
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
        let equations = model.equations
        let factor = equations.covarianceFactor
        let termSizes = factor.termSizes
        let identityOrders = termSizes.map { Array(0..<$0) }
        for (p, parameter) in parameters.enumerated() where only?.contains(parameter.name) ?? true {
            // The coordinates of this profile: the profiled correlation's pair first in its term.
            var orders = identityOrders
            let position: Int
            let unprofiled = ScaleCoordinates(termSizes: termSizes, orders: identityOrders)
            if parameter.isCorrelation {
                let q = termSizes[parameter.term]
                let first = parameter.index % q, second = parameter.index / q
                orders[parameter.term] = [first, second] + (0..<q).filter { $0 != first && $0 != second }
                position = unprofiled.offsets[parameter.term] + q
            } else {
                position = parameter.term < 0 ? unprofiled.count - 1 : unprofiled.offsets[parameter.term] + parameter.index
            }
            let coordinates = ScaleCoordinates(termSizes: termSizes, orders: orders)
            let sigmaPosition = coordinates.count - 1
            var estimate = coordinates.point(fit.varianceComponents, sigma: fit.sigma)
            // A correlation does not involve σ, so its profile minimises the deviance with σ
            // profiled out in closed form (eq. 35) over the relative standard deviations sdᵢ/σ
            // (σ-coordinate fixed at 1, so that the coordinates map to θ itself) and the other CPCs:
            // one coordinate fewer, and none of the strong sd–σ coupling that kept the optimiser
            // of the σ-scale coordinates short of the minimum on blocks of 3 (issue 22).
            if parameter.isCorrelation {
                for (k, q) in termSizes.enumerated() {
                    for i in 0..<q { estimate[coordinates.offsets[k] + i] /= fit.sigma }
                }
                estimate[sigmaPosition] = 1
            }
            let lower = coordinates.lower.enumerated().map { $0.offset == sigmaPosition ? 1e-10 * fit.sigma : $0.element }
            let upper = coordinates.upper
            let scales = estimate.enumerated().map { index, value in lower[index] == -1 ? 1 : (value > 0 ? value : 1) }
            /// ML deviance at σ-scale coordinates (lme4's devfun2), or profiled over σ for a correlation.
            func deviance(_ phi: [Double]) -> Double {
                guard let theta = coordinates.theta(phi, factor: factor) else { return .infinity }
                do { try equations.update(theta: theta) } catch { return .infinity }
                return parameter.isCorrelation ? equations.profiledCriterion(.ml)
                    : equations.deviance(sigma: phi[sigmaPosition])
            }
            let others = estimate.indices.filter { $0 != position && !(parameter.isCorrelation && $0 == sigmaPosition) }
            let fromEstimate = others.map { estimate[$0] / scales[$0] }
            var warm = fromEstimate
            func zeta(_ v: Double) -> Double {
                var phi = estimate
                phi[position] = v
                let minimum: Double
                if others.isEmpty {
                    minimum = deviance(phi)
                } else {
                    // A block's other correlations can leave the warm start (the previous v's
                    // optimum) in a valley the bounded optimiser does not leave (on a block of 3 it
                    // stopped 3.1 above the minimum at cor = −0.615): for a correlation the search
                    // also starts from the estimate, and the lower minimum is kept.
                    minimum = Self.minimum(of: deviance, holding: phi, free: others, scales: scales,
                                           lower: lower, upper: upper, warm: &warm,
                                           alsoFrom: parameter.isCorrelation ? fromEstimate : nil)
                }
                let difference = max(0, minimum - base)
                return (v < values[p] ? -1 : 1) * difference.squareRoot()
            }
            let step = parameter.isCorrelation ? 0.2 : parameter.term < 0 ? values[p] * z / (2 * Double(fit.observationCount)).squareRoot() : 0.3 * scales[position]
            let start = warm
            let lowerEnd = Self.crossing(zeta, estimate: values[p], target: -z, step: step, bound: lower[position])
            warm = start
            let upperEnd = Self.crossing(zeta, estimate: values[p], target: z, step: step, bound: upper[position])
            bounds[parameter.name] = (lowerEnd, upperEnd)
        }
        // Fixed effects: β_j held at v through an offset, θ re-optimised by ML.
        let design = model.design
        let xMatrix = design.fixedEffects
        for j in 0..<design.fixedEffectCount
        where only?.contains("b_" + brmsName(ofColumn: design.fixedEffectNames[j])) ?? true {
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
            let lowerEnd = Self.crossing(zeta, estimate: fit.fixedEffects[j], target: -z, step: step, bound: -.infinity)
            warmTheta = fit.theta
            let upperEnd = Self.crossing(zeta, estimate: fit.fixedEffects[j], target: z, step: step, bound: .infinity)
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

    /// The minimum of f over the coordinates `free` of `point` (the others held), by BOBYQA in
    /// units of `scales` from the warm start `warm` (updated to the minimiser, for the next point
    /// of the profile).
    static func minimum(of f: ([Double]) -> Double, holding point: [Double], free: [Int], scales: [Double],
                        lower: [Double], upper: [Double], warm: inout [Double],
                        alsoFrom second: [Double]? = nil) -> Double {
        func search(from start: [Double]) -> BOBYQA.Result {
            BOBYQA.minimize(start: start, lower: free.map { lower[$0] / scales[$0] },
                            upper: free.map { upper[$0] / scales[$0] },
                            options: .init(initialRadius: 0.05, finalRadius: 1e-8)) { s in
                var candidate = point
                for (k, index) in free.enumerated() { candidate[index] = s[k] * scales[index] }
                return f(candidate)
            }
        }
        var result = search(from: warm)
        if let second, second != warm {
            let other = search(from: second)
            if other.value < result.value { result = other }
        }
        warm = result.x
        return result.value
    }

    /// The v where ζ(v) = target, searching away from the estimate (ζ = 0) in steps that double,
    /// then by regula falsi (Illinois). Returns the bound when ζ does not reach the target before it.
    static func crossing(_ zeta: (Double) -> Double, estimate: Double, target: Double, step initialStep: Double,
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
