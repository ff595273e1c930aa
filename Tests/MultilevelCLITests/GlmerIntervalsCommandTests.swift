import Foundation
import XCTest

/// `lmer --family binomial --confint wald --exponentiate --json` and `--drop1 --json` on cbpp:
/// the intervals, odds ratios and Nakagawa R² reach the JSON (values against lme4 1.1-31's
/// glmer_ci_cbpp.json: exp(β̂) and its Wald limits within 5e-5 relative; drop1's LRT 25.610).
final class GlmerIntervalsCommandTests: XCTestCase {
    func testOddsRatiosAndDropOneInJSON() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "glmer-ci")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "cbpp", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: work.appendingPathComponent("cbpp.csv"))
        let base = ["lmer", "--data", "cbpp.csv", "--formula", "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial"]
        let run = try CommandLineRunner.run(base + ["--confint", "wald", "--exponentiate", "--json"], in: work)
        XCTAssertEqual(run.status, 0, run.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["intervals"] as? String, "wald")
        let ratios = try XCTUnwrap((object["ratios"] as? [String: Any])?["parameters"] as? [String: [String: Double]])
        // lme4: exp(fixef) and exp(confint(method = "Wald")) for period2.
        let period2 = try XCTUnwrap(ratios["b_period2"])
        XCTAssertEqual(period2["estimate"]!, 0.37086210279994, accuracy: 5e-5 * 0.37086)
        XCTAssertEqual(period2["lower"]!, 0.204724656157044, accuracy: 5e-5 * 0.2047)
        XCTAssertEqual(period2["upper"]!, 0.671822836950757, accuracy: 5e-5 * 0.6718)
        let r2 = try XCTUnwrap(object["r2_nakagawa"] as? [String: Double])
        XCTAssertEqual(r2["marginal"]!, 0.0853631690014321, accuracy: 1e-5)
        XCTAssertEqual(r2["conditional"]!, 0.187213541129503, accuracy: 1e-5)

        let drop = try CommandLineRunner.run(base + ["--drop1", "--json"], in: work)
        XCTAssertEqual(drop.status, 0, drop.err)
        let table = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(drop.out.utf8)) as? [String: Any])?["table"] as? [[String: Any]])
        XCTAssertEqual(table.first?["term"] as? String, "period")
        XCTAssertEqual(table.first?["LRT"] as? Double ?? .nan, 25.6099375959153, accuracy: 2e-3)
    }
}
