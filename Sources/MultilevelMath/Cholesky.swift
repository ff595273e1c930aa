import Dispatch
import MultilevelAVX2

/// Cholesky factorisation A = L Lᵀ of a symmetric positive-definite matrix (lower triangle),
/// blocked as LAPACK's `dpotrf`: factor a diagonal block, solve the panel below it, update the
/// trailing matrix with a packed SIMD `syrk` kernel (AVX2 + FMA where the processor has them). The trailing update carries ~all the flops, so
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
/// The trailing updates run `symmetricRankUpdateLowerAVX2` where the processor has AVX2 and FMA
/// (`kernels`, default `VectorKernels.selected`), which agrees with the portable kernel to
/// rounding (its products are fused into the sums).
public func choleskyFactorLowerInPlace(_ a: UnsafeMutablePointer<Double>, order n: Int,
                                       leadingDimension lda: Int,
                                       kernels: VectorKernels = VectorKernels.selected) -> Int? {
    let blockSize = 64
    var packedRows = [SIMD2<Double>]()
    var packedColumns = [SIMD2<Double>]()
    var packedSlivers = [Double]()
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
            if below >= parallelOrder {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: solveChunk)
            } else {
                for index in 0..<chunks { solveChunk(index) }
            }
            if kernels == .avx2 {
                symmetricRankUpdateLowerWide(trailing: a + (j0 + jb) + (j0 + jb) * lda, order: below,
                                             leadingDimension: lda, panel: panel.pointer, depth: jb,
                                             packed: &packedSlivers)
            } else {
                symmetricRankUpdateLower(trailing: a + (j0 + jb) + (j0 + jb) * lda, order: below,
                                         leadingDimension: lda, panel: panel.pointer, depth: jb,
                                         packedRows: &packedRows, packedColumns: &packedColumns)
            }
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
/// (leading dimension `lda`). The update is tiled in 4 × 4 blocks of C, each held in eight
/// SIMD2 registers for the whole depth (the x86-64 baseline has sixteen 128-bit registers: a
/// larger tile spills its accumulators to the stack). P is packed twice: in 4-row slivers, two
/// SIMD2 per k (the tile's rows), and in 4-row slivers with every value duplicated, four SIMD2 per
/// k (the tile's columns, ready to multiply without a shuffle). Each element of C is
/// Σₖ p_ik p_jk summed in k order, then subtracted.
private func symmetricRankUpdateLower(trailing c: UnsafeMutablePointer<Double>, order n: Int,
                                      leadingDimension lda: Int, panel p: UnsafeMutablePointer<Double>,
                                      depth: Int, packedRows: inout [SIMD2<Double>],
                                      packedColumns: inout [SIMD2<Double>]) {
    let blocks = (n + 3) / 4
    let rowCount = blocks * 2 * depth
    let columnCount = blocks * 4 * depth
    if packedRows.count < rowCount { packedRows = [SIMD2<Double>](repeating: .zero, count: rowCount) }
    if packedColumns.count < columnCount { packedColumns = [SIMD2<Double>](repeating: .zero, count: columnCount) }
    packedRows.withUnsafeMutableBufferPointer { pa in
        packedColumns.withUnsafeMutableBufferPointer { pb in
            let pa = pa.baseAddress!, pb = pb.baseAddress!
            for block in 0..<blocks {
                let rows = pa + block * 2 * depth, columns = pb + block * 4 * depth
                for k in 0..<depth {
                    var value = SIMD4<Double>()
                    for r in 0..<4 {
                        let i = block * 4 + r
                        value[r] = i < n ? p[i + k * lda] : 0
                    }
                    rows[2 * k] = SIMD2(value[0], value[1])
                    rows[2 * k + 1] = SIMD2(value[2], value[3])
                    for r in 0..<4 { columns[4 * k + r] = SIMD2(repeating: value[r]) }
                }
            }
            // Column blocks are independent: large updates are spread over the cores, block b to
            // worker b mod W, so every element is computed by one worker in a fixed order and the
            // result does not depend on the number of cores.
            let workers = trailingUpdateWorkers(order: n)
            let packedA = UncheckedVectorPointer(pa), packedB = UncheckedVectorPointer(pb), target = UncheckedPointer(c)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
              let pa = packedA.pointer, pb = packedB.pointer, c = target.pointer
              for columnBlock in stride(from: worker, to: blocks, by: workers) {
                let j0 = columnBlock * 4
                let bBase = pb + columnBlock * 4 * depth
                for rowBlock in columnBlock..<blocks {
                    let i0 = rowBlock * 4
                    let aBase = pa + rowBlock * 2 * depth
                    var c00 = SIMD2<Double>(), c01 = SIMD2<Double>(), c02 = SIMD2<Double>(), c03 = SIMD2<Double>()
                    var c10 = SIMD2<Double>(), c11 = SIMD2<Double>(), c12 = SIMD2<Double>(), c13 = SIMD2<Double>()
                    for k in 0..<depth {
                        let a0 = aBase[2 * k], a1 = aBase[2 * k + 1]
                        let b = bBase + 4 * k
                        let b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3]
                        c00 += a0 * b0; c10 += a1 * b0
                        c01 += a0 * b1; c11 += a1 * b1
                        c02 += a0 * b2; c12 += a1 * b2
                        c03 += a0 * b3; c13 += a1 * b3
                    }
                    if i0 > j0 && i0 + 4 <= n && j0 + 4 <= n {
                        subtractPair(c + i0 + j0 * lda, c00, c10)
                        subtractPair(c + i0 + (j0 + 1) * lda, c01, c11)
                        subtractPair(c + i0 + (j0 + 2) * lda, c02, c12)
                        subtractPair(c + i0 + (j0 + 3) * lda, c03, c13)
                    } else {
                        let top = [c00, c01, c02, c03], bottom = [c10, c11, c12, c13]
                        for jj in 0..<4 {
                            let j = j0 + jj
                            if j >= n { break }
                            let column = c + j * lda
                            for r in 0..<4 {
                                let i = i0 + r
                                if i < j || i >= n { continue }
                                column[i] -= r < 2 ? top[jj][r] : bottom[jj][r - 2]
                            }
                        }
                    }
                }
              }
            }
        }
    }
}

