import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// brms' `Beta()` family (`BetaFamily`): the posterior against a reference written with lgamma and
/// its gradient against finite differences, the support check, and the default priors against
/// brms 2.18's prior_summary of the presidential-elections fit (Fixtures/brms_beta_presidential.json).
/// The density's normalisation and mean are in FamilyLikelihoodNormalisationTests, parameter
/// recovery in FamilyTests.testBetaRecovery, brms parity in PosteriorBrmsParityTests.testBetaPresidential.
final class BetaFamilyTests: XCTestCase {
    func testPosteriorAndGradient() throws {
        let family = Family.beta
        let design = PosteriorTestData.crossed(family: family, rows: 700)
        let layout = ParameterLayout(design: design, family: family)
        XCTAssertEqual(layout.auxiliaryParameters, [.phi])
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0)
        try GradientTests.assertMatchesReferenceLogPosterior(design: design, family: family, priors: priors)
    }

    func testProportionOfZeroOrOneIsAOneLineError() {
        XCTAssertThrowsError(try Family.beta.validate(response: [0.3, 1, 0.2], trials: nil, sourceLines: [2, 3, 4],
                                                      dataFileName: "votes.csv")) { error in
            XCTAssertEqual("\(error)", "votes.csv line 3: proportion 1 is not strictly between 0 and 1 for family beta")
        }
        XCTAssertThrowsError(try Family.beta.validate(response: [0], trials: nil, sourceLines: [7])) { error in
            XCTAssertEqual("\(error)", "line 7: proportion 0 is not strictly between 0 and 1 for family beta")
        }
        XCTAssertNoThrow(try Family.beta.validate(response: [1e-9, 0.5, 1 - 1e-9], trials: nil, sourceLines: [2, 3, 4]))
        XCTAssertEqual(try Family(name: "Beta()"), .beta)
    }

    /// Every prior brms' prior_summary lists (class, coef, group, prior) is ours, and ours has no other.
    func testDefaultPriorsAsBrms() throws {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("brms_beta_presidential", "json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let brms = try XCTUnwrap(object["priors"] as? [[String: String]])
        let design = try PosteriorTestData.built("presidentialElections", "demShare ~ south + (1 | state) + (1 | year)")
        let ours = PriorSet.defaults(for: design, family: .beta).rows
        func key(_ cls: String, _ coef: String, _ group: String, _ prior: String) -> String {
            [cls, coef, group, prior].joined(separator: "|")
        }
        let expected = Set(brms.map { key($0["class"]!, $0["coef"]!, $0["group"]!, $0["prior"]!.isEmpty ? "" : $0["prior"]!) })
        let actual = Set(ours.map { row in
            key(row.parameterClass.rawValue, row.coefficient, row.group,
                row.prior.map { "\($0)" }.map { $0 == "(flat)" ? "" : $0 } ?? "")
        })
        XCTAssertEqual(actual, expected)
        XCTAssertTrue(expected.contains(key("phi", "", "", "gamma(0.01, 0.01)")))
    }
}
