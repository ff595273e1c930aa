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
}
