import XCTest
@testable import MultilevelMath

/// Relative error |computed − reference| / |reference| (absolute when the reference is 0).
func relativeError(_ computed: Double, _ reference: Double) -> Double {
    if computed == reference { return 0 }
    if reference == 0 { return abs(computed) }
    return abs(computed - reference) / abs(reference)
}

/// Special functions against mpmath values (scripts/references/special_functions.py).
final class SpecialFunctionTests: XCTestCase {
    func check(_ name: String, _ rows: [(Double, Double)], tolerance: Double,
               _ function: (Double) -> Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(rows.isEmpty)
        for (x, reference) in rows {
            let value = function(x)
            XCTAssertLessThanOrEqual(relativeError(value, reference), tolerance,
                                     "\(name)(\(x)) = \(value), reference \(reference)", file: file, line: line)
        }
    }

    func testLogGamma() {
        check("logGamma", Reference.logGamma.map { ($0.x, $0.value) }, tolerance: 1e-13, logGamma)
        XCTAssertEqual(logGammaWithSign(-0.5).sign, -1)
        XCTAssertEqual(logGammaWithSign(-1.5).sign, 1)
        XCTAssertEqual(logGamma(0), .infinity)
    }

    func testLogGamma1p() {
        check("logGamma1p", Reference.logGamma1p.map { ($0.x, $0.value) }, tolerance: 1e-14, logGamma1p)
    }

    func testLogBeta() {
        for row in Reference.logBeta {
            XCTAssertLessThanOrEqual(relativeError(logBeta(row.a, row.b), row.value), 1e-13,
                                     "logBeta(\(row.a), \(row.b))")
        }
    }

    func testDigammaAndTrigamma() {
        check("digamma", Reference.digamma.map { ($0.x, $0.value) }, tolerance: 1e-13, digamma)
        check("trigamma", Reference.trigamma.map { ($0.x, $0.value) }, tolerance: 1e-13, trigamma)
        XCTAssert(digamma(0).isNaN && digamma(-3).isNaN && trigamma(-2).isNaN)
    }

    func testLogOnePlusMinusAndExponentials() {
        check("log1pmx", Reference.log1pmx.map { ($0.t, $0.value) }, tolerance: 1e-14, log1pmx)
        check("log1pexp", Reference.log1pexp.map { ($0.x, $0.value) }, tolerance: 1e-15, log1pexp)
        check("log1mexp", Reference.log1mexp.map { ($0.x, $0.value) }, tolerance: 1e-15, log1mexp)
    }

    func testLogSumExp() {
        XCTAssertEqual(logSumExp(1000, 1000), 1000 + log(2), accuracy: 1e-12)
        XCTAssertEqual(logSumExp(-.infinity, 3), 3)
        XCTAssertEqual(logSumExp([-1000, -1000, -1000]), -1000 + log(3), accuracy: 1e-12)
        XCTAssertEqual(logSumExp([]), -.infinity)
        XCTAssertEqual(logSumExp([0.1, 0.2, 0.3]), log(exp(0.1) + exp(0.2) + exp(0.3)), accuracy: 1e-15)
        XCTAssertEqual(logDifferenceExp(log(5), log(3)), log(2), accuracy: 1e-15)
    }

    func testLogit() {
        for x in [-800.0, -30, -1, -1e-9, 0, 1e-9, 2, 30] {
            let p = inverseLogit(x)
            XCTAssert(p >= 0 && p <= 1)
            XCTAssertEqual(logInverseLogit(x), -log1pexp(-x))
            if x > -30 && x < 30 { XCTAssertLessThanOrEqual(relativeError(logit(p), x), 1e-7 + 1e-15 / max(abs(x), 1e-300) * 4) }
        }
        XCTAssertEqual(inverseLogit(-800), 0)
        XCTAssertEqual(logInverseLogit(-800), -800, accuracy: 1e-12)
        XCTAssertEqual(logit(0.25), -log(3.0), accuracy: 1e-15)
        XCTAssertEqual(logit(0.9), log(9.0), accuracy: 1e-15)
        XCTAssertEqual(log1mInverseLogit(800), -800, accuracy: 1e-12)
    }
}
