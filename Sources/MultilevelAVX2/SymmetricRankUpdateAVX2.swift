/// The trailing update of the blocked Cholesky factorisation (`choleskyFactorLowerInPlace` in
/// MultilevelMath), C ← C − P Pᵀ on the lower triangle of the `order × order` matrix C, for the
/// column blocks `firstColumnBlock, firstColumnBlock + columnBlockStride, …`, in AVX2 + FMA.
///
/// P (`order × depth`) comes packed in 4-row slivers: `packed[4 · (depth · b + k) + r]` = p_(4b+r),k
/// (zero past the last row). A tile of 8 rows × 4 columns of C is held in eight 256-bit registers
/// for the whole depth: per k, two sliver loads, four broadcasts and eight fused multiply–adds
/// (the portable kernel's 4 × 4 tile needs sixteen SSE2 multiplies and adds for half the work).
/// Each element of C is Σₖ p_ik p_jk summed in k order (fused, so rounded once per k), then
/// subtracted; column blocks are independent, so the caller can spread them over threads and the
/// result does not depend on how. The caller must check the processor (`VectorKernels`); see
/// `fusedBernoulliPassAVX2` for the rules of this module.
@inline(never)
public func symmetricRankUpdateLowerAVX2(trailing c: UnsafeMutablePointer<Double>, order n: Int,
                                         leadingDimension lda: Int, packed: UnsafePointer<Double>, depth: Int,
                                         firstColumnBlock: Int, columnBlockStride: Int) {
    typealias Vector = SIMD4<Double>
    let blocks = (n &+ 3) >> 2
    var columnBlock = firstColumnBlock
    while columnBlock < blocks {
        let j0 = columnBlock &* 4
        let b = packed + columnBlock &* 4 &* depth
        var rowBlock = columnBlock
        while rowBlock < blocks {
            let pairs = rowBlock &+ 1 < blocks
            let a0 = packed + rowBlock &* 4 &* depth
            let a1 = pairs ? a0 + 4 &* depth : a0
            var c00 = Vector(), c01 = Vector(), c02 = Vector(), c03 = Vector()
            var c10 = Vector(), c11 = Vector(), c12 = Vector(), c13 = Vector()
            for k in 0..<depth {
                let top = UnsafeRawPointer(a0 + 4 &* k).loadUnaligned(as: Vector.self)
                let bottom = UnsafeRawPointer(a1 + 4 &* k).loadUnaligned(as: Vector.self)
                let column = b + 4 &* k
                let b0 = Vector(repeating: column[0]), b1 = Vector(repeating: column[1])
                let b2 = Vector(repeating: column[2]), b3 = Vector(repeating: column[3])
                c00 = fusedMultiplyAdd(top, b0, c00); c10 = fusedMultiplyAdd(bottom, b0, c10)
                c01 = fusedMultiplyAdd(top, b1, c01); c11 = fusedMultiplyAdd(bottom, b1, c11)
                c02 = fusedMultiplyAdd(top, b2, c02); c12 = fusedMultiplyAdd(bottom, b2, c12)
                c03 = fusedMultiplyAdd(top, b3, c03); c13 = fusedMultiplyAdd(bottom, b3, c13)
            }
            subtractTile(c, n: n, lda: lda, i0: rowBlock &* 4, j0: j0, c00, c01, c02, c03)
            if pairs { subtractTile(c, n: n, lda: lda, i0: rowBlock &* 4 &+ 4, j0: j0, c10, c11, c12, c13) }
            rowBlock &+= 2
        }
        columnBlock &+= columnBlockStride
    }
}

/// C[i0 ..< i0 + 4, j0 + m] −= tile column m, whole columns where the tile lies below the
/// diagonal and inside C, element by element (lower triangle, inside C) elsewhere.
@inline(__always)
private func subtractTile(_ c: UnsafeMutablePointer<Double>, n: Int, lda: Int, i0: Int, j0: Int,
                          _ t0: SIMD4<Double>, _ t1: SIMD4<Double>, _ t2: SIMD4<Double>, _ t3: SIMD4<Double>) {
    if i0 > j0 && i0 &+ 4 <= n && j0 &+ 4 <= n {
        subtractColumn(c + i0 + j0 &* lda, t0)
        subtractColumn(c + i0 + (j0 &+ 1) &* lda, t1)
        subtractColumn(c + i0 + (j0 &+ 2) &* lda, t2)
        subtractColumn(c + i0 + (j0 &+ 3) &* lda, t3)
        return
    }
    for m in 0..<4 {
        let j = j0 &+ m
        if j >= n { break }
        let t = m == 0 ? t0 : m == 1 ? t1 : m == 2 ? t2 : t3
        let column = c + j &* lda
        for r in 0..<4 {
            let i = i0 &+ r
            if i < j || i >= n { continue }
            column[i] -= t[r]
        }
    }
}

/// column[0 ..< 4] −= value.
@inline(__always)
private func subtractColumn(_ column: UnsafeMutablePointer<Double>, _ value: SIMD4<Double>) {
    let current = UnsafeRawPointer(column).loadUnaligned(as: SIMD4<Double>.self)
    UnsafeMutableRawPointer(column).storeBytes(of: current - value, as: SIMD4<Double>.self)
}
