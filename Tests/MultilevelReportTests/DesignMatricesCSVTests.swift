import Foundation
import XCTest
import MultilevelData
@testable import MultilevelReport

/// `describe --matrices`: X and Z of sleepstudy `(Days | Subject)` against their definition (Z's
/// row i holds 1 and Days_i in the two columns of subject i's level, zeros elsewhere), and the
/// sparse triplets reading back to the dense matrix.
final class DesignMatricesCSVTests: XCTestCase {
    /// Fields of each line; a quoted field may hold commas (`"r_Subject[308,Intercept]"`).
    private func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\n").map { line in
            var fields: [String] = [], current = "", quoted = false
            for character in line {
                if character == "\"" { quoted.toggle() }
                if character == "," && !quoted { fields.append(current); current = "" } else { current.append(character) }
            }
            return fields + [current]
        }
    }

    func testDenseAndSparseZMatchTheDefinition() throws {
        let design = try PlotTests.design("plot_sleepstudy", "Reaction ~ Days + (Days | Subject)")
        let x = rows(DesignMatricesCSV.fixedEffects(design))
        XCTAssertEqual(x.count, 181)
        XCTAssertEqual(x[0], ["\"(Intercept)\"", "\"Days\""])
        let subject = design.randomTerms[0].grouping
        let days = design.fixedEffects.column(1)
        for i in 0..<180 { XCTAssertEqual(x[i + 1], ["1", String(Int(days[i]))]) }

        let dense = DesignMatricesCSV.randomEffects(design)
        XCTAssertEqual(dense.map(\.file), ["Z.csv"])
        let z = rows(dense[0].csv)
        XCTAssertEqual(z.count, 181)
        XCTAssertEqual(z[0].count, 36)
        XCTAssertEqual(z[0][0], "\"r_Subject[\(subject.levels[0]),Intercept]\"")
        XCTAssertEqual(z[0][1], "\"r_Subject[\(subject.levels[0]),Days]\"")
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: 36), count: 180)
        for i in 0..<180 {
            let level = subject.levelIndex[i]
            for c in 0..<36 {
                let expected = c == 2 * level ? 1 : c == 2 * level + 1 ? days[i] : 0
                XCTAssertEqual(Double(z[i + 1][c]), expected, "row \(i + 1) column \(c + 1)")
                matrix[i][c] = Double(z[i + 1][c]) ?? .nan
            }
        }

        let sparse = DesignMatricesCSV.randomEffects(design, denseCellLimit: 0)
        XCTAssertEqual(sparse.map(\.file), ["Z_triplets.csv", "Z_columns.csv"])
        let triplets = rows(sparse[0].csv)
        XCTAssertEqual(triplets[0], ["row", "column", "value"])
        XCTAssertEqual(triplets.count - 1, 180 + days.filter { $0 != 0 }.count, "the nonzeros only")
        var rebuilt = [[Double]](repeating: [Double](repeating: 0, count: 36), count: 180)
        for entry in triplets.dropFirst() { rebuilt[Int(entry[0])! - 1][Int(entry[1])! - 1] = Double(entry[2])! }
        XCTAssertEqual(rebuilt, matrix)
        let columns = rows(sparse[1].csv)
        XCTAssertEqual(columns.count, 37)
        XCTAssertEqual(columns[2], ["2", "\"r_Subject[\(subject.levels[0]),Days]\""])
    }
}
