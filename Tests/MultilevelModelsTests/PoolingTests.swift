import XCTest
import MultilevelMath
import MultilevelData
@testable import MultilevelModels

/// Complete pooling (`lm(Reaction ~ Days)`) and no pooling (`lm(Reaction ~ Subject/Days - 1)`)
/// against R's `lm` + `confint` (scripts/references/lmer_crossed_nested.R), and the quantiles.
final class PoolingTests: XCTestCase {
    private func check(_ fit: LeastSquaresFit, _ reference: [String: Any], rename: (String) -> String = { $0 }) {
        let coefficients = reference["coefficients"] as! [String: [String: Double]]
        XCTAssertEqual(fit.coefficients.count, coefficients.count)
        for coefficient in fit.coefficients {
            guard let expected = coefficients[rename(coefficient.name)] else { XCTFail("no \(coefficient.name)"); continue }
            XCTAssertEqual(coefficient.estimate, expected["estimate"]!, accuracy: 1e-8 * max(1, abs(expected["estimate"]!)))
            XCTAssertEqual(coefficient.standardError!, expected["se"]!, accuracy: 1e-8 * expected["se"]!)
            XCTAssertEqual(coefficient.lower!, expected["lower"]!, accuracy: 1e-7 * max(1, abs(expected["lower"]!)))
            XCTAssertEqual(coefficient.upper!, expected["upper"]!, accuracy: 1e-7 * max(1, abs(expected["upper"]!)))
        }
        XCTAssertEqual(fit.sigma, reference["sigma"] as! Double, accuracy: 1e-9 * fit.sigma)
        XCTAssertEqual(fit.residualDegreesOfFreedom, reference["df"] as! Int)
        XCTAssertEqual(fit.logLikelihood, reference["logLik"] as! Double, accuracy: 1e-8)
        XCTAssertEqual(fit.akaikeInformationCriterion, reference["AIC"] as! Double, accuracy: 1e-8)
        XCTAssertEqual(fit.bayesianInformationCriterion, reference["BIC"] as! Double, accuracy: 1e-8)
    }

    func testCompleteAndNoPoolingMatchLm() throws {
        let reference = try RemlFixtures.reference("sleepstudy_pooling")
        let design = try RemlFixtures.sleepstudy("slopes")
        check(try completePoolingFit(design), reference["complete"] as! [String: Any])
        let none = try noPoolingFit(design)
        XCTAssertEqual(none.levels.count, 18)
        XCTAssertEqual(none.termNames, ["Intercept", "Days"])
        check(none.leastSquares, reference["none"] as! [String: Any])
        // Per-group lines: subject 308's intercept is its own coefficient.
        XCTAssertEqual(none.perGroup[0][0]?.name, "Subject308")
        XCTAssertEqual(none.perGroup[0][1]?.name, "Subject308:Days")
    }

    /// The random-effects structure decides: sleepstudy's `Reaction ~ Days + (Days + I(Days^2) +
    /// I(Days^3) | Subject)` gets per-subject I(Days^2) and I(Days^3) coefficients although they are
    /// not fixed effects, as R's `lm(Reaction ~ Subject + Subject:Days + Subject:I(Days^2) +
    /// Subject:I(Days^3) - 1)` (scripts/references/lm_no_pooling_cubic.R).
    func testNoPoolingFollowsTheRandomEffectsStructure() throws {
        let reference = try RemlFixtures.reference("sleepstudy_cubic_pooling")
        let none = try noPoolingFit(RemlFixtures.sleepstudy("cubic"))
        XCTAssertEqual(none.termNames, ["Intercept", "Days", "IDaysE2", "IDaysE3"])
        XCTAssertTrue(none.formula.hasSuffix(" ~ Subject + Subject:Days + Subject:I(Days^2) + Subject:I(Days^3) - 1"), none.formula)
        check(none.leastSquares, reference["none"] as! [String: Any])
        XCTAssertEqual(none.perGroup[0][2]?.name, "Subject308:I(Days^2)")
        XCTAssertEqual(none.perGroup[17][3]?.name, "Subject372:I(Days^3)")
    }

    func testQuantilesAgainstRValues() {
        // qnorm(0.975), qt(0.975, 178), qt(0.975, 3), qt(0.025, 1)
        XCTAssertEqual(NormalDistribution.quantile(0.975), 1.959963984540054, accuracy: 1e-13)
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 178).quantile(0.975), 1.9733808885, accuracy: 1e-9)
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 3).quantile(0.975), 3.1824463053, accuracy: 1e-9)
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 1).quantile(0.025), -12.7062047362, accuracy: 1e-8)
    }
}
