import Foundation
import XCTest
@testable import MultilevelData

/// brms' addition terms: parsing (`se()`, `cens()`, `weights()`, `trunc()` joined with `+`,
/// beside `trials()`), the per-row values on the used rows, and one-line errors naming the data
/// file's line for values brms refuses (an unknown censoring code, a negative weight or standard
/// error, a response outside its truncation bounds, an interval without y < y2).
final class ResponseAdditionsTests: XCTestCase {
    private func design(_ formula: String, _ csv: String) throws -> ModelDesign {
        let table = try DataTable.read(data: Data(csv.utf8), fileName: "d.csv")
        return try ModelDesign.build(formula: Formula.parse(formula), table: table)
    }

    private func message(_ formula: String, _ csv: String) -> String? {
        do { _ = try design(formula, csv); return nil } catch { return "\(error)" }
    }

    private let csv = "y,y2,c,w,s,g\n1.5,2,0,1,0.5,a\n2.5,3,1,2,0.4,a\n0.5,1,-1,0.5,0.3,b\n1,1.5,2,1.5,0.2,b\n"

    func testParsing() throws {
        let formula = try Formula.parse("y | cens(c, y2) + weights(w) + trunc(lb = 0, ub = 10) ~ 1 + (1 | g)")
        XCTAssertEqual(formula.additions.labels, ["cens(c, y2)", "weights(w)", "trunc(lb = 0, ub = 10)"])
        XCTAssertEqual(formula.referencedColumns.map(\.name), ["y", "c", "y2", "w", "g"])
        let se = try Formula.parse("yi | se(sei, sigma = TRUE) ~ 1")
        XCTAssertEqual(se.additions.labels, ["se(sei, sigma = TRUE)"])
        XCTAssertTrue(se.additions.standardErrorWithSigma)
        let trials = try Formula.parse("s | trials(n) + weights(w) ~ x")
        guard case .trials = trials.response else { return XCTFail("trials") }
        XCTAssertEqual(trials.additions.labels, ["weights(w)"])
    }

    func testValues() throws {
        let d = try design("y | cens(c, y2) + weights(w) ~ 1", csv)
        XCTAssertEqual(d.additions?.censoring, [.none, .right, .left, .interval])
        XCTAssertEqual(d.additions?.weights, [1, 2, 0.5, 1.5])
        XCTAssertEqual(d.additions?.censoringUpper, [2, 3, 1, 1.5])
        let words = try design("y | cens(c) ~ 1", "y,c\n1,\"left\"\n2,\"none\"\n3,\"right\"\n4,\"none\"\n")
        XCTAssertEqual(words.additions?.censoring, [.left, .none, .right, .none])
        let trunc = try design("y | trunc(lb = 0) ~ 1", csv)
        XCTAssertEqual(trunc.additions?.truncationUpper, [Double](repeating: .infinity, count: 4))
    }

    func testBadValuesNameTheLine() {
        XCTAssertEqual(message("y | cens(c) ~ 1", "y,c\n1,0\n2,3\n"),
                       "d.csv:3: unknown censoring code 3 in cens(c); use -1, 0, 1, 2 (or left, none, right, interval)")
        XCTAssertEqual(message("y | cens(c) ~ 1", "y,c\n1,\"none\"\n2,\"lft\"\n"),
                       "d.csv:3: unknown censoring code 'lft' in cens(c); use left, none, right, interval (or -1, 0, 1, 2)")
        XCTAssertEqual(message("y | weights(w) ~ 1", "y,w\n1,1\n2,-0.5\n"),
                       "d.csv:3: weight -0.5 in weights(w) must be non-negative and finite")
        XCTAssertEqual(message("y | se(s) ~ 1", "y,s\n1,1\n2,0\n"),
                       "d.csv:3: standard error 0 in se(s) must be positive and finite")
        XCTAssertEqual(message("y | trunc(ub = 2) ~ 1", "y\n1\n2.5\n"),
                       "d.csv:3: response 2.5 is outside the truncation bounds [-Inf, 2]")
        XCTAssertEqual(message("y | cens(c, y2) ~ 1", "y,c,y2\n1,0,1\n2,2,1.5\n"),
                       "d.csv:3: interval-censored row needs y < y2 (2 and 1.5 in cens(c, y2))")
        XCTAssertEqual(message("y | cens(c) ~ 1", "y,c\n1,0\n2,2\n"),
                       "d.csv:3: interval censoring needs the upper end: write cens(c, y2)")
        XCTAssertEqual(message("y | weights(g) ~ 1", "y,g\n1,\"a\"\n2,\"b\"\n"),
                       "formula error at column 13: weights(g): 'g' is a factor; it must be numeric")
    }
}
