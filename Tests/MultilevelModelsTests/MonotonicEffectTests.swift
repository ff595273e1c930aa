import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// brms' monotonic effects `mo(x)` (Bürkner & Charpentier 2020): Stan's stick-breaking simplex
/// transform against closed forms and a numerical Jacobian determinant, the posterior gradient
/// against finite differences (sufficient statistics and the row pass, gaussian and Student-t,
/// with a bsp prior), and the reported draws' names and values.
final class MonotonicEffectTests: XCTestCase {
    static func design(_ formula: String = "y ~ mo(edu) + x + (1 | g)") throws -> ModelDesign {
        try PosteriorTestData.built("monotonic", formula)
    }

    func testDesignCountsCategoriesFromZero() throws {
        let design = try Self.design()
        XCTAssertEqual(design.monotonic.count, 1)
        let effect = design.monotonic[0]
        XCTAssertEqual(effect.categoryCount, 3)
        XCTAssertEqual(effect.minimum, 0)
        XCTAssertEqual(Array(effect.categories.prefix(4)), [3, 1, 0, 3])     // monotonic.csv rows 2–5
        XCTAssertEqual(effect.coefficientName, "bsp_moedu")
        XCTAssertEqual(effect.simplexName, "simo_moedu1")
        XCTAssertEqual(design.fixedEffectNames, ["(Intercept)", "x"])       // mo() is not a column of X
    }

    /// y = 0 is the simplex's centre (1/K each, Stan's offset log(K − k)); the log-Jacobian equals
    /// log |det ∂(x_1…x_{K−1})/∂y| computed from central differences.
    func testSimplexTransformAgainstNumericalJacobian() {
        for k in [2, 3, 5] {
            var centre = [Double](repeating: 0, count: k)
            let zeros = [Double](repeating: 0, count: k - 1)
            zeros.withUnsafeBufferPointer { y in
                centre.withUnsafeMutableBufferPointer { SimplexTransform.constrain(y.baseAddress!, size: k, into: $0.baseAddress!) }
            }
            for value in centre { XCTAssertEqual(value, 1 / Double(k), accuracy: 1e-15) }

            var rng = Xoshiro256PlusPlus(seed: UInt64(k))
            let y = (0..<(k - 1)).map { _ in rng.nextNormal() }
            func simplex(_ y: [Double]) -> (x: [Double], logJacobian: Double) {
                var x = [Double](repeating: 0, count: k)
                var work = [Double](repeating: 0, count: 2 * k)
                let lj = y.withUnsafeBufferPointer { yp in
                    x.withUnsafeMutableBufferPointer { xp in
                        work.withUnsafeMutableBufferPointer { w in
                            SimplexTransform.constrain(yp.baseAddress!, size: k, into: xp.baseAddress!,
                                                       sticks: w.baseAddress!, fractions: w.baseAddress! + k)
                        }
                    }
                }
                return (x, lj)
            }
            let (x, logJacobian) = simplex(y)
            XCTAssertEqual(x.reduce(0, +), 1, accuracy: 1e-14)
            XCTAssertTrue(x.allSatisfy { $0 > 0 })
            let h = 1e-6
            var jacobian = [Double](repeating: 0, count: (k - 1) * (k - 1))
            for j in 0..<(k - 1) {
                var up = y, down = y
                up[j] += h
                down[j] -= h
                let xu = simplex(up).x, xd = simplex(down).x
                for i in 0..<(k - 1) { jacobian[i * (k - 1) + j] = (xu[i] - xd[i]) / (2 * h) }
            }
            XCTAssertEqual(logJacobian, log(abs(Self.determinant(jacobian, k - 1))), accuracy: 1e-7, "K = \(k)")
        }
    }

    /// ζ of a 3-simplex from its two unconstrained values y by Stan's stick-breaking transform
    /// written out (z_k = logistic(y_k − log(K − k)), offsets log 2 and log 1), and the transform's
    /// log-Jacobian Σ log z_k + log(1 − z_k) + log of the remaining stick lengths.
    static func threeSimplex(_ y: [Double]) -> (zeta: [Double], logJacobian: Double) {
        let z1 = 1 / (1 + exp(-(y[0] - log(2)))), z2 = 1 / (1 + exp(-(y[1] - log(1))))
        return ([z1, (1 - z1) * z2, (1 - z1) * (1 - z2)], log(z1) + log(1 - z1) + log(1 - z1) + log(z2) + log(1 - z2))
    }

