import XCTest
import Foundation
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Profile intervals for random-effect blocks of 3 and 4 correlated coefficients (issue 22):
/// sleepstudy's `Reaction ~ Days + (Days + I(Days^2) | Subject)` and `(Days + I(Days^2) + I(Days^3)
/// | Subject)`. lme4's own profile fails on the 4 × 4 block (scripts/references/lmer_profile_block4.R
/// stops on its optimiser's budget), so each end is checked independently: at the end v the ML
/// deviance is minimised again with the parameter held at v, in coordinates other than the
/// profile's (σ free and row i of the template a free direction of length sdᵢ/σ for a standard
/// deviation; a full square root M of the block with its rows a and b fixed to α·e₀ and
/// c·(ρ, √(1 − ρ²), 0, …) and θ = chol(MMᵀ) for a correlation), by BFGS on central-difference
/// gradients from three starts, and the rise above the ML minimum (found the same way) must be the
/// χ²₁ 0.95 quantile 3.841459 within 2e-6. Each end moved outwards by 1% of its value must rise
/// clearly more, so a test of that tolerance would see such a move.
final class ProfileBlockEndpointTests: XCTestCase {
    /// qchisq(0.95, 1).
    static let quantile = 3.841458820694124
    static let tolerance = 2e-6

    func testQuadraticBlockEndpoints() throws { try checkEndpoints(kind: "quadratic") }
    func testCubicBlockEndpoints() throws { try checkEndpoints(kind: "cubic") }

    private func checkEndpoints(kind: String) throws {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
        let reml = try model.fit(method: .reml, options: .init(conditionalVariances: false))
        let started = Date()
        let profile = try ProfileLikelihood(model: model)
        let profiled = try profile.intervals(for: frequentistParameters(reml))
        let seconds = Date().timeIntervalSince(started)
        print("\(kind): profile of \(profiled.count) parameters in \(String(format: "%.2f", seconds)) s")
        XCTAssertLessThan(seconds, 120, "the profile took \(seconds) s")
        let reference = EndpointReference(model: model, fit: profile.maximumLikelihoodFit)
        var checked = 0
        for parameter in profiled {
            let lower = try XCTUnwrap(parameter.lower, parameter.name)
            let upper = try XCTUnwrap(parameter.upper, parameter.name)
            let estimate = try XCTUnwrap(reference.estimate(of: parameter.name), parameter.name)
            XCTAssertLessThan(lower, estimate, parameter.name)
            XCTAssertGreaterThan(upper, estimate, parameter.name)
            for end in [lower, upper] {
                let atBound = (parameter.name.hasPrefix("sd_") && end == 0) || (parameter.name.hasPrefix("cor_") && abs(end) == 1)
                if atBound {
                    // ζ does not reach the quantile before the bound.
                    let rise = reference.rise(parameter.name, at: end == 0 ? 1e-6 * estimate : end * (1 - 1e-6))
                    print("\(kind) \(parameter.name) end \(end) (bound): rise \(rise)")
                    XCTAssertLessThan(rise, Self.quantile, "\(parameter.name) at its bound")
                    continue
                }
                let rise = reference.rise(parameter.name, at: end)
                let moved = end + 0.01 * abs(end) * (end < estimate ? -1 : 1)
                let movedRise = reference.rise(parameter.name, at: moved, starts: 1)
                print("\(kind) \(parameter.name) end \(end): rise \(rise) (Δ \(rise - Self.quantile)); moved 1%: \(movedRise)")
                XCTAssertEqual(rise, Self.quantile, accuracy: Self.tolerance, "\(parameter.name) end \(end)")
                XCTAssertGreaterThan(movedRise - Self.quantile, 10 * Self.tolerance, "\(parameter.name): a 1% move would pass")
                checked += 1
            }
        }
        let q = kind == "cubic" ? 4 : 3
        XCTAssertEqual(profiled.count, q + q * (q - 1) / 2 + 1 + 2)
        XCTAssertGreaterThanOrEqual(checked, profiled.count, "most ends are interior")
    }
}

