import XCTest
@testable import MultilevelMath

final class MatrixOperationsTests: XCTestCase {
    func testProductsAgainstHandComputedValues() {
        let a = DenseMatrix(rowMajor: [[1, 2], [3, 4], [5, 6]])
        let b = DenseMatrix(rowMajor: [[1, 0, 2], [0, 1, 3]])
        XCTAssertEqual(a * b, DenseMatrix(rowMajor: [[1, 2, 8], [3, 4, 18], [5, 6, 28]]))
        XCTAssertEqual(a.transposed, DenseMatrix(rowMajor: [[1, 3, 5], [2, 4, 6]]))
        XCTAssertEqual(a.crossProduct, DenseMatrix(rowMajor: [[35, 44], [44, 56]]))
        XCTAssertEqual(a.multiplied(by: [1, -1]), [-1, -1, -1])
        XCTAssertEqual(a.transposeMultiplied(by: [1, 1, 1]), [9, 12])
    }
}
