import XCTest
import MultilevelMath
@testable import MultilevelModels

final class TransformTests: XCTestCase {
    func constrain(_ y: [Double], _ k: Int) -> (factor: [Double], logJacobian: Double) {
        var factor = [Double](repeating: .nan, count: k * k)
        let logJ = y.withUnsafeBufferPointer { yp in
            factor.withUnsafeMutableBufferPointer {
                CholeskyCorrelationTransform.constrain(yp.baseAddress!, dimension: k, into: $0.baseAddress!)
            }
        }
        return (factor, logJ)
    }

    func randomY(_ k: Int, seed: UInt64, spread: Double = 1.5) -> [Double] {
        var rng = Xoshiro256PlusPlus(seed: seed)
        return (0..<CholeskyCorrelationTransform.freeCount(k)).map { _ in rng.nextUniform(-spread, spread) }
    }

    func testCholeskyFactorIsAValidCorrelationFactor() {
        for k in 2...5 {
            let (l, _) = constrain(randomY(k, seed: UInt64(k)), k)
            for i in 0..<k {
                let norm = (0..<k).reduce(0.0) { $0 + l[i * k + $1] * l[i * k + $1] }
                XCTAssertEqual(norm, 1, accuracy: 1e-14, "unit rows give a unit diagonal of L Lᵀ")
                XCTAssertGreaterThan(l[i * k + i], 0)
                for j in (i + 1)..<k { XCTAssertEqual(l[i * k + j], 0) }
            }
        }
    }

    func testCholeskyRoundTrip() {
        for k in 2...5 {
            let y = randomY(k, seed: 10 + UInt64(k), spread: 3)
            let (l, _) = constrain(y, k)
            var back = [Double](repeating: 0, count: y.count)
            l.withUnsafeBufferPointer { lp in
                back.withUnsafeMutableBufferPointer {
                    CholeskyCorrelationTransform.unconstrain(lp.baseAddress!, dimension: k, into: $0.baseAddress!)
                }
            }
            for (a, b) in zip(y, back) { XCTAssertEqual(a, b, accuracy: 1e-10) }
        }
    }

    /// The log-Jacobian equals log |det ∂(strict lower triangle of L)/∂y| computed numerically.
    func testCholeskyLogJacobianAgainstFiniteDifferenceDeterminant() {
        for k in 2...4 {
            for seed in 1...3 as ClosedRange<UInt64> {
                let y = randomY(k, seed: seed * 31 + UInt64(k))
                let numeric = PosteriorTests.numericalLogJacobian(y, k)
                XCTAssertEqual(constrain(y, k).logJacobian, numeric, accuracy: 1e-7, "K = \(k)")
            }
        }
    }

    /// `addGradient` is the gradient of f(L(y)) + log J(y) for f linear in L (plus the LKJ term).
    func testCholeskyGradientAgainstFiniteDifferences() {
        for k in 2...4 {
            let y = randomY(k, seed: 77 + UInt64(k))
            var rng = Xoshiro256PlusPlus(seed: 5)
            let weights = (0..<(k * k)).map { _ in rng.nextNormal() }
            let eta = 1.7
            func objective(_ y: [Double]) -> Double {
                let (l, logJ) = constrain(y, k)
                var value = logJ
                for i in 0..<k { for j in 0...i { value += weights[i * k + j] * l[i * k + j] } }
                value += l.withUnsafeBufferPointer {
                    CholeskyCorrelationTransform.lkjLogDensity(eta: eta, factor: $0.baseAddress!, dimension: k, factorAdjoint: nil)
                }
                return value
            }
            let (l, _) = constrain(y, k)
            var adjoint = (0..<(k * k)).map { index -> Double in index / k >= index % k ? weights[index] : 0 }
            var gradient = [Double](repeating: 0, count: y.count)
            l.withUnsafeBufferPointer { lp in
                adjoint.withUnsafeMutableBufferPointer { ap in
                    _ = CholeskyCorrelationTransform.lkjLogDensity(eta: eta, factor: lp.baseAddress!, dimension: k,
                                                                   factorAdjoint: ap.baseAddress!)
                    y.withUnsafeBufferPointer { yp in
                        gradient.withUnsafeMutableBufferPointer {
                            CholeskyCorrelationTransform.addGradient(yp.baseAddress!, dimension: k, factor: lp.baseAddress!,
                                                                     factorAdjoint: ap.baseAddress!, yAdjoint: $0.baseAddress!)
                        }
                    }
                }
            }
            for i in y.indices {
                var plus = y, minus = y
                plus[i] += 1e-6; minus[i] -= 1e-6
                let numeric = (objective(plus) - objective(minus)) / 2e-6
                XCTAssertEqual(gradient[i], numeric, accuracy: 1e-7 * max(1, abs(numeric)), "K = \(k), y[\(i)]")
            }
        }
    }

    func testLowerBoundRoundTripAndJacobian() {
        for (x, bound) in [(0.3, 0.0), (59.3, 0.0), (4.0, 1.0)] {
            let y = LowerBoundTransform.unconstrain(x, lowerBound: bound)
            XCTAssertEqual(LowerBoundTransform.constrain(y, lowerBound: bound), x, accuracy: 1e-13 * x)
            // log |dx/dy| = y
            let h = 1e-6
            let derivative = (LowerBoundTransform.constrain(y + h, lowerBound: bound)
                              - LowerBoundTransform.constrain(y - h, lowerBound: bound)) / (2 * h)
            XCTAssertEqual(log(derivative), y, accuracy: 1e-8)
        }
    }
}
