import Foundation
import XCTest

/// `multilevel bootstrap` of glmer fits (bootMer's parametric bootstrap; the numbers are checked
/// against lme4 in MultilevelModelsTests' GeneralizedBootstrapTests): the command's output, its
/// reproducibility, replicates.csv, and one-line refusals of what it does not do.
final class GlmerBootstrapCommandTests: XCTestCase {
    func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures")).path
    }

    var cbpp: [String] {
        get throws { ["--data", try fixture("cbpp"), "--formula", "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial"] }
    }

    func testBinomialBootstrapMatchesTheFitAndIsReproducible() throws {
        let model = try cbpp
        let lmer = try CommandLineRunner.run(["lmer"] + model + ["--json"])
        XCTAssertEqual(lmer.status, 0, lmer.err)
        let fit = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(lmer.out.utf8)) as? [String: Any])?["parameters"]
            as? [String: [String: Any]])
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "glmerbootstrap")
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["bootstrap"] + model + ["--replicates", "30", "--seed", "3"]
        let first = try CommandLineRunner.run(arguments + ["--json", "--output", directory.path])
        XCTAssertEqual(first.status, 0, first.err)
        let again = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(again.out, first.out, "the same seed gives the same replicates")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.out.utf8)) as? [String: Any], first.out)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["b_Intercept", "b_period2", "b_period3", "b_period4", "sd_herd__Intercept"])
        for (name, entry) in parameters {
            let estimate = try XCTUnwrap(entry["estimate"] as? Double, name)
            XCTAssertEqual(estimate, try XCTUnwrap(fit[name]?["estimate"] as? Double, name), accuracy: 1e-9, name)
            let percentile = try XCTUnwrap(entry["percentile"] as? [String: Double], name)
            XCTAssertLessThan(try XCTUnwrap(percentile["lower"]), estimate, name)
            XCTAssertGreaterThan(try XCTUnwrap(percentile["upper"]), estimate, name)
        }
        let replicates = try String(contentsOf: directory.appendingPathComponent("replicates.csv"), encoding: .utf8)
        XCTAssertEqual(replicates.split(separator: "\n").count, 31, replicates)
        let text = try CommandLineRunner.run(arguments)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.hasPrefix("Parametric bootstrap (new random effects and responses from the fit) of the ML fit"), text.out)
        XCTAssertTrue(text.out.contains("sd_herd__Intercept"), text.out)
    }

    func testPoissonAndBernoulliRun() throws {
        let poisson = try CommandLineRunner.run(["bootstrap", "--data", try fixture("Salamanders"), "--formula", "count ~ mined + (1 | site)",
                                                 "--family", "poisson", "--replicates", "10", "--seed", "1"])
        XCTAssertEqual(poisson.status, 0, poisson.err)
        XCTAssertTrue(poisson.out.contains("b_minedyes"), poisson.out)
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "bernoullibootstrap")
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = ["y,x,g"]
        for i in 0..<120 {
            let x = Double(i % 12) / 6 - 1
            lines.append("\((i * 7919) % 10 < (x > 0 ? 7 : 3) ? 1 : 0),\(x),g\(i % 8)")
        }
        let data = directory.appendingPathComponent("b.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: data, atomically: true, encoding: .utf8)
        let bernoulli = try CommandLineRunner.run(["bootstrap", "--data", data.path, "--formula", "y ~ x + (1 | g)", "--family",
                                                   "bernoulli(link = \"probit\")", "--replicates", "10", "--seed", "2"])
        XCTAssertEqual(bernoulli.status, 0, bernoulli.err)
        XCTAssertTrue(bernoulli.out.contains("b_x"), bernoulli.out)
    }

    func testRefusalsAreOneLine() throws {
        let model = try cbpp
        let student = ["--data", try fixture("sleepstudy"), "--formula", "Reaction ~ Days + (1 | Subject)", "--family", "student"]
        for (arguments, expected) in [(model + ["--type", "group"], "parametrically only"), (model + ["--bands"], "--bands"),
                                      (student, "no frequentist fit")] {
            let extra = arguments.suffix(2)
            let result = try CommandLineRunner.runChecked(["bootstrap"] + arguments + ["--replicates", "5"])
            XCTAssertNotEqual(result.status, 0, "\(extra)")
            XCTAssertFalse(result.signaled, "\(extra)")
            XCTAssertEqual(result.out, "", "\(extra)")
            XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err)
            XCTAssertTrue(result.err.contains(expected), result.err)
        }
    }

    /// `compare --replicates N` of a GLMM adds the bootstrap column: the same percentile intervals
    /// as `bootstrap` with the same seed and replicates (one replicate stream per seed), the glmer
    /// estimate beside them; without --replicates the column is absent and the header says how to
    /// add it.
    func testCompareAddsTheBootstrapColumn() throws {
        let model = try cbpp
        let sampling = ["--seed", "5", "--chains", "2", "--iter", "400"]
        let compare = try CommandLineRunner.run(["compare"] + model + sampling + ["--replicates", "40", "--json"])
        XCTAssertEqual(compare.status, 0, compare.err)
        let parameters = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(compare.out.utf8)) as? [String: Any])?["parameters"]
            as? [String: [String: Any]], compare.out)
        let bootstrap = try CommandLineRunner.run(["bootstrap"] + model + ["--seed", "5", "--replicates", "40", "--json"])
        XCTAssertEqual(bootstrap.status, 0, bootstrap.err)
        let reference = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(bootstrap.out.utf8)) as? [String: Any])?["parameters"]
            as? [String: [String: Any]])
        for name in ["b_Intercept", "b_period2", "b_period3", "b_period4"] {
            let column = try XCTUnwrap(parameters[name]?["bootstrap"] as? [String: Double], name)
            let percentile = try XCTUnwrap(reference[name]?["percentile"] as? [String: Double], name)
            XCTAssertEqual(column["lower"], percentile["lower"], name)
            XCTAssertEqual(column["upper"], percentile["upper"], name)
            XCTAssertEqual(column["estimate"], (parameters[name]?["glmer"] as? [String: Double])?["estimate"], name)
        }
        let text = try CommandLineRunner.run(["compare"] + model + sampling + ["--replicates", "40"])
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("bootstrap [percentile]"), text.out)
        let plain = try CommandLineRunner.run(["compare"] + model + sampling)
        XCTAssertEqual(plain.status, 0, plain.err)
        XCTAssertFalse(plain.out.contains("bootstrap [percentile]"), plain.out)
        XCTAssertTrue(plain.out.contains("--replicates N adds the bootstrap"), plain.out)
    }
}
