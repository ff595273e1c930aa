import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// lmerTest's Satterthwaite t tests and Nakagawa's R² against the R references
/// (Fixtures/lmertest_*.json from lmerTest 3.1-3, r2_nakagawa.json from performance 0.10.2): df to
/// 1e-6 relative, p-values to 1e-6 absolute.
final class SatterthwaiteTests: XCTestCase {
    /// A design from a fixture CSV and a formula, through the data layer as the CLI builds it.
    static func design(_ csv: String, _ formula: String) throws -> ModelDesign {
        let table = try DataTable.read(contentsOf: RemlFixtures.url(csv, "csv"))
        return try ModelDesign.build(formula: Formula.parse(formula), table: table)
    }

    /// The REML fit at lme4's θ̂ (the reference's `fit.theta`): lme4's and our optimiser stop ~1e-5
    /// apart in θ on cake, which moves the df by that much; at the same θ the Satterthwaite
    /// computation itself is compared at the tolerances.
    static func fitAtReferenceTheta(_ model: LinearMixedModel, reference name: String) throws -> LinearMixedModelFit {
        let fitBlock = try XCTUnwrap(RemlFixtures.reference(name)["fit"] as? [String: Any])
        let theta = RemlFixtures.numbers(fitBlock["theta"])
        var warnings: [String] = []
        return try model.summarize(theta: theta, method: .reml, conditionalVariances: false, warnings: &warnings)
    }

    /// The tests of `ddf` ("satterthwaite" or "kenward_roger", the fixtures' keys) for a fit.
    static func testing(_ ddf: String, model: LinearMixedModel, fit: LinearMixedModelFit) throws -> any FixedEffectTesting {
        ddf == "kenward_roger" ? try KenwardRoger(model: model, fit: fit) : try Satterthwaite(model: model, fit: fit)
    }

    /// Checks every coefficient's Estimate, SE (Kenward–Roger: the adjusted one), df, t and p with
    /// lmerTest's table.
    static func assertCoefficients(_ csv: String, _ formula: String, reference name: String, ddf: String = "satterthwaite",
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try LinearMixedModel(design: Self.design(csv, formula))
        let fit = try Self.fitAtReferenceTheta(model, reference: name)
        let tests = try Self.testing(ddf, model: model, fit: fit).coefficientTests()
        let rows = try XCTUnwrap((RemlFixtures.reference(name)["coefficients"] as? [String: Any])?[ddf] as? [[String: Any]])
        XCTAssertEqual(rows.count, tests.count, file: file, line: line)
        for (row, test) in zip(rows, tests) {
            let term = row["term"] as! String
            let df = row["df"] as! Double
            XCTAssertEqual(test.estimate, row["Estimate"] as! Double, accuracy: 1e-6 * max(1, abs(test.estimate)), term, file: file, line: line)
            XCTAssertEqual(test.standardError, row["Std. Error"] as! Double, accuracy: 1e-6 * test.standardError, term, file: file, line: line)
            XCTAssertEqual(test.degreesOfFreedom, df, accuracy: 1e-6 * df, "df of \(term)", file: file, line: line)
            XCTAssertEqual(test.tValue, row["t value"] as! Double, accuracy: 1e-6 * abs(test.tValue), "t of \(term)", file: file, line: line)
            XCTAssertEqual(test.pValue, row["Pr(>|t|)"] as! Double, accuracy: 1e-6, "p of \(term)", file: file, line: line)
        }
    }

    func testSleepstudySlopes() throws {
        try Self.assertCoefficients("sleepstudy", "Reaction ~ Days + (Days | Subject)", reference: "lmertest_sleepstudy")
    }

    /// Unbalanced: 1 to 116 houses per county (where Satterthwaite's df are far from the balanced ones).
    func testRadon() throws {
        try Self.assertCoefficients("radon", "log_radon ~ floor + log_uranium + (1 | county)", reference: "lmertest_radon")
    }

    /// Factors, an interaction and an interaction grouping factor (temperature unordered, reference 175).
    func testCake() throws {
        try Self.assertCoefficients("cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", reference: "lmertest_cake")
    }

