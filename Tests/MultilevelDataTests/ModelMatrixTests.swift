import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelData

/// Design matrices against R's `model.matrix` (fixtures from scripts/references/data_fixtures.R).
final class ModelMatrixTests: XCTestCase {
    private func tables() throws -> [String: DataTable] {
        ["sleepstudy.csv": try Fixtures.table("sleepstudy"), "cbpp.csv": try Fixtures.table("cbpp"),
         "interactions.csv": try Fixtures.table("interactions")]
    }

    /// Every formula of the fixture: same column names, same order, same values as R, and the
    /// same rank as R's `qr(X, tol = 1e-7)`.
    func testAllFixtureMatricesMatchR() throws {
        let reference = try Fixtures.reference()
        let matrices = try XCTUnwrap(reference["matrices"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(matrices.count, 25)
        let tables = try tables()
        for m in matrices {
            let formulaText = try XCTUnwrap(m["formula"] as? String)
            let table = try XCTUnwrap(tables[try XCTUnwrap(m["data"] as? String)])
            let columns = try XCTUnwrap(m["columns"] as? [String])
            let rows = try XCTUnwrap(m["rows"] as? Int)
            let values = try XCTUnwrap(m["values"] as? [Double])
            let rank = try XCTUnwrap(m["rank"] as? Int)
            let pivot = try XCTUnwrap(m["pivot"] as? [Int])
            let design = try ModelDesign.build(formula: Formula.parse(formulaText), table: table)
            XCTAssertEqual(design.rowCount, rows, formulaText)
            // R keeps aliased columns in model.matrix; the design drops pivot[rank...] as lme4 does.
            let keptColumns = pivot[..<rank].map { columns[$0] }
            XCTAssertEqual(design.fixedEffectNames, keptColumns, formulaText)
            XCTAssertEqual(design.droppedFixedEffectNames, pivot[rank...].map { columns[$0] }, formulaText)
            for (k, original) in pivot[..<rank].enumerated() where k < design.fixedEffectCount {
                let expected = Array(values[(original * rows)..<((original + 1) * rows)])
                let actual = design.fixedEffects.column(k)
                for (a, e) in zip(actual, expected) {
                    XCTAssertEqual(a, e, accuracy: 1e-12 * max(1, abs(e)), "\(formulaText) column \(columns[original])")
                }
            }
        }
    }

    /// The columns before rank dropping, straight from the term algebra and contrasts.
    func testColumnNamesBeforeDroppingMatchR() throws {
        let reference = try Fixtures.reference()
        let matrices = try XCTUnwrap(reference["matrices"] as? [[String: Any]])
        let tables = try tables()
        for m in matrices {
            let formulaText = try XCTUnwrap(m["formula"] as? String)
            let table = try XCTUnwrap(tables[try XCTUnwrap(m["data"] as? String)])
            let design = try ModelDesign.build(formula: Formula.parse(formulaText), table: table)
            let all = design.fixedEffectNames + design.droppedFixedEffectNames
            XCTAssertEqual(Set(all), Set(try XCTUnwrap(m["columns"] as? [String])), formulaText)
        }
    }

    func testRankDeficientNotice() throws {
        let design = try ModelDesign.build(formula: Formula.parse("y ~ x + x2"), table: Fixtures.table("interactions"))
        XCTAssertEqual(design.fixedEffectNames, ["(Intercept)", "x"])
        XCTAssertEqual(design.droppedFixedEffectNames, ["x2"])
        XCTAssertEqual(design.fixedEffects.columns, 2)
        XCTAssertTrue(design.notices.contains("fixed-effect model matrix is rank deficient so dropping 1 column / coefficient (x2)"))
    }

    func testFactorLevelsMatchR() throws {
        let reference = try Fixtures.reference()
        let levels = try XCTUnwrap(reference["levels"] as? [String: [String]])
        let table = try Fixtures.table("interactions")
        for (name, expected) in levels {
            guard case .factor(let actual, _) = table.column(named: name) else { return XCTFail("\(name) is not a factor") }
            XCTAssertEqual(actual, expected, name)
        }
    }

    func testCollationMatchesRSort() throws {
        let reference = try Fixtures.reference()
        let collation = try XCTUnwrap(reference["collation"] as? [String: [String]])
        let input = try XCTUnwrap(collation["input"])
        XCTAssertEqual(RCollation.sorted(input), collation["sorted"])
        XCTAssertEqual(RCollation.sorted(input.reversed()), collation["sorted"])
    }

    func testNumberLabelsMatchRAsCharacter() throws {
        let reference = try Fixtures.reference()
        let numbers = try XCTUnwrap(reference["numbers"] as? [String: Any])
        let values = try XCTUnwrap(numbers["values"] as? [Double])
        let labels = try XCTUnwrap(numbers["labels"] as? [String])
        XCTAssertEqual(values.map(RCollation.label(of:)), labels)
    }
}
