import Foundation
import XCTest

/// The post-fit questions of a brms distributional fit from the command line: `fit --hypothesis`
/// and `--bayes-r2` on a bf() model, `effects --dpar sigma` on its fit directory, and the one-line
/// refusals. The numbers themselves are checked against brms in `DistributionalEffectsParityTests`.
final class DistributionalPostFitCommandTests: XCTestCase {
    private let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)"

    private func sleepstudy() throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures")).path
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testHypothesisBayesR2AndDparEffects() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bf-postfit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fit = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula", formula, "--iter", "600", "--warmup", "300",
                                             "--chains", "2", "--seed", "5", "--output", directory.path, "--json",
                                             "--hypothesis", "sigma_Days > 0", "--hypothesis", "Days = 10", "--bayes-r2"])
        XCTAssertEqual(fit.status, 0, fit.err)
        let object = try json(fit.out)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Double]])
        let hypotheses = try XCTUnwrap(object["hypotheses"] as? [[String: Any]], fit.out)
        XCTAssertEqual(hypotheses.count, 2)
        // The estimate is the mean of the draws of b_sigma_Days − 0 and of b_Days − 10.
        XCTAssertEqual(try XCTUnwrap(hypotheses[0]["Estimate"] as? Double), parameters["b_sigma_Days"]!["mean"]!, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(hypotheses[1]["Estimate"] as? Double), parameters["b_Days"]!["mean"]! - 10, accuracy: 1e-9)
        let r2 = try XCTUnwrap(object["bayes_R2"] as? [String: Any], fit.out)
        let estimate = try XCTUnwrap(r2["Estimate"] as? Double)
        XCTAssertGreaterThan(estimate, 0.6)
        XCTAssertLessThan(estimate, 0.9)

        let text = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula", formula, "--iter", "400", "--warmup", "200",
                                              "--chains", "2", "--seed", "5", "--hypothesis", "sigma_Days > 0", "--bayes-r2"])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("(sigma_Days)-(0) > 0"), text.out)
        XCTAssertTrue(text.out.contains("R2"), text.out)

        // effects --dpar sigma: brms' conditional_effects(dpar = "sigma"), 100 points of σ > 0.
        let effects = try CommandLineRunner.run(["effects", directory.path, "--effect", "Days", "--dpar", "sigma", "--json"])
        XCTAssertEqual(effects.status, 0, effects.err)
        let rows = try XCTUnwrap(try json(effects.out)["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 100)
        for row in rows {
            let lower = try XCTUnwrap(row["lower__"] as? Double), middle = try XCTUnwrap(row["estimate__"] as? Double)
            let upper = try XCTUnwrap(row["upper__"] as? Double)
            XCTAssertTrue(0 < lower && lower < middle && middle < upper && upper < 200, "\(row)")
        }
        let mean = try CommandLineRunner.run(["effects", directory.path, "--effect", "Days"])
        XCTAssertEqual(mean.status, 0, mean.err)
        XCTAssertEqual(mean.out.split(separator: "\n").count, 101)
        let plots = directory.appendingPathComponent("plots")
        let drawn = try CommandLineRunner.run(["effects", directory.path, "--effect", "Days", "--dpar", "sigma", "--plots", plots.path])
        XCTAssertEqual(drawn.status, 0, drawn.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: plots.appendingPathComponent("effects.svg").path))

        let unknown = try CommandLineRunner.run(["effects", directory.path, "--effect", "Days", "--dpar", "tau"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertEqual(unknown.err.split(separator: "\n").count, 1, unknown.err)
        XCTAssertTrue(unknown.err.contains("'tau' is not a distributional parameter"), unknown.err)
    }
}
