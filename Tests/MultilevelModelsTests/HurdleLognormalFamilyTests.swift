import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// brms' `hurdle_lognormal()` family (`HurdleLognormalFamily`): the pointwise log density against
/// brms 2.18's `dhurdle_lognormal` on a grid (Fixtures/family_skew_hurdle_density.json), the
/// posterior against a reference and its gradient, the support check (y ≥ 0) and the default
/// priors against brms' prior_summary (Fixtures/brms_hurdle_lognormal_sim.json). Normalisation
/// and mean are in FamilyLikelihoodNormalisationTests, recovery in
/// FamilyTests.testHurdleLognormalRecovery, brms parity in PosteriorBrmsParityTests.testHurdleLognormalSimulated.
final class HurdleLognormalFamilyTests: XCTestCase {
    func testLogDensityAgainstBrms() throws {
        let grid = try SkewNormalFamilyTests.densityGrid("hurdle_lognormal")
        XCTAssertEqual(grid.count, 90)
        for row in grid {
            let ours = Family.hurdleLognormal.logLikelihood(response: row["y"]!, trials: 1, eta: row["mu"]!,
                                                            auxiliary: [row["sigma"]!, row["hu"]!])
            XCTAssertEqual(ours, row["logd"]!, accuracy: 1e-11 * max(1, abs(row["logd"]!)), "\(row)")
        }
    }

    func testPosteriorAndGradient() throws {
        let family = Family.hurdleLognormal
        let design = PosteriorTestData.crossed(family: family, rows: 500)
        XCTAssertTrue(design.response.contains(0))
        let layout = ParameterLayout(design: design, family: family)
        XCTAssertEqual(layout.auxiliaryParameters, [.sigma, .hu])
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
        try GradientTests.assertMatchesReferenceLogPosterior(design: design, family: family, priors: priors)
    }

    func testNegativeResponseIsAOneLineError() throws {
        XCTAssertThrowsError(try Family.hurdleLognormal.validate(response: [0, 1.5, -0.2], trials: nil, sourceLines: [2, 3, 4],
                                                                 dataFileName: "spend.csv")) { error in
            XCTAssertEqual("\(error)", "spend.csv line 4: response -0.2 is negative for family hurdle_lognormal")
        }
        XCTAssertNoThrow(try Family.hurdleLognormal.validate(response: [0, 1e-300, 7], trials: nil, sourceLines: [2, 3, 4]))
        XCTAssertEqual(try Family(name: "hurdle_lognormal()"), .hurdleLognormal)
        XCTAssertEqual(Family.hurdleLognormal.auxiliaryParameters, [.sigma, .hu])
        XCTAssertTrue(Family.hurdleLognormal.hasLogScale)
    }

    /// Every prior brms' prior_summary lists (class, coef, group, prior) is ours, and ours has no other.
    func testDefaultPriorsAsBrms() throws {
        let design = try PosteriorTestData.built("hurdle_lognormal_sim", "y ~ x + (1 | g)")
        let expected = try SkewNormalFamilyTests.brmsPriorKeys("brms_hurdle_lognormal_sim")
        XCTAssertEqual(SkewNormalFamilyTests.priorKeys(PriorSet.defaults(for: design, family: .hurdleLognormal)), expected)
        XCTAssertTrue(expected.contains("hu|||beta(1, 1)"))
    }
}
