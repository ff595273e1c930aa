import Foundation
import XCTest

/// `multilevel lmer` with issue 19's frequentist families: negbinomial (glmer.nb), the zero-inflated
/// counts (glmmTMB, ziformula = ~1), --nagq, an observation-level random effect, and the one-line
/// refusal of families without a frequentist fit. The numbers are checked against R in
/// MultilevelModelsTests; here the command's output and errors.
final class GlmerFamiliesCommandTests: XCTestCase {
    func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures")).path
    }

    /// The text output of a run that must succeed.
    func text(_ arguments: [String]) throws -> String {
        let result = try CommandLineRunner.run(arguments)
        XCTAssertEqual(result.status, 0, result.err)
        return result.out
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(result.status, 0, result.err)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], result.out)
    }

    func testNegativeBinomialPrintsGlmerNbFamilyAndShape() throws {
        let arguments = ["lmer", "--data", try fixture("grouseticks"), "--formula", "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION)",
                         "--family", "negbinomial"]
        let out = try text(arguments)
        XCTAssertTrue(out.contains(" Family: Negative Binomial(2.052"), out)
        XCTAssertTrue(out.contains("Number of obs: 403, groups:  LOCATION, 63"), out)
        let parameters = try XCTUnwrap(json(arguments)["parameters"] as? [String: [String: Double]])
        // glmer.nb: shape 2.0522, cHEIGHT −0.8552.
        XCTAssertEqual(try XCTUnwrap(parameters["shape"]?["estimate"]), 2.0522, accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(parameters["b_cHEIGHT"]?["estimate"]), -0.8552, accuracy: 1e-3)
    }

    func testZeroInflatedPoissonReportsZi() throws {
        let arguments = ["lmer", "--data", try fixture("Salamanders"), "--formula", "count ~ mined + spp + (1 | site)",
                         "--family", "zero_inflated_poisson"]
        let out = try text(arguments)
        XCTAssertTrue(out.contains("Zero-inflation model (logit scale; zi = 0.2899)"), out)
        let object = try json(arguments)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Double]])
        // glmmTMB: zi 0.289907, logLik −896.677.
        XCTAssertEqual(try XCTUnwrap(parameters["zi"]?["estimate"]), 0.289907, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(object["logLik"] as? Double), -896.677141, accuracy: 1e-4)
    }

    func testQuadraturePointsOption() throws {
        let base = ["lmer", "--data", try fixture("cbpp"), "--formula", "incidence | trials(size) ~ period + (1 | herd)",
                    "--family", "binomial"]
        let object = try json(base + ["--nagq", "9"])
        XCTAssertEqual(object["method"] as? String, "AGQ, nAGQ = 9")
        // glmer(nAGQ = 9): logLik −50.00 (lme4's deviance-residual definition).
        XCTAssertEqual(try XCTUnwrap(object["logLik"] as? Double), -50.0, accuracy: 0.05)
        let text = try CommandLineRunner.run(base + ["--nagq", "9"])
        XCTAssertTrue(text.out.hasPrefix("Generalized linear mixed model fit by maximum likelihood (Adaptive\n  Gauss-Hermite Quadrature, nAGQ = 9) [glmerMod]"), text.out)
        for (option, message) in [("0", "--nagq must be a whole number of quadrature points from 1 (Laplace) to 100, not '0'"),
                                  ("x", "--nagq must be a whole number")] {
            let refused = try CommandLineRunner.run(base + ["--nagq", option])
            XCTAssertNotEqual(refused.status, 0)
            XCTAssertTrue(refused.err.contains(message), refused.err)
            XCTAssertEqual(refused.err.split(separator: "\n").count, 1, refused.err)
        }
    }

    func testQuadratureRefusesTwoTerms() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", try fixture("grouseticks"), "--formula",
                                                "TICKS ~ YEAR + (1 | LOCATION) + (1 | BROOD)", "--family", "poisson", "--nagq", "5"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.err.contains("single, scalar random-effects term"), result.err)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
    }

    func testObservationLevelRandomEffectIsAccepted() throws {
        let object = try json(["lmer", "--data", try fixture("grouseticks"), "--formula",
                               "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX)", "--family", "poisson"])
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Double]])
        // glmer: sd(INDEX) 0.7138.
        XCTAssertEqual(try XCTUnwrap(parameters["sd_INDEX__Intercept"]?["estimate"]), 0.7138, accuracy: 1e-3)
    }

    func testFamiliesWithoutAFrequentistFitAreRefusedInOneLine() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", try fixture("grouseticks"), "--formula",
                                                "TICKS ~ YEAR + (1 | LOCATION)", "--family", "hurdle_poisson"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.err.contains("lmer fits families gaussian, bernoulli and binomial (links logit, probit, cloglog, cauchit), poisson (links log, identity, sqrt), negbinomial (as glmer.nb), zero_inflated_poisson and zero_inflated_negbinomial"), result.err)
        XCTAssertTrue(result.err.contains("family 'hurdle_poisson' has no frequentist fit here"), result.err)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
    }

    /// A probit fit prints glmer's family line; exp of a probit coefficient is no ratio, so
    /// --exponentiate is refused in one line with a non-zero exit.
    func testProbitLinkFitsAndRefusesExponentiate() throws {
        let arguments = ["lmer", "--data", try fixture("cbpp"), "--formula", "incidence | trials(size) ~ period + (1 | herd)",
                         "--family", "binomial(\"probit\")"]
        let fit = try CommandLineRunner.run(arguments)
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertTrue(fit.out.contains(" Family: binomial  ( probit )"), fit.out)
        let refused = try CommandLineRunner.run(arguments + ["--exponentiate"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(refused.err, "multilevel lmer: --exponentiate gives odds ratios (logit link) or rate ratios (log link); exp of a probit-link coefficient is neither\n")
    }
}
