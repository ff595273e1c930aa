import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// brms' monotonic group-level effects `(mo(x) | g)`: brms 2.18 adds
/// `(bsp[1] + r_1_2[J_1[n]]) * mo(simo_1, Xmo_1[n])` — the level's effect varies the
/// population-level coefficient and shares its simplex. The design, the refusals, the posterior
/// against a closed form and finite differences, the draws' names, and the linear predictor of
/// loo, fitted-data predictions and new-data predictions against hand-made draws.
final class MonotonicGroupEffectTests: XCTestCase {
    static let formula = "y ~ mo(edu) + x + (mo(edu) | g)"

    static func design(_ formula: String = formula) throws -> ModelDesign {
        try PosteriorTestData.built("monotonic", formula)
    }

    func testDesignAddsTheMonotonicColumnLast() throws {
        let design = try Self.design()
        XCTAssertEqual(design.randomTerms.count, 1)
        let term = design.randomTerms[0]
        XCTAssertEqual(term.columnNames, ["(Intercept)", "mo(edu)"])
        XCTAssertEqual(term.brmsColumnNames, ["Intercept", "moedu"])
        XCTAssertEqual(term.monotonic, [0])
        XCTAssertEqual(term.regularColumnCount, 1)
        // The column holds the category (monotonic.csv rows 2–5: edu 3, 1, 0, 3).
        XCTAssertEqual((0..<4).map { term.values[$0 * 2 + 1] }, [3, 1, 0, 3])
        // (0 + mo(edu) | g) has the monotonic column only; || splits it into its own term.
        let alone = try Self.design("y ~ mo(edu) + (0 + mo(edu) | g)").randomTerms
        XCTAssertEqual(alone.map(\.columnNames), [["mo(edu)"]])
        let split = try Self.design("y ~ mo(edu) + (mo(edu) || g)").randomTerms
        XCTAssertEqual(split.map(\.columnNames), [["(Intercept)"], ["mo(edu)"]])
        XCTAssertEqual(split.map(\.monotonic), [[], [0]])
        let withSlope = try Self.design("y ~ mo(edu) + x + (mo(edu) + x | g)").randomTerms[0]
        XCTAssertEqual(withSlope.columnNames, ["(Intercept)", "x", "mo(edu)"])
    }

    /// brms 2.18 builds `y ~ x + (mo(edu) | g)` with r_1_2 out of the likelihood; we refuse it, and
    /// mo() in a group-level interaction, in one line naming the formula column.
    func testRefusals() throws {
        let cases: [(String, String, Int)] = [
            ("y ~ x + (mo(edu) | g)", "needs the population-level term mo(edu)", 10),
            ("y ~ mo(edu):x + (mo(edu) | g)", "needs the population-level term mo(edu)", 18),
            ("y ~ mo(edu) + (mo(edu):x | g)", "mo() can only be added", 16),
            ("y ~ mo(edu) + (x - mo(edu) | g)", "mo() can only be added", 20),
        ]
        for (formula, message, column) in cases {
            XCTAssertThrowsError(try Formula.parse(formula), formula) { error in
                guard let error = error as? FormulaError else { return XCTFail("\(formula): \(error)") }
                XCTAssertTrue(error.message.contains(message), "\(formula): \(error.message)")
                XCTAssertEqual(error.column, column, formula)
            }
        }
    }

