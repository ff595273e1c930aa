import XCTest
@testable import MultilevelData

/// A long `*` chain expands to 2^k − 1 terms; the parser refuses more than
/// `TermAlgebra.maximumInteractionTerms` with the operator's column instead of hanging (the formula
/// fuzzer's timeout, Fuzz/regressions/formula-timeout-star-chain.txt).
final class FormulaExpansionLimitTests: XCTestCase {
    func testLongStarChainIsRefusedWithItsColumn() {
        let text = "y ~ " + (1...16).map { "x\($0)" }.joined(separator: "*")
        XCTAssertThrowsError(try Formula.parse(text)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("more than the 4096 supported"), message)
            XCTAssertTrue(message.contains("column"), message)
        }
    }

    func testChainsWithinTheLimitStillExpandFully() throws {
        let text = "y ~ " + (1...10).map { "x\($0)" }.joined(separator: "*")
        XCTAssertEqual(try Formula.parse(text).fixed.terms.count, 1023)
    }

    /// A chain that repeats its variables stays within the per-interaction limit at every step but
    /// forms thousands of products per step; the formula's total is bounded too, naming the column
    /// where it is passed (Fuzz/regressions/formula-timeout-repeated-star-chain.txt).
    func testRepeatedStarChainIsBoundedInAll() {
        let factors = (1...12).map { "x\($0)" } + Array(repeating: "x1", count: 300)
        let text = "y ~ " + factors.joined(separator: "*")
        XCTAssertThrowsError(try Formula.parse(text)) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("more than 65536 terms in all"), message)
            guard let formulaError = error as? FormulaError else { return XCTFail("not a FormulaError: \(error)") }
            // The budget runs out at the 16th '*' of the repeated part or so, well before the end.
            let column = try? XCTUnwrap(formulaError.column)
            XCTAssertGreaterThan(column ?? 0, text.count / 20)
            XCTAssertLessThan(column ?? .max, text.count / 2)
        }
    }

    /// The fuzzer's input itself (13 distinct variables, some repeated) stays under both limits and
    /// parses; repeated variables add no new terms, as in R.
    func testRepeatedVariablesInAChainAddNoTerms() throws {
        let fuzzed = "yL~ fosedRano *phOOt*xClosedRano *phOti*xFFNF*pxOti*xtFFiN*FFFFFFOti*xFFFFFFFF*pxOt*xClosedhOti*xFFNF*pxOFNF*pxOti*xo"
        XCTAssertNoThrow(try Formula.parse(fuzzed))
        let text = "y ~ a*b*a*c*b*a"
        let formula = try Formula.parse(text)
        XCTAssertEqual(formula.fixed.terms.map(\.label),
                       ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"])
    }
}
