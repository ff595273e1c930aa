import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// lmerTest (Satterthwaite and Kenward–Roger; type I, II and III tables) on an unbalanced cake, a
/// crossed design with two random terms and a singular nested fit, and lme4's
/// drop1(test = "Chisq") — references from scripts/references/tests_and_intervals.R
/// (Fixtures/lmertest_extra.json, drop1_models.json, r2_nakagawa_poisson.json). df, F and SE to
/// 1e-6 relative and p to 1e-6 absolute at lme4's θ̂; drop1's LRT to the fits' agreement.
final class TestsAndDeletionsTests: XCTestCase {
    static func reference(_ name: String) throws -> [String: Any] {
        try RemlFixtures.reference(name)
    }

    func check(model key: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let models = try XCTUnwrap(Self.reference("lmertest_extra")["models"] as? [String: Any])
        let reference = try XCTUnwrap(models[key] as? [String: Any])
        let csv = (reference["csv"] as! String).replacingOccurrences(of: ".csv", with: "")
        let model = try LinearMixedModel(design: SatterthwaiteTests.design(csv, reference["formula"] as! String))
        var warnings: [String] = []
        let fit = try model.summarize(theta: RemlFixtures.numbers(reference["theta"]), method: .reml,
                                      conditionalVariances: false, warnings: &warnings)
        let methods: [(String, any FixedEffectTesting)] = [
            ("satterthwaite", try Satterthwaite(model: model, fit: fit)), ("kenward_roger", try KenwardRoger(model: model, fit: fit)),
        ]
        let coefficients = try XCTUnwrap(reference["coefficients"] as? [String: Any])
        let tables = try XCTUnwrap(reference["anova"] as? [String: Any])
        for (name, method) in methods {
            let rows = try XCTUnwrap(coefficients[name] as? [[String: Any]])
            let tests = method.coefficientTests()
            XCTAssertEqual(rows.count, tests.count, file: file, line: line)
            for (row, test) in zip(rows, tests) {
                let label = "\(key) \(name) \(row["term"] as! String)"
                let df = row["df"] as! Double
                XCTAssertEqual(test.standardError, row["Std. Error"] as! Double, accuracy: 1e-6 * test.standardError, "SE \(label)", file: file, line: line)
                XCTAssertEqual(test.degreesOfFreedom, df, accuracy: 1e-6 * df, "df \(label)", file: file, line: line)
                XCTAssertEqual(test.pValue, row["Pr(>|t|)"] as! Double, accuracy: 1e-6, "p \(label)", file: file, line: line)
            }
            for (typeKey, type) in [("type_I", 1), ("type_II", 2), ("type_III", 3)] {
                let expected = try XCTUnwrap((tables[typeKey] as? [String: Any])?[name] as? [[String: Any]])
                let table = anovaTable(method, design: model.design, sigma: fit.sigma, type: type)
                XCTAssertEqual(table.map(\.term), expected.map { $0["term"] as! String }, "\(key) \(typeKey) \(name)", file: file, line: line)
                for (row, computed) in zip(expected, table) {
                    let label = "\(key) \(typeKey) \(name) \(computed.term)"
                    for (column, value) in [("Sum Sq", computed.sumOfSquares), ("DenDF", computed.test.denominatorDegreesOfFreedom),
                                            ("F value", computed.test.statistic)] {
                        let want = row[column] as! Double
                        XCTAssertEqual(value, want, accuracy: 1e-6 * abs(want), "\(label) \(column)", file: file, line: line)
                    }
                    XCTAssertEqual(computed.test.numeratorDegreesOfFreedom, row["NumDF"] as! Int, label, file: file, line: line)
                    XCTAssertEqual(computed.test.pValue, row["Pr(>F)"] as! Double, accuracy: 1e-6, "\(label) p", file: file, line: line)
                }
            }
        }
    }

    /// Every 7th row of cake removed: unbalanced, Satterthwaite and KR differ, type II ≠ type III.
    func testUnbalancedCake() throws { try check(model: "cake_unbalanced") }

    /// Two crossed random intercepts.
    func testCrossed() throws { try check(model: "crossed") }

    /// A nested fit with a variance at zero (a singular information matrix for KR).
    func testSingular() throws { try check(model: "singular") }

    /// drop1(test = "Chisq") for glmer binomial and poisson fits and an lmer fit (ML refits), as
    /// lme4 prints it (drop1_models.json, lme4's default optimisers): LRT to 1e-6 relative, p to 1e-6
    /// absolute, AIC to 1e-8 relative, npar exactly. The Laplace fits stop where glmer's two stages
    /// stop (to ~1e-9 relative in the deviance).
    func testDropOne() throws {
        try checkDropOne(fixture: "drop1_models", models: ["cbpp", "grouseticks", "cake_additive"])
    }