/// The independent re-minimisation of the ML deviance with one parameter held (see the test).
private struct EndpointReference {
    let model: LinearMixedModel
    let fit: LinearMixedModelFit
    let factor: RelativeCovarianceFactor
    let n: Double
    /// The ML minimum, re-found from the fit's θ and two perturbed starts.
    let base: Double

    init(model: LinearMixedModel, fit: LinearMixedModelFit) {
        self.model = model
        self.fit = fit
        factor = model.equations.covarianceFactor
        n = Double(fit.observationCount)
        let equations = model.equations
        let scales = Self.rowLengths(fit.theta, factor)
        let thetaScales = Self.thetaScales(scales, factor)
        var base = fit.criterion
        let lower = factor.lowerBounds.enumerated().map { $0.element / thetaScales[$0.offset] }
        let start = fit.theta.enumerated().map { $0.element / thetaScales[$0.offset] }
        let found = Self.minimum(starts: Self.starts(from: start, lower: lower, count: 3), lower: lower) { x in
            equations.criterion(at: x.enumerated().map { $0.element * thetaScales[$0.offset] }, .ml)
        }
        base = min(base, found)
        self.base = base
    }

    /// The ML estimate of a parameter (σ scale).
    func estimate(of name: String) -> Double? {
        if name == "sigma" { return fit.sigma }
        if name.hasPrefix("b_") {
            return fit.fixedEffectNames.firstIndex { "b_" + brmsName(ofColumn: $0) == name }.map { fit.fixedEffects[$0] }
        }
        for component in fit.varianceComponents {
            let names = component.columnNames.map(brmsName(ofColumn:))
            let q = names.count
            for i in 0..<q where name == "sd_\(component.group)__\(names[i])" { return component.standardDeviations[i] }
            for a in 0..<q { for b in (a + 1)..<max(a + 1, q) where name == "cor_\(component.group)__\(names[a])__\(names[b])" {
                return component.correlations[b * q + a]
            } }
        }
        return nil
    }

