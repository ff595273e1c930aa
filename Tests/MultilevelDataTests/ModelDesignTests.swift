import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelData

final class ModelDesignTests: XCTestCase {
    private func reference(_ formula: String) throws -> (columns: [String], rows: Int, values: [Double]) {
        let matrices = try XCTUnwrap(Fixtures.reference()["matrices"] as? [[String: Any]])
        let m = try XCTUnwrap(matrices.first { $0["formula"] as? String == formula })
        return (try XCTUnwrap(m["columns"] as? [String]), try XCTUnwrap(m["rows"] as? Int), try XCTUnwrap(m["values"] as? [Double]))
    }

    private func group(_ name: String) throws -> (levels: [String], index: [Int]) {
        let groups = try XCTUnwrap(Fixtures.reference()["groups"] as? [[String: Any]])
        let g = try XCTUnwrap(groups.first { $0["name"] as? String == name })
        return (try XCTUnwrap(g["levels"] as? [String]), try XCTUnwrap(g["index"] as? [Int]))
    }

    func testSleepstudyDesign() throws {
        let design = try ModelDesign.build(formula: Formula.parse("Reaction ~ Days + (Days | Subject)"),
                                           table: Fixtures.table("sleepstudy"))
        let r = try reference("Reaction ~ Days")
        XCTAssertEqual(design.rowCount, 180)
        XCTAssertEqual(design.fixedEffectNames, ["(Intercept)", "Days"])
        XCTAssertEqual(design.fixedEffects.elements, r.values)
        XCTAssertEqual(design.response.first, 249.56)
        XCTAssertNil(design.trials)
        XCTAssertEqual(design.randomTerms.count, 1)
        let term = design.randomTerms[0]
        XCTAssertEqual(term.text, "(Days | Subject)")
        XCTAssertEqual(term.columnNames, ["(Intercept)", "Days"])
        XCTAssertEqual(term.brmsColumnNames, ["Intercept", "Days"])
        // Z block = model.matrix(~ Days) laid out row-major.
        for i in 0..<180 {
            XCTAssertEqual(term.values[2 * i], r.values[i])
            XCTAssertEqual(term.values[2 * i + 1], r.values[180 + i])
        }
        let subject = try group("Subject")
        XCTAssertEqual(term.grouping.levels, subject.levels)
        XCTAssertEqual(term.grouping.levelIndex, subject.index)
        XCTAssertEqual(term.grouping.levelCount, 18)
        XCTAssertEqual(design.sourceLines.first, 2)
        XCTAssertTrue(design.notices.isEmpty)
    }

    func testCbppTrialsAndCbindAgree() throws {
        let table = try Fixtures.table("cbpp")
        let brms = try ModelDesign.build(formula: Formula.parse("incidence | trials(size) ~ period + (1 | herd)"), table: table)
        let lme4 = try ModelDesign.build(formula: Formula.parse("cbind(incidence, size - incidence) ~ period + (1 | herd)"), table: table)
        let r = try reference("incidence ~ period")
        XCTAssertEqual(brms.fixedEffectNames, ["(Intercept)", "period2", "period3", "period4"])
        XCTAssertEqual(brms.fixedEffects.elements, r.values)
        XCTAssertEqual(brms.response, lme4.response)
        XCTAssertEqual(brms.trials, lme4.trials)
        XCTAssertEqual(brms.trials?.prefix(3), [14, 12, 9])
        XCTAssertEqual(brms.responseName, "incidence")
        let herd = try group("herd")
        XCTAssertEqual(brms.randomTerms[0].grouping.levels, herd.levels)
        XCTAssertEqual(brms.randomTerms[0].grouping.levelIndex, herd.index)
        XCTAssertEqual(brms.randomTerms[0].values, [Double](repeating: 1, count: 56))
    }

    func testDoubleBarSplitsIntoOneTermPerColumn() throws {
        let design = try ModelDesign.build(formula: Formula.parse("Reaction ~ Days + (Days || Subject)"),
                                           table: Fixtures.table("sleepstudy"))
        let r = try reference("Reaction ~ Days")
        XCTAssertEqual(design.randomTerms.map(\.text), ["(1 | Subject)", "(0 + Days | Subject)"])
        XCTAssertEqual(design.randomTerms.map(\.columnNames), [["(Intercept)"], ["Days"]])
        XCTAssertEqual(design.randomTerms[0].values, Array(r.values[0..<180]))
        XCTAssertEqual(design.randomTerms[1].values, Array(r.values[180..<360]))
        XCTAssertEqual(design.randomTerms[0].grouping, design.randomTerms[1].grouping)
    }

    func testNestedGroupingLevelsAsBrms() throws {
        let design = try ModelDesign.build(formula: Formula.parse("y ~ 1 + (1 | a/b)"), table: Fixtures.table("interactions"))
        XCTAssertEqual(design.rowCount, 39)
        XCTAssertEqual(design.randomTerms.map(\.grouping.name), ["a", "a:b"])
        XCTAssertEqual(design.randomTerms[0].grouping.levels, ["A", "B", "C", "D"])
        let ab = try group("a:b")
        XCTAssertEqual(design.randomTerms[1].grouping.levels, ab.levels)
        XCTAssertEqual(design.randomTerms[1].grouping.levelIndex, ab.index)
        XCTAssertEqual(design.randomTerms[1].text, "(1 | a:b)")
        // (1 | a:b) written directly gives the same grouping.
        let direct = try ModelDesign.build(formula: Formula.parse("y ~ 1 + (1 | a:b)"), table: Fixtures.table("interactions"))
        XCTAssertEqual(direct.randomTerms[0].grouping, design.randomTerms[1].grouping)
    }

