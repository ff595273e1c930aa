import XCTest
@testable import MultilevelData

/// Issue 23: input checks that must stay linear and budgets checked before allocating.
final class InputBudgetTests: XCTestCase {
    /// A header of 100,000 distinct names with the first repeated at the end: the duplicate is
    /// named with both columns (a pairwise check took 20 s for this).
    func testDuplicateColumnAmongManyIsFoundInLinearTime() {
        let count = 100_000
        let header = (0..<count).map { "c\($0)" }.joined(separator: ",") + ",c0\n"
        let row = [String](repeating: "1", count: count + 1).joined(separator: ",") + "\n"
        XCTAssertThrowsError(try DataTable(csv: header + row, fileName: "wide.csv")) { error in
            XCTAssertEqual((error as? CSVError)?.description,
                           "wide.csv:1: duplicate column name 'c0' (columns 1 and \(count + 1))")
        }
    }

    /// Unnamed columns still get R's names X, X.1, … (skipping names the header gives).
    func testUnnamedColumnsKeepRNames() throws {
        let table = try DataTable(csv: ",X,,y\n1,2,3,4\n")
        XCTAssertEqual(table.columnNames, ["X.1", "X", "X.2", "y"])
    }

    /// `y ~ a*b*c*d*e*f` over six 10-level factors: refused before any column is built, naming
    /// the six-way term (9⁶ = 531,441 columns) — it once allocated until killed at 24 GB.
    func testInteractionOfManyFactorsIsRefusedByDesignSize() throws {
        var lines = ["y,a,b,c,d,e,f"]
        var state: UInt64 = 42
        func level() -> String {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return "l\((state >> 33) % 10)"
        }
        for i in 0..<200 { lines.append("\(Double(i) / 7)," + (0..<6).map { _ in level() }.joined(separator: ",")) }
        let table = try DataTable(csv: lines.joined(separator: "\n") + "\n")
        XCTAssertThrowsError(try ModelDesign.build(formula: Formula.parse("y ~ a*b*c*d*e*f"), table: table)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("term 'a:b:c:d:e:f' alone gives 531441 columns"), message)
            XCTAssertTrue(message.contains("1000000 columns × 200 rows"), message)
        }
    }

    /// An id column used as a population-level factor: as many columns as rows (12,000² values).
    func testIdentifierColumnAsFactorIsRefusedByDesignSize() throws {
        let rows = 12_000
        let csv = "y,id\n" + (0..<rows).map { "\(Double($0 % 17)),id\($0)\n" }.joined()
        let table = try DataTable(csv: csv)
        XCTAssertThrowsError(try ModelDesign.build(formula: Formula.parse("y ~ id"), table: table)) { error in
            XCTAssertTrue(String(describing: error).contains("term 'id' alone gives 11999 columns"), String(describing: error))
        }
    }

    /// Devices and FIFOs are refused by their kind, with the true cause.
    func testInputFileRefusesDevicesByKind() throws {
        XCTAssertThrowsError(try DataTable.read(contentsOf: URL(fileURLWithPath: "/dev/zero"))) { error in
            XCTAssertEqual(String(describing: error), "/dev/zero: is a character device, not a file")
        }
    }
}
