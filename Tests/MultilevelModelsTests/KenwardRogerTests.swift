import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Kenward–Roger t and F tests against lmerTest 3.1-3 / pbkrtest 0.5.2 (Fixtures/lmertest_*.json,
/// `summary(m, ddf = "Kenward-Roger")` and `anova(m, type = …, ddf = "Kenward-Roger")`): SE, df and
/// F to 1e-6 relative, p-values to 1e-6 absolute, at lme4's θ̂.
final class KenwardRogerTests: XCTestCase {
    func assertCoefficients(_ csv: String, _ formula: String, reference name: String,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try LinearMixedModel(design: SatterthwaiteTests.design(csv, formula))
        let fit = try SatterthwaiteTests.fitAtReferenceTheta(model, reference: name)
        let tests = try KenwardRoger(model: model, fit: fit).coefficientTests()
        let rows = try XCTUnwrap((RemlFixtures.reference(name)["coefficients"] as? [String: Any])?["kenward_roger"] as? [[String: Any]])
        XCTAssertEqual(rows.count, tests.count, file: file, line: line)
        for (row, test) in zip(rows, tests) {
            let term = row["term"] as! String
            let df = row["df"] as! Double
            XCTAssertEqual(test.standardError, row["Std. Error"] as! Double, accuracy: 1e-6 * test.standardError, "SE of \(term)", file: file, line: line)
            XCTAssertEqual(test.degreesOfFreedom, df, accuracy: 1e-6 * df, "df of \(term)", file: file, line: line)
            XCTAssertEqual(test.tValue, row["t value"] as! Double, accuracy: 1e-6 * abs(test.tValue), "t of \(term)", file: file, line: line)
            XCTAssertEqual(test.pValue, row["Pr(>|t|)"] as! Double, accuracy: 1e-6, "p of \(term)", file: file, line: line)
        }
    }

    func assertAnova(_ csv: String, _ formula: String, reference name: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        let model = try LinearMixedModel(design: SatterthwaiteTests.design(csv, formula))
        let fit = try SatterthwaiteTests.fitAtReferenceTheta(model, reference: name)
        let kenwardRoger = try KenwardRoger(model: model, fit: fit)
        let tables = try XCTUnwrap(RemlFixtures.reference(name)["anova"] as? [String: Any])
        for (key, type) in [("type_I", 1), ("type_III", 3)] {
            let rows = try XCTUnwrap((tables[key] as? [String: Any])?["kenward_roger"] as? [[String: Any]])
            let table = anovaTable(kenwardRoger, design: model.design, sigma: fit.sigma, type: type)
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

    /// Unbalanced (1 to 116 houses per county): KR's SEs and df differ from Satterthwaite's.
    func testRadon() throws {
        try assertCoefficients("radon", "log_radon ~ floor + log_uranium + (1 | county)", reference: "lmertest_radon")
        try assertAnova("radon", "log_radon ~ floor + log_uranium + (1 | county)", reference: "lmertest_radon")
    }

    /// Random slopes: three covariance parameters and σ².
    func testSleepstudySlopes() throws {
        try assertCoefficients("sleepstudy", "Reaction ~ Days + (Days | Subject)", reference: "lmertest_sleepstudy")
        try assertAnova("sleepstudy", "Reaction ~ Days + (Days | Subject)", reference: "lmertest_sleepstudy")
    }

    /// Multi-df terms (2, 5 and 10 numerator df): the F scaling λ and pooled df.
    func testCake() throws {
        try assertCoefficients("cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", reference: "lmertest_cake")
        try assertAnova("cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", reference: "lmertest_cake")
    }

    /// Φ = (XᵀΣ⁻¹X)⁻¹ through the Woodbury blocks agrees with the fit's Var(β̂), and Φ_A ⪰ Φ.
    func testAdjustedCovarianceIsLarger() throws {
        let model = try LinearMixedModel(design: SatterthwaiteTests.design("radon", "log_radon ~ floor + log_uranium + (1 | county)"))
        let fit = try model.fit(method: .reml)
        let kr = try KenwardRoger(model: model, fit: fit)
        for j in 0..<3 { XCTAssertGreaterThan(kr.adjustedCovariance[j, j], kr.fixedEffectsCovariance[j, j]) }
    }

    /// ML fits and oversized models are refused with a reason.
    func testRefusals() throws {
        let model = try LinearMixedModel(design: SatterthwaiteTests.design("sleepstudy", "Reaction ~ Days + (Days | Subject)"))
        let fit = try model.fit(method: .ml)
        XCTAssertThrowsError(try KenwardRoger(model: model, fit: fit)) { error in
            XCTAssertTrue("\(error)".contains("REML"), "\(error)")
        }
    }
}
