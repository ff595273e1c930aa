import XCTest
@testable import MultilevelMath

final class Xoshiro256Tests: XCTestCase {
    /// Reference values of xoshiro256++ for the state (1, 2, 3, 4) from the authors' C code.
    func testMatchesReferenceImplementation() {
        var g = Xoshiro256PlusPlus(seed: 0)
        g.s0 = 1; g.s1 = 2; g.s2 = 3; g.s3 = 4
        XCTAssertEqual(g.next(), 41_943_041)
        XCTAssertEqual(g.next(), 58_720_359)
        XCTAssertEqual(g.next(), 3_588_806_011_781_223)
    }

    func testStreamsAreReproducibleAndDistinct() {
        var a = Xoshiro256PlusPlus.stream(seed: 42, index: 2)
        var b = Xoshiro256PlusPlus.stream(seed: 42, index: 2)
        var c = Xoshiro256PlusPlus.stream(seed: 42, index: 1)
        let xa = (0..<5).map { _ in a.next() }
        XCTAssertEqual(xa, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(xa, (0..<5).map { _ in c.next() })
    }

    func testUniformAndNormalMoments() {
        var g = Xoshiro256PlusPlus(seed: 7)
        let n = 200_000
        var su = 0.0, sz = 0.0, sz2 = 0.0
        for _ in 0..<n {
            let u = g.nextUniform()
            XCTAssert(u > 0 && u < 1)
            su += u
            let z = g.nextNormal()
            sz += z; sz2 += z * z
        }
        // Means within 5 standard errors of their expectations.
        XCTAssertEqual(su / Double(n), 0.5, accuracy: 5 * (1.0 / 12).squareRoot() / Double(n).squareRoot())
        XCTAssertEqual(sz / Double(n), 0, accuracy: 5 / Double(n).squareRoot())
        XCTAssertEqual(sz2 / Double(n), 1, accuracy: 5 * 2.0.squareRoot() / Double(n).squareRoot())
    }
}

/// Stream k in O(log k) (`JumpPolynomial`, issue 23) is exactly k calls of the reference jump.
final class JumpPolynomialTests: XCTestCase {
    /// The characteristic polynomial found by Berlekamp–Massey is right: x^(2¹²⁸) mod P, formed
    /// by 128 squarings of x, is the published jump polynomial.
    func testCharacteristicPolynomialReproducesPublishedJump() {
        var power = JumpPolynomial(words: [2, 0, 0, 0])     // x
        for _ in 0..<128 { power = power.multiplied(by: power) }
        XCTAssertEqual(power, JumpPolynomial.jump)
    }

    /// P(T) = 0 on a state (Cayley–Hamilton): T²⁵⁶ s equals Σ pᵢ Tⁱ s over P's lower terms.
    func testCharacteristicPolynomialAnnihilatesTheState() {
        var lower = Xoshiro256PlusPlus(seed: 99)
        var top = lower
        lower.advance(by: JumpPolynomial(words: JumpPolynomial.characteristicLow))
        for _ in 0..<256 { _ = top.next() }
        XCTAssertEqual([lower.s0, lower.s1, lower.s2, lower.s3], [top.s0, top.s1, top.s2, top.s3])
    }

    /// Streams 0 … 12 equal the seeded generator after that many reference jumps, and
    /// J^(a+b) = J^a · J^b for large exponents.
    func testStreamsEqualRepeatedJumps() {
        var reference = Xoshiro256PlusPlus(seed: 1234)
        for k in 0...12 {
            var stream = Xoshiro256PlusPlus.stream(seed: 1234, index: k)
            var copy = reference
            XCTAssertEqual((0..<4).map { _ in stream.next() }, (0..<4).map { _ in copy.next() }, "stream \(k)")
            reference.jump()
        }
        let a = 1_000_003, b = 99_999_989
        XCTAssertEqual(JumpPolynomial.jumps(a + b), JumpPolynomial.jumps(a).multiplied(by: JumpPolynomial.jumps(b)))
        var far = Xoshiro256PlusPlus.stream(seed: 7, index: a)
        far.advance(by: JumpPolynomial.jumps(b))
        var direct = Xoshiro256PlusPlus.stream(seed: 7, index: a + b)
        XCTAssertEqual(far.next(), direct.next())
    }
}