    /// lmerTest's `anova(m, type = "I" | "III")` with Satterthwaite's df: Sum Sq, Mean Sq, NumDF,
    /// DenDF and F to 1e-6 relative, Pr(>F) to 1e-6 absolute.
    static func assertAnova(_ csv: String, _ formula: String, reference name: String, ddf: String = "satterthwaite",
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try LinearMixedModel(design: Self.design(csv, formula))
        let fit = try Self.fitAtReferenceTheta(model, reference: name)
        let satterthwaite = try Self.testing(ddf, model: model, fit: fit)
        let tables = try XCTUnwrap(RemlFixtures.reference(name)["anova"] as? [String: Any])
        for (key, type) in [("type_I", 1), ("type_III", 3)] {
            let rows = try XCTUnwrap((tables[key] as? [String: Any])?[ddf] as? [[String: Any]])
            let table = anovaTable(satterthwaite, design: model.design, sigma: fit.sigma, type: type)
            XCTAssertEqual(table.map(\.term), rows.map { $0["term"] as! String }, key, file: file, line: line)
            for (row, computed) in zip(rows, table) {
                let label = "\(key) \(computed.term)"
                for (column, value) in [("Sum Sq", computed.sumOfSquares), ("Mean Sq", computed.meanSquare),
                                        ("DenDF", computed.test.denominatorDegreesOfFreedom), ("F value", computed.test.statistic)] {
                    let expected = row[column] as! Double
                    XCTAssertEqual(value, expected, accuracy: 1e-6 * abs(expected), "\(label) \(column)", file: file, line: line)
                }
                XCTAssertEqual(computed.test.numeratorDegreesOfFreedom, row["NumDF"] as! Int, label, file: file, line: line)
                XCTAssertEqual(computed.test.pValue, row["Pr(>F)"] as! Double, accuracy: 1e-6, label, file: file, line: line)
            }
        }
    }

    func testAnovaCake() throws {
        try Self.assertAnova("cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", reference: "lmertest_cake")
    }

    func testAnovaRadonAndSleepstudy() throws {
        try Self.assertAnova("radon", "log_radon ~ floor + log_uranium + (1 | county)", reference: "lmertest_radon")
        try Self.assertAnova("sleepstudy", "Reaction ~ Days + (Days | Subject)", reference: "lmertest_sleepstudy")
    }

    /// A one-df F test is the square of the t test, with the same df.
    func testOneRowFTestIsTheSquaredTTest() throws {
        let model = try LinearMixedModel(design: Self.design("sleepstudy", "Reaction ~ Days + (Days | Subject)"))
        let fit = try model.fit(method: .reml)
        let satterthwaite = try Satterthwaite(model: model, fit: fit)
        let t = satterthwaite.tTest(contrast: [0, 1])
        let f = satterthwaite.fTest(contrasts: [[0, 1]])
        XCTAssertEqual(f.statistic, t.tValue * t.tValue, accuracy: 1e-9 * f.statistic)
        XCTAssertEqual(f.denominatorDegreesOfFreedom, t.degreesOfFreedom, accuracy: 1e-9 * t.degreesOfFreedom)
        XCTAssertEqual(f.pValue, t.pValue, accuracy: 1e-12)
    }

    func testNakagawaR2() throws {
        let models = try XCTUnwrap(RemlFixtures.reference("r2_nakagawa")["models"] as? [String: Any])
        for (key, formula) in [("sleepstudy_intercepts", "Reaction ~ Days + (1 | Subject)"),
                               ("sleepstudy_slopes", "Reaction ~ Days + (Days | Subject)")] {
            let reference = try XCTUnwrap(models[key] as? [String: Any])
            let components = try XCTUnwrap(reference["variance_components"] as? [String: Any])
            let model = try LinearMixedModel(design: Self.design("sleepstudy", formula))
            let r2 = NakagawaR2(fit: try model.fit(method: .reml), design: model.design)
            XCTAssertEqual(r2.fixedVariance, components["var.fixed"] as! Double, accuracy: 1e-6 * r2.fixedVariance, key)
            XCTAssertEqual(r2.randomVariance, components["var.random"] as! Double, accuracy: 1e-5 * r2.randomVariance, key)
            XCTAssertEqual(r2.residualVariance, components["var.residual"] as! Double, accuracy: 1e-5 * r2.residualVariance, key)
            XCTAssertEqual(r2.marginal, reference["R2_marginal"] as! Double, accuracy: 1e-6, key)
            XCTAssertEqual(r2.conditional, reference["R2_conditional"] as! Double, accuracy: 1e-6, key)
        }
    }
}
