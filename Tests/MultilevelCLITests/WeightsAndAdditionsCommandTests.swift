import Foundation
import XCTest

/// Issue 20 end to end: `lmer --weights` for a Poisson GLMM as lme4's `glmer(…, weights = wi)`
/// (lme4_weights.json: coefficients to 1e-4 relative, logLik to 1e-6), the weighted lmer's Nakagawa
/// R² as performance::r2_nakagawa (glmer_prior_weights.json, 1e-6), and `loo`/`kfold` of a model
/// with `cens()` and `weights()` (which they refused before); the parametric bootstrap of a
/// weighted lmer (estimates lme4's weighted REML fit's, to 1e-5; bootstrap SE of b_x near lme4's
/// Wald SE, within 20%: 4.5 Monte-Carlo SEs of an SD from 400 replicates are 16%).
final class WeightsAndAdditionsCommandTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testPoissonPriorWeightsAsGlmer() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("weights").path, "--formula", "count ~ x + (1 | g)",
                                                "--family", "poisson", "--weights", "wi", "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        let object = try json(result.out)
        // lme4 1.1-31: glmer(count ~ x + (1 | g), data = weights, weights = wi, family = poisson).
        XCTAssertEqual(try XCTUnwrap(object["logLik"] as? Double), -380.965802473101, accuracy: 1e-6, result.out)
        let text = result.out
        for (name, value) in [("b_Intercept", 0.305765015756501), ("b_x", 0.33049579765349)] {
            let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]], text)
            let estimate = try XCTUnwrap(parameters[name]?["estimate"] as? Double, "\(name) in \(text)")
            XCTAssertEqual(estimate, value, accuracy: 1e-4 * abs(value), name)
        }
    }

    func testWeightedLmerNakagawaR2() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("weights").path, "--formula", "y ~ x + (1 | g)",
                                                "--weights", "w", "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        let r2 = try XCTUnwrap(try json(result.out)["r2_nakagawa"] as? [String: Any], result.out)
        // performance 0.10.2: r2_nakagawa(lmer(y ~ x + (1 | g), data = weights, weights = w)).
        XCTAssertEqual(try XCTUnwrap(r2["marginal"] as? Double), 0.1071861, accuracy: 1e-6, result.out)
        XCTAssertEqual(try XCTUnwrap(r2["conditional"] as? Double), 0.4882291, accuracy: 1e-6, result.out)
    }

    func testBinomialWeightsNeedAProportion() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("weights").path, "--formula", "y ~ x + (1 | g)",
                                                "--family", "binomial", "--weights", "wi"])
        XCTAssertEqual(result.status, 1)
        let lines = result.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.err)
        XCTAssertTrue(result.err.contains("weights.csv:2: 'y' = 3.231 is not a proportion in [0, 1]"), result.err)
    }

    func testLooAndKFoldOfCensoredAndWeightedModels() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo-additions")
        defer { try? FileManager.default.removeItem(at: work) }
        let options = ["--iter", "500", "--warmup", "250", "--seed", "9", "--chains", "2"]
        for (data, formula) in [("censored_gaussian", "y | cens(cens, y2) ~ x + (1 | g)"), ("weights", "y | weights(w) ~ x + (1 | g)")] {
            let model = ["--data", try fixture(data).path, "--formula", formula] + options
            let loo = try CommandLineRunner.run(["loo"] + model + ["--reloo", "0"], in: work)
            XCTAssertEqual(loo.status, 0, "\(formula): \(loo.err)")
            XCTAssertTrue(loo.out.contains("elpd_loo"), loo.out)
            let kfold = try CommandLineRunner.run(["kfold"] + model + ["--k", "4", "--group", "g"], in: work)
            XCTAssertEqual(kfold.status, 0, "\(formula): \(kfold.err)")
            XCTAssertTrue(kfold.out.contains("elpd_kfold"), kfold.out)
        }
    }

    func testParametricBootstrapOfAWeightedLmer() throws {
        let result = try CommandLineRunner.run(["bootstrap", "--data", fixture("weights").path, "--formula", "y ~ x + (1 | g)",
                                                "--weights", "w", "--replicates", "400", "--seed", "11", "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        let parameters = try XCTUnwrap(try json(result.out)["parameters"] as? [String: [String: Any]], result.out)
        // lme4 1.1-31: lmer(y ~ x + (1 | g), data = weights, weights = w) (lme4_weights.json, REML).
        for (name, value) in [("b_Intercept", 2.46091146856884), ("b_x", 0.48689381062883), ("sigma", 1.20070781108249)] {
            let estimate = try XCTUnwrap(parameters[name]?["estimate"] as? Double, "\(name) in \(result.out)")
            XCTAssertEqual(estimate, value, accuracy: 1e-5 * abs(value), name)
        }
        let se = try XCTUnwrap(parameters["b_x"]?["se"] as? Double)
        XCTAssertEqual(se, 0.0905143885883526, accuracy: 0.2 * 0.0905143885883526, "bootstrap SE of b_x")
        let bands = try CommandLineRunner.run(["bootstrap", "--data", fixture("weights").path, "--formula", "y ~ x + (1 | g)",
                                               "--weights", "w", "--replicates", "10", "--bands"])
        XCTAssertEqual(bands.status, 2, bands.err)
        XCTAssertTrue(bands.err.contains("--bands is not available with prior weights"), bands.err)
    }
}
