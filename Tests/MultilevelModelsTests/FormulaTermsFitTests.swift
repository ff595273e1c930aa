import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// lmer fits with poly() and sum contrasts against lme4 1.1-31 (`poly_sleepstudy.json`,
/// `sum_contrasts_cake.json` from ../shared/reference/v2): REML criterion, θ, fixed effects with
/// their standard errors, and brms' names of the new columns.
final class FormulaTermsFitTests: XCTestCase {
    private func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: RemlFixtures.url(name, "json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func assertFit(_ fit: LinearMixedModelFit, _ reference: [String: Any], thetaTolerance: Double,
                           file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(fit.criterion, try XCTUnwrap(reference["REML_criterion"] as? Double), accuracy: 1e-6, file: file, line: line)
        let theta = try XCTUnwrap((reference["theta"] as? [Double]) ?? (reference["theta"] as? Double).map { [$0] })
        XCTAssertEqual(fit.theta.count, theta.count, file: file, line: line)
        for (a, b) in zip(fit.theta, theta) { XCTAssertEqual(a, b, accuracy: thetaTolerance, file: file, line: line) }
        let parameters = try XCTUnwrap(reference["parameters"] as? [String: [String: Any]])
        for (j, column) in fit.fixedEffectNames.enumerated() {
            let name = "b_" + brmsName(ofColumn: column)
            let expected = try XCTUnwrap(parameters[name], "no reference for \(name)", file: file, line: line)
            XCTAssertEqual(expected["term"] as? String, column, file: file, line: line)
            let estimate = try XCTUnwrap(expected["estimate"] as? Double), se = try XCTUnwrap(expected["se"] as? Double)
            XCTAssertEqual(fit.fixedEffects[j], estimate, accuracy: 1e-5 * max(1, abs(estimate)), name, file: file, line: line)
            XCTAssertEqual(fit.standardErrors[j], se, accuracy: 1e-5 * se, name, file: file, line: line)
        }
        XCTAssertEqual(fit.fixedEffectNames.count, parameters.keys.filter { $0.hasPrefix("b_") }.count, file: file, line: line)
    }

    func testPolyOrthogonalAndRawMatchLme4() throws {
        let reference = try json("poly_sleepstudy")
        let models = try XCTUnwrap(reference["models"] as? [String: [String: Any]])
        let table = try DataTable.read(contentsOf: RemlFixtures.url("sleepstudy", "csv"))
        for kind in ["orthogonal", "raw"] {
            let model = try XCTUnwrap(models[kind])
            let formula = try Formula.parse(try XCTUnwrap(model["formula"] as? String))
            let fit = try LinearMixedModel(design: ModelDesign.build(formula: formula, table: table)).fit(method: .reml)
            try assertFit(fit, try XCTUnwrap(model["fit"] as? [String: Any]), thetaTolerance: 2e-5)
        }
    }

    func testSumContrastsMatchLme4() throws {
        let reference = try json("sum_contrasts_cake")
        let table = try DataTable.read(contentsOf: RemlFixtures.url("cake", "csv"))
        let formula = try Formula.parse(try XCTUnwrap(reference["formula"] as? String))
        let design = try ModelDesign.build(formula: formula, table: table, options: DesignOptions(contrasts: ["recipe": .sum]))
        let fit = try LinearMixedModel(design: design).fit(method: .reml)
        try assertFit(fit, try XCTUnwrap(reference["fit"] as? [String: Any]), thetaTolerance: 1e-5)
        // C(recipe, sum) in the formula is the same model under another column name.
        let inFormula = try Formula.parse("angle ~ C(recipe, sum) * temperature + (1 | recipe:replicate)")
        let viaC = try LinearMixedModel(design: ModelDesign.build(formula: inFormula, table: table)).fit(method: .reml)
        XCTAssertEqual(viaC.criterion, fit.criterion, accuracy: 1e-9)
        XCTAssertEqual(viaC.fixedEffectNames[1], "C(recipe, sum)1")
        XCTAssertEqual(viaC.fixedEffects[1], fit.fixedEffects[1], accuracy: 1e-9)
    }

    /// glmer(NCalls ~ FoodTreatment * SexParent + offset(logBroodSize) + (1 | Nest), poisson) on the Owls.
    func testOffsetPoissonMatchesGlmer() throws {
        let reference = try json("offset_owls")
        let table = try DataTable.read(contentsOf: RemlFixtures.url("Owls", "csv"))
        let design = try ModelDesign.build(formula: Formula.parse(try XCTUnwrap(reference["formula"] as? String)), table: table)
        XCTAssertEqual(design.offset?.first ?? 0, 1.6094379124341, accuracy: 1e-13)
        let fit = try GeneralizedLinearMixedModel(design: design, family: .poisson).fit()
        XCTAssertEqual(fit.deviance, try XCTUnwrap(reference["deviance"] as? Double), accuracy: 1e-3)
        XCTAssertEqual(fit.logLikelihood, try XCTUnwrap(reference["logLik"] as? Double), accuracy: 1e-3)
        XCTAssertEqual(fit.theta[0], try XCTUnwrap(reference["theta"] as? Double), accuracy: 1e-4)
        let parameters = try XCTUnwrap(reference["parameters"] as? [String: [String: Any]])
        for (j, column) in fit.fixedEffectNames.enumerated() {
            let expected = try XCTUnwrap(parameters["b_" + brmsName(ofColumn: column)])
            let estimate = try XCTUnwrap(expected["estimate"] as? Double), se = try XCTUnwrap(expected["se"] as? Double)
            XCTAssertEqual(fit.fixedEffects[j], estimate, accuracy: 1e-4 * max(abs(estimate), 0.1), column)
            XCTAssertEqual(fit.standardErrors[j], se, accuracy: 1e-3 * se, column)
        }
        // Without the offset the model is another one (the intercept absorbs the mean log brood size).
        let plain = try GeneralizedLinearMixedModel(design: ModelDesign.build(
            formula: Formula.parse("NCalls ~ FoodTreatment * SexParent + (1 | Nest)"), table: table), family: .poisson).fit()
        XCTAssertGreaterThan(abs(plain.fixedEffects[0] - fit.fixedEffects[0]), 1)
    }

    /// A gaussian offset is a known part of the mean: lmer(y ~ x + offset(x)) is lmer(y − x ~ x)
    /// with the slope lowered by exactly 1, the same REML criterion and θ.
    func testGaussianOffsetShiftsTheResponse() throws {
        let table = try DataTable.read(contentsOf: RemlFixtures.url("sleepstudy", "csv"))
        let withOffset = try LinearMixedModel(design: ModelDesign.build(
            formula: Formula.parse("Reaction ~ Days + offset(2 * Days) + (Days | Subject)"), table: table)).fit()
        let plain = try LinearMixedModel(design: ModelDesign.build(
            formula: Formula.parse("Reaction ~ Days + (Days | Subject)"), table: table)).fit()
        XCTAssertEqual(withOffset.criterion, plain.criterion, accuracy: 1e-8)
        XCTAssertEqual(withOffset.fixedEffects[1], plain.fixedEffects[1] - 2, accuracy: 1e-6)
        XCTAssertEqual(withOffset.fixedEffects[0], plain.fixedEffects[0], accuracy: 1e-5)
        // θ comes from two optimisations (agreeing to ~1e-5), so fitted values agree to ~1e-5 too.
        for (a, b) in zip(withOffset.fittedValues, plain.fittedValues) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }
}