    /// Determinant by Gaussian elimination with partial pivoting (n ≤ 4 here).
    static func determinant(_ a: [Double], _ n: Int) -> Double {
        var m = a
        var det = 1.0
        for c in 0..<n {
            let pivot = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
            if pivot != c {
                for j in 0..<n { m.swapAt(c * n + j, pivot * n + j) }
                det = -det
            }
            det *= m[c * n + c]
            for r in (c + 1)..<max(c + 1, n) {
                let f = m[r * n + c] / m[c * n + c]
                for j in c..<n { m[r * n + j] -= f * m[c * n + j] }
            }
        }
        return det
    }

    func testGradientGaussianSufficientStatistics() throws {
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9))
    }

    func testGradientGaussianRowPass() throws {
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9),
                                        sufficient: false)
    }

    func testGradientStudentWithoutIntercept() throws {
        try GradientTests.checkGradient(try Self.design("y ~ 0 + mo(edu) + x + (1 | g)"), family: .student, scale: 2.5,
                                        location: 1.8, logScale: log(0.9))
    }

    func testGradientWithCoefficientPrior() throws {
        let design = try Self.design()
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        priors.monotonic = [.normal(mean: 0.3, sd: 0.7)]
        let posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        for seed in [4, 5] as [UInt64] {
            let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: 1.8, logScaleGuess: log(0.9))
            let (error, name) = GradientTests.gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "seed \(seed): worst coordinate \(name)")
        }
    }

    /// The density is the one of the D indicator columns [x ≥ i] with coefficients bsp · D · ζ_i
    /// plus the simplex's log-Jacobian and log Γ(D): a design with those columns in X and fixed
    /// coefficients gives the same likelihood.
    func testLogDensityMatchesIndicatorColumns() throws {
        // Independent: ζ by hand, η_i = Intercept + bsp · 3 · Σ_{k ≤ edu_i} ζ_k.
        try checkClosedFormLogDensity("y ~ mo(edu) + 1", y: [0.3, -0.4], bsp: 0.7, intercept: 1.1, logSigma: log(0.9))
    }

    /// The gaussian log density of `formula` (one mo() term with a flat bsp prior, an intercept, no
    /// group term) at Intercept, log σ, bsp and the simplex's unconstrained `y`, against the hand
    /// calculation with ζ from `threeSimplex`: η_i = Intercept + bsp · 3 · Σ_{k ≤ edu_i} ζ_k · `covariate`ᵢ
    /// (1 without a covariate), plus the priors, the simplex's log-Jacobian and log Γ(3).
    private func checkClosedFormLogDensity(_ formula: String, y: [Double], bsp: Double, intercept: Double, logSigma: Double,
                                           covariate: [Double]? = nil, file: StaticString = #filePath, line: UInt = #line) throws {
        let design = try Self.design(formula)
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        priors.monotonic = [.flat]
        var posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        var x = [Double](repeating: 0, count: layout.dimension)
        x[layout.interceptOffset] = intercept
        x[layout.auxiliaryOffset] = logSigma
        x[layout.monotonic[0].coefficientOffset] = bsp
        for i in 0..<2 { x[layout.monotonic[0].simplexOffset + i] = y[i] }
        let value = posterior.logDensityAndGradient(at: x).value
        let (zeta, logJacobian) = Self.threeSimplex(y)
        let sigma = exp(logSigma)
        var logLikelihood = 0.0
        for (i, response) in design.response.enumerated() {
            let eta = intercept + bsp * 3 * zeta.prefix(design.monotonic[0].categories[i]).reduce(0, +) * (covariate?[i] ?? 1)
            logLikelihood += -0.5 * log(2 * Double.pi) - log(sigma) - 0.5 * pow((response - eta) / sigma, 2)
        }
        let priorsValue = priors.intercept.logDensity(intercept) + priors.auxiliary[0].logDensity(sigma)
            - priors.auxiliary[0].logProbabilityAbove(0) + logSigma
        XCTAssertEqual(value, logLikelihood + priorsValue + logJacobian + log(2.0), accuracy: 1e-9, file: file, line: line)
    }

    func testInteractionGradientSufficientStatistics() throws {
        try GradientTests.checkGradient(try Self.design(Self.interaction), family: .gaussian, scale: 2.5, location: 1.8,
                                        logScale: log(0.9))
    }

    func testInteractionGradientRowPass() throws {
        try GradientTests.checkGradient(try Self.design(Self.interaction), family: .gaussian, scale: 2.5, location: 1.8,
                                        logScale: log(0.9), sufficient: false)
    }

    func testInteractionGradientStudentWithoutIntercept() throws {
        try GradientTests.checkGradient(try Self.design("y ~ 0 + x + mo(edu):x + (1 | g)"), family: .student, scale: 2.5,
                                        location: 1.8, logScale: log(0.9))
    }

    static let interaction = "y ~ mo(edu) + mo(edu):x + (1 | g)"

    /// `mo(edu):x` adds bsp · mo(ζ, edu) · x (brms' `(bsp[2]) * mo(simo_2, Xmo_2[n]) * Csp_1[n]`):
    /// the log density with ζ by hand, no group term, flat bsp prior.
    func testInteractionLogDensityClosedForm() throws {
        let design = try Self.design("y ~ mo(edu):x + 1")
        XCTAssertEqual(design.monotonic.map(\.coefficientName), ["bsp_moedu:x"])
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("monotonic", "csv"))
        guard case .numeric(let covariate)? = table.column(named: "x") else { return XCTFail("x") }
        XCTAssertEqual(covariate.count, design.rowCount)
        try checkClosedFormLogDensity("y ~ mo(edu):x + 1", y: [-0.2, 0.5], bsp: -0.6, intercept: 0.9, logSigma: log(1.3),
                                      covariate: covariate)
    }

    func testInteractionDrawNames() throws {
        let layout = ParameterLayout(design: try Self.design(Self.interaction), family: .gaussian)
        let names = ConstrainedParameters(layout: layout, columnMeans: []).names
        XCTAssertEqual(Array(names.prefix(3)), ["b_Intercept", "bsp_moedu", "bsp_moedu:x"])
        XCTAssertEqual(names.filter { $0.hasPrefix("simo_") },
                       ["simo_moedu1[1]", "simo_moedu1[2]", "simo_moedu1[3]",
                        "simo_moedu:x1[1]", "simo_moedu:x1[2]", "simo_moedu:x1[3]"])
    }

    func testConstrainedDrawNamesAndValues() throws {
        let design = try Self.design()
        let layout = ParameterLayout(design: design, family: .gaussian)
        var map = ConstrainedParameters(layout: layout, columnMeans: [0])
        XCTAssertEqual(map.names, ["b_Intercept", "b_x", "bsp_moedu", "sd_g__Intercept", "sigma",
                                   "simo_moedu1[1]", "simo_moedu1[2]", "simo_moedu1[3]"]
                       + layout.terms[0].levelNames.map { "r_g[\($0),Intercept]" })
        XCTAssertEqual(Array(map.cmdStanNames[5..<8]), ["simo_moedu1.1", "simo_moedu1.2", "simo_moedu1.3"])
        var x = [Double](repeating: 0, count: layout.dimension)
        x[layout.monotonic[0].coefficientOffset] = 0.56
        let values = map.constrained(x)
        XCTAssertEqual(values[2], 0.56)
        for k in 5..<8 { XCTAssertEqual(values[k], 1.0 / 3, accuracy: 1e-15) }
    }
}

/// `y ~ mo(edu) + x + (1 | g)` against brms 2.18 (scripts/references/formula_addition_terms.R,
/// 4 × 5000 draws, default priors: bsp flat, simo ~ dirichlet(1)): every mean and 2.5%/97.5%
/// quantile within the family-wise bound of combined MCSEs (`PosteriorBrmsParityTests.parity`).
extension PosteriorBrmsParityTests {
    func testMonotonicAgainstBrms() throws {
        try parity("brms_mo_gaussian", try MonotonicEffectTests.design(), family: .gaussian, seed: 51)
    }

    /// `y ~ mo(edu) + mo(edu):x + (1 | g)` against brms 2.18 (scripts/references/brms_dpars_trunc_mo.R
    /// `mo_interaction`, 4 × 3000 draws, default priors): two bsp and two simplexes.
    func testMonotonicInteractionAgainstBrms() throws {
        try parity("brms_mo_interaction", try MonotonicEffectTests.design(MonotonicEffectTests.interaction),
                   family: .gaussian, seed: 52)
    }
}
