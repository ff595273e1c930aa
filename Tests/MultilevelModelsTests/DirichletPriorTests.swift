import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// User Dirichlet priors on the monotonic simplexes (brms' class `simo`): the statement syntax
/// (`simo:moedu1 ~ dirichlet(1, 2, 3)` or `simo_moedu1 ~ …`), brms' default rows and their
/// prior_summary strings, the length check, the log density's Dirichlet term and its gradient, and
/// the closed form: with the likelihood free of the simplex, the draws follow Dirichlet(α).
final class DirichletPriorTests: XCTestCase {
    func testStatementsParse() throws {
        let a = try PriorStatement.parse("simo:moedu1 ~ dirichlet(1, 2, 3)")
        XCTAssertEqual(a.parameterClass, .simo)
        XCTAssertEqual(a.target, "moedu1")
        XCTAssertEqual(a.distribution, .dirichlet(concentration: [1, 2, 3]))
        XCTAssertEqual(a.distribution.description, "dirichlet(c(1, 2, 3))")
        let b = try PriorStatement.parse("simo_moedu:x1 ~ dirichlet(2)")
        XCTAssertEqual(b.parameterClass, .simo)
        XCTAssertEqual(b.target, "moedu:x1")
        XCTAssertEqual(b.distribution.description, "dirichlet(2)")
        for (text, message) in [("b ~ dirichlet(1, 1)", "dirichlet is a prior for monotonic simplexes"),
                                ("simo:moedu1 ~ normal(0, 1)", "take a dirichlet(alpha1, …) prior"),
                                ("simo:moedu1 ~ dirichlet(1, -2)", "the concentration must be positive, got -2"),
                                ("simo:moedu1 ~ dirichlet()", "dirichlet takes one concentration per category")] {
            XCTAssertThrowsError(try PriorStatement.parse(text, origin: "m.model:2"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix("m.model:2: column "), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(error)")
            }
        }
    }

    /// brms 2.18's prior_summary of `y ~ mo(edu) + mo(edu):x + (1 | g)` (the fixture's `priors`),
    /// `dirichlet(1)` rows for `moedu1` and `moedu:x1` included, in brms' order.
    func testDefaultRowsMatchBrms() throws {
        let design = try MonotonicEffectTests.design(MonotonicEffectTests.interaction)
        let set = PriorSet.defaults(for: design, family: .gaussian)
        // brms_dpars_trunc_mo.R writes prior_summary's rows keyed by row number.
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("brms_mo_interaction", "json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let keyed = try XCTUnwrap(object["priors"] as? [String: [String: String]])
        let brms = keyed.keys.compactMap(Int.init).sorted().map { keyed[String($0)]! }
            .map { [$0["prior"]!, $0["class"]!, $0["coef"]!, $0["group"]!] }
        XCTAssertEqual(brms.count, 10)
        XCTAssertEqual(set.brmsRows, brms)
    }

    func testUserPriorIsShownCheckedAndResolved() throws {
        let design = try MonotonicEffectTests.design(MonotonicEffectTests.interaction)
        let layout = ParameterLayout(design: design, family: .gaussian)
        var set = PriorSet.defaults(for: design, family: .gaussian)
        try set.apply([try PriorStatement.parse("simo:moedu1 ~ dirichlet(1, 2, 3)", origin: "models/mo.model:4")])
        let line = set.summaryTable().split(separator: "\n").first { $0.contains("moedu1") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("dirichlet(c(1, 2, 3))      simo    moedu1"), line)
        XCTAssertTrue(line.hasSuffix("user"), line)
        XCTAssertEqual(set.resolved(for: layout).simplexConcentrations, [[1, 2, 3], [1, 1, 1]])
        var recycled = PriorSet.defaults(for: design, family: .gaussian)
        try recycled.apply([try PriorStatement.parse("simo_moedu:x1 ~ dirichlet(2)")])
        XCTAssertEqual(recycled.resolved(for: layout).simplexConcentrations, [[1, 1, 1], [2, 2, 2]])

        for (text, message) in [
            ("simo:moedu1 ~ dirichlet(1, 2)", "models/mo.model:4: prior 'simo:moedu1 ~ dirichlet(1, 2)': simo_moedu1 has 3 elements (the categories of its predictor − 1) but the Dirichlet gives 2 concentrations"),
            ("simo:moedu7 ~ dirichlet(1)", "models/mo.model:4: prior 'simo:moedu7 ~ dirichlet(1)': the model has no monotonic simplex 'moedu7' (simplexes: moedu:x1, moedu1)"),
        ] {
            var failing = PriorSet.defaults(for: design, family: .gaussian)
            XCTAssertThrowsError(try failing.apply([try PriorStatement.parse(text, origin: "models/mo.model:4")])) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        var plain = PriorSet.defaults(for: try MonotonicEffectTests.design("y ~ x + (1 | g)"), family: .gaussian)
        XCTAssertThrowsError(try plain.apply([try PriorStatement.parse("simo:moedu1 ~ dirichlet(1)")])) { error in
            XCTAssertTrue("\(error)".contains("the model has no monotonic effects mo()"), "\(error)")
        }
    }

    /// The Dirichlet adds log Γ(Σα) − Σ log Γ(α_i) + Σ (α_i − 1) log ζ_i (Stan's dirichlet_lpdf)
    /// to the density under Dirichlet(1) (whose constant is log Γ(D)), ζ by hand.
    func testLogDensityAddsTheDirichlet() throws {
        let design = try MonotonicEffectTests.design("y ~ mo(edu) + 1")
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        var uniform = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        let alpha = [0.7, 2.0, 3.5]
        priors.simplexConcentrations = [alpha]
        var dirichlet = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        let y = [0.4, -0.9]
        var x = [Double](repeating: 0, count: layout.dimension)
        x[layout.interceptOffset] = 1.2
        x[layout.auxiliaryOffset] = log(0.8)
        x[layout.monotonic[0].coefficientOffset] = 0.5
        for i in 0..<2 { x[layout.monotonic[0].simplexOffset + i] = y[i] }
        let z1 = 1 / (1 + exp(-(y[0] - log(2)))), z2 = 1 / (1 + exp(-(y[1] - log(1))))
        let zeta = [z1, (1 - z1) * z2, (1 - z1) * (1 - z2)]
        var expected = lgamma(alpha.reduce(0, +)) - alpha.reduce(0) { $0 + lgamma($1) } - lgamma(3.0)
        for i in 0..<3 { expected += (alpha[i] - 1) * log(zeta[i]) }
        XCTAssertEqual(dirichlet.logDensityAndGradient(at: x).value - uniform.logDensityAndGradient(at: x).value,
                       expected, accuracy: 1e-10)
    }

    func testGradientWithDirichletPrior() throws {
        let design = try MonotonicEffectTests.design(MonotonicEffectTests.interaction)
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 1.8)
        priors.simplexConcentrations = [[0.7, 2, 3.5], [1, 1, 1]]
        for sufficient in [true, false] {
            let posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors,
                                              useSufficientStatistics: sufficient)
            for seed in [6, 7] as [UInt64] {
                let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: 1.8, logScaleGuess: log(0.9))
                let (error, name) = GradientTests.gradientError(posterior, at: x)
                XCTAssertLessThanOrEqual(error, 1e-6, "seed \(seed), sufficient \(sufficient): worst coordinate \(name)")
            }
        }
    }

