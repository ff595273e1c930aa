import Foundation
import XCTest
@testable import MultilevelData

/// brms' `mo(x)`: parsing (one column; in a group-level term only beside the population-level one), the categories on the used
/// rows (whole numbers counted from the smallest), and one-line errors naming the file, line and
/// column for predictors that are not ordinal.
final class MonotonicTermTests: XCTestCase {
    private func design(_ formula: String, _ csv: String) throws -> ModelDesign {
        let table = try DataTable.read(data: Data(csv.utf8), fileName: "d.csv")
        return try ModelDesign.build(formula: Formula.parse(formula), table: table)
    }

    private func message(_ formula: String, _ csv: String) -> String? {
        do { _ = try design(formula, csv); return nil } catch { return "\(error)" }
    }

    private let csv = "y,edu,x,h,g\n1.5,1,0.2,0.5,a\n2.5,3,0.1,1,a\n0.5,2,-1,2,b\n1,1,0.4,1.5,b\n"

    func testParsing() throws {
        let formula = try Formula.parse("y ~ mo(edu) + x + (1 | g)")
        XCTAssertEqual(formula.monotonic.map(\.variable), ["edu"])
        XCTAssertEqual(formula.monotonic[0].column, 5)
        XCTAssertEqual(formula.fixed.terms.map(\.label), ["x"])
        XCTAssertEqual(formula.referencedColumns.map(\.name), ["y", "x", "edu", "g"])
        XCTAssertEqual(try Formula.parse("y ~ mo(edu) + mo(edu)").monotonic.count, 1)
    }

    /// `mo(edu):x` is its own term (brms' `bsp_moedu:x`, `simo_moedu:x1`), named as R labels the
    /// term (variables in order of first appearance), ordered by degree as R orders terms;
    /// `mo(edu)*x` expands to mo(edu) + x + mo(edu):x.
    func testInteractionsParse() throws {
        let formula = try Formula.parse("y ~ mo(edu):x + mo(edu) + (1 | g)")
        XCTAssertEqual(formula.monotonic.map(\.text), ["mo(edu)", "mo(edu):x"])
        XCTAssertEqual(formula.monotonic[1].covariates, ["x"])
        XCTAssertEqual(formula.monotonic[1].covariateColumns, [13])
        XCTAssertEqual(formula.fixed.terms.map(\.label), [])
        XCTAssertEqual(formula.referencedColumns.map(\.name), ["y", "edu", "x", "g"])
        XCTAssertEqual(try Formula.parse("y ~ x + h:mo(edu)").monotonic.map(\.text), ["h:mo(edu)"])
        XCTAssertEqual(try Formula.parse("y ~ x + mo(edu):x:h").monotonic.map(\.text), ["x:mo(edu):h"])
        let star = try Formula.parse("y ~ mo(edu) * x")
        XCTAssertEqual(star.monotonic.map(\.text), ["mo(edu)", "mo(edu):x"])
        XCTAssertEqual(star.fixed.terms.map(\.label), ["x"])
        XCTAssertEqual(try Formula.parse("y ~ mo(edu):x + x:mo(edu)").monotonic.count, 1)
    }

    /// The interaction's rows carry the covariates' product (brms' `Csp`), its names follow brms.
    func testInteractionDesign() throws {
        let d = try design("y ~ mo(edu) + mo(edu):x:h", csv)
        XCTAssertEqual(d.monotonic.map(\.name), ["moedu", "moedu:x:h"])
        XCTAssertEqual(d.monotonic[1].coefficientName, "bsp_moedu:x:h")
        XCTAssertEqual(d.monotonic[1].simplexName, "simo_moedu:x:h1")
        XCTAssertEqual(d.monotonic[1].covariateValues, [0.2 * 0.5, 0.1 * 1, -1 * 2, 0.4 * 1.5])
        XCTAssertEqual(d.monotonic[0].covariateValues, [])
        XCTAssertEqual(d.monotonic[0].covariate(2), 1)
        // A factor gives one term per level's indicator (all levels without mo(edu) alone).
        let factor = try design("y ~ mo(edu):g", csv)
        XCTAssertEqual(factor.monotonic.map(\.name), ["moedu:ga", "moedu:gb"])
        XCTAssertEqual(factor.monotonic[1].covariateValues, [0, 0, 1, 1])
        XCTAssertEqual(factor.monotonic[1].covariateLevels, ["b"])
        XCTAssertEqual(try design("y ~ mo(edu) * g", csv).monotonic.map(\.name), ["moedu", "moedu:gb"])
    }

