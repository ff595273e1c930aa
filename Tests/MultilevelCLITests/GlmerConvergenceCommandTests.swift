import Foundation
import XCTest

/// Issue 22 point 2: a GLMM fit that did not converge says so on standard error and `lmer` exits
/// with status 1 unless `--allow-nonconvergence`. Non-convergence is forced through the command
/// line with glmer's evaluation budget (`--maxfun`, glmerControl's `optCtrl = list(maxfun =)`):
/// 5 evaluations cannot finish either optimiser stage on cbpp.
final class GlmerConvergenceCommandTests: XCTestCase {
    func arguments() throws -> [String] {
        let data = try XCTUnwrap(Bundle.module.url(forResource: "cbpp", withExtension: "csv", subdirectory: "Fixtures")).path
        return ["lmer", "--data", data, "--formula", "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial"]
    }

    func testExhaustedBudgetExitsNonZeroWithTheReason() throws {
        let base = try arguments()
        let warning = "Model failed to converge: the optimiser ran out of evaluations (maxfun = 5)"
        let refused = try CommandLineRunner.runChecked(base + ["--maxfun", "5"])
        XCTAssertFalse(refused.signaled, refused.err)
        XCTAssertEqual(refused.status, 1, refused.err)
        XCTAssertTrue(refused.err.contains(warning), refused.err)
        XCTAssertTrue(refused.err.contains("multilevel lmer: the fit did not converge"), refused.err)
        XCTAssertTrue(refused.out.contains("Generalized linear mixed model fit by maximum likelihood"), refused.out)

        let accepted = try CommandLineRunner.run(base + ["--maxfun", "5", "--allow-nonconvergence"])
        XCTAssertEqual(accepted.status, 0, accepted.err)
        XCTAssertTrue(accepted.err.contains(warning), accepted.err)
        XCTAssertFalse(accepted.err.contains("the fit did not converge"), accepted.err)

        // The default budget converges: exit 0 and no warning.
        let converged = try CommandLineRunner.run(base)
        XCTAssertEqual(converged.status, 0, converged.err)
        XCTAssertFalse(converged.err.contains("failed to converge"), converged.err)
        // A generous budget converges too (the cap itself is not the failure).
        let generous = try CommandLineRunner.run(base + ["--maxfun", "10000"])
        XCTAssertEqual(generous.status, 0, generous.err)
        XCTAssertFalse(generous.err.contains("failed to converge"), generous.err)
    }

    func testBudgetIsCheckedInOneLine() throws {
        let base = try arguments()
        for value in ["0", "x", "2.5"] {
            let result = try CommandLineRunner.run(base + ["--maxfun", value])
            XCTAssertNotEqual(result.status, 0, result.err)
            XCTAssertTrue(result.err.contains("--maxfun must be a whole number of evaluations ≥ 1, not '\(value)'"), result.err)
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        }
    }
}
