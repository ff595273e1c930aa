import Dispatch

/// Cholesky factorisation A = L Lᵀ of a symmetric positive-definite matrix (lower triangle),
/// blocked as LAPACK's `dpotrf`: factor a diagonal block, solve the panel below it, update the
/// trailing matrix with a packed SIMD `syrk` kernel. The trailing update carries ~all the flops, so
/// an n ≈ 1 100 dense block (the crossed-design case of DESIGN §4) takes tens of milliseconds.

/// Error thrown when a matrix handed to a Cholesky factorisation is not positive definite.
public struct NotPositiveDefiniteError: Error, CustomStringConvertible {
    /// Zero-based column where a non-positive pivot appeared.
    public let column: Int
    public init(column: Int) { self.column = column }
    public var description: String { "matrix is not positive definite (pivot \(column + 1))" }
}

/// Factors in place the `n × n` column-major matrix at `a` (leading dimension `lda`): on return
/// its lower triangle holds L with A = L Lᵀ; the strict upper triangle is not referenced.
/// Returns nil on success, else the zero-based column of the first non-positive pivot.
public func choleskyFactorLowerInPlace(_ a: UnsafeMutablePointer<Double>, order n: Int,
                                       leadingDimension lda: Int) -> Int? {
    let blockSize = 64
    var packedRows = [Double]()
    var packedColumns = [Double]()
    var j0 = 0
    while j0 < n {
        let jb = Swift.min(blockSize, n - j0)
        if let bad = unblockedCholesky(a + j0 + j0 * lda, order: jb, leadingDimension: lda) {
            return j0 + bad
        }
        let below = n - j0 - jb
        if below > 0 {
            // Panel P = A21 L11⁻ᵀ, column by column (right-looking triangular solve), on chunks of
            // rows small enough to stay in the L1 cache; chunks are independent, so large panels
            // are spread over the cores (each element's operations are the same either way).
            let panel = UncheckedPointer(a + (j0 + jb) + j0 * lda)
            let diagonalBlock = UncheckedPointer(a + j0 + j0 * lda)
            let chunk = 32
            let chunks = (below + chunk - 1) / chunk
            let solveChunk = { (index: Int) in
                let panel = panel.pointer, diagonalBlock = diagonalBlock.pointer
                let first = index * chunk, last = Swift.min(below, first + chunk)
                for c in 0..<jb {
                    let column = panel + c * lda
                    for k in 0..<c {
                        let factor = diagonalBlock[c + k * lda]
                        if factor == 0 { continue }
                        let source = panel + k * lda
                        for i in first..<last { column[i] -= factor * source[i] }
                    }
                    let pivot = 1 / diagonalBlock[c + c * lda]
                    for i in first..<last { column[i] *= pivot }
                }
            }
            if below >= 384 {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: solveChunk)
            } else {
                for index in 0..<chunks { solveChunk(index) }
            }
            symmetricRankUpdateLower(trailing: a + (j0 + jb) + (j0 + jb) * lda, order: below,
                                     leadingDimension: lda, panel: panel.pointer, depth: jb,
                                     packedRows: &packedRows, packedColumns: &packedColumns)
        }
        j0 += jb
    }
    return nil
}

/// Left-looking Cholesky of a small diagonal block (dot-product form): the lower triangle of the
/// `order × order` matrix at `a` becomes L; returns the first column whose pivot is not positive,
/// nil on success. `choleskyFactorLowerInPlace` is exactly this for orders up to 64; inlinable so
/// that callers factoring many tiny blocks (the q × q blocks of a mixed model) avoid the call.
@inlinable
public func unblockedCholesky(_ a: UnsafeMutablePointer<Double>, order n: Int, leadingDimension lda: Int) -> Int? {
    for j in 0..<n {
        let columnJ = a + j * lda
        for k in 0..<j {
            let factor = a[j + k * lda]
            if factor == 0 { continue }
            let columnK = a + k * lda
            for i in j..<n { columnJ[i] -= factor * columnK[i] }
        }
        let pivot = columnJ[j]
        guard pivot > 0, pivot.isFinite else { return j }
        let root = pivot.squareRoot()
        columnJ[j] = root
        let inverse = 1 / root
        for i in (j + 1)..<Swift.max(j + 1, n) { columnJ[i] *= inverse }
    }
    return nil
}