    /// min over the other parameters of the ML deviance with `name` held at v, minus the ML minimum.
    func rise(_ name: String, at v: Double, starts count: Int = 3) -> Double {
        let equations = model.equations
        let lengths = Self.rowLengths(fit.theta, factor)
        let thetaScales = Self.thetaScales(lengths, factor)
        if name == "sigma" {
            let lower = factor.lowerBounds.enumerated().map { $0.element / thetaScales[$0.offset] }
            let start = fit.theta.enumerated().map { $0.element / thetaScales[$0.offset] }
            return Self.minimum(starts: Self.starts(from: start, lower: lower, count: count), lower: lower) { x in
                do { try equations.update(theta: x.enumerated().map { $0.element * thetaScales[$0.offset] }) } catch { return .infinity }
                return equations.deviance(sigma: v)
            } - base
        }
        if name.hasPrefix("b_") {
            let design = model.design
            let j = design.fixedEffectNames.firstIndex { "b_" + brmsName(ofColumn: $0) == name }!
            let keep = (0..<design.fixedEffectCount).filter { $0 != j }
            var reduced = DenseMatrix(rows: design.fixedEffects.rows, columns: keep.count)
            for (c, source) in keep.enumerated() { for i in 0..<reduced.rows { reduced[i, c] = design.fixedEffects[i, source] } }
            let response = (0..<reduced.rows).map { design.response[$0] - design.fixedEffects[$0, j] * v }
            let system = BlockedMixedModelEquations(response: response, fixedEffects: reduced, randomTerms: design.randomTerms)
            let lower = factor.lowerBounds.enumerated().map { $0.element / thetaScales[$0.offset] }
            let start = fit.theta.enumerated().map { $0.element / thetaScales[$0.offset] }
            return Self.minimum(starts: Self.starts(from: start, lower: lower, count: count), lower: lower) { x in
                system.criterion(at: x.enumerated().map { $0.element * thetaScales[$0.offset] }, .ml)
            } - base
        }
        // A variance component of term k (a single term here).
        precondition(factor.termSizes.count == 1, "the reference handles one term")
        let component = fit.varianceComponents[0]
        let names = component.columnNames.map(brmsName(ofColumn:))
        let q = names.count
        let t = factor.template(ofTerm: 0, theta: fit.theta)
        if let i = (0..<q).first(where: { name == "sd_\(component.group)__\(names[$0])" }) {
            // Free: log σ, the template's other rows (θ entries) and row i's direction u:
            // row i = (v/σ)·u/‖u‖.
            var start: [Double] = [log(fit.sigma)]
            var lower: [Double] = [-.infinity]
            var scales: [Double] = [1]
            for c in 0..<q { for r in c..<q {
                start.append(t[r + c * q] / lengths[r])
                lower.append(r == c ? 0 : -.infinity)
                scales.append(lengths[r])
            } }
            func objective(_ x: [Double]) -> Double {
                let sigma = exp(x[0])
                var theta = (0..<(x.count - 1)).map { x[$0 + 1] * scales[$0 + 1] }
                let row = (0...i).map { RemlFixtures.lowerIndex(row: i, column: $0, size: q) }
                let norm = row.map { theta[$0] * theta[$0] }.reduce(0, +).squareRoot()
                guard norm > 0 else { return .infinity }
                for e in row { theta[e] *= v / sigma / norm }
                do { try equations.update(theta: theta) } catch { return .infinity }
                return equations.deviance(sigma: sigma)
            }
            return Self.minimum(starts: Self.starts(from: start, lower: lower, count: count), lower: lower, objective) - base
        }
        for a in 0..<q { for b in (a + 1)..<max(a + 1, q) where name == "cor_\(component.group)__\(names[a])__\(names[b])" {
            // Free: α, c ≥ 0 and the other rows of M (q entries each); Σ/σ² = MMᵀ, θ = chol(MMᵀ).
            let others = (0..<q).filter { $0 != a && $0 != b }
            let order = [a, b] + others
            var covariance = [Double](repeating: 0, count: q * q)
            for r in 0..<q { for c in 0..<q {
                var sum = 0.0
                for k in 0..<q { sum += t[order[r] + k * q] * t[order[c] + k * q] }
                covariance[r * q + c] = sum
            } }
            let root = RemlFixtures.cholesky(covariance, size: q) ?? [Double](repeating: 0, count: q * q)
            var start = [lengths[a], lengths[b]].map { _ in 1.0 }
            var lower = [0.0, 0.0]
            var scales = [lengths[a], lengths[b]]
            for (position, r) in others.enumerated() {
                for c in 0..<q {
                    start.append(root[(position + 2) * q + c] / lengths[r])
                    lower.append(-.infinity)
                    scales.append(lengths[r])
                }
            }
            func objective(_ x: [Double]) -> Double {
                var m = [Double](repeating: 0, count: q * q)   // row-major, rows in original order
                m[a * q] = x[0] * scales[0]
                m[b * q] = x[1] * scales[1] * v
                m[b * q + 1] = x[1] * scales[1] * max(0, 1 - v * v).squareRoot()
                for (position, r) in others.enumerated() {
                    for c in 0..<q { m[r * q + c] = x[2 + position * q + c] * scales[2 + position * q + c] }
                }
                var s = [Double](repeating: 0, count: q * q)
                for r in 0..<q { for c in 0..<q {
                    var sum = 0.0
                    for k in 0..<q { sum += m[r * q + k] * m[c * q + k] }
                    s[r * q + c] = sum
                } }
                guard let l = RemlFixtures.cholesky(s, size: q) else { return .infinity }
                var theta: [Double] = []
                for c in 0..<q { for r in c..<q { theta.append(l[r * q + c]) } }
                return equations.criterion(at: theta, .ml)
            }
            return Self.minimum(starts: Self.starts(from: start, lower: lower, count: count), lower: lower, objective) - base
        } }
        preconditionFailure("no reference for \(name)")
    }

