import Foundation
import MultilevelData
import MultilevelMath

/// Profile-likelihood confidence intervals, lme4's `confint(fit)` default (`method = "profile"`,
/// Bates et al. 2015 §5.1): on the ML fit (lme4's `devfun2` refits REML fits by ML), for every
/// parameter — standard deviations, correlations and σ on lme4's σ scale, and fixed effects — the
/// signed root ζ(v) = sign(v − v̂)·√(d(v) − d̂) of the deviance minimised over all other parameters
/// with this one held at v; the interval is where ζ = ±z₍₁₊ₗₑᵥₑₗ₎/₂. lme4 interpolates ζ by a
/// spline through a grid; here each crossing is found by root finding on ζ itself, and each point
/// of ζ by a quasi-Newton search over θ alone (`intervals(for:level:only:)`), which makes profiles
/// of blocks of any size fast.
public struct ProfileLikelihood {
    public let model: LinearMixedModel
    /// The ML fit the profiles start from, and its deviance d̂.
    public let maximumLikelihoodFit: LinearMixedModelFit

    /// The σ-scale coordinates of a profile (the GLMM profiles' coordinates): per term (fitting order) its standard deviations and
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

    /// Profiles around an ML fit of `model` already made (`lmer --ml`), without fitting it again.
    public init(model: LinearMixedModel, maximumLikelihoodFit fit: LinearMixedModelFit) throws {
        guard fit.method == .ml else { throw MixedModelError("profile intervals start from the ML fit, not the \(fit.method.rawValue) fit") }
        self.model = model
        maximumLikelihoodFit = fit
    }