    func testCategoriesCountFromTheSmallestValue() throws {
        let d = try design("y ~ mo(edu) + x + (1 | g)", csv)
        XCTAssertEqual(d.monotonic.count, 1)
        XCTAssertEqual(d.monotonic[0].categories, [0, 2, 1, 0])
        XCTAssertEqual(d.monotonic[0].categoryCount, 2)
        XCTAssertEqual(d.monotonic[0].minimum, 1)
        XCTAssertEqual(d.fixedEffectNames, ["(Intercept)", "x"])
        XCTAssertEqual(try d.monotonic[0].categories(of: [3, 1], lines: [2, 3], fileName: "new.csv"), [2, 0])
        XCTAssertThrowsError(try d.monotonic[0].categories(of: [1, 4], lines: [2, 3], fileName: "new.csv")) { error in
            XCTAssertTrue("\(error)".hasPrefix("new.csv:3: mo(edu): 'edu' is 4; the fitted categories are the whole numbers 1 to 3"), "\(error)")
        }
    }

    func testFormulaErrors() {
        for (formula, column, text) in [
            ("y ~ mo(edu):mo(x)", 13, "a product of monotonic effects (mo(x):mo(z)) is not supported"),
            ("y ~ mo(edu):log(x)", 13, "the other operands must be column names"),
            ("y ~ mo(edu):edu", 13, "'edu' cannot be interacted with its own monotonic effect"),
            ("y ~ x - mo(edu):x", 9, "mo() can only be added (+) to the population-level part"),
            ("y ~ (mo(edu) + x):h", 6, "mo() can only be added (+) to the population-level part"),
            ("y ~ x + (mo(edu) | g)", 10, "the group-level mo(edu) of (mo(edu) | g) needs the population-level term mo(edu)"),
            ("y ~ mo(edu) + (mo(edu):x | g)", 16, "mo() can only be added (+) to the population-level part"),
            ("y ~ mo(edu, x)", 5, "mo() takes one column"),
            ("y ~ mo(log(edu))", 5, "mo() takes one column"),
            ("y ~ log(mo(edu))", 9, "mo() must stand alone as a term"),
        ] {
            XCTAssertThrowsError(try Formula.parse(formula), formula) { error in
                guard let error = error as? FormulaError else { return XCTFail("\(formula): \(error)") }
                XCTAssertEqual(error.column, column, formula)
                XCTAssertTrue(error.message.contains(text), "\(formula): \(error.message)")
            }
        }
    }

    func testNonOrdinalPredictorsNameTheRow() {
        XCTAssertEqual(message("y ~ mo(h)", csv),
                       "d.csv:2: mo(h): 'h' is 0.5; mo() needs an ordinal predictor: whole numbers 0, 1, …, D (or an ordered factor)")
        XCTAssertEqual(message("y ~ mo(edu)", "y,edu\n1,2\n2,2\n"),
                       "mo(edu): 'edu' takes the single value 2 on the rows used; a monotonic effect needs at least two categories")
        let factor = message("y ~ mo(g)", csv) ?? ""
        XCTAssertTrue(factor.contains("mo(g): 'g' is a factor (a, b); mo() needs its categories as whole numbers"), factor)
        XCTAssertTrue(factor.contains("column 8"), factor)
    }
}