/// C ← C − P Pᵀ on the lower triangle of the `order × order` matrix C, P being `order × depth`
/// (leading dimension `lda`). P is packed into 8-row and 4-row slivers so that the 8 × 4 kernel
/// streams contiguous memory.
private func symmetricRankUpdateLower(trailing c: UnsafeMutablePointer<Double>, order n: Int,
                                      leadingDimension lda: Int, panel p: UnsafeMutablePointer<Double>,
                                      depth: Int, packedRows: inout [Double], packedColumns: inout [Double]) {
    let rowBlocks = (n + 7) / 8
    let columnBlocks = (n + 3) / 4
    let rowCount = rowBlocks * 8 * depth
    let columnCount = columnBlocks * 4 * depth
    if packedRows.count < rowCount { packedRows = [Double](repeating: 0, count: rowCount) }
    if packedColumns.count < columnCount { packedColumns = [Double](repeating: 0, count: columnCount) }
    packedRows.withUnsafeMutableBufferPointer { pa in
        packedColumns.withUnsafeMutableBufferPointer { pb in
            let pa = pa.baseAddress!, pb = pb.baseAddress!
            for block in 0..<rowBlocks {
                let base = pa + block * 8 * depth
                for k in 0..<depth {
                    for r in 0..<8 {
                        let i = block * 8 + r
                        base[k * 8 + r] = i < n ? p[i + k * lda] : 0
                    }
                }
            }
            for block in 0..<columnBlocks {
                let base = pb + block * 4 * depth
                for k in 0..<depth {
                    for r in 0..<4 {
                        let i = block * 4 + r
                        base[k * 4 + r] = i < n ? p[i + k * lda] : 0
                    }
                }
            }
            // Column blocks are independent: large updates are spread over the cores, block b to
            // worker b mod W, so every element is computed by one worker in a fixed order and the
            // result does not depend on the number of cores.
            let workers = n >= 384 ? 8 : 1
            let packedA = UncheckedPointer(pa), packedB = UncheckedPointer(pb), target = UncheckedPointer(c)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
              let pa = packedA.pointer, pb = packedB.pointer, c = target.pointer
              for columnBlock in stride(from: worker, to: columnBlocks, by: workers) {
                let j0 = columnBlock * 4
                let bBase = pb + columnBlock * 4 * depth
                let firstRowBlock = j0 / 8
                for rowBlock in firstRowBlock..<rowBlocks {
                    let i0 = rowBlock * 8
                    let aBase = pa + rowBlock * 8 * depth
                    var c00 = SIMD4<Double>(), c01 = SIMD4<Double>(), c02 = SIMD4<Double>(), c03 = SIMD4<Double>()
                    var c10 = SIMD4<Double>(), c11 = SIMD4<Double>(), c12 = SIMD4<Double>(), c13 = SIMD4<Double>()
                    for k in 0..<depth {
                        let aPointer = aBase + k * 8
                        let a0 = SIMD4<Double>(aPointer[0], aPointer[1], aPointer[2], aPointer[3])
                        let a1 = SIMD4<Double>(aPointer[4], aPointer[5], aPointer[6], aPointer[7])
                        let bPointer = bBase + k * 4
                        let b0 = bPointer[0], b1 = bPointer[1], b2 = bPointer[2], b3 = bPointer[3]
                        c00 += a0 * b0; c10 += a1 * b0
                        c01 += a0 * b1; c11 += a1 * b1
                        c02 += a0 * b2; c12 += a1 * b2
                        c03 += a0 * b3; c13 += a1 * b3
                    }
                    let top = [c00, c01, c02, c03], bottom = [c10, c11, c12, c13]
                    let fullBlock = i0 >= j0 + 3 && i0 + 8 <= n && j0 + 4 <= n
                    for jj in 0..<4 {
                        let j = j0 + jj
                        if j >= n { break }
                        let column = c + j * lda
                        if fullBlock {
                            for r in 0..<4 { column[i0 + r] -= top[jj][r] }
                            for r in 0..<4 { column[i0 + 4 + r] -= bottom[jj][r] }
                        } else {
                            for r in 0..<8 {
                                let i = i0 + r
                                if i < j || i >= n { continue }
                                column[i] -= r < 4 ? top[jj][r] : bottom[jj][r - 4]
                            }
                        }
                    }
                }
              }
            }
        }
    }
}

/// A raw pointer handed to `concurrentPerform` workers that write disjoint elements.
private struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}

extension DenseMatrix {
    /// The lower-triangular Cholesky factor L of this symmetric positive-definite matrix
    /// (A = L Lᵀ, only the lower triangle of A is read). Throws `NotPositiveDefiniteError`.
    public func choleskyLower() throws -> DenseMatrix {
        precondition(rows == columns, "Cholesky: matrix is not square")
        var factor = self
        let n = rows
        let failure = factor.elements.withUnsafeMutableBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            return choleskyFactorLowerInPlace(base, order: n, leadingDimension: n)
        }
        if let failure { throw NotPositiveDefiniteError(column: failure) }
        for j in 0..<n { for i in 0..<j { factor.elements[i + j * n] = 0 } }
        return factor
    }
}
