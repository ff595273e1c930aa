import Foundation
import XCTest

/// `multilevel fit --predict DIR` of truncated positive-continuous fits (issue 20): a Gamma,
/// exponential and weibull `y | trunc(lb = 0.2, ub = 8) ~ x` fit writes its predictions, every
/// replicate and every row's expected value (brms' truncated mean) inside [0.2, 8]. The numbers
/// themselves are checked in `TruncatedPredictionTests`.
final class TruncatedPredictCommandTests: XCTestCase {
    func testTruncatedPositiveFitsPredictInsideTheirBounds() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "trunc-predict")
        defer { try? FileManager.default.removeItem(at: directory) }
        // 60 rows, y = e^{0.3x} times a gamma(2, 1) quantity from two fixed low-discrepancy
        // sequences, kept inside [0.2, 8].
        var csv = "y,x\n"
        for i in 0..<60 {
            let x = sin(Double(i))
            let u1 = (Double(i) * 0.618_033_988_75 + 0.3).truncatingRemainder(dividingBy: 1)
            let u2 = (Double(i) * 0.414_213_562_37 + 0.7).truncatingRemainder(dividingBy: 1)
            csv += "\(min(max(exp(0.3 * x) * (-log1p(-u1) - log1p(-u2)), 0.2), 8)),\(x)\n"
        }
        let data = directory.appendingPathComponent("trunc.csv")
        try csv.write(to: data, atomically: true, encoding: .utf8)
        for family in ["Gamma", "exponential", "weibull"] {
            let predictions = directory.appendingPathComponent("\(family)-predict")
            let result = try CommandLineRunner.run(["fit", "--data", data.path, "--formula", "y | trunc(lb = 0.2, ub = 8) ~ x",
                                                    "--family", family, "--chains", "2", "--iter", "300", "--seed", "9",
                                                    "--predict", predictions.path])
            XCTAssertEqual(result.status, 0, "\(family): \(result.err)")
            let replicates = try String(contentsOf: predictions.appendingPathComponent("predictions.csv"), encoding: .utf8)
            let rows = replicates.split(separator: "\n")
            XCTAssertEqual(rows.count, 1 + 2 * 150, family)
            let values = rows.dropFirst().flatMap { $0.split(separator: ",").dropFirst(2).compactMap { Double($0) } }
            XCTAssertEqual(values.count, 2 * 150 * 60, family)
            XCTAssertTrue(values.allSatisfy { $0 >= 0.2 && $0 <= 8 }, "\(family): a replicate outside [0.2, 8]")
            let fitted = try String(contentsOf: predictions.appendingPathComponent("fitted.csv"), encoding: .utf8)
            let estimates = fitted.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",")[2]) }
            XCTAssertEqual(estimates.count, 60, family)
            XCTAssertTrue(estimates.allSatisfy { $0 > 0.2 && $0 < 8 }, "\(family): an expected value outside (0.2, 8)")
        }
    }
}
