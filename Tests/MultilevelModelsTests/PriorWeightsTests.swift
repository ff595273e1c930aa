import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// lme4's prior weights in the LMM (`PriorWeightedLinearMixedModel`) against lme4 1.1-31:
/// `lmer(read ~ income + english + (1 | county), data = CASchools, weights = students)` (v2
/// `weights_caschools.json`, bobyqa's optimum): coefficients and SEs to 1e-5 relative, θ, σ and
/// the county sd to 1e-4 relative, logLik, REML criterion and AIC to 1e-6 absolute; and two
/// closed forms: unit weights are the unweighted fit, and weights w on duplicated-free rows scale
/// σ̂ by √c when every weight is multiplied by c (the same fit of the scaled rows).
final class PriorWeightsTests: XCTestCase {
    private func caschools() throws -> (ModelDesign, [Double]) {
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("CASchools", "csv"))
        let design = try ModelDesign.build(formula: Formula.parse("read ~ income + english + (1 | county)"), table: table)
        guard case .numeric(let students)? = table.column(named: "students") else { throw DesignError("students") }
        return (design, design.sourceLines.map { students[$0 - 2] })
    }

    func testCASchoolsAgainstLme4() throws {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("weights_caschools", "json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let reference = object["fit"] as! [String: Any]
        let parameters = reference["parameters"] as! [String: [String: Any]]
        let (design, weights) = try caschools()
        let fit = try PriorWeightedLinearMixedModel(design: design, weights: weights).fit(method: .reml)
        for (k, name) in ["b_Intercept", "b_income", "b_english"].enumerated() {
            let estimate = parameters[name]!["estimate"] as! Double, se = parameters[name]!["se"] as! Double
            XCTAssertEqual(fit.fixedEffects[k], estimate, accuracy: 1e-5 * abs(estimate), name)
            XCTAssertEqual(fit.standardErrors[k], se, accuracy: 1e-5 * se, name)
        }
        XCTAssertEqual(fit.sigma, parameters["sigma"]!["estimate"] as! Double, accuracy: 1e-4 * fit.sigma)
        XCTAssertEqual(fit.theta[0], reference["theta"] as! Double, accuracy: 1e-4 * fit.theta[0])
        XCTAssertEqual(fit.logLikelihood, reference["logLik"] as! Double, accuracy: 1e-6)
        XCTAssertEqual(fit.criterion, reference["REML_criterion"] as! Double, accuracy: 1e-6)
        XCTAssertEqual(fit.akaikeInformationCriterion, reference["AIC"] as! Double, accuracy: 1e-6)
        XCTAssertEqual(fit.residuals[0], design.response[0] - fit.fittedValues[0], accuracy: 1e-9)
    }

    func testUnitAndScaledWeights() throws {
        let (design, weights) = try caschools()
        let plain = try LinearMixedModel(design: design).fit(method: .reml)
        let unit = try PriorWeightedLinearMixedModel(design: design, weights: [Double](repeating: 1, count: design.rowCount)).fit()
        XCTAssertEqual(unit.logLikelihood, plain.logLikelihood, accuracy: 1e-9 * abs(plain.logLikelihood))
        for k in plain.fixedEffects.indices { XCTAssertEqual(unit.fixedEffects[k], plain.fixedEffects[k], accuracy: 1e-9 * max(1, abs(plain.fixedEffects[k]))) }
        let once = try PriorWeightedLinearMixedModel(design: design, weights: weights).fit()
        let fourfold = try PriorWeightedLinearMixedModel(design: design, weights: weights.map { 4 * $0 }).fit()
        XCTAssertEqual(fourfold.sigma, 2 * once.sigma, accuracy: 1e-5 * once.sigma)
        for k in once.fixedEffects.indices { XCTAssertEqual(fourfold.fixedEffects[k], once.fixedEffects[k], accuracy: 1e-6 * max(1, abs(once.fixedEffects[k]))) }
        XCTAssertThrowsError(try PriorWeightedLinearMixedModel(design: design, weights: [-1] + weights.dropFirst())) {
            XCTAssertTrue("\($0)".hasSuffix("prior weight -1.0 must be positive and finite"), "\($0)")
        }
    }
}
