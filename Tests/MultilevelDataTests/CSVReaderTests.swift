import Foundation
import XCTest
@testable import MultilevelData

final class CSVReaderTests: XCTestCase {
    private func numbers(_ table: DataTable, _ name: String) -> [Double]? {
        if case .numeric(let v) = table.column(named: name) { return v }
        return nil
    }

    private func factor(_ table: DataTable, _ name: String) -> (levels: [String], codes: [Int32])? {
        if case .factor(let levels, let codes) = table.column(named: name) { return (levels, codes) }
        return nil
    }

    func testSleepstudyFixture() throws {
        let t = try Fixtures.table("sleepstudy")
        XCTAssertEqual(t.columnNames, ["Reaction", "Days", "Subject"])
        XCTAssertEqual(t.rowCount, 180)
        XCTAssertEqual(numbers(t, "Reaction")?.first, 249.56)
        XCTAssertEqual(numbers(t, "Days")?.prefix(3), [0, 1, 2])
        let subject = try XCTUnwrap(factor(t, "Subject"))
        XCTAssertEqual(subject.levels.count, 18)
        XCTAssertEqual(subject.levels.first, "308")
        XCTAssertEqual(t.sourceLines.first, 2)
        XCTAssertEqual(t.sourceLines.last, 181)
    }

    func testQuotedSeparatorsQuotesAndNewlines() throws {
        let t = try DataTable(csv: "name,value\n\"a, b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n", fileName: "q.csv")
        XCTAssertEqual(t.rowCount, 3)
        let f = try XCTUnwrap(factor(t, "name"))
        let labels = f.codes.map { f.levels[Int($0)] }
        XCTAssertEqual(labels, ["a, b", "say \"hi\"", "two\nlines"])
        // The row after a quoted newline starts on line 5.
        XCTAssertEqual(t.sourceLines, [2, 3, 4])
        XCTAssertEqual(numbers(t, "value"), [1, 2, 3])
    }

    func testLineNumbersAfterEmbeddedNewline() throws {
        let t = try DataTable(csv: "a,b\n\"x\ny\",1\nz,2\n")
        XCTAssertEqual(t.sourceLines, [2, 4])
    }

    func testCRLFAndBOM() throws {
        let t = try DataTable(csv: "\u{FEFF}x,y\r\n1,2\r\n3,4\r\n")
        XCTAssertEqual(t.columnNames, ["x", "y"])
        XCTAssertEqual(numbers(t, "x"), [1, 3])
        XCTAssertEqual(numbers(t, "y"), [2, 4])
        XCTAssertEqual(t.sourceLines, [2, 3])
    }

    func testCROnlyLineEndsAndNoFinalNewline() throws {
        let t = try DataTable(csv: "x,y\r1,2\r3,4")
        XCTAssertEqual(numbers(t, "y"), [2, 4])
    }

    func testMissingValues() throws {
        let t = try DataTable(csv: "x,f\n1,a\nNA,b\n,NA\n4,\n5,\"\"\n")
        let x = try XCTUnwrap(numbers(t, "x"))
        XCTAssertEqual(x[0], 1)
        XCTAssertTrue(x[1].isNaN && x[2].isNaN)
        let f = try XCTUnwrap(factor(t, "f"))
        XCTAssertEqual(f.levels, ["a", "b"])
        XCTAssertEqual(f.codes, [0, 1, -1, -1, -1])
        XCTAssertTrue(t.columns[0].isMissing(1))
    }

    func testQuotedNumbersAreFactorLevelsOrderedByValue() throws {
        let t = try DataTable(csv: "g,x\n\"10\",1\n\"2\",2\n\"1\",3\n")
        let g = try XCTUnwrap(factor(t, "g"))
        XCTAssertEqual(g.levels, ["1", "2", "10"])
        XCTAssertEqual(g.codes, [2, 1, 0])
        XCTAssertNotNil(numbers(t, "x"))
    }

    func testMixedColumnIsFactorWithRSortedLevels() throws {
        let t = try DataTable(csv: "f\nb\nB\na\nA\n1\n_x\n")
        XCTAssertEqual(factor(t, "f")?.levels, ["_x", "1", "a", "A", "b", "B"])
    }

    func testNumberFormats() throws {
        let t = try DataTable(csv: "x\n1e3\n-2.5E-2\n.5\n5.\n+7\n 8 \nInf\n-Inf\n0.1\n123456789012345678901\n")
        let x = try XCTUnwrap(numbers(t, "x"))
        XCTAssertEqual(Array(x[0..<6]), [1000, -0.025, 0.5, 5, 7, 8])
        XCTAssertEqual(x[6], .infinity)
        XCTAssertEqual(x[7], -.infinity)
        XCTAssertEqual(x[8], 0.1)
        XCTAssertEqual(x[9], 123456789012345678901.0)
    }

