import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// brms' `skew_normal()` family (`SkewNormalFamily`): the pointwise log density against brms 2.18's
/// `dskew_normal` on a grid (Fixtures/family_skew_hurdle_density.json, written by
/// scripts/references/brms_skew_normal_hurdle_lognormal.R), the row gradients against finite
/// differences far into the log Φ tail, the posterior against a reference written with erfc and
/// its gradient, and the default priors against brms' prior_summary (Fixtures/brms_skew_normal_sim.json).
/// Normalisation, mean and SD are in FamilyLikelihoodNormalisationTests, recovery in
/// FamilyTests.testSkewNormalRecovery, brms parity in PosteriorBrmsParityTests.testSkewNormalSimulated.
final class SkewNormalFamilyTests: XCTestCase {
    static func densityGrid(_ family: String) throws -> [[String: Double]] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("family_skew_hurdle_density", "json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(object[family] as? [[String: Double]])
    }

    func testLogDensityAgainstBrms() throws {
        let grid = try Self.densityGrid("skew_normal")
        XCTAssertEqual(grid.count, 216)
        for row in grid {
            let ours = Family.skewNormal.logLikelihood(response: row["y"]!, trials: 1, eta: row["mu"]!,
                                                       auxiliary: [row["sigma"]!, row["alpha"]!])
            XCTAssertEqual(ours, row["logd"]!, accuracy: 1e-10 * max(1, abs(row["logd"]!)), "\(row)")
        }
    }

    /// ∂/∂η, ∂/∂σ, ∂/∂α of one row (value plus `finish`'s share) against central differences of
    /// `logLikelihood`, including α z ≪ −5 where log Φ takes its Mills-ratio branch.
    func testRowGradientsAgainstFiniteDifferences() {
        let cases: [(y: Double, eta: Double, sigma: Double, alpha: Double)] = [
            (0.3, 1.1, 0.8, 4), (2.5, 0.2, 1.3, -2.5), (-3, 1, 0.5, 30), (1, 1, 1, 0), (-0.4, 0.6, 0.7, 0.8),
        ]
        for c in cases {
            var rows = [c.sigma, c.alpha].withUnsafeBufferPointer {
                SkewNormalRows(auxiliary: $0.baseAddress!, rowCount: 1, sumLogResponse: 0)
            }
            let term = rows.add(response: c.y, trials: 1, eta: c.eta)
            var gradient = [0.0, 0.0]
            let shared = gradient.withUnsafeMutableBufferPointer { rows.finish(auxiliaryGradient: $0.baseAddress!) }
            let f = { (eta: Double, sigma: Double, alpha: Double) in
                Family.skewNormal.logLikelihood(response: c.y, trials: 1, eta: eta, auxiliary: [sigma, alpha])
            }
            XCTAssertEqual(term.value + shared + logTwo - halfLogTwoPi, f(c.eta, c.sigma, c.alpha), accuracy: 1e-12)
            let h = 1e-5
            let numeric = [(f(c.eta + h, c.sigma, c.alpha) - f(c.eta - h, c.sigma, c.alpha)) / (2 * h),
                           (f(c.eta, c.sigma + h, c.alpha) - f(c.eta, c.sigma - h, c.alpha)) / (2 * h),
                           (f(c.eta, c.sigma, c.alpha + h) - f(c.eta, c.sigma, c.alpha - h)) / (2 * h)]
            for (analytic, reference) in zip([term.etaDerivative, gradient[0], gradient[1]], numeric) {
                XCTAssertEqual(analytic, reference, accuracy: 1e-6 * max(1, abs(reference)), "\(c)")
            }
        }
    }

    func testPosteriorAndGradient() throws {
        let family = Family.skewNormal
        let design = PosteriorTestData.crossed(family: family, rows: 500)
        let layout = ParameterLayout(design: design, family: family)
        XCTAssertEqual(layout.auxiliaryParameters, [.sigma, .alpha])
        XCTAssertTrue(layout.unconstrainedNames.contains("alpha"))
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
        // A negative skew too.
        try GradientTests.assertMatchesReferenceLogPosterior(design: design, family: family, priors: priors) {
            $0[2][layout.auxiliaryOffset + 1] = -2.5
        }
    }

    func testNameAndParameters() throws {
        XCTAssertEqual(try Family(name: "skew_normal()"), .skewNormal)
        XCTAssertEqual(Family.skewNormal.link, .identity)
        XCTAssertEqual(Family.skewNormal.auxiliaryParameters, [.sigma, .alpha])
        XCTAssertNoThrow(try Family.skewNormal.validate(response: [-4, 0, 3.5], trials: nil, sourceLines: [2, 3, 4]))
        XCTAssertThrowsError(try Family.skewNormal.validate(response: [1, .nan], trials: nil, sourceLines: [2, 3],
                                                            dataFileName: "d.csv")) { error in
            XCTAssertEqual("\(error)", "d.csv line 3: response nan is not finite for family skew_normal")
        }
    }

    /// Every prior brms' prior_summary lists (class, coef, group, prior) is ours, and ours has no other.
    func testDefaultPriorsAsBrms() throws {
        let design = try PosteriorTestData.built("skew_normal_sim", "y ~ x + (1 | g)")
        let expected = try Self.brmsPriorKeys("brms_skew_normal_sim")
        XCTAssertEqual(Self.priorKeys(PriorSet.defaults(for: design, family: .skewNormal)), expected)
        XCTAssertTrue(expected.contains("alpha|||normal(0, 4)"))
    }

    static func brmsPriorKeys(_ fixture: String) throws -> Set<String> {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL(fixture, "json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let brms = try XCTUnwrap(object["priors"] as? [[String: Any]])
        return Set(brms.map { row in
            ["class", "coef", "group", "prior"].map { (row[$0] as? String) ?? "" }.joined(separator: "|")
        })
    }

    static func priorKeys(_ set: PriorSet) -> Set<String> {
        Set(set.rows.map { row in
            [row.parameterClass.rawValue, row.coefficient, row.group,
             row.prior.map { "\($0)" }.map { $0 == "(flat)" ? "" : $0 } ?? ""].joined(separator: "|")
        })
    }
}
