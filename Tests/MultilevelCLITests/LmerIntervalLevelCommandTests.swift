import Foundation
import XCTest

/// `lmer --confint profile|wald --level L`: lme4's `confint(fit, level = L)` on sleepstudy
/// (REML fit, profiles on the ML refit) at 0.90 and 0.99 and on cbpp (binomial) at 0.90
/// (scripts/references/confint_level.R → confint_level.json, lme4 1.1-31). Profile limits within
/// 2e-3 relative (lme4 interpolates its profile with a spline; the tool finds each crossing),
/// Wald limits within 1e-5 relative. The text table is headed by the level's percent labels, and a
/// --level that no interval uses, or one outside (0, 1), is refused in one line.
final class LmerIntervalLevelCommandTests: XCTestCase {
    private func reference() throws -> [String: [String: [String: [Double]]]] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "confint_level", withExtension: "json", subdirectory: "Fixtures"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var out: [String: [String: [String: [Double]]]] = [:]
        for key in ["sleepstudy", "cbpp"] { out[key] = try XCTUnwrap(object[key] as? [String: [String: [Double]]]) }
        return out
    }

    private func run(_ arguments: [String], data: String) throws -> (status: Int32, out: String, err: String) {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "lmer-level")
        defer { try? FileManager.default.removeItem(at: work) }
        let csv = try XCTUnwrap(Bundle.module.url(forResource: data, withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: csv, to: work.appendingPathComponent("\(data).csv"))
        let result = try CommandLineRunner.run(["lmer", "--data", "\(data).csv"] + arguments, in: work)
        return (result.status, result.out, result.err)
    }

    private func check(_ arguments: [String], data: String, expected: [String: [Double]], level: Double,
                       tolerance: Double, label: String) throws {
        let result = try run(arguments + ["--level", String(level), "--json"], data: data)
        XCTAssertEqual(result.status, 0, result.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["level"] as? Double, level, label)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]])
        for (name, limits) in expected {
            let parameter = try XCTUnwrap(parameters[name], "\(label) \(name)")
            let lower = try XCTUnwrap(parameter["lower"] as? Double, "\(label) \(name)")
            let upper = try XCTUnwrap(parameter["upper"] as? Double, "\(label) \(name)")
            XCTAssertEqual(lower, limits[0], accuracy: tolerance * abs(limits[0]), "\(label) \(name) lower")
            XCTAssertEqual(upper, limits[1], accuracy: tolerance * abs(limits[1]), "\(label) \(name) upper")
        }
    }

    func testLinearMixedModelIntervalsAtOtherLevels() throws {
        let sleepstudy = try XCTUnwrap(try reference()["sleepstudy"])
        let model = ["--formula", "Reaction ~ Days + (Days | Subject)"]
        try check(model + ["--confint", "profile"], data: "sleepstudy", expected: try XCTUnwrap(sleepstudy["profile_90"]),
                  level: 0.9, tolerance: 2e-3, label: "profile 90%")
        try check(model + ["--confint", "profile"], data: "sleepstudy", expected: try XCTUnwrap(sleepstudy["profile_99"]),
                  level: 0.99, tolerance: 2e-3, label: "profile 99%")
        try check(model + ["--confint", "wald"], data: "sleepstudy", expected: try XCTUnwrap(sleepstudy["wald_90"]),
                  level: 0.9, tolerance: 1e-5, label: "Wald 90%")
        let text = try run(model + ["--confint", "wald", "--level", "0.9"], data: "sleepstudy")
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("5 %") && text.out.contains("95 %"), text.out)
        XCTAssertFalse(text.out.contains("97.5 %"), text.out)
    }

    func testGeneralizedModelIntervalsAtOtherLevels() throws {
        let cbpp = try XCTUnwrap(try reference()["cbpp"])
        let model = ["--formula", "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial"]
        try check(model + ["--confint", "profile"], data: "cbpp", expected: try XCTUnwrap(cbpp["profile_90"]),
                  level: 0.9, tolerance: 2e-3, label: "glmer profile 90%")
        try check(model + ["--confint", "wald"], data: "cbpp", expected: try XCTUnwrap(cbpp["wald_90"]),
                  level: 0.9, tolerance: 1e-5, label: "glmer Wald 90%")
    }

    func testLevelWithoutIntervalsIsRefused() throws {
        let model = ["--formula", "Reaction ~ Days + (Days | Subject)"]
        for (extra, message) in [
            (["--level", "0.9"], "multilevel lmer: --level sets the level of the --confint (or --exponentiate) intervals; give --confint wald or profile\n"),
            (["--confint", "wald", "--level", "1"], "multilevel lmer: --level must be in (0, 1), not 1.0\n"),
        ] {
            let result = try run(model + extra, data: "sleepstudy")
            XCTAssertEqual(result.status, 2, result.err)
            XCTAssertEqual(result.err, message)
        }
    }
}
