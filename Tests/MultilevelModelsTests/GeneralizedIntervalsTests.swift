import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// lme4's `confint(glmer fit)` (profile and Wald), exp(fixef) ratios and performance's Nakagawa R²
/// for cbpp (Fixtures/glmer_ci_cbpp.json and r2_nakagawa.json, lme4 1.1-31 / performance 0.10.2).
final class GeneralizedIntervalsTests: XCTestCase {
    static let formula = "incidence | trials(size) ~ period + (1 | herd)"

    func cbppFit() throws -> (GeneralizedLinearMixedModel, GeneralizedLinearMixedModelFit) {
        let model = try GeneralizedLinearMixedModel(design: PosteriorTestData.built("cbpp", Self.formula), family: .binomial)
        return (model, try model.fit())
    }

    func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("glmer_ci_cbpp", "json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Profile limits of the herd SD (lme4's .sig01) and the four fixed effects within 1e-4
    /// relative of lme4's (which interpolates ζ by a spline; here ζ's root is found directly).
    func testProfileIntervals() throws {
        let (model, fit) = try cbppFit()
        let intervals = try XCTUnwrap(reference()["intervals"] as? [String: [String: Any]])
        let profiled = try GeneralizedProfileLikelihood(model: model, fit: fit).intervals(for: frequentistParameters(fit))
        XCTAssertEqual(Set(profiled.map(\.name)), Set(intervals.keys))
        for parameter in profiled {
            let expected = try XCTUnwrap(intervals[parameter.name]?["profile"] as? [Double])
            XCTAssertEqual(try XCTUnwrap(parameter.lower), expected[0], accuracy: 1e-4 * abs(expected[0]), "\(parameter.name) lower")
            XCTAssertEqual(try XCTUnwrap(parameter.upper), expected[1], accuracy: 1e-4 * abs(expected[1]), "\(parameter.name) upper")
        }
    }

    /// Wald limits β̂ ± z·SE (none for the SD), and their exponentials (odds ratios): within the
    /// fit's own distance from lme4's optimum (β̂ and SE agree to ~1e-5 relative).
    func testWaldIntervalsAndOddsRatios() throws {
        let (_, fit) = try cbppFit()
        let reference = try reference()
        let intervals = try XCTUnwrap(reference["intervals"] as? [String: [String: Any]])
        let ratios = try XCTUnwrap(reference["ratios"] as? [String: [String: Any]])
        let wald = waldIntervals(fit)
        let z = NormalDistribution.quantile(0.975)
        for parameter in wald {
            guard let expected = intervals[parameter.name]?["wald"] as? [Double] else {
                XCTAssertNil(parameter.lower, parameter.name); continue
            }
            let se = try XCTUnwrap(parameter.standardError)
            XCTAssertEqual(parameter.lower!, parameter.estimate - z * se, accuracy: 1e-14 * max(1, abs(parameter.estimate)))
            XCTAssertEqual(parameter.lower!, expected[0], accuracy: 5e-5 * abs(expected[0]), "\(parameter.name) Wald lower")
            XCTAssertEqual(parameter.upper!, expected[1], accuracy: 5e-5 * abs(expected[1]), "\(parameter.name) Wald upper")
        }
        for ratio in exponentiated(wald) {
            let expected = try XCTUnwrap(ratios[ratio.name])
            XCTAssertEqual(ratio.estimate, expected["exp_estimate"] as! Double, accuracy: 5e-5 * ratio.estimate, ratio.name)
            let limits = expected["exp_wald"] as! [Double]
            XCTAssertEqual(ratio.lower!, limits[0], accuracy: 5e-5 * limits[0], ratio.name)
            XCTAssertEqual(ratio.upper!, limits[1], accuracy: 5e-5 * limits[1], ratio.name)
        }
    }

    /// The report's exponentiation, restated here (MultilevelReport is not a dependency of this
    /// target): exp of the estimate and of each limit.
    func exponentiated(_ parameters: [NamedEstimate]) -> [NamedEstimate] {
        parameters.filter { $0.name.hasPrefix("b_") }.map {
            NamedEstimate(name: $0.name, estimate: exp($0.estimate), lower: $0.lower.map(exp), upper: $0.upper.map(exp))
        }
    }

    /// Nakagawa, Johnson & Schielzeth (2017) R² with the logit link's π²/3.
    func testNakagawaR2Binomial() throws {
        let (model, fit) = try cbppFit()
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("r2_nakagawa", "json"))
        let all = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reference = try XCTUnwrap((all["models"] as? [String: Any])?["cbpp_binomial"] as? [String: Any])
        let components = try XCTUnwrap(reference["variance_components"] as? [String: Any])
        let r2 = try XCTUnwrap(NakagawaR2(fit: fit, design: model.design))
        XCTAssertEqual(r2.residualVariance, components["var.distribution"] as! Double, accuracy: 1e-12)
        XCTAssertEqual(r2.fixedVariance, components["var.fixed"] as! Double, accuracy: 1e-4 * r2.fixedVariance)
        XCTAssertEqual(r2.randomVariance, components["var.random"] as! Double, accuracy: 1e-4 * r2.randomVariance)
        XCTAssertEqual(r2.marginal, reference["R2_marginal"] as! Double, accuracy: 1e-5)
        XCTAssertEqual(r2.conditional, reference["R2_conditional"] as! Double, accuracy: 1e-5)
    }
}
