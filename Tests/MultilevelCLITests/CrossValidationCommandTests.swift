import Foundation
import XCTest

/// `multilevel loo` and `kfold` end to end: fold jobs merged equal one run, a comparison of fits of
/// different rows is refused, bad options are usage errors.
final class CrossValidationCommandTests: XCTestCase {
    private func sleepstudy() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
    }

    private func model(_ data: URL, _ formula: String = "Reaction ~ Days + (Days | Subject)") -> [String] {
        ["--data", data.path, "--formula", formula, "--iter", "600", "--warmup", "300", "--seed", "5"]
    }

    /// Three `--fold` jobs merged print exactly what one 3-fold run prints.
    func testFoldJobsMergeToTheSingleRun() throws {
        let data = try sleepstudy()
        let work = try CommandLineRunner.temporaryDirectory(prefix: "kfold")
        defer { try? FileManager.default.removeItem(at: work) }
        let folds = ["kfold"] + model(data) + ["--k", "3", "--group", "Subject"]
        let whole = try CommandLineRunner.run(folds, in: work)
        XCTAssertEqual(whole.status, 0, whole.err)
        XCTAssertTrue(whole.out.contains("elpd_kfold"), whole.out)
        var files: [String] = []
        for k in 1...3 {
            let job = try CommandLineRunner.run(folds + ["--fold", String(k)], in: work)
            XCTAssertEqual(job.status, 0, job.err)
            let file = "fold-\(k).csv"
            try Data(job.out.utf8).write(to: work.appendingPathComponent(file))
            files.append(file)
        }
        let merged = try CommandLineRunner.run(folds + files.flatMap { ["--merge", $0] }, in: work)
        XCTAssertEqual(merged.status, 0, merged.err)
        // The merged run has no per-row new-level counts from the jobs; the estimates are the same.
        let estimates = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("elpd_kfold") || $0.hasPrefix("kfoldic") || $0.hasPrefix("p_kfold") } }
        XCTAssertEqual(estimates(merged.out), estimates(whole.out))
        XCTAssertEqual(estimates(whole.out).count, 3)
    }

    func testLooComparesTwoModelsAndRefusesDifferentRows() throws {
        let data = try sleepstudy()
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo")
        defer { try? FileManager.default.removeItem(at: work) }
        let slopes = "formula: Reaction ~ Days + (Days | Subject)\ndata: \(data.path)\n"
        let intercepts = "formula: Reaction ~ Days + (1 | Subject)\ndata: \(data.path)\n"
        var subset = try String(contentsOf: data, encoding: .utf8).split(separator: "\n").prefix(150).joined(separator: "\n") + "\n"
        try subset.write(to: work.appendingPathComponent("fewer.csv"), atomically: true, encoding: .utf8)
        subset = "formula: Reaction ~ Days + (1 | Subject)\ndata: fewer.csv\n"
        for (name, text) in [("slopes.model", slopes), ("intercepts.model", intercepts), ("fewer.model", subset)] {
            try text.write(to: work.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let options = ["--iter", "600", "--warmup", "300", "--seed", "5", "--reloo", "0"]
        let both = try CommandLineRunner.run(["loo", "slopes.model", "intercepts.model"] + options, in: work)
        XCTAssertEqual(both.status, 0, both.err)
        XCTAssertTrue(both.out.contains("Model comparison (loo_compare):"), both.out)
        XCTAssertTrue(both.out.contains("stacking pseudo-BMA+"), both.out)
        let refused = try CommandLineRunner.run(["loo", "slopes.model", "fewer.model"] + options, in: work)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.err.split(separator: "\n").last.map(String.init),
                       "multilevel loo: fits use different rows: slopes has 180 observations of Reaction, fewer 149 of Reaction; compare fits of the same data")
    }

    func testBadOptionsAreUsageErrors() throws {
        let data = try sleepstudy()
        let group = try CommandLineRunner.run(["kfold"] + model(data) + ["--group", "Days"])
        XCTAssertEqual(group.status, 2)
        XCTAssertTrue(group.err.contains("option --group: 'Days' is not a grouping factor of the model (grouping factors: Subject)"), group.err)
        let k = try CommandLineRunner.run(["kfold"] + model(data) + ["--k", "1"])
        XCTAssertEqual(k.status, 2)
        let fold = try CommandLineRunner.run(["kfold"] + model(data) + ["--k", "3", "--fold", "4"])
        XCTAssertEqual(fold.status, 2)
        XCTAssertTrue(fold.err.contains("option --fold: must be in 1...3, got 4"), fold.err)
    }
}
