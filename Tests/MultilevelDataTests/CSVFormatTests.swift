import Foundation
import XCTest
@testable import MultilevelData

/// European (`;`, decimal comma) and tab-separated files, `sep`/`dec` options, files whose every
/// field is quoted, and columns that are numbers but for a few values.
final class CSVFormatTests: XCTestCase {
    private func numbers(_ table: DataTable, _ name: String) -> [Double]? {
        if case .numeric(let values)? = table.column(named: name) { return values }
        return nil
    }

    func testSemicolonFileWithDecimalCommaIsDetected() throws {
        let table = try DataTable(csv: "Reaction;Days;Subject\n249,56;0;\"308\"\n258,7047;1;\"308\"\n1,5e2;NA;\"309\"\n")
        XCTAssertEqual(numbers(table, "Reaction"), [249.56, 258.7047, 150])
        XCTAssertEqual(numbers(table, "Days")?.prefix(2), [0, 1])
        XCTAssertEqual(table.column(named: "Subject"), .factor(levels: ["308", "309"], codes: [0, 0, 1]))
    }

    func testTabSeparatedFile() throws {
        let table = try DataTable(csv: "y\tx\tg\n1.5\t2\ta b\n2.5\t\tc\n")
        XCTAssertEqual(table.columnNames, ["y", "x", "g"])
        XCTAssertEqual(numbers(table, "y"), [1.5, 2.5])
        XCTAssertEqual(numbers(table, "x")?[0], 2)
        XCTAssertTrue(numbers(table, "x")?[1].isNaN ?? false)
        XCTAssertEqual(table.column(named: "g"), .factor(levels: ["a b", "c"], codes: [0, 1]))
    }

    func testSeparatorAndDecimalOptions() throws {
        let text = "y;x\n1.5;2\n2.25;3\n"
        // Detected ';' would mean a decimal comma; dec = '.' keeps the points.
        let table = try DataTable(csv: text, options: CSVOptions(decimal: UInt8(ascii: ".")))
        XCTAssertEqual(numbers(table, "y"), [1.5, 2.25])
        let commaSeparated = try DataTable(csv: "y,x\n1,5\n", options: CSVOptions(separator: UInt8(ascii: ";")))
        XCTAssertEqual(commaSeparated.columnNames, ["y,x"])
        // In a decimal-comma file a point is not a decimal mark: the column is a factor.
        let mixed = try DataTable(csv: "y;x\n1.5;2\n", options: CSVOptions(separator: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")))
        XCTAssertTrue(mixed.column(named: "y")?.isFactor ?? false)
    }

    func testEveryFieldQuotedTypesFromValues() throws {
        let table = try DataTable(csv: "\"y\",\"x\",\"g\"\n\"1.5\",\"2\",\"a\"\n\"2.5\",\"\",\"b\"\n")
        XCTAssertEqual(numbers(table, "y"), [1.5, 2.5])
        XCTAssertEqual(numbers(table, "x")?[0], 2)
        XCTAssertTrue(table.column(named: "g")?.isFactor ?? false)
        // R's write.csv quotes only factors: there a quoted number stays a factor level.
        let selective = try DataTable(csv: "y,g\n1.5,\"1\"\n2.5,\"2\"\n")
        XCTAssertEqual(numbers(selective, "y"), [1.5, 2.5])
        XCTAssertTrue(selective.column(named: "g")?.isFactor ?? false)
    }

    func testMostlyNumericColumnIsAFactorWithANotice() throws {
        var text = "y,x\n"
        for k in 0..<19 { text += "\(k),\(k)\n" }
        text += "19,l0\n20,3\"\n"
        let table = try DataTable(csv: text, fileName: "typo.csv")
        XCTAssertTrue(table.column(named: "x")?.isFactor ?? false)
        XCTAssertEqual(table.typeNotices["x"],
                       "typo.csv: column 'x' is read as a factor: 'l0' on line 21 is not a number (and 1 more value that is not a number), the other 19 values are; if the column is meant to be numeric, correct that value")
        XCTAssertNil(table.typeNotices["y"])
        // A column of words is a factor without a notice.
        let words = try DataTable(csv: "g\na\nb\n1\n")
        XCTAssertTrue(words.typeNotices.isEmpty)
    }
}