    func testGradientSufficientStatistics() throws {
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9))
    }

    func testGradientRowPass() throws {
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9),
                                        sufficient: false)
    }

    func testGradientStudentSlopeAndIndependentTerms() throws {
        try GradientTests.checkGradient(try Self.design("y ~ mo(edu) + x + (mo(edu) + x | g)"), family: .student,
                                        scale: 2.5, location: 1.8, logScale: log(0.9))
        try GradientTests.checkGradient(try Self.design("y ~ mo(edu) + x + (mo(edu) || g)"), family: .gaussian,
                                        scale: 2.5, location: 1.8, logScale: log(0.9), sufficient: false)
    }

    func testGradientWithDirichletPrior() throws {
        let design = try Self.design()
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        priors.simplexConcentrations = [[1, 2, 3]]
        let posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        for seed in [6, 7] as [UInt64] {
            let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: 1.8, logScaleGuess: log(0.9))
            let (error, name) = GradientTests.gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "seed \(seed): worst coordinate \(name)")
        }
    }

    /// `y ~ mo(edu) + (0 + mo(edu) | g)`: η_i = Intercept + (bsp + sd · z_j) · 3 · Σ_{k ≤ edu_i} ζ_k,
    /// with ζ, the priors, the Jacobians and z's N(0, 1) by hand.
    func testLogDensityClosedForm() throws {
        let design = try Self.design("y ~ mo(edu) + (0 + mo(edu) | g)")
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        priors.monotonic = [.flat]
        for sufficient in [true, false] {
            var posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors,
                                              useSufficientStatistics: sufficient)
            let y = [0.4, -0.3]
            let bsp = 0.6, intercept = 1.2, logSigma = log(0.8), logSD = log(0.3)
            let term = layout.terms[0]
            var rng = Xoshiro256PlusPlus(seed: 8)
            let z = (0..<term.levelCount).map { _ in rng.nextNormal() }
            var x = [Double](repeating: 0, count: layout.dimension)
            x[layout.interceptOffset] = intercept
            x[layout.auxiliaryOffset] = logSigma
            x[term.sdOffset] = logSD
            for j in z.indices { x[term.zOffset + j] = z[j] }
            x[layout.monotonic[0].coefficientOffset] = bsp
            for i in 0..<2 { x[layout.monotonic[0].simplexOffset + i] = y[i] }
            let value = posterior.logDensityAndGradient(at: x).value
            let (zeta, logJacobian) = MonotonicEffectTests.threeSimplex(y)
            let sigma = exp(logSigma), sd = exp(logSD)
            let levels = design.randomTerms[0].grouping.levelIndex
            var logLikelihood = 0.0
            for (i, response) in design.response.enumerated() {
                let mo = 3 * zeta.prefix(design.monotonic[0].categories[i]).reduce(0, +)
                let eta = intercept + (bsp + sd * z[levels[i]]) * mo
                logLikelihood += -0.5 * log(2 * Double.pi) - log(sigma) - 0.5 * pow((response - eta) / sigma, 2)
            }
            let zPrior = z.reduce(0) { $0 - 0.5 * log(2 * Double.pi) - 0.5 * $1 * $1 }
            let sdPrior = priors.standardDeviations[0][0]
            let priorsValue = priors.intercept.logDensity(intercept) + priors.auxiliary[0].logDensity(sigma)
                - priors.auxiliary[0].logProbabilityAbove(0) + logSigma
                + sdPrior.logDensity(sd) - sdPrior.logProbabilityAbove(0) + logSD + zPrior
            XCTAssertEqual(value, logLikelihood + priorsValue + logJacobian + log(2.0), accuracy: 1e-9,
                           "sufficient statistics: \(sufficient)")
        }
    }

    /// brms' names: `sd_g__moedu`, `cor_g__Intercept__moedu`, `r_g[<level>,moedu]`, one simplex.
    func testDrawNames() throws {
        let layout = ParameterLayout(design: try Self.design(), family: .gaussian)
        let names = ConstrainedParameters(layout: layout, columnMeans: [0]).names
        XCTAssertEqual(Array(names.prefix(6)), ["b_Intercept", "b_x", "bsp_moedu", "sd_g__Intercept", "sd_g__moedu",
                                                "cor_g__Intercept__moedu"])
        XCTAssertEqual(names.filter { $0.hasPrefix("simo_") }, ["simo_moedu1[1]", "simo_moedu1[2]", "simo_moedu1[3]"])
        XCTAssertTrue(names.contains("r_g[\(layout.terms[0].levelNames[0]),moedu]"))
    }

    /// A Poisson `y ~ mo(e) + (mo(e) | g)` with hand-made draws: the pointwise log-likelihood (loo),
    /// the fitted-data expectation (`PosteriorPredictive`) and the new-data expectation
    /// (`PosteriorPrediction`, the same rows as new data) all give
    /// η = b_Intercept + (bsp + r_g[j,moe]) · 2 · Σ_{k ≤ e} ζ_k + r_g[j,Intercept].
    func testLinearPredictorOfLooAndPredictions() throws {
        let csv = "y,e,g\n3,0,a\n0,1,a\n5,2,b\n2,1,c\n1,2,c\n4,0,b\n"
        let table = try DataTable(csv: csv)
        let formula = try Formula.parse("y ~ mo(e) + (mo(e) | g)")
        let design = try ModelDesign.build(formula: formula, table: table)
        let names = ["b_Intercept", "bsp_moe", "simo_moe1[1]", "simo_moe1[2]"]
            + ["a", "b", "c"].flatMap { ["r_g[\($0),Intercept]", "r_g[\($0),moe]"] }
        var rng = Xoshiro256PlusPlus(seed: 11)
        let chains = (0..<2).map { _ -> [Double] in
            (0..<5).flatMap { _ -> [Double] in
                let share = rng.nextUniform()
                return [rng.nextNormal() * 0.5, rng.nextNormal() * 0.5, share, 1 - share]
                    + (0..<6).map { _ in rng.nextNormal() * 0.5 }
            }
        }
        let draws = Draws(variableNames: names, chains: chains)
        let categories = [0, 1, 2, 1, 2, 0], levels = [0, 0, 1, 2, 2, 1]
        func eta(_ s: Int, _ i: Int) -> Double {
            let d = draws.chains[s / 5], base = (s % 5) * names.count
            let mo = 2 * (categories[i] >= 1 ? d[base + 2] : 0) + 2 * (categories[i] >= 2 ? d[base + 3] : 0)
            return d[base] + (d[base + 1] + d[base + 5 + 2 * levels[i]]) * mo + d[base + 4 + 2 * levels[i]]
        }
        let loo = try PointwiseLogLikelihood(design: design, family: .poisson, draws: draws).matrix()
        let fitted = try PosteriorPredictive(draws: draws, design: design, family: .poisson, seed: 1, keepExpected: true)
        let newData = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [],
                                              newData: try DataTable(csv: csv, fileName: "new.csv"))
        let prediction = try PosteriorPrediction(draws: draws, fitted: design, family: .poisson, newData: newData,
                                                 type: .epred, seed: 2)
        var buffer: [Double] = []
        for i in 0..<6 {
            prediction.values(row: i, into: &buffer)
            for s in 0..<10 {
                let e = eta(s, i), y = design.response[i]
                XCTAssertEqual(loo[s, i], y * e - exp(e) - logGamma(y + 1), accuracy: 1e-12, "loo row \(i) draw \(s)")
                XCTAssertEqual(fitted.expected[s * 6 + i], exp(e), accuracy: 1e-12 * exp(e), "fitted row \(i) draw \(s)")
                XCTAssertEqual(buffer[s], exp(e), accuracy: 1e-12 * exp(e), "prediction row \(i) draw \(s)")
            }
        }
    }
}

/// `y ~ mo(edu) + x + (mo(edu) | g)` against brms 2.18 (scripts/references/brms_dpars_trunc_mo.R
/// `mo_group`, 4 × 3000 draws, default priors): every mean and 2.5%/97.5% quantile within the
/// family-wise bound of combined MCSEs (`PosteriorBrmsParityTests.parity`).
extension PosteriorBrmsParityTests {
    func testMonotonicGroupLevelAgainstBrms() throws {
        try parity("brms_mo_group", try MonotonicGroupEffectTests.design(), family: .gaussian, seed: 53)
    }

    /// The same at a second seed.
    func testMonotonicGroupLevelAgainstBrmsSecondSeed() throws {
        try parity("brms_mo_group", try MonotonicGroupEffectTests.design(), family: .gaussian, seed: 57)
    }
}