    /// ‖row r of Tₖ‖ for every term's rows, in θ's term order.
    static func rowLengths(_ theta: [Double], _ factor: RelativeCovarianceFactor) -> [Double] {
        var lengths: [Double] = []
        for (k, q) in factor.termSizes.enumerated() {
            let t = factor.template(ofTerm: k, theta: theta)
            for r in 0..<q { lengths.append((0...r).map { t[r + $0 * q] * t[r + $0 * q] }.reduce(0, +).squareRoot()) }
        }
        return lengths
    }

    /// Each θ entry's unit: its row's length.
    static func thetaScales(_ lengths: [Double], _ factor: RelativeCovarianceFactor) -> [Double] {
        var scales: [Double] = []
        var rowBase = 0
        for q in factor.termSizes {
            for c in 0..<q { for r in c..<q { scales.append(max(lengths[rowBase + r], 1e-8)) } }
            rowBase += q
        }
        return scales
    }

    /// The start and `count − 1` others with every free coordinate moved by up to ±20% (seeded).
    static func starts(from start: [Double], lower: [Double], count: Int) -> [[Double]] {
        var generator = Xoshiro256PlusPlus(seed: 22)
        var result = [start]
        for _ in 1..<max(1, count) {
            result.append(start.enumerated().map { index, value in
                let u = generator.nextUniform()
                return max(lower[index], value + 0.2 * (2 * u - 1) * max(abs(value), 0.1))
            })
        }
        return result
    }

    /// The least minimum of f over x ≥ lower from `starts`, by BFGS on central differences.
    static func minimum(starts: [[Double]], lower: [Double], _ f: ([Double]) -> Double) -> Double {
        var best = Double.infinity
        for start in starts {
            let result = BoundedQuasiNewton.minimize(
                start: start, lower: lower,
                options: .init(initialStep: 0.05, stepTolerance: 1e-12, functionTolerance: 1e-16, maxEvaluations: 600)) { x in
                let value = f(x)
                guard value.isFinite else { return (value, nil) }
                var gradient = [Double](repeating: 0, count: x.count)
                for i in x.indices {
                    let h = 1e-6 * max(1, abs(x[i]))
                    var up = x, down = x
                    up[i] += h
                    down[i] = max(lower[i], x[i] - h)
                    gradient[i] = (f(up) - f(down)) / (up[i] - down[i])
                }
                return (value, gradient)
            }
            best = min(best, result.value)
        }
        return best
    }
}

extension RemlFixtures {
    /// Position of template entry (row, column) among a q × q term's θ entries (column-major
    /// lower triangle).
    static func lowerIndex(row: Int, column: Int, size q: Int) -> Int {
        column * q - column * (column - 1) / 2 + (row - column)
    }

    /// The lower Cholesky factor (row-major) of a row-major positive semi-definite matrix; nil
    /// when a pivot is clearly negative.
    static func cholesky(_ s: [Double], size q: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: q * q)
        for j in 0..<q {
            var pivot = s[j * q + j]
            for k in 0..<j { pivot -= l[j * q + k] * l[j * q + k] }
            guard pivot.isFinite, pivot >= -1e-12 * max(1, s[j * q + j]) else { return nil }
            let root = max(pivot, 0).squareRoot()
            l[j * q + j] = root
            for r in (j + 1)..<max(j + 1, q) {
                var sum = s[r * q + j]
                for k in 0..<j { sum -= l[r * q + k] * l[j * q + k] }
                l[r * q + j] = root > 0 ? sum / root : 0
            }
        }
        return l
    }
}
