import XCTest
@testable import MultilevelMath

final class BOBYQATests: XCTestCase {
    func testRosenbrockUnconstrained() {
        let result = BOBYQA.minimize(start: [-1.2, 1], lower: [-.infinity, -.infinity], upper: [.infinity, .infinity],
                                     options: .init(initialRadius: 0.5, finalRadius: 1e-9)) { x in
            100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2)
        }
        XCTAssertTrue(result.converged)
        XCTAssertEqual(result.x[0], 1, accuracy: 1e-6)
        XCTAssertEqual(result.x[1], 1, accuracy: 1e-6)
    }

    func testActiveLowerBoundIsReached() {
        // Minimum of (x+1)² + (y−2)² + (z−0.5)² + xy over x ≥ 0: x = 0, y = 2, z = 0.5.
        let result = BOBYQA.minimize(start: [1, 1, 1], lower: [0, -.infinity, 0], upper: [.infinity, .infinity, .infinity]) { x in
            pow(x[0] + 1, 2) + pow(x[1] - 2, 2) + pow(x[2] - 0.5, 2) + 0.1 * x[0] * x[1]
        }
        XCTAssertEqual(result.x[0], 0, accuracy: 1e-9)
        XCTAssertEqual(result.x[1], 2, accuracy: 1e-6)
        XCTAssertEqual(result.x[2], 0.5, accuracy: 1e-6)
    }

    func testSixDimensionalQuadraticNeedsFewEvaluations() {
        let target = [0.3, -1, 2, 0.7, 1.5, -0.2]
        let result = BOBYQA.minimize(start: [Double](repeating: 0, count: 6),
                                     lower: [Double](repeating: -5, count: 6), upper: [Double](repeating: 5, count: 6)) { x in
            var total = 0.0
            for i in 0..<6 { total += Double(i + 1) * pow(x[i] - target[i], 2) }
            return total + 0.3 * (x[0] - target[0]) * (x[5] - target[5])
        }
        for i in 0..<6 { XCTAssertEqual(result.x[i], target[i], accuracy: 1e-6) }
        XCTAssertLessThan(result.evaluations, 200)
    }

    func testBoxSubproblemFindsGlobalMinimumOfIndefiniteQuadratic() {
        // −s₀² + s₁² + s₁ on [−1, 2] × [−1, 1]: minimum at s₀ = 2, s₁ = −0.5.
        let s = minimizeQuadraticOnBox(gradient: [0, 1], hessian: [[-2, 0], [0, 2]], lower: [-1, -1], upper: [2, 1])
        XCTAssertEqual(s[0], 2, accuracy: 1e-12)
        XCTAssertEqual(s[1], -0.5, accuracy: 1e-12)
    }
}
