import XCTest
import MultilevelData
@testable import MultilevelModels

/// lme4's `confint(fit)` (profile) and `confint(fit, method = "Wald")` for sleepstudy
/// (../shared/reference/sleepstudy_confint.json), within 2e-3 relative.
final class ProfileLikelihoodTests: XCTestCase {
    private func check(kind: String, key: String) throws {
        let reference = try RemlFixtures.reference("sleepstudy_confint")[key] as! [String: Any]
        let intervals = reference["intervals"] as! [String: [String: Any]]
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
        let fit = try model.fit(method: .reml)
        let profiled = try ProfileLikelihood(model: model).intervals(for: frequentistParameters(fit))
        XCTAssertEqual(Set(profiled.map(\.name)), Set(intervals.keys))
        for parameter in profiled {
            let expected = intervals[parameter.name]!["profile"] as! [Double]
            XCTAssertEqual(parameter.lower!, expected[0], accuracy: 2e-3 * abs(expected[0]), "\(parameter.name) lower")
            XCTAssertEqual(parameter.upper!, expected[1], accuracy: 2e-3 * abs(expected[1]), "\(parameter.name) upper")
        }
        for parameter in waldIntervals(fit) {
            guard let expected = intervals[parameter.name]!["wald"] as? [Double] else {
                XCTAssertNil(parameter.lower, parameter.name); continue
            }
            XCTAssertEqual(parameter.lower!, expected[0], accuracy: 1e-4 * abs(expected[0]), "\(parameter.name) Wald lower")
            XCTAssertEqual(parameter.upper!, expected[1], accuracy: 1e-4 * abs(expected[1]), "\(parameter.name) Wald upper")
        }
    }

    /// The crossed design (lme4's confint written by scripts/references/lmer_crossed_nested.R).
    func testCrossedDesignProfileIntervals() throws {
        let intervals = try RemlFixtures.reference("crossed_confint")["intervals"] as! [String: [String: [Double]]]
        let model = try LinearMixedModel(design: RemlFixtures.crossed())
        let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
        let profiled = try ProfileLikelihood(model: model).intervals(for: frequentistParameters(fit))
        XCTAssertEqual(Set(profiled.map(\.name)), Set(intervals.keys))
        for parameter in profiled {
            let expected = intervals[parameter.name]!["profile"]!
            XCTAssertEqual(parameter.lower!, expected[0], accuracy: 2e-3 * abs(expected[0]), "\(parameter.name) lower")
            XCTAssertEqual(parameter.upper!, expected[1], accuracy: 2e-3 * abs(expected[1]), "\(parameter.name) upper")
        }
    }

    /// Blocks of 3 and 4 correlated coefficients (issue 22: these crashed in BlockedCholesky),
    /// `(Days + I(Days^2) | Subject)` and `(Days + I(Days^2) + I(Days^3) | Subject)`, against lme4's
    /// `confint(method = "profile")` (Fixtures/lmer_profile_blocks.json, written by
    /// scripts/references/lmer_profile_blocks.R) within 2e-3 relative, for the parameters R
    /// profiled there: a standard deviation, a correlation and σ of the 3-block, a correlation and σ
    /// of the 4-block (whose inner optimisations run over 10 coordinates).
    func testProfilesOfBlocksOfThreeAndFour() throws {
        let reference = try RemlFixtures.reference("lmer_profile_blocks")
        for kind in ["quadratic", "cubic"] {
            let case_ = try XCTUnwrap(reference[kind] as? [String: Any], kind)
            let intervals = try XCTUnwrap(case_["intervals"] as? [String: [Double]], kind)
            let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
            let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
            let names = Set(intervals.keys)
            let profiled = try ProfileLikelihood(model: model).intervals(for: frequentistParameters(fit), only: names)
            XCTAssertEqual(Set(profiled.filter { $0.lower != nil }.map(\.name)), names, kind)
            for parameter in profiled where names.contains(parameter.name) {
                let expected = try XCTUnwrap(intervals[parameter.name], parameter.name)
                let scale = max(abs(expected[0]), abs(expected[1]), 1e-3)
                XCTAssertEqual(try XCTUnwrap(parameter.lower), expected[0], accuracy: 2e-3 * scale, "\(kind) \(parameter.name) lower")
                XCTAssertEqual(try XCTUnwrap(parameter.upper), expected[1], accuracy: 2e-3 * scale, "\(kind) \(parameter.name) upper")
            }
        }
    }

    func testSleepstudySlopesProfileAndWald() throws { try check(kind: "slopes", key: "slopes") }
    func testSleepstudyInterceptsProfileAndWald() throws { try check(kind: "intercepts", key: "intercepts") }
}
