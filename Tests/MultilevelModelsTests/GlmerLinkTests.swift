import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// glmer with non-canonical links (issue 19, point 3): binomial("probit"), binomial("cloglog"),
/// binomial("cauchit") and poisson("sqrt") against lme4 1.1-31 (scripts/references/
/// glmer_extended_families.R) — estimates and logLik to 1e-4, SEs to 1e-3 relative, and the
/// conditional modes.
final class GlmerLinkTests: XCTestCase {
    func fit(_ csv: String, _ formula: String, _ family: String) throws -> GeneralizedLinearMixedModelFit {
        try GeneralizedLinearMixedModel(design: PosteriorTestData.built(csv, formula), family: Family(name: family)).fit()
    }

    func testCbppProbitAndCloglog() throws {
        for (link, name) in [("probit", "probit_cbpp"), ("cloglog", "cloglog_cbpp")] {
            let fit = try fit("cbpp", "incidence | trials(size) ~ period + (1 | herd)", "binomial(\"\(link)\")")
            XCTAssertEqual(fit.linkName, link)
            XCTAssertTrue(fit.converged, "\(fit.warnings)")
            try GlmerExtendedReference.assertMatches(fit, name)
            try assertModes(fit, name)
        }
    }

    func testCrossedBernoulliProbit() throws {
        let fit = try fit("glmer_crossed", "success ~ x + (1 | site) + (1 | rater)", "bernoulli(\"probit\")")
        try GlmerExtendedReference.assertMatches(fit, "probit_bernoulli_crossed")
    }

    func testBernoulliCauchit() throws {
        let fit = try fit("glmer_crossed", "success ~ x + (1 | site)", "bernoulli(\"cauchit\")")
        try GlmerExtendedReference.assertMatches(fit, "cauchit_bernoulli")
    }

    func testPoissonSquareRoot() throws {
        let fit = try fit("glmer_crossed", "count ~ x + (1 | site)", "poisson(\"sqrt\")")
        XCTAssertEqual(fit.linkName, "sqrt")
        try GlmerExtendedReference.assertMatches(fit, "sqrt_poisson")
    }

    /// The Fisher-scoring weight of a non-canonical link is (dμ/dη)²/Var(y): for the probit link
    /// at η, m φ(η)²/(Φ(η)(1 − Φ(η))), and the residual (y/m − Φ(η))/φ(η).
    func testProbitWorkingWeightClosedForm() throws {
        let design = try PosteriorTestData.built("cbpp", "incidence | trials(size) ~ period + (1 | herd)")
        let response = try GeneralizedLinearResponse(design: design, family: Family(name: "binomial(\"probit\")"))
        for eta in [-3.0, -0.4, 0.0, 1.2] {
            let (weight, residual) = response.workingWeightAndResidual(0, eta: eta)
            let density = exp(-eta * eta / 2) / (2 * Double.pi).squareRoot()
            let mu = 0.5 * erfc(-eta / 2.0.squareRoot())
            let m = response.trials[0]
            XCTAssertEqual(weight, m * density * density / (mu * (1 - mu)), accuracy: 1e-12 * weight)
            XCTAssertEqual(residual, (response.counts[0] / m - mu) / density, accuracy: 1e-10 * max(1, abs(residual)))
            // The log-likelihood is the binomial's at μ = Φ(η).
            let y = response.counts[0]
            let expected = lgamma(m + 1) - lgamma(y + 1) - lgamma(m - y + 1) + y * log(mu) + (m - y) * log(1 - mu)
            XCTAssertEqual(response.logLikelihood(0, eta: eta), expected, accuracy: 1e-10)
        }
    }

    /// Links the engine does not fit are refused in one line.
    func testRefusesPoissonLogitLikeLinks() throws {
        let design = try PosteriorTestData.built("glmer_crossed", "count ~ x + (1 | site)")
        XCTAssertThrowsError(try GeneralizedLinearResponse(design: design, family: Family(name: "negbinomial(\"identity\")"))) {
            XCTAssertTrue("\($0)".contains("link"), "\($0)")
        }
    }

    func assertModes(_ fit: GeneralizedLinearMixedModelFit, _ name: String) throws {
        let reference = try GlmerExtendedReference.fit(name)
        let ranef = try XCTUnwrap(reference["ranef"] as? [String: [[String: Any]]])
        let levels = try XCTUnwrap(ranef["herd"])
        let modes = try XCTUnwrap(fit.conditionalModes.first)
        XCTAssertEqual(modes.count, levels.count)
        for (mine, level) in zip(modes, levels) {
            XCTAssertEqual(mine, try XCTUnwrap(level["mode"] as? Double), accuracy: 1e-3, "\(name) mode")
        }
    }
}
