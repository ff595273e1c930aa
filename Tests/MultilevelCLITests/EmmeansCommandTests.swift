import Foundation
import XCTest

/// `multilevel emmeans` end to end: a model file (fitted first) and a fit directory read after the
/// data moved give the same bytes; means do not depend on the contrasts coding; the JSON carries
/// emmeans' numbers (Fixtures/../MultilevelModelsTests checks them at 1e-8 at lme4's θ̂; here our own
/// optimum, within 1e-6 of the reference); bad options are one line, exit 2.
final class EmmeansCommandTests: XCTestCase {
    private func workDirectory() throws -> URL {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "emmeans")
        let data = try XCTUnwrap(Bundle.module.url(forResource: "cake", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: directory.appendingPathComponent("cake.csv"))
        let formula = "formula: angle ~ recipe * temperature + (1 | recipe:replicate)\n"
        try ("data: cake.csv\n" + formula + "chains: 2\niter: 300\nseed: 5\n")
            .write(to: directory.appendingPathComponent("cake.model"), atomically: true, encoding: .utf8)
        try ("data: cake.csv\n" + formula + "contrasts: recipe = sum\n")
            .write(to: directory.appendingPathComponent("cake_sum.model"), atomically: true, encoding: .utf8)
        return directory
    }

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func testLmerModelFileAndFitDirectory() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let arguments = ["--specs", "recipe", "--pairwise"]
        let fromModel = try CommandLineRunner.run(["emmeans", "cake.model", "--lmer"] + arguments, in: work)
        XCTAssertEqual(fromModel.status, 0, fromModel.err)
        XCTAssertTrue(fromModel.out.contains(" recipe emmean     SE df lower.CL upper.CL t.ratio p.value\n"), fromModel.out)
        XCTAssertTrue(fromModel.out.contains(" A - B      1.4778 2.4563 42  -4.4897   7.4452   0.602  0.8200\n"), fromModel.out)
        XCTAssertTrue(fromModel.out.contains("P value adjustment: tukey method for comparing a family of 3 estimates"), fromModel.out)
        let lmer = try CommandLineRunner.run(["lmer", "cake.model", "--output", "reml"], in: work)
        XCTAssertEqual(lmer.status, 0, lmer.err)
        try FileManager.default.moveItem(at: work.appendingPathComponent("cake.csv"), to: work.appendingPathComponent("moved.csv"))
        let fromDirectory = try CommandLineRunner.run(["emmeans", "reml"] + arguments, in: work)
        XCTAssertEqual(fromDirectory.status, 0, fromDirectory.err)
        XCTAssertEqual(fromDirectory.out, fromModel.out)
        // by, Satterthwaite, JSON: emmeans' ~ temperature | recipe means (reference in the models tests).
        let byJSON = try CommandLineRunner.run(["emmeans", "reml", "--specs", "temperature", "--by", "recipe", "--pairwise",
                                                "--adjust", "holm", "--df", "satterthwaite", "--json"], in: work)
        XCTAssertEqual(byJSON.status, 0, byJSON.err)
        let object = try json(byJSON.out)
        let means = try XCTUnwrap(object["emmeans"] as? [[String: Any]])
        XCTAssertEqual(means.count, 18)
        XCTAssertEqual(means[1]["temperature"] as? String, "185")
        XCTAssertEqual(means[1]["recipe"] as? String, "A")
        XCTAssertEqual(means[1]["estimate"] as! Double, 31.5333333333336, accuracy: 1e-8)
        XCTAssertEqual(means[1]["SE"] as! Double, 2.03810265753786, accuracy: 1e-6 * 2.04)
        XCTAssertEqual(means[1]["df"] as! Double, 77.4368230848455, accuracy: 1e-5 * 77.4)
        XCTAssertEqual((object["contrasts"] as? [Any])?.count, 45)
        XCTAssertEqual(object["adjust"] as? String, "holm")
    }

    /// Sum-to-zero contrasts for recipe: a different X and β, the same marginal means.
    func testMeansDoNotDependOnContrasts() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let treatment = try CommandLineRunner.run(["emmeans", "cake.model", "--lmer", "--specs", "recipe", "--json"], in: work)
        let sum = try CommandLineRunner.run(["emmeans", "cake_sum.model", "--lmer", "--specs", "recipe", "--json"], in: work)
        XCTAssertEqual(treatment.status, 0, treatment.err)
        XCTAssertEqual(sum.status, 0, sum.err)
        let a = try XCTUnwrap(json(treatment.out)["emmeans"] as? [[String: Any]])
        let b = try XCTUnwrap(json(sum.out)["emmeans"] as? [[String: Any]])
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x["estimate"] as! Double, y["estimate"] as! Double, accuracy: 1e-9)
            XCTAssertEqual(x["SE"] as! Double, y["SE"] as! Double, accuracy: 1e-6)
        }
        XCTAssertEqual(a[0]["estimate"] as! Double, 33.1222222222226, accuracy: 1e-8)
    }

    /// A Bayesian fit: medians and HPD limits, the same from the model file and the fit directory.
    func testBayesianFitDirectory() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fit = try CommandLineRunner.run(["fit", "cake.model", "--output", "bayes"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let fromModel = try CommandLineRunner.run(["emmeans", "cake.model", "--specs", "recipe", "--pairwise"], in: work)
        XCTAssertEqual(fromModel.status, 0, fromModel.err)
        let fromDirectory = try CommandLineRunner.run(["emmeans", "bayes", "--specs", "recipe", "--pairwise"], in: work)
        XCTAssertEqual(fromDirectory.out, fromModel.out)
        XCTAssertTrue(fromDirectory.out.contains(" recipe emmean lower.HPD upper.HPD\n"), fromDirectory.out)
        XCTAssertTrue(fromDirectory.out.contains("Point estimate displayed: median"), fromDirectory.out)
        let object = try json(try CommandLineRunner.run(["emmeans", "bayes", "--specs", "recipe", "--json"], in: work).out)
        let means = try XCTUnwrap(object["emmeans"] as? [[String: Any]])
        // The posterior median of recipe A's mean is near emmeans' lmer estimate (33.12, SE 1.74).
        XCTAssertEqual(means[0]["estimate"] as! Double, 33.12, accuracy: 1.0)
        let refused = try CommandLineRunner.run(["emmeans", "bayes", "--specs", "recipe", "--df", "satterthwaite"], in: work)
        XCTAssertEqual(refused.status, 2)
    }

    func testHelpAndBadInput() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let help = try CommandLineRunner.run(["emmeans", "--help"], in: work)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("--specs") && help.out.contains("--adjust") && help.out.contains("--json"), help.out)
        for (arguments, status, fragment) in [
            (["emmeans", "cake.model", "--lmer"], Int32(2), "missing --specs"),
            (["emmeans", "cake.model", "--lmer", "--specs", "recipe", "--adjust", "scheffe"], 2, "--adjust"),
            (["emmeans", "cake.model", "--lmer", "--specs", "angle"], 1, "not a factor"),
        ] {
            let run = try CommandLineRunner.run(arguments, in: work)
            XCTAssertEqual(run.status, status, run.err)
            XCTAssertTrue(run.err.contains(fragment), run.err)
            XCTAssertEqual(run.err.split(separator: "\n").count, 1, run.err)
        }
    }
}
