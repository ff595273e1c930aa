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

    /// A response near 1e150 (squares still finite): lmer fits it exactly (scale-equivariant), but
    /// NUTS started on the unit scale cannot reach it — every proposal overflows and the chain
    /// never moves. fit says so and suggests rescaling instead of presenting the initial values
    /// as estimates with only an R-hat warning.
    func testFitOnAHugeResponseWarnsThatTheSamplerIsStuck() throws {
        var rows = ["y,x,g"]
        for i in 0..<24 { rows.append("\((10 + Double(i % 5) + 2 * sin(Double(i))) * 1e150),\(i % 5),g\(i % 4)") }
        let result = try run(csv: rows.joined(separator: "\n") + "\n",
                             ["fit", "--data", "data.csv", "--formula", "y ~ x + (1 | g)",
                              "--iter", "40", "--warmup", "20", "--chains", "1", "--seed", "3"])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.err.contains("never moved from their initial values in any chain"), result.err)
        XCTAssertTrue(result.err.contains("rescale it towards unit scale (for example divide by 1e+151)"), result.err)
    }

    /// One observation per group: lmer refuses with lme4's message, fit samples the (proper)
    /// posterior and prints finite numbers only.
    func testOneObservationPerGroup() throws {
        var rows = ["y,x,g"]
        for i in 0..<20 { rows.append("\(2 + 0.3 * Double(i) + sin(Double(i))),\(i % 5),g\(i)") }
        let csv = rows.joined(separator: "\n") + "\n"
        let lmer = try run(csv: csv, ["lmer", "--data", "data.csv", "--formula", "y ~ x + (1 | g)"])
        XCTAssertEqual(lmer.status, 1)
        XCTAssertTrue(lmer.err.contains("number of levels of each grouping factor must be < number of observations (problems: g)"), lmer.err)
        let fit = try run(csv: csv, ["fit", "--data", "data.csv", "--formula", "y ~ x + (1 | g)", "--json",
                                     "--iter", "200", "--warmup", "100", "--chains", "2", "--seed", "5"])
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertFalse(fit.out.contains("null") || fit.out.lowercased().contains("nan"), fit.out)
        XCTAssertTrue(fit.out.contains("sd_g__Intercept"), fit.out)
    }
}