    /// Intervals for every parameter of `frequentistParameters` order, attached to `estimates`
    /// (the REML or ML fit being reported); with `only`, for those parameters alone (lme4's `parm`),
    /// the others keeping the intervals they came with.
    ///
    /// Every profile point minimises a deviance over θ alone (β, and σ where it is not tied to the
    /// profiled parameter, profiled out in closed form), by `ProfileInnerMinimum` on its analytic
    /// gradient from the previous point's minimiser:
    /// - sdᵢ of term k held at v: σ = v/‖row i of Tₖ‖ and d(θ, σ) (`deviance(sigma:)`), whose
    ///   gradient adds ∂d/∂σ·∂σ/∂θ (∂d/∂σ = 2n/σ − 2r²/σ³, ∂σ/∂Tᵢc = −σTᵢc/‖Tᵢ‖²) to
    ///   `devianceGradient(sigma:)`;
    /// - σ held at v: d(θ, v);
    /// - cor(a, b) held at ρ: the term's columns reordered to put a and b first, so that the
    ///   correlation is T₁₀/‖row 1‖; row 1 is c·(ρ, √(1 − ρ²)) with c ≥ 0 free, and the profiled
    ///   ML criterion (eq. 35) is minimised over c and the other θ entries;
    /// - βⱼ held at v: the profiled ML criterion of y − xⱼv on the other columns, over θ.
    /// The crossing ζ = ±z is then found by `crossing` (a bracket, then regula falsi on ζ).
    public func intervals(for estimates: [NamedEstimate], level: Double = 0.95,
                          only: Set<String>? = nil) throws -> [NamedEstimate] {
        let z = NormalDistribution.quantile((1 + level) / 2)
        var bounds = [String: (Double, Double)]()
        let fit = maximumLikelihoodFit
        let base = fit.criterion
        let equations = model.equations
        let factor = equations.covarianceFactor
        let thetaHat = fit.theta
        let lowerTheta = factor.lowerBounds
        let n = Double(fit.observationCount)
        let scales = Self.rowScales(theta: thetaHat, factor: factor)
        func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }
        func signedRoot(_ minimum: Double, _ v: Double, _ estimate: Double) -> Double {
            (v < estimate ? -1 : 1) * max(0, minimum - base).squareRoot()
        }
        for (k, component) in fit.varianceComponents.enumerated() {
            let names = component.columnNames.map(brmsName(ofColumn:))
            let q = names.count
            let offset = factor.offset(ofTerm: k)
            // Standard deviations: σ tied to the held value through row i's length.
            for i in 0..<q where wanted("sd_\(component.group)__\(names[i])") {
                let estimate = component.standardDeviations[i]
                let row = (0...i).map { offset + Self.lowerTriangleIndex(row: i, column: $0, size: q) }
                var warm = thetaHat, warmValue = estimate
                // The lower end stops just above 0 (σ = v/‖Tᵢ‖ is undefined at 0) and takes ζ there
                // from its limit: row i of T zero (the coefficient without a random effect) and σ
                // profiled out; an end there is reported as 0.
                let nearZero = 1e-6 * estimate
                func zetaAtZero() -> Double {
                    let free = thetaHat.indices.filter { !row.contains($0) }
                    func objective(_ x: [Double]) -> (value: Double, gradient: [Double]?) {
                        var theta = [Double](repeating: 0, count: thetaHat.count)
                        for (position, index) in free.enumerated() { theta[index] = x[position] }
                        return (equations.criterion(at: theta, .ml), nil)
                    }
                    let lower = free.map { lowerTheta[$0] }, units = free.map { scales[$0] }
                    let fromWarm = ProfileInnerMinimum.minimize(start: free.map { warm[$0] }, lower: lower, scales: units, objective)
                    let fromEstimate = ProfileInnerMinimum.minimize(start: free.map { thetaHat[$0] }, lower: lower, scales: units, objective)
                    return -max(0, min(fromWarm.value, fromEstimate.value) - base).squareRoot()
                }
                func zeta(_ v: Double) -> Double {
                    if v <= nearZero { return zetaAtZero() }
                    // The previous minimiser with row i scaled by v/v′, so that σ = v/‖Tᵢ‖ starts
                    // where it was: near sdᵢ = 0 an unscaled start would put σ far off and leave
                    // the search above the minimum (it did on the 4 × 4 block's sd(Days)).
                    var start = warm
                    if warmValue > 0 { for e in row { start[e] *= v / warmValue } }
                    let result = ProfileInnerMinimum.minimize(start: start, lower: lowerTheta, scales: scales) { theta in
                        do { try equations.update(theta: theta) } catch { return (.infinity, nil) }
                        var length2 = 0.0
                        for e in row { length2 += theta[e] * theta[e] }
                        guard length2 > 0 else { return (.infinity, nil) }
                        let sigma = v / length2.squareRoot()
                        let value = equations.deviance(sigma: sigma)
                        guard var gradient = equations.devianceGradient(sigma: sigma) else { return (value, nil) }
                        let r2 = equations.penalizedResidualSumOfSquares
                        let dSigma = 2 * n / sigma - 2 * r2 / (sigma * sigma * sigma)
                        for e in row { gradient[e] -= dSigma * sigma * theta[e] / length2 }
                        return (value, gradient)
                    }
                    if result.value.isFinite { warm = result.x; warmValue = v }
                    return signedRoot(result.value, v, estimate)
                }
                let name = "sd_\(component.group)__\(names[i])"
                guard estimate > 0 else {
                    // A zero estimate: the interval starts at 0.
                    let upperEnd = Self.crossing(zeta, estimate: 0, target: z, step: 0.3 * fit.sigma, bound: .infinity)
                    bounds[name] = (0, upperEnd)
                    continue
                }
                let lowerEnd = Self.crossing(zeta, estimate: estimate, target: -z, step: 0.3 * estimate, bound: nearZero)
                warm = thetaHat
                warmValue = estimate
                let upperEnd = Self.crossing(zeta, estimate: estimate, target: z, step: 0.3 * estimate, bound: .infinity)
                bounds[name] = (lowerEnd == nearZero ? 0 : lowerEnd, upperEnd)
            }
            // Correlations: the pair's columns first, row 1 of the reordered template c·(ρ, √(1 − ρ²)).
            for a in 0..<q { for b in (a + 1)..<max(a + 1, q) {
                let name = "cor_\(component.group)__\(names[a])__\(names[b])"
                guard wanted(name) else { continue }
                let estimate = component.correlations[b * q + a]
                guard estimate.isFinite else { continue }
                let order = [a, b] + (0..<q).filter { $0 != a && $0 != b }
                let term = equations.terms[k]
                var values = [Double](repeating: 0, count: term.values.count)
                for r in 0..<(term.values.count / q) { for c in 0..<q { values[r * q + c] = term.values[r * q + order[c]] } }
                var terms = equations.terms
                terms[k] = RandomEffectTerm(grouping: term.grouping, columnNames: order.map { term.columnNames[$0] },
                                            values: values, text: term.text)
                let system = BlockedMixedModelEquations(response: model.design.response,
                                                        fixedEffects: model.design.fixedEffects, randomTerms: terms)
                let relative = factor.standardDeviationsAndCorrelations(ofTerm: k, theta: thetaHat, sigma: 1)
                var correlations = [Double](repeating: 0, count: q * q)
                for r in 0..<q { for c in 0..<q { correlations[r * q + c] = relative.correlations[order[r] * q + order[c]] } }
                guard let entries = factor.templateEntries(sds: order.map { relative.sds[$0] }, correlations: correlations,
                                                           sigma: 1) else { continue }
                var permuted = thetaHat
                permuted.replaceSubrange(offset..<(offset + entries.count), with: entries)
                // Free coordinates: θ of the reordered model without T₁₁, with T₁₀'s slot holding c.
                let tiedRow = offset + 1, tiedDiagonal = offset + q
                func free(_ theta: [Double]) -> [Double] {
                    var x = theta
                    x[tiedRow] = (theta[tiedRow] * theta[tiedRow] + theta[tiedDiagonal] * theta[tiedDiagonal]).squareRoot()
                    x.remove(at: tiedDiagonal)
                    return x
                }
                let permutedScales = Self.rowScales(theta: permuted, factor: factor)
                var freeScales = permutedScales
                freeScales.remove(at: tiedDiagonal)
                var freeLower = lowerTheta
                freeLower[tiedRow] = 0
                freeLower.remove(at: tiedDiagonal)
                let fromEstimate = free(permuted)
                var warm = fromEstimate
                func zeta(_ rho: Double) -> Double {
                    let complement = max(0, 1 - rho * rho).squareRoot()
                    func objective(_ x: [Double]) -> (value: Double, gradient: [Double]?) {
                        var theta = x
                        theta.insert(complement * x[tiedRow], at: tiedDiagonal)
                        theta[tiedRow] = rho * x[tiedRow]
                        let (value, gradient) = system.criterionAndGradient(at: theta, .ml)
                        guard var g = gradient else { return (value, nil) }
                        g[tiedRow] = rho * g[tiedRow] + complement * g[tiedDiagonal]
                        g.remove(at: tiedDiagonal)
                        return (value, g)
                    }
                    // A block's other correlations can leave the warm start in another valley (on a
                    // block of 3 an earlier search stopped 3.1 above the minimum at cor = −0.615):
                    // the search also starts from the estimate, and the lower minimum is kept.
                    var result = ProfileInnerMinimum.minimize(start: warm, lower: freeLower, scales: freeScales, objective)
                    if warm != fromEstimate {
                        let other = ProfileInnerMinimum.minimize(start: fromEstimate, lower: freeLower, scales: freeScales, objective)
                        if other.value < result.value { result = other }
                    }
                    if result.value.isFinite { warm = result.x }
                    return signedRoot(result.value, rho, estimate)
                }
                // Ends within 1e-6 of ±1 are reported as ±1 (row 1's diagonal vanishes there).
                let edge = 1 - 1e-6
                let lowerEnd = Self.crossing(zeta, estimate: estimate, target: -z, step: 0.2, bound: -edge)
                warm = fromEstimate
                let upperEnd = Self.crossing(zeta, estimate: estimate, target: z, step: 0.2, bound: edge)
                bounds[name] = (lowerEnd == -edge ? -1 : lowerEnd, upperEnd == edge ? 1 : upperEnd)
            } }
        }
        // σ held at v: d(θ, v) over θ.
        if wanted("sigma") {
            var warm = thetaHat
            func zeta(_ v: Double) -> Double {
                let result = ProfileInnerMinimum.minimize(start: warm, lower: lowerTheta, scales: scales) { theta in
                    do { try equations.update(theta: theta) } catch { return (.infinity, nil) }
                    return (equations.deviance(sigma: v), equations.devianceGradient(sigma: v))
                }
                if result.value.isFinite { warm = result.x }
                return signedRoot(result.value, v, fit.sigma)
            }
            let step = fit.sigma * z / (2 * n).squareRoot()
            let lowerEnd = Self.crossing(zeta, estimate: fit.sigma, target: -z, step: step, bound: 1e-10 * fit.sigma)
            warm = thetaHat
            let upperEnd = Self.crossing(zeta, estimate: fit.sigma, target: z, step: step, bound: .infinity)
            bounds["sigma"] = (lowerEnd, upperEnd)
        }
        // Fixed effects: β_j held at v through an offset, θ re-optimised by ML.
        let design = model.design
        let xMatrix = design.fixedEffects
        for j in 0..<design.fixedEffectCount
        where wanted("b_" + brmsName(ofColumn: design.fixedEffectNames[j])) {
            let keep = (0..<design.fixedEffectCount).filter { $0 != j }
            var reduced = DenseMatrix(rows: xMatrix.rows, columns: keep.count)
            for (c, source) in keep.enumerated() { for i in 0..<xMatrix.rows { reduced[i, c] = xMatrix[i, source] } }
            var warm = thetaHat
            func zeta(_ v: Double) -> Double {
                let offsetResponse = (0..<xMatrix.rows).map { design.response[$0] - xMatrix[$0, j] * v }
                let system = BlockedMixedModelEquations(response: offsetResponse, fixedEffects: reduced, randomTerms: design.randomTerms)
                let result = ProfileInnerMinimum.minimize(start: warm, lower: lowerTheta, scales: scales) {
                    system.criterionAndGradient(at: $0, .ml)
                }
                if result.value.isFinite { warm = result.x }
                return signedRoot(result.value, v, fit.fixedEffects[j])
            }
            let step = z * fit.standardErrors[j]
            let lowerEnd = Self.crossing(zeta, estimate: fit.fixedEffects[j], target: -z, step: step, bound: -.infinity)
            warm = thetaHat
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

    /// Position of entry (row, column), row ≥ column, in a q × q template's θ entries (the lower
    /// triangle column-major, `RelativeCovarianceFactor`'s order).
    static func lowerTriangleIndex(row: Int, column: Int, size q: Int) -> Int {
        column * q - column * (column - 1) / 2 + (row - column)
    }

    /// The optimiser's unit for each θ entry: the length of its template row, ‖row r of Tₖ‖ (the
    /// relative standard deviation of that coefficient), so that the rows of a term whose columns
    /// differ by orders of magnitude (Days and Days³) are searched on one scale; the largest row
    /// of the term where a row is zero, 1 where the whole term is.
    static func rowScales(theta: [Double], factor: RelativeCovarianceFactor) -> [Double] {
        var scales: [Double] = []
        for (k, q) in factor.termSizes.enumerated() {
            let t = factor.template(ofTerm: k, theta: theta)
            let lengths = (0..<q).map { r in (0...r).map { t[r + $0 * q] * t[r + $0 * q] }.reduce(0, +).squareRoot() }
            let largest = lengths.max() ?? 0
            for c in 0..<q { for r in c..<q {
                scales.append(lengths[r] > 0 ? lengths[r] : (largest > 0 ? largest : 1))
            } }
        }
        return scales
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
            // Regula falsi; bisection where ζ is not finite at an end (a deviance that overflowed
            // far out) or the secant leaves the bracket.
            var c = b - (zb - target) * (b - a) / (zb - za)
            if !zb.isFinite || !za.isFinite || !c.isFinite || (c - a) * (c - b) > 0 { c = (a + b) / 2 }
            let zc = zeta(c)
            if abs(zc - target) < 1e-9 || abs(b - a) < 1e-12 * max(1, abs(c)) { return c }
            if !zc.isFinite {
                // Beyond the target (ζ overflowed there): the far end of the bracket moves in.
                if direction * (za - target) > 0 { a = c; za = zc } else { b = c; zb = zc }
                side = 0
                continue
            }
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
