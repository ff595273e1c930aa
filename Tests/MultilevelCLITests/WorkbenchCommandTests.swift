import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `multilevel bootstrap --json` and `multilevel compare --json --plots` as a user runs them: the
/// JSON shapes, the numbers against lme4, reproducibility by seed, and every plot file well-formed XML.
final class WorkbenchCommandTests: XCTestCase {
    func sleepstudy() throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures")).path
    }

    func object(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testBootstrapJSON() throws {
        let arguments = ["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (Days | Subject)",
                         "--replicates", "200", "--seed", "7", "--json"]
        let run = try CommandLineRunner.run(arguments)
        XCTAssertEqual(run.status, 0, run.err)
        let root = try object(run.out)
        XCTAssertEqual(root["formula"] as? String, "Reaction ~ Days + (Days | Subject)")
        XCTAssertEqual(root["type"] as? String, "parametric")
        XCTAssertEqual(root["method"] as? String, "REML")
        XCTAssertEqual(root["seed"] as? Int, 7)
        XCTAssertEqual(root["replicates"] as? Int, 200)
        XCTAssertEqual(root["failed"] as? Int, 0)
        XCTAssertEqual(root["level"] as? Double, 0.95)
        let parameters = try XCTUnwrap(root["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                                              "cor_Subject__Intercept__Days", "sigma"])
        for (name, entry) in parameters {
            XCTAssertEqual(Set(entry.keys), ["estimate", "se", "bias", "percentile", "basic", "normal", "replicates"], name)
            let estimate = try XCTUnwrap(entry["estimate"] as? Double, name)
            for kind in ["percentile", "basic", "normal"] {
                let interval = try XCTUnwrap(entry[kind] as? [String: Double], "\(name) \(kind)")
                XCTAssertEqual(Set(interval.keys), ["lower", "upper"])
                XCTAssertLessThan(try XCTUnwrap(interval["lower"]), estimate, "\(name) \(kind)")
                XCTAssertGreaterThan(try XCTUnwrap(interval["upper"]), estimate, "\(name) \(kind)")
            }
            XCTAssertEqual(entry["replicates"] as? Int, 200, name)
        }
        // The REML estimate and its bootstrap SE against lme4 (fixef 10.46729, SE 1.54579): the SE of
        // a standard deviation estimated from R replicates is about SE/√(2R).
        let days = try XCTUnwrap(parameters["b_Days"])
        XCTAssertEqual(try XCTUnwrap(days["estimate"] as? Double), 10.46729, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(days["se"] as? Double), 1.54579, accuracy: 5 * 1.54579 / (2 * 200.0).squareRoot())
        XCTAssertEqual(try XCTUnwrap(parameters["sigma"]?["estimate"] as? Double), 25.59182, accuracy: 1e-4)

        // The same seed gives the same bytes; another seed other replicates.
        let again = try CommandLineRunner.run(arguments)
        XCTAssertEqual(again.out, run.out)
        var otherSeed = arguments
        otherSeed[otherSeed.firstIndex(of: "7")!] = "8"
        let other = try CommandLineRunner.run(otherSeed)
        XCTAssertEqual(other.status, 0, other.err)
        XCTAssertNotEqual(other.out, run.out)
    }

    /// `--level 0.9 --output DIR`: DIR/replicates.csv holds one row per replicate (bootMer's t) and
    /// the printed percentile interval is boot.ci's order statistics of those rows: with R = 199,
    /// (R + 1)·0.05 = 10 and (R + 1)·0.95 = 190 (up to the last bit of 1 − 0.9).
    func testBootstrapLevelAndReplicatesFile() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "bootstrap-output")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CommandLineRunner.run(["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--replicates", "199", "--seed", "5", "--level", "0.9",
                                             "--output", directory.path, "--json"])
        XCTAssertEqual(run.status, 0, run.err)
        let root = try object(run.out)
        XCTAssertEqual(root["level"] as? Double, 0.9)
        let parameters = try XCTUnwrap(root["parameters"] as? [String: [String: Any]])
        let csv = try String(contentsOf: directory.appendingPathComponent("replicates.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 200)
        let header = lines[0].split(separator: ",").map { $0.replacingOccurrences(of: "\"", with: "") }
        XCTAssertEqual(header.first, "replicate")
        XCTAssertEqual(Set(header.dropFirst()), Set(parameters.keys))
        for (column, name) in header.enumerated().dropFirst() {
            let values = lines.dropFirst().map { Double($0.split(separator: ",")[column])! }.sorted()
            let percentile = try XCTUnwrap(parameters[name]?["percentile"] as? [String: Double], name)
            let spread = values[189] - values[9]
            XCTAssertEqual(try XCTUnwrap(percentile["lower"]), values[9], accuracy: 1e-6 * spread, name)
            XCTAssertEqual(try XCTUnwrap(percentile["upper"]), values[189], accuracy: 1e-6 * spread, name)
        }
        let text = try CommandLineRunner.run(["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                              "--replicates", "20", "--seed", "5", "--level", "0.9"])
        XCTAssertTrue(text.out.contains("Perc 5 %") && text.out.contains("Perc 95 %"), text.out)
        let bad = try CommandLineRunner.run(["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--level", "95"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("--level must be in (0, 1), not 95"), bad.err)
    }

    func testBootstrapJSONOfRowResampling() throws {
        let run = try CommandLineRunner.run(["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--type", "row", "--fraction", "0.5", "--replicates", "30", "--seed", "3", "--json"])
        XCTAssertEqual(run.status, 0, run.err)
        let root = try object(run.out)
        XCTAssertEqual(root["type"] as? String, "row")
        XCTAssertEqual(root["fraction"] as? Double, 0.5)
        let bad = try CommandLineRunner.run(["bootstrap", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--fraction", "0.5", "--json"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("--fraction applies to --type row only"), bad.err)
    }

    /// `compare --json --plots DIR`: the JSON shape, and seven SVG files that parse as XML.
    func testCompareJSONAndPlotFiles() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "compare-plots")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CommandLineRunner.run(["compare", "--data", try sleepstudy(), "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--replicates", "20", "--chains", "2", "--iter", "300", "--seed", "11",
                                             "--json", "--plots", directory.path])
        XCTAssertEqual(run.status, 0, run.err)
        let root = try object(run.out)
        let parameters = try XCTUnwrap(root["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sigma"])
        XCTAssertEqual(Set(try XCTUnwrap(parameters["b_Days"]).keys), ["ols", "lmer", "bootstrap", "bayes"])
        XCTAssertEqual(Set(try XCTUnwrap(parameters["sigma"]).keys), ["lmer", "bootstrap", "bayes"])
        let bayes = try XCTUnwrap(parameters["b_Days"]?["bayes"] as? [String: Double])
        XCTAssertEqual(Set(bayes.keys), ["median", "lower", "upper", "hdi_lower", "hdi_upper"])
        // lme4: fixef(lmer(Reaction ~ Days + (1 | Subject)))["Days"] = 10.46729 (the same as lm's).
        XCTAssertEqual(try XCTUnwrap((parameters["b_Days"]?["lmer"] as? [String: Double])?["estimate"]), 10.46729, accuracy: 1e-4)
        let groups = try XCTUnwrap(root["groups"] as? [String: [String: [String: [String: Any]]]])
        let subject308 = try XCTUnwrap(groups["Subject"]?["308"]?["Intercept"])
        XCTAssertEqual(Set(subject308.keys), ["n", "no_pooling", "partial_pooling", "bayes", "shrinkage_weight"])
        let weight = try XCTUnwrap(subject308["shrinkage_weight"] as? Double)
        XCTAssertGreaterThan(weight, 0)
        XCTAssertLessThan(weight, 1)
        let models = try XCTUnwrap(root["models"] as? [String: Any])
        XCTAssertEqual(Set(models.keys), ["fits", "likelihood_ratio_test", "loo", "waic"])
        let loo = try XCTUnwrap(models["loo"] as? [String: Any])
        XCTAssertEqual(Set(loo.keys), ["elpd_loo", "elpd_loo_se", "p_loo", "p_loo_se", "looic", "looic_se", "pareto_k"])
        XCTAssertNotNil(models["waic"] as? [String: Any])

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["density.svg", "estimates_by_size.svg", "group_lattice.svg", "interval_forest.svg",
                               "population_fit.svg", "shrinkage.svg", "trace.svg"])
        for file in files {
            let parser = XMLParser(data: try Data(contentsOf: directory.appendingPathComponent(file)))
            XCTAssertTrue(parser.parse() && parser.parserError == nil, "\(file): \(String(describing: parser.parserError))")
        }
        XCTAssertTrue(run.err.contains("7 plots written to"), run.err)
    }
}
