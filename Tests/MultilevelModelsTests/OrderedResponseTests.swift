import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// Ordinal responses for `cumulative` (issue 19): a text response given an order with the model
/// file's `ordered:` key (R's `ordered(rating, levels = c(...))`), and integer ratings that skip a
/// category. What brms 2.18 does with them (make_standata, checked in R on 2026-12-07): an ordered
/// factor with unused levels at either end has them dropped (levels low < mid < high plus an unused
/// "top" or "none": nthres 2, Y 1…3); integer ratings {1, 3, 4} keep 1…max (nthres 3); a character
/// response is refused ("requires either positive integers or ordered factors").
final class OrderedResponseTests: XCTestCase {
    static let csv = "rating,x\nmid,0.5\nlow,0.1\nhigh,0.3\nmid,-0.2\nlow,0.8\n"

    func design(_ csv: String, ordered: [String: [String]], formula: String = "rating ~ x") throws -> ModelDesign {
        let table = try DataTable.read(data: Data(csv.utf8), fileName: "ratings.csv")
        return try ModelDesign.build(formula: Formula.parse(formula), table: table,
                                     options: DesignOptions(ordered: ordered))
    }

    func testLevelsBecomeCategoriesInTheGivenOrder() throws {
        let built = try design(Self.csv, ordered: ["rating": ["low", "mid", "high"]])
        XCTAssertEqual(built.response, [2, 1, 3, 2, 1])
        XCTAssertEqual(built.orderedResponseLevels, ["low", "mid", "high"])
        XCTAssertNil(built.responseLevels)
        XCTAssertEqual(Family.cumulative.thresholdCount(for: built), 2)
        XCTAssertNoThrow(try checkResponse(built, family: .cumulative))
        // Reversed order: high is category 1.
        XCTAssertEqual(try design(Self.csv, ordered: ["rating": ["high", "mid", "low"]]).response, [2, 3, 1, 2, 3])
    }

    /// Unused levels are dropped as R's model frame drops them (brms: nthres 2 for both).
    func testUnusedLevelsAreDropped() throws {
        let top = try design(Self.csv, ordered: ["rating": ["low", "mid", "high", "top"]])
        XCTAssertEqual(top.response, [2, 1, 3, 2, 1])
        let bottom = try design(Self.csv, ordered: ["rating": ["none", "low", "mid", "high"]])
        XCTAssertEqual(bottom.response, [2, 1, 3, 2, 1])
        XCTAssertEqual(bottom.orderedResponseLevels, ["low", "mid", "high"])
        let middle = try design(Self.csv, ordered: ["rating": ["low", "fair", "mid", "high"]])
        XCTAssertEqual(middle.response, [2, 1, 3, 2, 1])
        XCTAssertEqual(Family.cumulative.thresholdCount(for: middle), 2)
    }

    /// Integer ratings keep 1 … max(y) (brms: {1, 3, 4} has nthres 3, category 2 empty).
    func testIntegerRatingsThatSkipACategoryKeepOneToMax() throws {
        let table = try DataTable.read(data: Data("rating,x\n1,0.5\n3,0.1\n4,0.3\n1,-0.2\n".utf8), fileName: "r.csv")
        let built = try ModelDesign.build(formula: Formula.parse("rating ~ x"), table: table)
        XCTAssertEqual(built.response, [1, 3, 4, 1])
        XCTAssertEqual(Family.cumulative.thresholdCount(for: built), 3)
        XCTAssertEqual(Family.cumulative.auxiliaryParameters(for: built).count, 2)
    }

    /// Numbers are matched by their labels: `ordered: rating = 3, 2, 1` reverses integer ratings.
    func testNumericColumnTakesAnOrderByLabel() throws {
        let built = try design("rating,x\n1,0.5\n3,0.1\n2,0.3\n", ordered: ["rating": ["3", "2", "1"]])
        XCTAssertEqual(built.response, [3, 1, 2])
    }

    func testValueNotInTheListIsAOneLineErrorNamingFileAndLine() throws {
        XCTAssertThrowsError(try design(Self.csv + "medium,0.4\n", ordered: ["rating": ["low", "mid", "high"]])) { error in
            XCTAssertEqual("\(error)", "ratings.csv:7: 'rating' is 'medium', not one of the levels given to 'ordered: rating = low, mid, high'")
        }
        XCTAssertThrowsError(try design(Self.csv, ordered: ["x": ["a", "b"]])) { error in
            XCTAssertEqual("\(error)", "ordered: 'x' is not the response 'rating'; an order of levels is for an ordinal response (family cumulative)")
        }
        // Without an order a text response stays refused, as brms refuses a character response.
        XCTAssertThrowsError(try design(Self.csv, ordered: [:])) { error in
            XCTAssertTrue("\(error)".contains("only a two-level factor can be a (0/1) response"), "\(error)")
        }
        // An ordered response is for cumulative only.
        let built = try design(Self.csv, ordered: ["rating": ["low", "mid", "high"]])
        XCTAssertThrowsError(try checkResponse(built, family: .gaussian)) { error in
            XCTAssertEqual("\(error)", "response 'rating' is ordered (levels low < mid < high); only family cumulative models ordered categories (give --family cumulative, or drop 'ordered:')")
        }
    }

    func testModelFileKey() throws {
        let text = "formula: rating ~ x\nordered: rating = low, mid ,high\n"
        let specification = try ModelSpecification.parse(text, fileName: "r.model")
        XCTAssertEqual(specification.designOptions.ordered, ["rating": ["low", "mid", "high"]])
        for (bad, message) in [
            ("ordered: rating", "r.model:1: ordered: expected 'column = level1, level2, …' (the levels in order, at least two), got 'rating'"),
            ("ordered: rating = low", "r.model:1: ordered: expected 'column = level1, level2, …' (the levels in order, at least two), got 'rating = low'"),
            ("ordered: rating = low,,high", "r.model:1: ordered: expected 'column = level1, level2, …' (the levels in order, at least two), got 'rating = low,,high'"),
            ("ordered: rating = low, mid, low", "r.model:1: ordered: level 'low' is listed twice"),
            ("ordered: rating = a, b\nordered: rating = b, a", "r.model:2: ordered: 'rating' is given an order twice (first at r.model:1)"),
        ] {
            XCTAssertThrowsError(try ModelSpecification.parse(bad, fileName: "r.model"), bad) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        // A flag replaces the file's order of the same column.
        var flagged = try ModelSpecification.parse("ordered: rating = a, b", fileName: "r.model")
        try flagged.set(key: "ordered", value: "rating=b,a", origin: .option("ordered"))
        XCTAssertEqual(flagged.designOptions.ordered, ["rating": ["b", "a"]])
    }
}
