import Dispatch
import MultilevelAVX2

/// The inverse W = L⁻¹ of a lower-triangular matrix (LAPACK's `dtrtri`, lower, non-unit), blocked
/// for the dense rest block of the mixed-model factor: each block of 64 columns of W solves
/// L X = E_J by forward substitution over blocks of 64 rows, X_I ← L_II⁻¹ (E_I − Σ_{K<I} L_IK X_K),
/// the sum carried by a matrix-product kernel (AVX2 + FMA where the processor has them). Column
/// blocks are independent, so they are spread over the cores; each is computed the same way
/// whichever core runs it, so the result does not depend on the number of cores. About n³/6
/// multiply–adds, as many as the Cholesky factorisation itself.
///
/// `l` is `n × n` column-major with leading dimension `lda` (its strict upper triangle is not
/// read); W is written to `w` (`n × n`, leading dimension n), zero above the diagonal.
public func lowerTriangularInverse(_ l: UnsafePointer<Double>, order n: Int, leadingDimension lda: Int,
                                   into w: UnsafeMutablePointer<Double>,
                                   kernels: VectorKernels = VectorKernels.selected) {
    let blockSize = 64
    let blocks = (n + blockSize - 1) / blockSize
    let source = UncheckedConstantPointer(l), target = UncheckedTarget(w)
    let solveBlock = { (block: Int) in
        let l = source.pointer, w = target.pointer
        let j0 = block * blockSize, j1 = Swift.min(n, j0 + blockSize), width = j1 - j0
        let x = w + j0 * n
        for c in 0..<width { for i in 0..<n { x[i + c * n] = 0 } }
        for c in 0..<width { x[(j0 + c) + c * n] = 1 }
        var i0 = j0
        while i0 < n {
            let i1 = Swift.min(n, i0 + blockSize), height = i1 - i0
            if i0 > j0 {
                // X_I −= L[I, j0..<i0] X[j0..<i0, :].
                let depth = i0 - j0
                if kernels == .avx2 {
                    matrixProductUpdateAVX2(x + i0, rows: height, columns: width, ldc: n,
                                            l + i0 + j0 * lda, lda: lda, x + j0, ldb: n, depth: depth)
                } else {
                    for c in 0..<width {
                        let column = x + c * n
                        for k in j0..<i0 {
                            let factor = column[k]
                            if factor == 0 { continue }
                            let lk = l + k * lda
                            for i in i0..<i1 { column[i] -= lk[i] * factor }
                        }
                    }
                }
            }
            // X_I ← L_II⁻¹ X_I, column by column (rows of X above a column's diagonal are zero).
            for c in 0..<width {
                let column = x + c * n
                for k in Swift.max(i0, j0 + c)..<i1 {
                    let value = column[k] / l[k + k * lda]
                    column[k] = value
                    if value == 0 { continue }
                    let lk = l + k * lda
                    for i in (k + 1)..<i1 { column[i] -= lk[i] * value }
                }
            }
            i0 = i1
        }
    }
    if n >= 256 {
        DispatchQueue.concurrentPerform(iterations: blocks, execute: solveBlock)
    } else {
        for block in 0..<blocks { solveBlock(block) }
    }
}

/// Read-only and disjointly written pointers handed to `concurrentPerform` workers.
private struct UncheckedConstantPointer: @unchecked Sendable {
    let pointer: UnsafePointer<Double>
    init(_ pointer: UnsafePointer<Double>) { self.pointer = pointer }
}

private struct UncheckedTarget: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}
