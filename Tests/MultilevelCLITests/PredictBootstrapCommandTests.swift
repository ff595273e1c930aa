import Foundation
import XCTest

/// `multilevel predict FIT --newdata CSV --interval bootstrap` on lmer fits (issue 17): the
/// columns, reproducibility by --seed, the same limits from the model file and from its fit
/// directory, and one-line errors for misuse. The numbers are tested against lme4's bootMer in
/// MultilevelModelsTests.BootstrapPredictionTests.
final class PredictBootstrapCommandTests: XCTestCase {
    func testBootstrapIntervalIsReproducibleFromModelAndDirectory() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "predictboot")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: work.appendingPathComponent("sleepstudy.csv"))
        try "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject)\n"
            .write(to: work.appendingPathComponent("sleep.model"), atomically: true, encoding: .utf8)
        try "Days,Subject\n0,\"308\"\n9,\"308\"\n4.5,\"new\"\n".write(to: work.appendingPathComponent("nd.csv"), atomically: true, encoding: .utf8)
        let common = ["--newdata", "nd.csv", "--allow-new-levels", "--interval", "bootstrap", "--replicates", "60", "--seed", "4"]
        let first = try CommandLineRunner.run(["predict", "sleep.model", "--lmer"] + common, in: work)
        XCTAssertEqual(first.status, 0, first.err)
        let second = try CommandLineRunner.run(["predict", "sleep.model", "--lmer"] + common, in: work)
        XCTAssertEqual(second.out, first.out)
        let lines = first.out.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(lines.first, ["Days", "Subject", "Estimate", "Std.Error", "l-2.5%", "u-97.5%"])
        XCTAssertEqual(lines.count, 4)
        let confidence = try CommandLineRunner.run(["predict", "sleep.model", "--lmer", "--newdata", "nd.csv", "--allow-new-levels",
                                                    "--interval", "confidence"], in: work)
        XCTAssertEqual(confidence.status, 0, confidence.err)
        let confidenceLines = confidence.out.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        for row in 1..<4 {
            let values = lines[row].dropFirst(2).compactMap(Double.init)
            XCTAssertEqual(values.count, 4)
            XCTAssertEqual(lines[row][2], confidenceLines[row][2], "the estimate is lme4's predict")
            XCTAssertLessThan(values[2], values[3])
            XCTAssertGreaterThan(values[1], 0)
        }
        // Another seed, other limits; a fit directory gives the model file's bytes.
        let other = try CommandLineRunner.run(["predict", "sleep.model", "--lmer"] + common.dropLast() + ["5"], in: work)
        XCTAssertEqual(other.status, 0, other.err)
        XCTAssertNotEqual(other.out, first.out)
        let lmer = try CommandLineRunner.run(["lmer", "sleep.model", "--output", "reml"], in: work)
        XCTAssertEqual(lmer.status, 0, lmer.err)
        let fromDirectory = try CommandLineRunner.run(["predict", "reml"] + common, in: work)
        XCTAssertEqual(fromDirectory.status, 0, fromDirectory.err)
        XCTAssertEqual(fromDirectory.out, first.out)
        // --level names the limits; without --seed the seed drawn is reported.
        let level = try CommandLineRunner.run(["predict", "reml", "--newdata", "nd.csv", "--allow-new-levels", "--interval", "bootstrap",
                                               "--replicates", "20", "--level", "0.9", "--re-formula", "NA"], in: work)
        XCTAssertEqual(level.status, 0, level.err)
        XCTAssertEqual(level.out.split(separator: "\n").first, "Days,Subject,Estimate,Std.Error,l-5%,u-95%")
        XCTAssertTrue(level.err.contains("bootstrap seed = "), level.err)

        for (arguments, message) in [
            (["predict", "reml", "--newdata", "nd.csv", "--allow-new-levels", "--replicates", "20"], "--replicates applies to --interval bootstrap"),
            (["predict", "reml", "--newdata", "nd.csv", "--allow-new-levels", "--interval", "bootstrap", "--replicates", "1"], "--replicates"),
            (["predict", "reml", "--newdata", "nd.csv", "--interval", "boot"], "expected none, confidence or bootstrap"),
            (["predict", "sleep.model", "--newdata", "nd.csv", "--interval", "bootstrap"], "give --lmer"),
            (["predict", "reml", "--newdata", "nd.csv", "--interval", "bootstrap", "--seed", "x"], "--seed"),
        ] {
            let run = try CommandLineRunner.run(arguments, in: work)
            XCTAssertNotEqual(run.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(run.err.contains(message), "\(arguments.joined(separator: " ")): \(run.err)")
            XCTAssertEqual(run.err.split(separator: "\n").count, 1, run.err)
        }
    }
}