/// C ← C − P Pᵀ as `symmetricRankUpdateLower`, by `symmetricRankUpdateLowerAVX2`: P packed once in
/// 4-row slivers (`packed[4 · (depth · b + k) + r]`), the column blocks spread over the cores as in
/// the portable kernel (block b to worker b mod W, so the result does not depend on the cores).
private func symmetricRankUpdateLowerWide(trailing c: UnsafeMutablePointer<Double>, order n: Int,
                                          leadingDimension lda: Int, panel p: UnsafeMutablePointer<Double>,
                                          depth: Int, packed: inout [Double]) {
    let blocks = (n + 3) / 4
    let count = blocks * 4 * depth
    if packed.count < count { packed = [Double](repeating: 0, count: count) }
    packed.withUnsafeMutableBufferPointer { buffer in
        let slivers = buffer.baseAddress!
        for block in 0..<blocks {
            let sliver = slivers + block * 4 * depth
            for k in 0..<depth {
                for r in 0..<4 {
                    let i = block * 4 + r
                    sliver[4 * k + r] = i < n ? p[i + k * lda] : 0
                }
            }
        }
        let workers = trailingUpdateWorkers(order: n)
        let source = UncheckedPointer(slivers), target = UncheckedPointer(c)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            symmetricRankUpdateLowerAVX2(trailing: target.pointer, order: n, leadingDimension: lda,
                                         packed: source.pointer, depth: depth,
                                         firstColumnBlock: worker, columnBlockStride: workers)
        }
    }
}

/// column[0..<4] −= (top, bottom), element by element.
@inline(__always)
private func subtractPair(_ column: UnsafeMutablePointer<Double>, _ top: SIMD2<Double>, _ bottom: SIMD2<Double>) {
    column[0] -= top[0]; column[1] -= top[1]
    column[2] -= bottom[0]; column[3] -= bottom[1]
}

/// Order from which the panel solve and the trailing update are spread over the cores.
private let parallelOrder = 384

/// Workers W of a trailing update of order n (column block b goes to worker b mod W): 8 from
/// `parallelOrder` on, else 1. Both kernels split the work this way, so the result does not
/// depend on the number of cores.
private func trailingUpdateWorkers(order n: Int) -> Int { n >= parallelOrder ? 8 : 1 }

/// Packed SIMD2 slivers handed to `concurrentPerform` workers (read only).
private struct UncheckedVectorPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<SIMD2<Double>>
    init(_ pointer: UnsafeMutablePointer<SIMD2<Double>>) { self.pointer = pointer }
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