    func testNumbersParseExactlyLikeStrtod() throws {
        var generator = SystemRandomNumberGenerator()
        var lines = ["x"]
        var expected: [Double] = []
        for _ in 0..<2000 {
            let v = Double.random(in: -1e6...1e6, using: &generator) * pow(10, Double(Int.random(in: -12...12)))
            let text = String(format: "%.\(Int.random(in: 0...17))g", v)
            lines.append(text)
            expected.append(strtod(text, nil))
        }
        let t = try DataTable(csv: lines.joined(separator: "\n"))
        XCTAssertEqual(numbers(t, "x"), expected)
    }

    func testUnnamedFirstColumnIsX() throws {
        let t = try DataTable(csv: "\"\",\"y\"\n\"1\",2\n")
        XCTAssertEqual(t.columnNames, ["X", "y"])
    }

    func testBlankLinesSkipped() throws {
        let t = try DataTable(csv: "x,y\n\n1,2\n   \n3,4\n\n")
        XCTAssertEqual(t.rowCount, 2)
        XCTAssertEqual(t.sourceLines, [3, 5])
    }

    // MARK: errors

    func testRaggedRowNamesFileAndLine() {
        let e = expectError(CSVError.self) { _ = try DataTable(csv: "a,b\n1,2\n3\n4,5\n", fileName: "r.csv") }
        XCTAssertEqual(e?.description, "r.csv:3: row has 1 field but the header has 2 columns")
        let e2 = expectError(CSVError.self) { _ = try DataTable(csv: "a,b\n1,2,3\n", fileName: "r.csv") }
        XCTAssertEqual(e2?.line, 2)
    }

    func testUnterminatedQuoteNamesOpeningLine() {
        let e = expectError(CSVError.self) { _ = try DataTable(csv: "a,b\n1,2\n\"open,3\n4,5\n", fileName: "u.csv") }
        XCTAssertEqual(e?.line, 3)
        XCTAssertTrue(e?.description.hasPrefix("u.csv:3: unterminated quoted field") ?? false)
    }

    func testTextAfterClosingQuote() {
        let e = expectError(CSVError.self) { _ = try DataTable(csv: "a\n\"x\"y\n", fileName: "t.csv") }
        XCTAssertEqual(e?.line, 2)
    }

    func testEmptyFileAndHeaderOnly() {
        XCTAssertEqual(expectError(CSVError.self) { _ = try DataTable(csv: "", fileName: "e.csv") }?.description,
                       "e.csv: empty file (no header row)")
        XCTAssertEqual(expectError(CSVError.self) { _ = try DataTable(csv: "\u{FEFF}\n\n", fileName: "e.csv") }?.description,
                       "e.csv: empty file (no header row)")
        XCTAssertEqual(expectError(CSVError.self) { _ = try DataTable(csv: "a,b\n", fileName: "h.csv") }?.description,
                       "h.csv:1: has a header row but no data rows")
    }

    func testDuplicateColumnNames() {
        XCTAssertEqual(expectError(CSVError.self) { _ = try DataTable(csv: "a,b,a\n1,2,3\n", fileName: "d.csv") }?.description,
                       "d.csv:1: duplicate column name 'a' (columns 1 and 3)")
    }

    func testNonUTF8AndBinary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let latin1 = dir.appendingPathComponent("latin1.csv")
        try Data([0x61, 0x0A, 0x62, 0x0A, 0xE9, 0x0A]).write(to: latin1)
        let e = expectError(CSVError.self) { _ = try DataTable.read(contentsOf: latin1) }
        XCTAssertEqual(e?.line, 3)
        XCTAssertTrue(e?.message.contains("not valid UTF-8") ?? false)
        let utf16 = dir.appendingPathComponent("utf16.csv")
        try Data([0xFF, 0xFE, 0x61, 0x00]).write(to: utf16)
        XCTAssertTrue(expectError(CSVError.self) { _ = try DataTable.read(contentsOf: utf16) }?.message.contains("UTF-16") ?? false)
        let binary = dir.appendingPathComponent("bin.csv")
        try Data([0x61, 0x00, 0x62]).write(to: binary)
        XCTAssertTrue(expectError(CSVError.self) { _ = try DataTable.read(contentsOf: binary) }?.message.contains("NUL") ?? false)
    }

    func testMissingFileAndDirectory() {
        let missing = URL(fileURLWithPath: "/nonexistent/x.csv")
        XCTAssertEqual(expectError(CSVError.self) { _ = try DataTable.read(contentsOf: missing) }?.description,
                       "/nonexistent/x.csv: no such file")
        let directory = FileManager.default.temporaryDirectory
        XCTAssertTrue(expectError(CSVError.self) { _ = try DataTable.read(contentsOf: directory) }?.message.contains("directory") ?? false)
    }

    func testUTF8LabelsAndNames() throws {
        let t = try DataTable(csv: "größe,ort\n1,Zürich\n2,Genève\n")
        XCTAssertEqual(t.columnNames, ["größe", "ort"])
        XCTAssertEqual(factor(t, "ort")?.levels, ["Genève", "Zürich"])
    }
}
