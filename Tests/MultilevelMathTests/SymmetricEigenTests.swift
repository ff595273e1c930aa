import XCTest
@testable import MultilevelMath

/// The Jacobi eigen decomposition reproduces A = V diag(λ) Vᵀ with orthonormal V and decreasing λ.
final class SymmetricEigenTests: XCTestCase {
    func testReconstructsASymmetricMatrix() {
        let a = DenseMatrix(rowMajor: [[4, 1, -2, 0.5], [1, 3, 0, 1], [-2, 0, 5, -1], [0.5, 1, -1, 2]])
        let eigen = SymmetricEigenDecomposition(a)
        XCTAssertEqual(eigen.values, eigen.values.sorted(by: >))
        for i in 0..<4 { for j in 0..<4 {
            var reconstructed = 0.0, gram = 0.0
            for k in 0..<4 {
                reconstructed += eigen.vectors[i, k] * eigen.values[k] * eigen.vectors[j, k]
                gram += eigen.vectors[k, i] * eigen.vectors[k, j]
            }
            XCTAssertEqual(reconstructed, a[i, j], accuracy: 1e-12)
            XCTAssertEqual(gram, i == j ? 1 : 0, accuracy: 1e-12)
        } }
        // Trace and a 2 × 2 closed form: eigenvalues of [[2, 1], [1, 2]] are 3 and 1.
        XCTAssertEqual(eigen.values.reduce(0, +), 14, accuracy: 1e-12)
        let small = SymmetricEigenDecomposition(DenseMatrix(rowMajor: [[2, 1], [1, 2]]))
        XCTAssertEqual(small.values[0], 3, accuracy: 1e-14)
        XCTAssertEqual(small.values[1], 1, accuracy: 1e-14)
    }
}
