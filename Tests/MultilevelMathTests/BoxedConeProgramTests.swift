import XCTest
@testable import MultilevelMath

/// `BoxedConeProgram` against programmes whose optimum is known in closed form.
final class BoxedConeProgramTests: XCTestCase {
    /// θ₁ ≥ 0, θ₂ ≥ 0, maximise θ₁ + θ₂ over the box: the corner (1, 1), value 2.
    func testPositiveQuadrantReachesTheBoxCorner() throws {
        let program = BoxedConeProgram(constraints: [1, 0, 0, 1], columnCount: 2)
        let result = try XCTUnwrap(program.maximise([1, 1]))
        XCTAssertEqual(result.value, 2, accuracy: 1e-12)
        XCTAssertEqual(result.theta[0], 1, accuracy: 1e-12)
        XCTAssertEqual(result.theta[1], 1, accuracy: 1e-12)
    }

    /// θ₁ − θ₂ ≥ 0 and θ₂ − θ₁ ≥ 0 force θ₁ = θ₂; maximising θ₁ − 3θ₂ = −2θ₁ gives θ = (−1, −1), value 2.
    func testEqualityPairRestrictsToALine() throws {
        let program = BoxedConeProgram(constraints: [1, -1, -1, 1], columnCount: 2)
        let result = try XCTUnwrap(program.maximise([1, -3]))
        XCTAssertEqual(result.value, 2, accuracy: 1e-12)
        XCTAssertEqual(result.theta[0], -1, accuracy: 1e-12)
        XCTAssertEqual(result.theta[1], -1, accuracy: 1e-12)
    }

    /// θ ≥ 0 and −θ ≥ 0 leave only θ = 0: the optimum of any objective is 0.
    func testPointedConeHasOptimumZero() throws {
        let program = BoxedConeProgram(constraints: [1, -1], columnCount: 1)
        XCTAssertEqual(try XCTUnwrap(program.maximise([1])).value, 0, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(program.maximise([-1])).value, 0, accuracy: 1e-12)
    }

    /// Many degenerate rows (every aᵢᵀθ = 0 at the start, θ = 0): the rows (cos φ, sin φ) for
    /// φ in [0, π/2] leave the quadrant θ₁, θ₂ ≥ 0 (the rows at φ = 0 and π/2 bind, the others
    /// follow), so maximising θ₁ + 2θ₂ reaches the corner (1, 1), value 3.
    func testManyDegenerateRowsTerminate() throws {
        var rows: [Double] = []
        for k in 0...200 {
            let angle = Double(k) / 200 * Double.pi / 2
            rows += [cos(angle), sin(angle)]
        }
        let result = try XCTUnwrap(BoxedConeProgram(constraints: rows, columnCount: 2).maximise([1, 2]))
        XCTAssertEqual(result.value, 3, accuracy: 1e-9)
    }
}
