import Foundation
import XCTest

/// brms' `mo(x)` end to end: `describe` lists the term, `lmer` and `compare` refuse it in one line,
/// `fit` reports `bsp_moedu` and the simplex `simo_moedu1[1..3]` (summing to one), and `predict`
/// from the fit directory adds bsp · D · Σ ζ by category: at the population level the mean
/// linear predictor at the highest category exceeds the lowest by exactly D · mean(bsp), and at
/// the lowest it is mean(b_Intercept) (x = 0), the same draws on both sides.
final class MonotonicCommandTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    private let formula = "y ~ mo(edu) + x + (1 | g)"

    func testDescribeListsTheTerm() throws {
        let result = try CommandLineRunner.run(["describe", "--data", fixture("monotonic").path, "--formula", formula])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("mo(edu): 4 categories (edu = 0…3); parameters bsp_moedu, simo_moedu1[1..3]"), result.out)
    }

    /// `mo(edu):x` end to end: `describe` names its parameters, `fit` reports them, `predict` adds
    /// bsp_moedu:x · D · Σ ζ · x (at edu = 3 the population-level linear predictor at x = 1 exceeds
    /// x = 0 by exactly 3 · mean(bsp_moedu:x)), and `--show-priors` lists the simplexes as brms.
    func testInteraction() throws {
        let formula = "y ~ mo(edu) + mo(edu):x + (1 | g)"
        let describe = try CommandLineRunner.run(["describe", "--data", fixture("monotonic").path, "--formula", formula])
        XCTAssertEqual(describe.status, 0, describe.err)
        XCTAssertTrue(describe.out.contains("mo(edu):x: 4 categories (edu = 0…3) times x; parameters bsp_moedu:x, simo_moedu:x1[1..3]"),
                      describe.out)
        let work = try CommandLineRunner.temporaryDirectory(prefix: "mo-interaction")
        defer { try? FileManager.default.removeItem(at: work) }
        let fit = try CommandLineRunner.run(["fit", "--data", fixture("monotonic").path, "--formula", formula,
                                             "--iter", "600", "--warmup", "300", "--chains", "2", "--seed", "7",
                                             "--output", "fitdir", "--json"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let parameters = try XCTUnwrap(try json(fit.out)["parameters"] as? [String: [String: Any]], fit.out)
        let bsp = try XCTUnwrap(parameters["bsp_moedu:x"]?["mean"] as? Double, fit.out)
        let simplex = try (1...3).map { try XCTUnwrap(parameters["simo_moedu:x1[\($0)]"]?["mean"] as? Double, fit.out) }
        XCTAssertEqual(simplex.reduce(0, +), 1, accuracy: 1e-9)
        try "edu,x,g\n3,0,m01\n3,1,m01\n".write(to: work.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
        let predict = try CommandLineRunner.run(["predict", "fitdir", "--newdata", "new.csv", "--type", "linpred",
                                                 "--re-formula", "NA", "--json"], in: work)
        XCTAssertEqual(predict.status, 0, predict.err)
        let rows = try XCTUnwrap(try json(predict.out)["rows"] as? [[String: Any]], predict.out)
        let estimates = try rows.map { try XCTUnwrap($0["Estimate"] as? Double, predict.out) }
        XCTAssertEqual(estimates[1] - estimates[0], 3 * bsp, accuracy: 1e-9 * max(1, abs(bsp)))

        let priors = try CommandLineRunner.run(["fit", "--data", fixture("monotonic").path, "--formula", formula,
                                                "--prior", "simo:moedu1 ~ dirichlet(1, 2, 3)", "--show-priors"])
        XCTAssertEqual(priors.status, 0, priors.err)
        XCTAssertTrue(priors.out.contains("dirichlet(c(1, 2, 3))      simo    moedu1"), priors.out)
        XCTAssertTrue(priors.out.contains("dirichlet(1)      simo  moedu:x1"), priors.out)
        let short = try CommandLineRunner.run(["fit", "--data", fixture("monotonic").path, "--formula", formula,
                                               "--prior", "simo:moedu1 ~ dirichlet(1, 2)"])
        XCTAssertNotEqual(short.status, 0)
        XCTAssertEqual(short.err.split(separator: "\n").count, 1, short.err)
        XCTAssertTrue(short.err.contains("simo_moedu1 has 3 elements"), short.err)
    }

    func testFrequentistCommandsRefuseInOneLine() throws {
        for (command, text) in [("lmer", "mo(edu) is a brms term with no lme4 form"),
                                ("compare", "mo(edu) (a brms monotonic effect) is fitted by 'multilevel fit'")] {
            let result = try CommandLineRunner.run([command, "--data", fixture("monotonic").path, "--formula", formula])
            XCTAssertNotEqual(result.status, 0, command)
            XCTAssertEqual(result.out, "", command)
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
            XCTAssertTrue(result.err.contains(text), result.err)
        }
    }

    func testNonOrdinalColumnNamesTheRow() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "mo-bad")
        defer { try? FileManager.default.removeItem(at: work) }
        try "y,edu,g\n1.2,0,a\n0.4,1.5,a\n2.2,2,b\n1.1,1,b\n".write(to: work.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let result = try CommandLineRunner.run(["fit", "--data", "bad.csv", "--formula", "y ~ mo(edu) + (1 | g)"], in: work)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
        XCTAssertTrue(result.err.contains("bad.csv:3: mo(edu): 'edu' is 1.5"), result.err)
    }

    func testFitAndPredict() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "mo-fit")
        defer { try? FileManager.default.removeItem(at: work) }
        let fit = try CommandLineRunner.run(["fit", "--data", fixture("monotonic").path, "--formula", formula,
                                             "--iter", "600", "--warmup", "300", "--chains", "2", "--seed", "5",
                                             "--output", "fitdir", "--json"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let parameters = try XCTUnwrap(try json(fit.out)["parameters"] as? [String: [String: Any]], fit.out)
        func mean(_ name: String) throws -> Double {
            try XCTUnwrap(parameters[name]?["mean"] as? Double, "\(name) in \(fit.out)")
        }
        let simplex = try (1...3).map { try mean("simo_moedu1[\($0)]") }
        XCTAssertEqual(simplex.reduce(0, +), 1, accuracy: 1e-9)
        let bsp = try mean("bsp_moedu"), intercept = try mean("b_Intercept")

        try "edu,x,g\n0,0,m01\n3,0,m01\n".write(to: work.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
        let predict = try CommandLineRunner.run(["predict", "fitdir", "--newdata", "new.csv", "--type", "linpred",
                                                 "--re-formula", "NA", "--json"], in: work)
        XCTAssertEqual(predict.status, 0, predict.err)
        let rows = try XCTUnwrap(try json(predict.out)["rows"] as? [[String: Any]], predict.out)
        let estimates = try rows.map { try XCTUnwrap($0["Estimate"] as? Double, predict.out) }
        XCTAssertEqual(estimates[0], intercept, accuracy: 1e-9 * max(1, abs(intercept)))
        XCTAssertEqual(estimates[1] - estimates[0], 3 * bsp, accuracy: 1e-9 * max(1, abs(bsp)))

        try "edu,x,g\n4,0,m01\n".write(to: work.appendingPathComponent("outside.csv"), atomically: true, encoding: .utf8)
        let outside = try CommandLineRunner.run(["predict", "fitdir", "--newdata", "outside.csv"], in: work)
        XCTAssertNotEqual(outside.status, 0)
        XCTAssertTrue(outside.err.contains("outside.csv:2: mo(edu): 'edu' is 4; the fitted categories are the whole numbers 0 to 3"),
                      outside.err)
    }
}
