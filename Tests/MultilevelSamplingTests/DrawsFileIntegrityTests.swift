import XCTest
@testable import MultilevelSampling

/// Issue 23: chain files that cannot be misread — escaped level names in the comment block,
/// refused duplicate or empty column names, refused mixtures of runs.
final class DrawsFileIntegrityTests: XCTestCase {
    /// A level with a newline, ESC, tab and backslash survives the comment line and reads back.
    func testLevelNamesAreEscapedInCommentsAndReadBack() {
        let name = "a\nb\u{1B}[31m\tc\\d"
        let index = CmdStanColumnNames.IndexName(base: "r_g", dimension: 1, position: 2, name: name)
        let line = CmdStanColumnNames.comment(index)
        XCTAssertFalse(line.contains("\n"))
        XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 })
        XCTAssertEqual(line, #"index: r_g dim 1 position 2 = a\nb\u{1B}[31m\tc\\d"#)
        XCTAssertEqual(CmdStanColumnNames.parseComment(line), index)
    }

    private func chain(_ header: String, seed: String = "1", runID: String = "00000000000000aa") -> [UInt8] {
        Array("# model = m\n#   seed = \(seed)\n# run_id = \(runID)\n\(header)\n-1,0.9,0.5,7\n-2,0.8,0.6,8\n".utf8)
    }

    func testDuplicateAndEmptyColumnNamesAreRefused() {
        XCTAssertThrowsError(try CmdStanCSVReader.readChain(bytes: chain("lp__,accept_stat__,b_x,b_x"), file: "d.csv")) { error in
            XCTAssertEqual(String(describing: error), "d.csv: column 4: 'b_x' is also the name of column 3")
        }
        XCTAssertThrowsError(try CmdStanCSVReader.readChain(bytes: chain("lp__,accept_stat__,,b_x"), file: "e.csv")) { error in
            XCTAssertEqual(String(describing: error), "e.csv: column 3: empty column name")
        }
        XCTAssertThrowsError(try PosteriorDrawsCSVReader.read(bytes: Array(".chain,.iteration,a,a\n1,1,2,3\n".utf8), file: "p.csv"))
    }

    func testChainsOfDifferentRunsAreRefusedUnlessAllowed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("integrity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let header = "lp__,accept_stat__,b_x,b_y"
        let files = [("1.csv", chain(header)), ("2.csv", chain(header)), ("3.csv", chain(header, runID: "00000000000000bb"))]
        for (name, bytes) in files { try Data(bytes).write(to: directory.appendingPathComponent(name)) }
        let url = { (name: String) in directory.appendingPathComponent(name) }
        XCTAssertEqual(try CmdStanCSVReader.read(urls: [url("1.csv"), url("2.csv")]).parameters.chainCount, 2)
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [url("1.csv"), url("3.csv")])) { error in
            XCTAssertTrue(String(describing: error).contains("come from different runs (run_id '00000000000000bb' against '00000000000000aa')"),
                          String(describing: error))
        }
        XCTAssertEqual(try CmdStanCSVReader.read(urls: [url("1.csv"), url("3.csv")], allowMixed: true).parameters.chainCount, 2)
    }
}
