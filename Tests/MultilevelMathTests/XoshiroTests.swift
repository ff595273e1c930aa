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