    /// drop1 against lme4 with every fit and refit taken to its optimum (scripts/references/
    /// drop1_tight.R: bobyqa, rhoend 1e-12) for the lmer fit, at the same tolerances. (glmer's
    /// default stopping points, where our Laplace optimiser also stops, are up to 4e-4 above the
    /// tight optima in deviance — 2e-3 in grouseticks' cHEIGHT LRT — a matter of the Laplace
    /// optimiser's end, not of drop1.)
    func testDropOneAtTheOptimum() throws {
        try checkDropOne(fixture: "drop1_tight", models: ["cake_additive"])
    }

    private func checkDropOne(fixture: String, models keys: Set<String>) throws {
        let models = try XCTUnwrap(Self.reference(fixture)["models"] as? [String: Any])
        for (key, csv, formula, family) in [("cbpp", "cbpp", "incidence | trials(size) ~ period + (1 | herd)", Family.binomial),
                                            ("grouseticks", "grouseticks", "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)", Family.poisson),
                                            ("cake_additive", "cake", "angle ~ recipe + temperature + (1 | recipe:replicate)", nil)] as [(String, String, String, Family?)]
            where keys.contains(key) {
            let reference = try XCTUnwrap(models[key] as? [String: Any])
            let rows = try XCTUnwrap(reference["table"] as? [[String: Any]]).dropFirst()
            let design = try SatterthwaiteTests.design(csv, formula)
            let deletions: [SingleTermDeletion]
            if let family {
                let fit = try GeneralizedLinearMixedModel(design: design, family: family).fit(conditionalVariances: false)
                deletions = try singleTermDeletions(design, fullDeviance: fit.laplaceDeviance, fullParameters: fit.degreesOfFreedom) {
                    let refit = try GeneralizedLinearMixedModel(design: $0, family: family).fit(conditionalVariances: false)
                    return (refit.laplaceDeviance, refit.degreesOfFreedom)
                }
            } else {
                let fit = try LinearMixedModel(design: design).fit(method: .ml, options: .init(conditionalVariances: false))
                deletions = try singleTermDeletions(design, fullDeviance: fit.criterion, fullParameters: fit.degreesOfFreedom) {
                    let refit = try LinearMixedModel(design: $0).fit(method: .ml, options: .init(conditionalVariances: false))
                    return (refit.criterion, refit.degreesOfFreedom)
                }
            }
            XCTAssertEqual(deletions.map(\.term), rows.map { $0["term"] as! String }, key)
            for (row, deletion) in zip(rows, deletions) {
                XCTAssertEqual(deletion.parameters, row["npar"] as! Int, key)
                let lrt = row["LRT"] as! Double, p = row["Pr(Chi)"] as! Double
                XCTAssertEqual(deletion.likelihoodRatio, lrt, accuracy: 1e-6 * lrt, "\(fixture) \(key) \(deletion.term) LRT")
                XCTAssertEqual(deletion.pValue, p, accuracy: 1e-6, "\(fixture) \(key) \(deletion.term) p")
                let aic = row["AIC"] as! Double
                XCTAssertEqual(deletion.akaikeInformationCriterion, aic, accuracy: 1e-8 * aic, "\(fixture) \(key) \(deletion.term) AIC")
            }
        }
    }

    /// Nakagawa R² for a Poisson GLMM: σ²_ε = log(1 + 1/μ), μ = exp(β₀) of the intercept-only null
    /// model (insight 0.19's lognormal approximation), against performance 0.10.2.
    func testNakagawaR2Poisson() throws {
        let reference = try Self.reference("r2_nakagawa_poisson")
        let components = try XCTUnwrap(reference["variance_components"] as? [String: Any])
        let design = try SatterthwaiteTests.design("grouseticks", "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)")
        let model = try GeneralizedLinearMixedModel(design: design, family: .poisson)
        let fit = try model.fit(conditionalVariances: false)
        let null = try GeneralizedLinearMixedModel(design: NakagawaR2.nullModelDesign(model.design), family: .poisson)
            .fit(conditionalVariances: false)
        let r2 = try XCTUnwrap(NakagawaR2(fit: fit, design: model.design, nullIntercept: null.fixedEffects[0]))
        XCTAssertEqual(r2.residualVariance, components["var.distribution"] as! Double, accuracy: 1e-4 * r2.residualVariance)
        XCTAssertEqual(r2.fixedVariance, components["var.fixed"] as! Double, accuracy: 1e-4 * r2.fixedVariance)
        XCTAssertEqual(r2.randomVariance, components["var.random"] as! Double, accuracy: 1e-4 * r2.randomVariance)
        XCTAssertEqual(r2.marginal, reference["R2_marginal"] as! Double, accuracy: 1e-5)
        XCTAssertEqual(r2.conditional, reference["R2_conditional"] as! Double, accuracy: 1e-5)
    }
}
