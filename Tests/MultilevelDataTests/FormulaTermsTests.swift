import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelData

/// poly(), scale(), contrasts, C() and reference levels against R's `model.matrix`
/// (`Fixtures/formula_terms_model_matrices.json`, from scripts/references/formula_terms_model_matrices.R),
/// on the fitted rows and on new rows through the design recipe, to 1e-12.
final class FormulaTermsTests: XCTestCase {
    private struct Case {
        var name, data, formula: String
        var contrasts: [String: String]
        var reference: [String: String]
        var columns: [String]
        var matrix: [[Double]]
        var newMatrix: [[Double]]
    }

    private func cases() throws -> [Case] {
        let data = try Data(contentsOf: Fixtures.url("formula_terms_model_matrices", "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try XCTUnwrap(root["cases"] as? [[String: Any]])
        return try list.map { c in
            Case(name: try XCTUnwrap(c["name"] as? String), data: try XCTUnwrap(c["data"] as? String),
                 formula: try XCTUnwrap(c["formula"] as? String),
                 contrasts: c["contrasts"] as? [String: String] ?? [:], reference: c["reference"] as? [String: String] ?? [:],
                 columns: try XCTUnwrap(c["columns"] as? [String]),
                 matrix: try XCTUnwrap(c["matrix"] as? [[Double]]), newMatrix: try XCTUnwrap(c["new_matrix"] as? [[Double]]))
        }
    }

    /// The new rows of the R script, as a CSV the way a user would give them.
    private func newData(_ dataName: String) throws -> DataTable {
        if dataName == "cake" {
            return try DataTable(csv: "recipe,temperature,temp\n\"C\",\"225\",230\n\"A\",\"175\",170\n\"B\",\"195\",199.5\n", fileName: "new.csv")
        }
        return try DataTable(csv: "Days,Subject\n0,\"308\"\n2.5,\"308\"\n10,\"308\"\n12,\"308\"\n0.5,\"308\"\n", fileName: "new.csv")
    }

    func testModelMatricesMatchR() throws {
        let all = try cases()
        XCTAssertEqual(all.count, 10)
        for c in all {
            var options = DesignOptions()
            for (column, name) in c.contrasts { options.contrasts[column] = try XCTUnwrap(ContrastKind(name: name)) }
            options.references = c.reference
            let design = try ModelDesign.build(formula: Formula.parse(c.formula), table: Fixtures.table(c.data), options: options)
            XCTAssertEqual(design.fixedEffectNames, c.columns, c.name)
            guard design.fixedEffectNames == c.columns else { continue }
            for (i, row) in c.matrix.enumerated() {
                for (j, value) in row.enumerated() {
                    XCTAssertEqual(design.fixedEffects[i, j], value, accuracy: 1e-12, "\(c.name) row \(i + 1) column \(c.columns[j])")
                }
            }
            let recipe = try XCTUnwrap(design.recipe)
            let x = try recipe.fixedEffects(newData: newData(c.data))
            XCTAssertEqual(x.rows, c.newMatrix.count, c.name)
            for (i, row) in c.newMatrix.enumerated() {
                for (j, value) in row.enumerated() {
                    XCTAssertEqual(x[i, j], value, accuracy: 1e-12, "\(c.name) new row \(i + 1) column \(c.columns[j])")
                }
            }
        }
    }

    /// R: attr(poly(sleepstudy$Days, 2), "coefs") = alpha (4.5, 4.5), norm2 (1, 180, 1485, 9504).
    func testPolynomialCoefficientsAsR() throws {
        let x = (0..<180).map { Double($0 % 10) }
        let (basis, columns) = try OrthogonalPolynomial.fit(x, degree: 2)
        XCTAssertEqual(basis.alpha[0], 4.5, accuracy: 1e-13)
        XCTAssertEqual(basis.alpha[1], 4.5, accuracy: 1e-13)
        for (value, expected) in zip(basis.norm2, [1, 180, 1485, 9504.00000000001]) {
            XCTAssertEqual(value, expected, accuracy: 1e-9 * expected)
        }
        // The recurrence at the fitted x gives the fitted basis back.
        for (a, b) in zip(basis.basis(at: x), columns) { for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-14) } }
        XCTAssertThrowsError(try OrthogonalPolynomial.fit([1, 2, 1, 2], degree: 2))
    }

