import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// lme4's prior weights beyond the gaussian LMM (`GeneralizedPriorWeights`) against lme4 1.1-31
/// and performance 0.10.2 (scripts/references/glmer_prior_weights.R → glmer_prior_weights.json,
/// lme4_weights.json):
/// - `glmer(prop ~ period + (1 | herd), weights = size, family = binomial)` on cbpp as proportions;
/// - `glmer(count ~ x + (1 | g), weights = wi, family = poisson)`;
/// coefficients, SEs and θ to 1e-4 relative, logLik and AIC to 1e-6 absolute, the deviance to 1e-5
/// relative, Nakagawa's R² of the Poisson fit to 1e-5; and one
/// closed form: integer Poisson weights are the fit of the rows repeated that many times.
/// Also Nakagawa's R² of a weighted lmer (to 1e-6), which the √w-scaled rows would put at 0.9996.
final class GeneralizedPriorWeightsTests: XCTestCase {
    private func reference(_ key: String) throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("glmer_prior_weights", "json"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object[key] as? [String: Any], key)
    }

    private func column(_ table: DataTable, _ name: String, _ design: ModelDesign) throws -> [Double] {
        guard case .numeric(let values)? = table.column(named: name) else { throw DesignError("no numeric column \(name)") }
        var rowOfLine: [Int: Int] = [:]
        for (row, line) in table.sourceLines.enumerated() { rowOfLine[line] = row }
        return design.sourceLines.map { values[rowOfLine[$0]!] }
    }

    private func weightedFit(_ csv: String, _ formula: String, weights name: String, family: Family)
        throws -> (GeneralizedLinearMixedModelFit, GeneralizedLinearMixedModel) {
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL(csv, "csv"))
        let design = try ModelDesign.build(formula: Formula.parse(formula), table: table)
        let (weighted, responseWeights) = try GeneralizedPriorWeights.apply(to: design, family: family,
                                                                             weights: column(table, name, design), file: csv)
        let model = try GeneralizedLinearMixedModel(design: weighted, family: family, priorWeights: responseWeights)
        return (try model.fit(), model)
    }

    private func compare(_ fit: GeneralizedLinearMixedModelFit, _ reference: [String: Any], _ label: String,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let coefficients = try XCTUnwrap(reference["coefficients"] as? [String: Double])
        let errors = try XCTUnwrap(reference["standard_errors"] as? [String: Double])
        for (k, name) in fit.fixedEffectNames.enumerated() {
            let estimate = try XCTUnwrap(coefficients[name], name), se = try XCTUnwrap(errors[name], name)
            XCTAssertEqual(fit.fixedEffects[k], estimate, accuracy: 1e-4 * max(abs(estimate), 0.1), "\(label) \(name)", file: file, line: line)
            XCTAssertEqual(fit.standardErrors[k], se, accuracy: 1e-4 * se, "\(label) SE \(name)", file: file, line: line)
        }
        let theta = try XCTUnwrap(reference["theta"] as? Double)
        XCTAssertEqual(fit.theta[0], theta, accuracy: 1e-4 * theta, "\(label) theta", file: file, line: line)
        XCTAssertEqual(fit.logLikelihood, try XCTUnwrap(reference["logLik"] as? Double), accuracy: 1e-6, "\(label) logLik", file: file, line: line)
        // The deviance at the conditional modes is not stationary at the optimum: it moves with θ
        // (1.4e-6 relative between lme4's optimum and ours on cbpp), so 1e-5 relative.
        let deviance = try XCTUnwrap(reference["deviance"] as? Double)
        XCTAssertEqual(fit.deviance, deviance, accuracy: 1e-5 * deviance, "\(label) deviance", file: file, line: line)
        XCTAssertEqual(fit.akaikeInformationCriterion, try XCTUnwrap(reference["AIC"] as? Double), accuracy: 1e-6, "\(label) AIC", file: file, line: line)
        print("\(label): θ \(fit.theta[0]) vs lme4 \(theta); logLik \(fit.logLikelihood) vs \(reference["logLik"]!)")
    }

    func testBinomialProportionsWithTrialsAsWeights() throws {
        let (fit, _) = try weightedFit("cbpp_proportions", "prop ~ period + (1 | herd)", weights: "size", family: .binomial)
        try compare(fit, reference("binomial_proportions"), "binomial")
        // The same likelihood as cbind(incidence, size - incidence).
        XCTAssertEqual(fit.logLikelihood, try XCTUnwrap(reference("binomial_proportions")["logLik_cbind"] as? Double), accuracy: 1e-6)
    }

    func testPoissonPriorWeights() throws {
        let (fit, model) = try weightedFit("weights", "count ~ x + (1 | g)", weights: "wi", family: .poisson)
        let reference = try reference("poisson_weights")
        try compare(fit, reference, "poisson")
        // Nakagawa's R²: the null model refitted with the same weights (insight's null_model).
        let null = try GeneralizedLinearMixedModel(design: NakagawaR2.nullModelDesign(model.design), family: .poisson,
                                                   priorWeights: model.response.priorWeights).fit(conditionalVariances: false)
        let r2 = try XCTUnwrap(NakagawaR2(fit: fit, design: model.design, nullIntercept: null.fixedEffects[0]))
        let r2Reference = try XCTUnwrap(reference["r2_nakagawa"] as? [String: Double])
        print("weighted Poisson R²: marginal \(r2.marginal) vs \(r2Reference["marginal"]!), conditional \(r2.conditional) vs \(r2Reference["conditional"]!)")
        XCTAssertEqual(r2.marginal, try XCTUnwrap(r2Reference["marginal"]), accuracy: 1e-5)
        XCTAssertEqual(r2.conditional, try XCTUnwrap(r2Reference["conditional"]), accuracy: 1e-5)
    }

    /// Integer weights wᵢ give each row's log-likelihood wᵢ times over, the likelihood of the data
    /// with row i repeated wᵢ times in its group: the two fits agree.
    func testIntegerPoissonWeightsAreRepeatedRows() throws {
        let (fit, _) = try weightedFit("weights", "count ~ x + (1 | g)", weights: "wi", family: .poisson)
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("weights", "csv"))
        let design = try ModelDesign.build(formula: Formula.parse("count ~ x + (1 | g)"), table: table)
        let weights = try column(table, "wi", design)
        var rows: [Int] = []
        for (i, w) in weights.enumerated() { rows += [Int](repeating: i, count: Int(w)) }
        let repeated = design.selectingRows(rows)
        let plain = try GeneralizedLinearMixedModel(design: repeated, family: .poisson).fit()
        XCTAssertEqual(fit.logLikelihood, plain.logLikelihood, accuracy: 1e-7)
        XCTAssertEqual(fit.theta[0], plain.theta[0], accuracy: 1e-5)
        for k in fit.fixedEffects.indices { XCTAssertEqual(fit.fixedEffects[k], plain.fixedEffects[k], accuracy: 1e-5) }
    }

    func testBadWeightedBinomialResponses() throws {
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("weights", "csv"))
        let design = try ModelDesign.build(formula: Formula.parse("y ~ x + (1 | g)"), table: table)
        XCTAssertThrowsError(try GeneralizedPriorWeights.apply(to: design, family: .binomial, weights: column(table, "wi", design),
                                                               file: "weights.csv")) {
            XCTAssertTrue("\($0)".hasPrefix("weights.csv:2: '\(design.responseName)' = 3.231 is not a proportion in [0, 1]"), "\($0)")
        }
        XCTAssertThrowsError(try GeneralizedPriorWeights.apply(to: design, family: .gamma, weights: column(table, "wi", design), file: "w")) {
            XCTAssertTrue("\($0)".contains("not 'Gamma'") || "\($0)".contains("not 'gamma'"), "\($0)")
        }
    }

    func testNakagawaR2OfWeightedLmer() throws {
        let reference = try reference("lmer_weights_r2")
        let r2Reference = try XCTUnwrap(reference["r2_nakagawa"] as? [String: Double])
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("weights", "csv"))
        let design = try ModelDesign.build(formula: Formula.parse("y ~ x + (1 | g)"), table: table)
        let model = try PriorWeightedLinearMixedModel(design: design, weights: column(table, "w", design))
        let fit = try model.fit(method: .reml)
        let r2 = model.nakagawaR2(fit)
        XCTAssertEqual(r2.marginal, try XCTUnwrap(r2Reference["marginal"]), accuracy: 1e-6)
        XCTAssertEqual(r2.conditional, try XCTUnwrap(r2Reference["conditional"]), accuracy: 1e-6)
        XCTAssertEqual(r2.fixedVariance, try XCTUnwrap(reference["var_fixed"] as? Double), accuracy: 1e-6)
        print("weighted lmer R²: marginal \(r2.marginal) vs \(r2Reference["marginal"]!), conditional \(r2.conditional) vs \(r2Reference["conditional"]!)")
    }
}
