import Foundation
import XCTest

/// The post-fit commands that refit or replicate a brms distributional fit, from the command line:
/// `fit --predict` and `--plots` of a bf() model, `kfold` of a bf() model file (and one `--fold`
/// job), brms' `|ID|` correlation across dpars in `fit`, and its one-line refusal outside bf().
/// The numbers are checked against brms in `DistributionalRefitTests` and
/// `DistributionalCorrelationIDParityTests`.
final class DistributionalRefitCommandTests: XCTestCase {
    private let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)"

    private func sleepstudy() throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures")).path
    }

    func testPredictAndPlotsOfABfFit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bf-predict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let predictions = directory.appendingPathComponent("predict"), plots = directory.appendingPathComponent("plots")
        let fit = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula", formula, "--iter", "600", "--warmup", "300",
                                             "--chains", "2", "--seed", "7", "--predict", predictions.path, "--plots", plots.path])
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertTrue(fit.err.contains("posterior predictions written to"), fit.err)
        for file in ["pp_check.svg", "pp_check_stat.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: plots.appendingPathComponent(file).path), file)
        }
        let replicates = try String(contentsOf: predictions.appendingPathComponent("predictions.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(replicates.count, 1 + 2 * 300)
        XCTAssertEqual(replicates[0].prefix(3), ["chain", "iteration", "y_rep[1]"])
        XCTAssertEqual(replicates[0].count, 2 + 180)
        XCTAssertEqual(replicates.last?.prefix(2), ["2", "300"])
        // sigma ~ Days: y_rep spreads more at Days 9 (rows 10, 20, …) than at Days 0 (rows 1, 11, …).
        func spread(_ column: Int) -> Double {
            let values = replicates.dropFirst().map { Double($0[column + 1])! }
            let mean = values.reduce(0, +) / Double(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
        let day0 = (0..<18).map { spread(10 * $0 + 1) }.reduce(0, +), day9 = (0..<18).map { spread(10 * $0 + 10) }.reduce(0, +)
        XCTAssertGreaterThan(day9, 1.5 * day0, "\(day0) \(day9)")
        let fitted = try String(contentsOf: predictions.appendingPathComponent("fitted.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(fitted.first, "observation,line,Estimate,Est.Error,Q2.5,Q97.5")
        XCTAssertEqual(fitted.count, 181)
        XCTAssertTrue(fitted[1].hasPrefix("1,2,"), String(fitted[1]))
        // The same seed writes the same files.
        let again = directory.appendingPathComponent("again")
        let second = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula", formula, "--iter", "600", "--warmup", "300",
                                                "--chains", "2", "--seed", "7", "--predict", again.path])
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(try Data(contentsOf: again.appendingPathComponent("predictions.csv")),
                       try Data(contentsOf: predictions.appendingPathComponent("predictions.csv")))
    }

    func testKFoldOfABfModelFileAndOneFoldJob() throws {
        let kfold = try CommandLineRunner.run(["kfold", "--data", sleepstudy(), "--formula", formula, "--iter", "400", "--warmup", "200",
                                               "--chains", "2", "--seed", "3", "--k", "3", "--json"])
        XCTAssertEqual(kfold.status, 0, kfold.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(kfold.out.utf8)) as? [String: Any], kfold.out)
        let models = try XCTUnwrap(object["models"] as? [[String: Any]], kfold.out)
        let elpd = try XCTUnwrap((models.first?["elpd_kfold"] as? [String: Any])?["estimate"] as? Double, kfold.out)
        // Sleepstudy's reaction times (σ ≈ 17–36 ms): about −4.8 per row.
        XCTAssertTrue(-1000 < elpd && elpd < -800, "\(elpd)")
        let job = try CommandLineRunner.run(["kfold", "--data", sleepstudy(), "--formula", formula, "--iter", "400", "--warmup", "200",
                                             "--chains", "2", "--seed", "3", "--k", "3", "--fold", "2"])
        XCTAssertEqual(job.status, 0, job.err)
        let rows = job.out.split(separator: "\n").filter { !$0.hasPrefix("#") && $0 != "row,fold,elpd" }
        XCTAssertEqual(rows.count, 60, job.out)
        XCTAssertTrue(rows.allSatisfy { $0.split(separator: ",")[1] == "2" }, job.out)
    }

    func testCorrelationIDAcrossDparsAndItsRefusalOutsideBf() throws {
        let fit = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula",
                                             "bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject))",
                                             "--iter", "400", "--warmup", "200", "--chains", "2", "--seed", "9", "--json"])
        XCTAssertEqual(fit.status, 0, fit.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fit.out.utf8)) as? [String: Any], fit.out)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: Any])
        for name in ["sd_Subject__Intercept", "sd_Subject__sigma_Intercept", "cor_Subject__Intercept__sigma_Intercept"] {
            XCTAssertNotNil(parameters[name], name)
        }
        let plain = try CommandLineRunner.run(["fit", "--data", sleepstudy(), "--formula", "Reaction ~ Days + (1 |p| Subject)"])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertEqual(plain.err.split(separator: "\n").count, 1, plain.err)
        XCTAssertTrue(plain.err.contains("column 19"), plain.err)
        XCTAssertTrue(plain.err.contains("|ID| correlates group-level terms across the parts of a bf() formula"), plain.err)
    }
}
