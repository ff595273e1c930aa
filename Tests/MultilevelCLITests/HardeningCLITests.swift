import Foundation
import XCTest

/// Edge cases that must succeed with a warning rather than fail: the CLI reports what it noticed.
final class HardeningCLITests: XCTestCase {
    private func run(csv: String, _ arguments: [String]) throws -> CommandLineRunner.Result {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "hardening")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(csv.utf8).write(to: directory.appendingPathComponent("data.csv"))
        return try CommandLineRunner.runChecked(arguments, in: directory)
    }

    /// Poisson with a predictor in the thousands: early proposals overflow exp(η); they are rejected,
    /// counted and reported, and the run completes.
    func testNonFiniteLogDensitiesAreReportedByFit() throws {
        var rows = ["y,x,g"]
        for i in 0..<40 { rows.append("\(i % 6),\(Double((i * 7919) % 3000) + 0.5),g\(i % 5)") }
        let result = try run(csv: rows.joined(separator: "\n") + "\n",
                             ["fit", "--data", "data.csv", "--formula", "y ~ x + (1 | g)", "--family", "poisson",
                              "--iter", "200", "--warmup", "100", "--chains", "1", "--seed", "2"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertFalse(result.signaled)
        XCTAssertNotNil(result.err.range(of: #"multilevel: [1-9][0-9]* proposals \(warm-up included\) reached a non-finite log density and were rejected"#,
                                         options: .regularExpression), result.err)
    }

    /// A bernoulli response separated by x: the fit runs and warns, naming x.
    func testSeparationIsWarnedByFit() throws {
        var rows = ["y,x,g"]
        for i in 0..<24 { rows.append("\(i >= 12 ? 1 : 0),\(i),g\(i % 4)") }
        let result = try run(csv: rows.joined(separator: "\n") + "\n",
                             ["fit", "--data", "data.csv", "--formula", "y ~ x + (1 | g)", "--family", "bernoulli",
                              "--prior", "b ~ normal(0, 5)", "--iter", "60", "--warmup", "30", "--chains", "1", "--seed", "4"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.err.contains("Warning: complete separation: 'x' separates the outcomes (0 at x ≤ 11, 1 at x ≥ 12)"), result.err)
    }
}
