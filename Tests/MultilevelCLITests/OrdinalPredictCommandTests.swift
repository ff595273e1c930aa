import Foundation
import XCTest

/// `multilevel predict --type epred` of an ordinal (`cumulative`) fit: one line per new row and
/// category (a `category` column, brms' `P(Y = k)`), `--json` with a `categories` array per row,
/// `--draws` with a column `V<i>[<k>]` per row and category; the probabilities of each draw sum
/// to 1. `emmeans` refuses an ordinal fit in one line. (Numbers against brms:
/// OrdinalPredictionTests.)
final class OrdinalPredictCommandTests: XCTestCase {
    private func workDirectory() throws -> URL {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ordinal-predict-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // 60 ratings 1…3 of 10 groups with one predictor, the categories rising with x.
        var csv = "rating,x,g\n"
        for i in 0..<60 {
            let x = Double(i % 12) / 4 - 1.5
            let rating = x + Double(i % 5) / 2.5 - 0.8 < -0.3 ? 1 : (x + Double(i % 5) / 2.5 - 0.8 < 0.7 ? 2 : 3)
            csv += "\(rating),\(x),\"g\(i % 10)\"\n"
        }
        try csv.write(to: work.appendingPathComponent("ratings.csv"), atomically: true, encoding: .utf8)
        try "x,g\n-1,\"g1\"\n1.25,\"g2\"\n".write(to: work.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
        return work
    }

    func testEpredGivesEachCategory() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fit = try CommandLineRunner.run(["fit", "--data", "ratings.csv", "--formula", "rating ~ x + (1 | g)", "--family", "cumulative",
                                             "--chains", "2", "--iter", "400", "--seed", "3", "--output", "fit"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let table = try CommandLineRunner.run(["predict", "fit", "--newdata", "new.csv", "--re-formula", "NA"], in: work)
        XCTAssertEqual(table.status, 0, table.err)
        let lines = table.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "x,g,category,Estimate,Est.Error,Q2.5,Q97.5")
        XCTAssertEqual(lines.count, 1 + 2 * 3)
        for (row, expected) in [(0, "-1,g1"), (1, "1.25,g2")] {
            var total = 0.0
            for k in 0..<3 {
                let fields = lines[1 + 3 * row + k].split(separator: ",").map(String.init)
                XCTAssertEqual(fields[0] + "," + fields[1], expected)
                XCTAssertEqual(fields[2], String(k + 1))
                let estimate = try XCTUnwrap(Double(fields[3]))
                XCTAssertTrue(estimate > 0 && estimate < 1, lines[1 + 3 * row + k])
                total += estimate
            }
            XCTAssertEqual(total, 1, accuracy: 1e-12, "the mean probabilities of a row sum to 1")
        }
        // Higher x, higher categories: P(Y = 3) grows from the first row to the second.
        XCTAssertLessThan(Double(lines[3].split(separator: ",")[3])!, Double(lines[6].split(separator: ",")[3])!)

        let json = try CommandLineRunner.run(["predict", "fit", "--newdata", "new.csv", "--re-formula", "NA", "--json"], in: work)
        XCTAssertEqual(json.status, 0, json.err)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["prediction"] as? String, "posterior_epred")
        let rows = try XCTUnwrap(object["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 2)
        let categories = try XCTUnwrap(rows[1]["categories"] as? [[String: Any]])
        XCTAssertEqual(categories.map { $0["category"] as? Int }, [1, 2, 3])
        XCTAssertEqual(try XCTUnwrap(categories[2]["Estimate"] as? Double), Double(lines[6].split(separator: ",")[3])!, accuracy: 1e-15)

        let draws = try CommandLineRunner.run(["predict", "fit", "--newdata", "new.csv", "--draws"], in: work)
        XCTAssertEqual(draws.status, 0, draws.err)
        let drawLines = draws.out.split(separator: "\n")
        XCTAssertEqual(drawLines.first, "V1[1],V1[2],V1[3],V2[1],V2[2],V2[3]")
        XCTAssertEqual(drawLines.count, 1 + 2 * 200)
        for line in drawLines.dropFirst() {
            let values = line.split(separator: ",").compactMap { Double($0) }
            XCTAssertEqual(values.count, 6)
            XCTAssertEqual(values[0] + values[1] + values[2], 1, accuracy: 1e-12)
            XCTAssertEqual(values[3] + values[4] + values[5], 1, accuracy: 1e-12)
        }

        // A category draw and E(Y) are still one value per row.
        let prediction = try CommandLineRunner.run(["predict", "fit", "--newdata", "new.csv", "--type", "prediction"], in: work)
        XCTAssertEqual(prediction.status, 0, prediction.err)
        XCTAssertEqual(prediction.out.split(separator: "\n").first, "x,g,Estimate,Est.Error,Q2.5,Q97.5")

        let emmeans = try CommandLineRunner.run(["emmeans", "fit", "--specs", "x"], in: work)
        XCTAssertEqual(emmeans.status, 1)
        XCTAssertEqual(emmeans.out, "")
        XCTAssertEqual(emmeans.err.split(separator: "\n").count, 1, emmeans.err)
        XCTAssertTrue(emmeans.err.contains("ordinal"), emmeans.err)
    }
}