    func testCrossedTermsAndFactorSlopes() throws {
        let design = try ModelDesign.build(formula: Formula.parse("y ~ x + (1 | a) + (0 + f | g) + (x | b)"),
                                           table: Fixtures.table("interactions"))
        XCTAssertEqual(design.randomTerms.map(\.grouping.name), ["a", "g", "b"])
        XCTAssertEqual(design.randomTerms[1].columnNames, ["fhi", "flo", "fMid"])
        XCTAssertEqual(design.randomTerms[2].columnNames, ["(Intercept)", "x"])
        XCTAssertEqual(design.rowCount, 37)
        XCTAssertEqual(design.droppedRowCount, 3)
        XCTAssertEqual(design.missingValueColumns, ["y", "x", "f"])
        XCTAssertEqual(design.notices, ["dropped 3 rows with missing values in y, x, f; 37 rows used"])
        // Rows keep their source lines: lines 4, 8 and 12 (rows 3, 7, 11) are gone.
        XCTAssertFalse(design.sourceLines.contains(4) || design.sourceLines.contains(8) || design.sourceLines.contains(12))
        XCTAssertEqual(design.sourceLines.prefix(4), [2, 3, 5, 6])
    }

    func testTwoLevelFactorResponse() throws {
        let table = try DataTable(csv: "outcome,x,g\nyes,1,a\nno,2,a\nyes,3,b\nno,4,b\n")
        let design = try ModelDesign.build(formula: Formula.parse("outcome ~ x + (1 | g)"), table: table)
        XCTAssertEqual(design.responseLevels, ["no", "yes"])
        XCTAssertEqual(design.response, [1, 0, 1, 0])
    }

    func testForcedFactor() throws {
        let table = try DataTable(csv: "y,k,g\n1,3,a\n2,1,a\n3,10,b\n4,3,b\n")
        let design = try ModelDesign.build(formula: Formula.parse("y ~ k + (1 | g)"), table: table, factors: ["k"])
        XCTAssertEqual(design.fixedEffectNames, ["(Intercept)", "k3", "k10"])
        let viaFunction = try ModelDesign.build(formula: Formula.parse("y ~ factor(k) + (1 | g)"), table: table)
        XCTAssertEqual(viaFunction.fixedEffectNames, ["(Intercept)", "factor(k)3", "factor(k)10"])
        XCTAssertEqual(viaFunction.fixedEffects, design.fixedEffects)
    }

    func testNumericGroupingFactor() throws {
        let table = try DataTable(csv: "y,id\n1,10\n2,9\n3,10\n4,9\n")
        let design = try ModelDesign.build(formula: Formula.parse("y ~ 1 + (1 | id)"), table: table)
        XCTAssertEqual(design.randomTerms[0].grouping.levels, ["9", "10"])
        XCTAssertEqual(design.randomTerms[0].grouping.levelIndex, [1, 0, 1, 0])
    }

    // MARK: errors

    func testUnknownColumnNamesNearest() {
        let e = expectError(FormulaError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("Reaction ~ Dys + (Days | Subject)"), table: Fixtures.table("sleepstudy"))
        }
        XCTAssertEqual(e?.description, "formula error at column 12: unknown variable 'Dys'; nearest column: Days")
        let e2 = expectError(FormulaError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("Reaction ~ Days + (1 | qqqqqq)"), table: Fixtures.table("sleepstudy"))
        }
        XCTAssertEqual(e2?.description, "formula error at column 24: unknown variable 'qqqqqq'; the data has columns Reaction, Days, Subject")
    }

    func testNonNumericResponse() {
        let e = expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("Subject ~ Days"), table: Fixtures.table("sleepstudy"))
        }
        // Named by the first row bringing a third level (subject 310 starts at line 22).
        XCTAssertTrue(e?.description.hasSuffix(":22: response 'Subject' is not numeric: it is a factor with 18 levels (308, 309, 310, ...); only a two-level factor can be a (0/1) response; this is the first row with a third level, '310'") ?? false,
                      e?.description ?? "no error")
    }

    func testGroupingFactorWithOneLevel() {
        let table = try? DataTable(csv: "y,x,g\n1,1,a\n2,2,a\n3,3,a\n")
        let e = expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("y ~ x + (1 | g)"), table: XCTUnwrap(table))
        }
        XCTAssertEqual(e?.description, "grouping factor 'g' of (1 | g) has only 1 level in the 3 rows used; a random effect needs at least 2")
    }

    func testFactorArithmeticIsAnError() {
        let e = expectError(FormulaError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("Reaction ~ log(Subject)"), table: Fixtures.table("sleepstudy"))
        }
        XCTAssertEqual(e?.column, 16)
    }

    func testNonFiniteValuesNameTheLine() {
        let table = try? DataTable(csv: "y,x\n1,1\n2,0\n3,2\n")
        let e = expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("y ~ log(x)"), table: XCTUnwrap(table))
        }
        XCTAssertEqual(e?.description, "<string>:3: column 'log(x)' of the fixed effects is -Inf; values must be finite")
    }

    func testAllRowsMissing() {
        let table = try? DataTable(csv: "y,x\n1,NA\nNA,2\n", fileName: "m.csv")
        let e = expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("y ~ x"), table: XCTUnwrap(table))
        }
        XCTAssertEqual(e?.description, "m.csv: no rows left after dropping 2 rows with missing values in y, x")
    }

    func testUnknownForcedFactor() {
        let e = expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: Formula.parse("Reaction ~ Days"), table: Fixtures.table("sleepstudy"), factors: ["Dais"])
        }
        XCTAssertEqual(e?.description, "factor: unknown column 'Dais'; nearest column: Days")
    }
}
