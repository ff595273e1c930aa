import Foundation
import XCTest

/// Issue 19, point 4, for the zero-inflated counts' frequentist (glmmTMB-style Laplace) fit:
/// `bootstrap` bootstraps it parametrically (the numbers in MultilevelModelsTests'
/// ZeroInflatedBootstrapTests; here the command: its parameters are `lmer`'s estimates, intervals
/// around them, reproducible by seed, the other schemes refused in one line), and `compare` shows
/// it in the frequentist column (glmmTMB 1.1.5 on Salamanders: logLik −896.677141, zi 0.289907).
final class ZeroInflatedCommandTests: XCTestCase {
    func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(result.status, 0, result.err)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any], result.out)
    }

    func testBootstrapOfZeroInflatedPoisson() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "zibootstrap")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("zip.csv")
        try FamilyCommandsTests.csv("zero_inflated_poisson").write(to: data, atomically: true, encoding: .utf8)
        let model = ["--data", data.path, "--formula", "y ~ x + (1 | g)", "--family", "zero_inflated_poisson"]
        let fit = try XCTUnwrap(try json(["lmer"] + model)["parameters"] as? [String: [String: Any]])
        let arguments = ["bootstrap"] + model + ["--replicates", "20", "--seed", "3"]
        let first = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(first.status, 0, first.err)
        let again = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(again.out, first.out, "the same seed gives the same replicates")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.out.utf8)) as? [String: Any], first.out)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["b_Intercept", "b_x", "sd_g__Intercept", "zi"])
        for (name, entry) in parameters {
            let estimate = try XCTUnwrap(entry["estimate"] as? Double, name)
            XCTAssertEqual(estimate, try XCTUnwrap(fit[name]?["estimate"] as? Double, name), accuracy: 1e-9, name)
            let percentile = try XCTUnwrap(entry["percentile"] as? [String: Double], name)
            XCTAssertLessThan(try XCTUnwrap(percentile["lower"]), estimate, name)
            XCTAssertGreaterThan(try XCTUnwrap(percentile["upper"]), estimate, name)
        }
        let text = try CommandLineRunner.run(arguments)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("zi"), text.out)
        XCTAssertTrue(text.out.hasPrefix("Parametric bootstrap (new random effects and responses from the fit) of the ML fit"), text.out)
        for refused in [["--type", "group"], ["--bands"]] {
            let result = try CommandLineRunner.run(arguments + refused)
            XCTAssertNotEqual(result.status, 0)
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        }
    }

    func testCompareShowsTheZeroInflatedLaplaceFit() throws {
        let data = try XCTUnwrap(Bundle.module.url(forResource: "Salamanders", withExtension: "csv", subdirectory: "Fixtures")).path
        let arguments = ["compare", "--data", data, "--formula", "count ~ mined + spp + (1 | site)", "--family", "zero_inflated_poisson",
                         "--chains", "2", "--iter", "300", "--seed", "7"]
        let object = try json(arguments)
        let models = try XCTUnwrap(object["models"] as? [String: Any])
        let fits = try XCTUnwrap(models["fits"] as? [[String: Any]])
        XCTAssertEqual(fits.count, 1)
        XCTAssertEqual(fits.first?["model"] as? String, "glmmTMB (Laplace)")
        XCTAssertEqual(try XCTUnwrap(fits.first?["logLik"] as? Double), -896.677141, accuracy: 1e-4)
        XCTAssertEqual(fits.first?["parameters"] as? Int, 10)
        let lmer = try XCTUnwrap(try json(["lmer", "--data", data, "--formula", "count ~ mined + spp + (1 | site)",
                                           "--family", "zero_inflated_poisson"])["parameters"] as? [String: [String: Any]])
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]])
        for (name, entry) in parameters {
            XCTAssertNil(entry["glmer"], "the Laplace column is glmmTMB's here")
            let wald = try XCTUnwrap(entry["glmmTMB"] as? [String: Double], name)
            let estimate = try XCTUnwrap(wald["estimate"], name)
            XCTAssertEqual(estimate, try XCTUnwrap(lmer[name]?["estimate"] as? Double, name), accuracy: 1e-9, name)
            XCTAssertLessThan(try XCTUnwrap(wald["lower"]), estimate)
            XCTAssertGreaterThan(try XCTUnwrap(wald["upper"]), estimate)
        }
        let text = try CommandLineRunner.run(arguments)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("glmmTMB [Wald]"), text.out)
        XCTAssertTrue(text.out.contains("glmmTMB (Laplace)"), text.out)
        XCTAssertFalse(text.out.contains("not fitted"), text.out)
    }
}
