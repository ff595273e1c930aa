import XCTest
@testable import MultilevelMath

final class PivotedQRTests: XCTestCase {
    /// A full-rank matrix: no pivoting, least squares equals the normal-equations solution, and
    /// R has |diagonal| equal to the norms of the Gram–Schmidt residuals.
    func testFullRankLeastSquares() {
        let x = DenseMatrix(rowMajor: [[1, 0], [1, 1], [1, 2], [1, 3], [1, 4]])
        let y = [1.0, 3, 2, 5, 4]
        let qr = PivotedQR(x)
        XCTAssertEqual(qr.rank, 2)
        XCTAssertEqual(qr.pivot, [0, 1])
        let b = qr.coefficients(for: y)
        // Closed form: slope = Sxy / Sxx = 8 / 10, intercept = ybar - slope * xbar = 3 - 1.6.
        XCTAssertEqual(b[1], 0.8, accuracy: 1e-14)
        XCTAssertEqual(b[0], 1.4, accuracy: 1e-14)
        let r = qr.upperTriangular
        XCTAssertEqual(abs(r[0, 0]), 5.0.squareRoot(), accuracy: 1e-14)
        XCTAssertEqual(abs(r[1, 1]), 10.0.squareRoot(), accuracy: 1e-14)
    }

    /// An aliased column is moved to the end, the others keep their order (R:
    /// qr(cbind(1, x, 2 * x, z))$pivot == c(1, 2, 4, 3), rank 3).
    func testAliasedColumnMovedToEnd() {
        let xs = [0.3, -1.2, 2.5, 0.7, 1.1, -0.4]
        let zs = [1.0, 0, 1, 1, 0, 0]
        let x = DenseMatrix(rowMajor: (0..<6).map { [1, xs[$0], 2 * xs[$0], zs[$0]] })
        let qr = PivotedQR(x)
        XCTAssertEqual(qr.rank, 3)
        XCTAssertEqual(qr.pivot, [0, 1, 3, 2])
        XCTAssertEqual(qr.aliasedColumns, [2])
        let b = qr.coefficients(for: (0..<6).map { 1 + 2 * xs[$0] - zs[$0] })
        XCTAssertEqual(b[0], 1, accuracy: 1e-12)
        XCTAssertEqual(b[1], 2, accuracy: 1e-12)
        XCTAssertTrue(b[2].isNaN)
        XCTAssertEqual(b[3], -1, accuracy: 1e-12)
    }

    /// Dummy columns that sum to the intercept: the last one is aliased.
    func testDummyTrap() {
        let groups = [0, 1, 2, 0, 1, 2, 0]
        let x = DenseMatrix(rowMajor: groups.map { g in [1] + (0..<3).map { $0 == g ? 1.0 : 0 } })
        let qr = PivotedQR(x)
        XCTAssertEqual(qr.rank, 3)
        XCTAssertEqual(qr.aliasedColumns, [3])
    }

    /// Near-collinearity below the tolerance counts as aliased; above it does not.
    func testTolerance() {
        let base = [1.0, 2, 3, 4, 5]
        let tiny = DenseMatrix(rowMajor: base.enumerated().map { [1, $1, $1 + ($0 == 2 ? 1e-9 : 0)] })
        XCTAssertEqual(PivotedQR(tiny).rank, 2)
        let visible = DenseMatrix(rowMajor: base.enumerated().map { [1, $1, $1 + ($0 == 2 ? 1e-3 : 0)] })
        XCTAssertEqual(PivotedQR(visible).rank, 3)
    }

    func testZeroColumnAndWideMatrix() {
        let zero = DenseMatrix(rowMajor: [[1, 0, 2], [1, 0, 3], [1, 0, 5]])
        let qr = PivotedQR(zero)
        XCTAssertEqual(qr.rank, 2)
        XCTAssertEqual(qr.pivot, [0, 2, 1])
        let wide = DenseMatrix(rowMajor: [[1, 2, 3], [4, 5, 7]])
        XCTAssertEqual(PivotedQR(wide).rank, 2)
    }

    /// Qᵀy keeps the norm of y (Q is orthogonal).
    func testQTransposePreservesNorm() {
        let x = DenseMatrix(rowMajor: [[1, 0.5], [1, -1], [1, 2], [1, 0]])
        let y = [0.3, 1.7, -2.0, 4.0]
        let qty = PivotedQR(x).transposedQTimes(y)
        XCTAssertEqual(qty.map { $0 * $0 }.reduce(0, +), y.map { $0 * $0 }.reduce(0, +), accuracy: 1e-12)
    }

    /// Residuals are orthogonal to X and (XᵀX)⁻¹ matches the closed form for a straight line:
    /// Var(slope) ∝ 1/Sxx, Var(intercept) ∝ Σx²/(n Sxx), Cov ∝ −x̄/Sxx.
    func testResidualsAndUnscaledCovariance() {
        let xs = [0.0, 1, 2, 3, 4]
        let x = DenseMatrix(rowMajor: xs.map { [1, $0] })
        let y = [1.0, 3, 2, 5, 4]
        let qr = PivotedQR(x)
        let e = qr.residuals(for: y)
        XCTAssertEqual(e.reduce(0, +), 0, accuracy: 1e-12)
        XCTAssertEqual(zip(e, xs).map(*).reduce(0, +), 0, accuracy: 1e-12)
        XCTAssertEqual(e[0], 1 - 1.4, accuracy: 1e-12)
        let v = qr.unscaledCovariance
        XCTAssertEqual(v[1, 1], 1.0 / 10, accuracy: 1e-14)
        XCTAssertEqual(v[0, 0], 30.0 / (5 * 10), accuracy: 1e-14)
        XCTAssertEqual(v[0, 1], -2.0 / 10, accuracy: 1e-14)
        XCTAssertEqual(v[1, 0], v[0, 1])
    }
}