    /// `y ~ mo(edu):z` with z = 0 on every row: the likelihood does not depend on the simplex, so
    /// its draws follow the prior Dirichlet(1, 2, 3): E ζ_k = α_k/α₀ and E ζ_k² = α_k(α_k + 1)/(α₀(α₀ + 1)),
    /// each within the family-wise bound of its MCSE (sd/√ESS of ζ_k and of ζ_k²).
    func testDrawsFollowTheDirichletWithoutLikelihood() throws {
        let csv = try String(contentsOf: PosteriorTestData.fixtureURL("monotonic", "csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").enumerated().map { $0.offset == 0 ? $0.element + ",\"z\"" : $0.element + ",0" }
        let table = try DataTable.read(data: Data(lines.joined(separator: "\n").utf8), fileName: "monotonic_z.csv")
        let design = try ModelDesign.build(formula: Formula.parse("y ~ mo(edu):z"), table: table)
        let statements = [try PriorStatement.parse("b ~ normal(0, 1)"),
                          try PriorStatement.parse("simo:moedu:z1 ~ dirichlet(1, 2, 3)")]
        let fit = try BayesianFit.run(design: design, family: .gaussian, priors: statements,
                                      settings: SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 61))
        let alpha = [1.0, 2, 3], total = 6.0
        let z = MonteCarloTolerance.familyWiseZ(checks: 6)
        for k in 0..<3 {
            let chains = try XCTUnwrap(fit.draws.values(of: "simo_moedu:z1[\(k + 1)]"))
            for (power, expected) in [(1, alpha[k] / total), (2, alpha[k] * (alpha[k] + 1) / (total * (total + 1)))] {
                let values = chains.map { $0.map { power == 1 ? $0 : $0 * $0 } }
                let all = values.flatMap { $0 }
                let mean = all.reduce(0, +) / Double(all.count)
                let sd = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)).squareRoot()
                let ess = effectiveSampleSize(ChainSequences(chains: values).split())
                let mcse = sd / ess.squareRoot()
                print(String(format: "simo_moedu:z1[%d] E zeta^%d: %.5f vs %.5f (%.2f MCSE, ESS %.0f)",
                             k + 1, power, mean, expected, (mean - expected) / mcse, ess))
                XCTAssertLessThanOrEqual(abs(mean - expected), z * mcse, "ζ_\(k + 1)^\(power): \(mean) vs \(expected)")
            }
        }
    }
}
