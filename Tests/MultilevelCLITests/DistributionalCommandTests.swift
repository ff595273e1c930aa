import Foundation
import XCTest

/// brms' distributional regression `bf(y ~ …, sigma ~ …)` end to end: `fit` prints brms' summary
/// with the dpar's rows and its log link, `--show-priors` the dpar rows of prior_summary,
/// `lmer`/`bootstrap`/`compare` refuse it in one line, a dpar the family lacks is one line naming
/// its column, exit 1.
final class DistributionalCommandTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    private let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))"

    func testFitPrintsDparRows() throws {
        let result = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula", formula,
                                                "--iter", "600", "--warmup", "300", "--chains", "2", "--seed", "7"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("  Links: mu = identity; sigma = log \n"), result.out)
        XCTAssertTrue(result.out.contains("Formula: Reaction ~ Days + (Days | Subject) \n         sigma ~ Days + (1 | Subject) \n"), result.out)
        for label in ["sd(sigma_Intercept)", "sigma_Intercept", "sigma_Days", "cor(Intercept,Days)"] {
            XCTAssertTrue(result.out.contains(label), "\(label) in\n\(result.out)")
        }
        XCTAssertFalse(result.out.contains("Family Specific Parameters"), result.out)
    }

    func testShowPriorsHasDparRows() throws {
        let result = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula", formula, "--show-priors"])
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        XCTAssertTrue(lines.contains("student_t(3, 0, 2.5) Intercept sigma default"), result.out)
        XCTAssertTrue(lines.contains("student_t(3, 0, 59.3) sd Intercept Subject sigma 0 (vectorized)"), result.out)
        XCTAssertTrue(lines.contains("student_t(3, 288.7, 59.3) Intercept default"), result.out)
        XCTAssertFalse(result.out.contains(" sigma 0 default\n") && result.out.contains("student_t(3, 0, 59.3) sigma"), result.out)
    }

    func testFrequentistCommandsRefuseInOneLine() throws {
        for command in ["lmer", "bootstrap", "compare"] {
            let result = try CommandLineRunner.run([command, "--data", fixture("sleepstudy").path, "--formula", formula])
            XCTAssertNotEqual(result.status, 0, command)
            XCTAssertEqual(result.out, "", command)
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
            XCTAssertTrue(result.err.contains("bf() with sigma ~ … (brms' distributional regression)"), result.err)
        }
    }

    func testDparNotInFamilyNamesItsColumn() throws {
        let result = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path,
                                                "--formula", "bf(Reaction ~ Days, phi ~ Days)"])
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertEqual(result.out, "")
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        XCTAssertTrue(result.err.contains("formula error at column 21: family gaussian has no parameter 'phi' to predict (it has: sigma)"),
                      result.err)
    }
}
