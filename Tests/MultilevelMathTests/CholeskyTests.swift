import XCTest
@testable import MultilevelMath

final class CholeskyTests: XCTestCase {
    /// A random symmetric positive-definite matrix B Bᵀ + n I.
    private func randomSPD(_ n: Int, seed: UInt64) -> DenseMatrix {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var b = DenseMatrix(rows: n, columns: n)
        for k in b.elements.indices { b.elements[k] = rng.nextNormal() }
        var a = b * b.transposed
        for i in 0..<n { a[i, i] += Double(n) }
        return a
    }

    func testFactorReproducesMatrixAcrossBlockSizes() throws {
        // Orders around the 64-column block and the 8 × 4 kernel edges.
        for n in [1, 3, 7, 64, 65, 131, 200] {
            let a = randomSPD(n, seed: UInt64(n))
            let l = try a.choleskyLower()
            let product = l * l.transposed
            var worst = 0.0
            for k in a.elements.indices { worst = max(worst, abs(product.elements[k] - a.elements[k]) / Double(n)) }
            XCTAssertLessThan(worst, 1e-10, "n = \(n)")
            for j in 0..<n { for i in 0..<j { XCTAssertEqual(l[i, j], 0) } }
        }
    }

    /// The AVX2 trailing update against the portable one, on orders around the 64-column block,
    /// the 8-row tile, and above the 384 rows where the update is spread over threads: the
    /// factors agree to rounding (the AVX2 kernel fuses each product into its sum), and both
    /// reproduce A.
    func testAVX2TrailingUpdateMatchesThePortableOne() throws {
        guard VectorKernels.processorSupportsAVX2 else { throw XCTSkip("the processor has no AVX2 and FMA") }
        var anyBitDiffers = false
        for n in [3, 65, 70, 133, 455] {
            let a = randomSPD(n, seed: UInt64(100 + n))
            var factors: [[Double]] = []
            for kernels in [VectorKernels.portable, .avx2] {
                var elements = a.elements
                let failed = elements.withUnsafeMutableBufferPointer {
                    choleskyFactorLowerInPlace($0.baseAddress!, order: n, leadingDimension: n, kernels: kernels)
                }
                XCTAssertNil(failed)
                factors.append(elements)
            }
            var worst = 0.0
            for j in 0..<n {
                for i in j..<n {
                    let k = i + j * n
                    worst = max(worst, abs(factors[0][k] - factors[1][k]) / Double(n).squareRoot())
                    anyBitDiffers = anyBitDiffers || factors[0][k] != factors[1][k]
                }
            }
            XCTAssertLessThan(worst, 1e-12, "n = \(n)")
        }
        XCTAssertTrue(anyBitDiffers, "identical bits everywhere would mean the AVX2 kernel did not run")
    }

    func testKnownFactor() throws {
        // [[4, 2], [2, 10]] = L Lᵀ with L = [[2, 0], [1, 3]].
        let l = try DenseMatrix(rowMajor: [[4, 2], [2, 10]]).choleskyLower()
        XCTAssertEqual(l, DenseMatrix(rowMajor: [[2, 0], [1, 3]]))
    }

    func testNotPositiveDefiniteThrows() {
        XCTAssertThrowsError(try DenseMatrix(rowMajor: [[1, 2], [2, 1]]).choleskyLower()) { error in
            XCTAssertEqual((error as? NotPositiveDefiniteError)?.column, 1)
        }
    }

    func testSolvesAndInverse() throws {
        let a = randomSPD(9, seed: 42)
        let l = try a.choleskyLower()
        let b = (0..<9).map { Double($0) - 3.5 }
        let x = l.solvingLowerTranspose(l.solvingLower(b))
        let ax = a.multiplied(by: x)
        for i in 0..<9 { XCTAssertEqual(ax[i], b[i], accuracy: 1e-10) }
        let product = a * (try a.symmetricPositiveDefiniteInverse())
        for i in 0..<9 { for j in 0..<9 { XCTAssertEqual(product[i, j], i == j ? 1 : 0, accuracy: 1e-10) } }
    }
}
