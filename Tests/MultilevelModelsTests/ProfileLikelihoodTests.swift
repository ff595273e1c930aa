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

    /// A block of 3 correlated coefficients (issue 22: blocks of 3 or more crashed in BlockedCholesky).
    /// `(Days + I(Days^2) | Subject)`: a standard deviation and σ against lme4's
    /// `confint(method = "profile")` (Fixtures/lmer_profile_blocks.json, from
    /// scripts/references/lmer_profile_blocks.R) within 2e-3 relative, and cor(Intercept, Days)
    /// against the exact profile limits of Fixtures/lmer_profile_correlations.json
    /// (scripts/references/lmer_profile_correlations.R: lme4's own ML deviance minimised over
    /// everything else by Nelder–Mead and BFGS from two starts, the crossing solved by uniroot)
    /// within 1e-4 relative. The exact limits are [-0.7833391, 0.2600290]; lme4's are [-0.7838811,
    /// 0.2667803]: its lower limit is 5.4e-4 off and its upper 6.8e-3 (2.6%) off — at lme4's upper
    /// limit the exact ζ is well beyond 1.96, so lme4's ζ there comes from an inner optimisation that
    /// stopped above the minimum or from its spline through a coarse grid — and is not the arbiter
    /// here (checked against it at 1e-3 and 1e-2 only, to show where it stands). The profile here
    /// before issue 22's fix gave [-0.615, 0.260]: its optimiser over σ-scale coordinates (sds and σ
    /// together) stopped short of the minimum on the lower side.
    func testProfilesOfBlocksOfThree() throws {
        let reference = try RemlFixtures.reference("lmer_profile_blocks")
        let case_ = try XCTUnwrap(reference["quadratic"] as? [String: Any])
        let intervals = try XCTUnwrap(case_["intervals"] as? [String: [Double]])
        let exact = try XCTUnwrap((try RemlFixtures.reference("lmer_profile_correlations")["quadratic"] as? [String: Any])?["exact"] as? [Double])
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("quadratic"))
        let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
        let names = Set(intervals.keys)
        let profiled = try ProfileLikelihood(model: model).intervals(for: frequentistParameters(fit), only: names)
        XCTAssertEqual(Set(profiled.filter { $0.lower != nil }.map(\.name)), names)
        for parameter in profiled where names.contains(parameter.name) {
            let expected = try XCTUnwrap(intervals[parameter.name], parameter.name)
            let lower = try XCTUnwrap(parameter.lower), upper = try XCTUnwrap(parameter.upper)
            if parameter.name.hasPrefix("cor_") {
                print("3-block \(parameter.name): [\(lower), \(upper)], exact \(exact), lme4 \(expected)")
                XCTAssertEqual(lower, exact[0], accuracy: 1e-4 * abs(exact[0]), "\(parameter.name) lower")
                XCTAssertEqual(upper, exact[1], accuracy: 1e-4 * abs(exact[1]), "\(parameter.name) upper")
                XCTAssertEqual(lower, expected[0], accuracy: 1e-3, "\(parameter.name) lower vs lme4")
                XCTAssertEqual(upper, expected[1], accuracy: 1e-2, "\(parameter.name) upper vs lme4")
                continue
            }
            let scale = max(abs(expected[0]), abs(expected[1]))
            XCTAssertEqual(lower, expected[0], accuracy: 2e-3 * scale, "\(parameter.name) lower")
            XCTAssertEqual(upper, expected[1], accuracy: 2e-3 * scale, "\(parameter.name) upper")
        }
    }

    func testSleepstudySlopesProfileAndWald() throws { try check(kind: "slopes", key: "slopes") }
    func testSleepstudyInterceptsProfileAndWald() throws { try check(kind: "intercepts", key: "intercepts") }
}