    /// contr.helmert(4), contr.sum(3) and contr.poly(4) as R prints them.
    func testContrastMatricesAsR() {
        XCTAssertEqual(ContrastKind.helmert.matrix(levelCount: 4), [[-1, 1, 0, 0], [-1, -1, 2, 0], [-1, -1, -1, 3]])
        XCTAssertEqual(ContrastKind.sum.matrix(levelCount: 3), [[1, 0, -1], [0, 1, -1]])
        let poly = ContrastKind.polynomial.matrix(levelCount: 4)
        let expected: [[Double]] = [[-0.670820393249937, -0.223606797749979, 0.223606797749979, 0.670820393249937],
                                    [0.5, -0.5, -0.5, 0.5],
                                    [-0.223606797749979, 0.670820393249937, -0.670820393249937, 0.223606797749979]]
        for (a, b) in zip(poly, expected) { for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-14) } }
        XCTAssertEqual(ContrastKind.polynomial.suffixes(levels: ["a", "b", "c", "d", "e"]), [".L", ".Q", ".C", "^4"])
    }

    func testBrmsNamesOfTermColumns() {
        XCTAssertEqual(brmsName(ofColumn: "poly(Days, 2)1"), "polyDays21")
        XCTAssertEqual(brmsName(ofColumn: "poly(Days, 2, raw = TRUE)1"), "polyDays2rawEQTRUE1")
        XCTAssertEqual(brmsName(ofColumn: "sppEC-A"), "sppECMA")
        XCTAssertEqual(brmsName(ofColumn: "I(x^2)"), "IxE2")
        XCTAssertEqual(brmsName(ofColumn: "temperature.L:recipe1"), "temperature.L:recipe1")
    }

    func testTermErrorsNameTheColumn() {
        func message(_ formula: String) -> String? {
            expectError(FormulaError.self) { _ = try Formula.parse(formula) }?.description
        }
        XCTAssertEqual(message("y ~ log(poly(x, 2))"), "formula error at column 9: poly() must stand alone as a term (not inside another function or arithmetic)")
        XCTAssertEqual(message("y ~ poly(x, 2.5)"), "formula error at column 13: poly(): the degree must be a whole number from 1 to 20")
        XCTAssertEqual(message("y ~ poly(x, 2, raw = yes)"), "formula error at column 22: poly(): 'raw' must be TRUE or FALSE")
        XCTAssertEqual(message("y ~ C(f, wrong)"), "formula error at column 10: unknown contrast 'wrong'; use \(ContrastKind.acceptedNames)")
        XCTAssertEqual(message("y ~ scale(x, middle = TRUE)"), "formula error at column 14: scale(): unknown argument 'middle' (known: center, scale)")
        XCTAssertNotNil(message("y ~ x = 2"))
    }

    func testReferenceLevelErrors() throws {
        let table = try Fixtures.table("cake")
        let formula = try Formula.parse("angle ~ recipe")
        XCTAssertEqual(expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: formula, table: table, options: DesignOptions(references: ["recipe": "D"]))
        }?.description, "reference: 'D' is not a level of 'recipe' (levels: A, B, C)")
        XCTAssertEqual(expectError(DesignError.self) {
            _ = try ModelDesign.build(formula: formula, table: table, options: DesignOptions(references: ["temp": "175"]))
        }?.description, "reference: 'temp' is numeric, not a factor; add 'factor: temp' to treat it as one")
    }

    func testNewDataWithAnUnknownLevelNamesTheLine() throws {
        let design = try ModelDesign.build(formula: Formula.parse("angle ~ recipe"), table: Fixtures.table("cake"))
        let table = try DataTable(csv: "recipe\n\"A\"\n\"Z\"\n", fileName: "new.csv")
        XCTAssertEqual(expectError(DesignError.self) { _ = try design.recipe?.fixedEffects(newData: table) }?.description,
                       "new.csv:3: 'Z' is not a level of 'recipe' in the fitted data (levels: A, B, C)")
    }
}
