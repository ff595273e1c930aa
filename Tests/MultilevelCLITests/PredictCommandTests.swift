import Foundation
import XCTest

/// `multilevel fit --predict DIR`: predictions.csv (chain, iteration, y_rep[i]) and fitted.csv
/// (observation, data line, Estimate, Est.Error, Q2.5, Q97.5), reproducible by seed.
final class PredictCommandTests: XCTestCase {
    func testPredictWritesReproducibleFiles() throws {
        let data = try XCTUnwrap(Bundle.module.url(forResource: "cbpp", withExtension: "csv", subdirectory: "Fixtures"))
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        var outputs: [(String, String)] = []
        for run in 0..<2 {
            let directory = base.appendingPathComponent("run\(run)")
            let result = try CommandLineRunner.run(["fit", "--data", data.path, "--formula", "incidence | trials(size) ~ period + (1 | herd)",
                                                    "--family", "binomial", "--chains", "2", "--iter", "200", "--seed", "5",
                                                    "--predict", directory.path])
            XCTAssertEqual(result.status, 0, result.err)
            let predictions = try String(contentsOf: directory.appendingPathComponent("predictions.csv"), encoding: .utf8)
            let fitted = try String(contentsOf: directory.appendingPathComponent("fitted.csv"), encoding: .utf8)
            outputs.append((predictions, fitted))
            let rows = predictions.split(separator: "\n")
            XCTAssertEqual(rows.count, 1 + 2 * 100)
            XCTAssertTrue(rows[0].hasPrefix("chain,iteration,y_rep[1],y_rep[2],"))
            XCTAssertEqual(rows[0].split(separator: ",").count, 2 + 56)
            // Replicates are counts between 0 and the herd size (first row: size 14).
            for row in rows.dropFirst() {
                let y1 = try XCTUnwrap(Double(row.split(separator: ",")[2]))
                XCTAssertTrue(y1 >= 0 && y1 <= 14 && y1 == y1.rounded(), String(row))
            }
            let fittedRows = fitted.split(separator: "\n")
            XCTAssertEqual(fittedRows[0], "observation,line,Estimate,Est.Error,Q2.5,Q97.5")
            XCTAssertEqual(fittedRows.count, 57)
            let first = fittedRows[1].split(separator: ",").compactMap { Double($0) }
            XCTAssertEqual(first[1], 2)
            XCTAssertTrue(first[4] <= first[2] && first[2] <= first[5], "mean within its interval")
        }
        XCTAssertEqual(outputs[0].0, outputs[1].0)
        XCTAssertEqual(outputs[0].1, outputs[1].1)
    }
}
