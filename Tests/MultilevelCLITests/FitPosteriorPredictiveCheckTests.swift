import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `fit` reports Bayesian R² by default when it is cheap (issue 17: "Bayesian R² in the summary and
/// JSON"), `--no-bayes-r2` leaves it out and `--bayes-r2` still asks for it; `--plots DIR` adds
/// brms' pp_check plots. The R² values themselves are tested against brms' bayes_R2 in
/// MultilevelModelsTests.HypothesisAndR2Tests, the plots' numbers in
/// MultilevelReportTests.PosteriorPredictiveCheckPlotTests.
final class FitPosteriorPredictiveCheckTests: XCTestCase {
    func testBayesR2ByDefaultAndPosteriorPredictivePlots() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "ppcheck")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        let common = ["fit", "--data", data.path, "--formula", "Reaction ~ Days + (1 | Subject)", "--chains", "2", "--iter", "300",
                      "--seed", "8"]
        let plain = try CommandLineRunner.run(common + ["--plots", "plots"], in: work)
        XCTAssertEqual(plain.status, 0, plain.err)
        XCTAssertTrue(plain.out.contains("\n   Estimate Est.Error   Q2.5  Q97.5\nR2 "), plain.out)
        let asked = try CommandLineRunner.run(common + ["--bayes-r2"], in: work)
        XCTAssertEqual(asked.status, 0, asked.err)
        XCTAssertEqual(asked.out, plain.out, "--bayes-r2 gives what the default gives")
        let without = try CommandLineRunner.run(common + ["--no-bayes-r2"], in: work)
        XCTAssertEqual(without.status, 0, without.err)
        XCTAssertFalse(without.out.contains("R2 "), without.out)
        XCTAssertTrue(plain.out.hasPrefix(without.out), "R² is appended after the summary")
        let json = try CommandLineRunner.run(common + ["--json"], in: work)
        XCTAssertEqual(json.status, 0, json.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let r2 = try XCTUnwrap(object["bayes_R2"] as? [String: Double], json.out)
        let estimate = try XCTUnwrap(r2["Estimate"])
        XCTAssertTrue(estimate > 0 && estimate < 1, "\(estimate)")
        XCTAssertTrue(plain.out.contains(String(format: "R2   %.4f", estimate)), plain.out)
        let both = try CommandLineRunner.run(common + ["--bayes-r2", "--no-bayes-r2"], in: work)
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.err.contains("give one of them"), both.err)

        let directory = work.appendingPathComponent("plots")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(files, ["density.svg", "pp_check.svg", "pp_check_stat.svg", "trace.svg"])
        for file in ["pp_check.svg", "pp_check_stat.svg"] {
            let parser = XMLParser(data: try Data(contentsOf: directory.appendingPathComponent(file)))
            XCTAssertTrue(parser.parse() && parser.parserError == nil, "\(file): \(String(describing: parser.parserError))")
        }
        let overlay = try String(contentsOf: directory.appendingPathComponent("pp_check.svg"), encoding: .utf8)
        XCTAssertEqual(overlay.components(separatedBy: "<polyline").count - 1, 51, "50 y_rep densities and y's")
        let statistic = try String(contentsOf: directory.appendingPathComponent("pp_check_stat.svg"), encoding: .utf8)
        XCTAssertTrue(statistic.contains("300 draws"), "2 chains × 150 draws in the histogram")
    }
}
