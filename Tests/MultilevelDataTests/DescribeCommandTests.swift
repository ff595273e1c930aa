import Foundation
import XCTest

/// Runs the built `multilevel` executable (next to the test bundle in the products directory) on
/// `describe`: output, exit codes, and one-line errors on stderr.
final class DescribeCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("describe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("sleepstudy", "csv"), to: directory.appendingPathComponent("sleepstudy.csv"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func executable() throws -> URL {
        let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("multilevel")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("multilevel executable not built at \(url.path)")
        }
        return url
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// An error: non-zero exit, nothing on stdout, exactly one line on stderr containing `text`.
    private func assertOneLineError(_ result: (status: Int32, out: String, err: String), status: Int32, _ text: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, result.err, file: file, line: line)
        XCTAssertEqual(result.out, "", file: file, line: line)
        XCTAssertEqual(result.err.split(separator: "\n").count, 1, result.err, file: file, line: line)
        XCTAssertTrue(result.err.contains(text), "stderr: \(result.err)", file: file, line: line)
    }

    func testDescribeSleepstudy() throws {
        let model = try write("sleep.model", "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject)\n")
        let r = try run(["describe", model])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "")
        XCTAssertTrue(r.out.contains("Observations: 180 used, 0 dropped"))
        XCTAssertTrue(r.out.contains("Family:       gaussian"))
        XCTAssertTrue(r.out.contains("Fixed effects (2 columns):\n  (Intercept)\n  Days\n"))
        let termLine = try XCTUnwrap(r.out.split(separator: "\n").first { $0.hasPrefix("  (Days | Subject)") })
        let cells = termLine.split(separator: " ").map(String.init)
        XCTAssertEqual(Array(cells.prefix(9)), ["(Days", "|", "Subject)", "Subject", "18", "10", "10", "10", "(Intercept),"])
    }

    func testDescribeJSON() throws {
        let model = try write("sleep.model", "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject)\n")
        let r = try run(["describe", model, "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["nobs"] as? Int, 180)
        XCTAssertEqual(object["fixed_effects"] as? [String], ["(Intercept)", "Days"])
        let term = try XCTUnwrap((object["random_terms"] as? [[String: Any]])?.first)
        XCTAssertEqual(term["term"] as? String, "(Days | Subject)")
        XCTAssertEqual(term["levels"] as? Int, 18)
        XCTAssertEqual((term["obs_per_level"] as? [String: Any])?["median"] as? Double, 10)
    }

    func testDescribeWithoutModelFile() throws {
        let r = try run(["describe", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)", "--family", "student"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("Family:       student"))
        XCTAssertTrue(r.out.contains("(1 | Subject)"))
    }

    func testMissingRowsNotice() throws {
        _ = try write("gaps.csv", "y,x,g\n1,1,a\nNA,2,a\n3,,b\n4,4,b\n5,5,a\n")
        let r = try run(["describe", "--data", "gaps.csv", "--formula", "y ~ x + (1 | g)"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.err, "multilevel: dropped 2 rows with missing values in y, x; 3 rows used\n")
        XCTAssertTrue(r.out.contains("Observations: 3 used, 2 dropped (missing values in y, x)"))
    }

    func testNoModel() throws {
        assertOneLineError(try run(["describe"]), status: 2, "no model: give a MODEL file, or --formula and --data")
    }

    func testMissingModelFile() throws {
        assertOneLineError(try run(["describe", "nothing.model"]), status: 1, "nothing.model: no such model file")
    }

    func testUnknownKey() throws {
        let model = try write("bad.model", "data: sleepstudy.csv\nformla: y ~ x\n")
        assertOneLineError(try run(["describe", model]), status: 1, "bad.model:2: unknown key 'formla'; did you mean 'formula'?")
    }

    func testFormulaSyntaxErrorNamesFileLineAndColumn() throws {
        let model = try write("syntax.model", "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject\n")
        assertOneLineError(try run(["describe", model]), status: 1,
                           "syntax.model:2: formula error at column 34: expected ')' to close '(' opened at column 19")
    }

    func testUnknownColumn() throws {
        assertOneLineError(try run(["describe", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Dayz + (1 | Subject)"]),
                           status: 1, "option --formula: formula error at column 12: unknown variable 'Dayz'; nearest column: Days")
    }

    func testMissingAndEmptyDataFiles() throws {
        let model = try write("m.model", "formula: y ~ x\ndata: absent.csv\n")
        assertOneLineError(try run(["describe", model]), status: 1, "m.model:2: data file 'absent.csv' not found")
        _ = try write("empty.csv", "")
        assertOneLineError(try run(["describe", "--data", "empty.csv", "--formula", "y ~ x"]), status: 1, "empty.csv: empty file (no header row)")
        _ = try write("header.csv", "y,x\n")
        assertOneLineError(try run(["describe", "--data", "header.csv", "--formula", "y ~ x"]), status: 1, "header.csv:1: has a header row but no data rows")
    }

    func testNonNumericResponseAndSingleLevelGroup() throws {
        assertOneLineError(try run(["describe", "--data", "sleepstudy.csv", "--formula", "Subject ~ Days"]), status: 1,
                           "response 'Subject' is not numeric")
        _ = try write("one.csv", "y,x,g\n1,1,a\n2,2,a\n")
        assertOneLineError(try run(["describe", "--data", "one.csv", "--formula", "y ~ x + (1 | g)"]), status: 1,
                           "grouping factor 'g' of (1 | g) has only 1 level")
    }

    func testRaggedCSV() throws {
        _ = try write("ragged.csv", "y,x\n1,2\n3\n")
        assertOneLineError(try run(["describe", "--data", "ragged.csv", "--formula", "y ~ x"]), status: 1,
                           "ragged.csv:3: row has 1 field but the header has 2 columns")
    }

    func testUnknownFactorColumnNamesTheLine() throws {
        let model = try write("f.model", "data: sleepstudy.csv\nformula: Reaction ~ Days\nfactor: Dayz\n")
        assertOneLineError(try run(["describe", model]), status: 1, "f.model:3: factor: unknown column 'Dayz'; nearest column: Days")
        assertOneLineError(try run(["describe", model, "--factor", "Days"]), status: 1, "f.model:3: factor: unknown column 'Dayz'")
        let ok = try write("g.model", "data: sleepstudy.csv\nformula: Reaction ~ Days\n")
        let r = try run(["describe", ok, "--factor", "Days"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("  Days9\n"))
    }

    func testTwoModelFilesIsUsageError() throws {
        assertOneLineError(try run(["describe", "a.model", "b.model"]), status: 2, "expected at most one MODEL file")
    }
}
