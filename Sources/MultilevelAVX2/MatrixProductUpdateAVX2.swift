/// C ← C − A B for column-major C (`rows × columns`, leading dimension `ldc`), A (`rows × depth`,
/// `lda`) and B (`depth × columns`, `ldb`), in AVX2 + FMA: the `dgemm` update of the blocked
/// triangular inverse (`lowerTriangularInverse` in MultilevelMath). Tiles of 8 rows × 4 columns of
/// C are held in eight 256-bit registers over slices of 256 of the depth: per k, two loads of A's column
/// (contiguous rows), four broadcasts of B's row and eight fused multiply–adds. Rows and columns
/// beyond the last whole tile are done one element at a time. Each element of C is Σₖ a_ik b_kj
/// summed in k order (fused), subtracted slice by slice. The caller must check the processor
/// (`VectorKernels`); see `fusedBernoulliPassAVX2` for the rules of this module.
@inline(never)
public func matrixProductUpdateAVX2(_ c: UnsafeMutablePointer<Double>, rows: Int, columns: Int, ldc: Int,
                                    _ a: UnsafePointer<Double>, lda: Int,
                                    _ b: UnsafePointer<Double>, ldb: Int, depth: Int) {
    typealias Vector = SIMD4<Double>
    let wholeRows = rows & ~7, wholeColumns = columns & ~3
    // Depth in slices of 256, so that a tile's 8 × 256 slice of A stays in the L1 cache while it
    // meets every column tile (C then takes one subtraction per slice).
    var k0 = 0
    while k0 < depth {
        let k1 = Swift.min(depth, k0 &+ 256)
        var i = 0
        while i < wholeRows {
            var j = 0
            while j < wholeColumns {
                let b0 = b + j &* ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                var c00 = Vector(), c01 = Vector(), c02 = Vector(), c03 = Vector()
                var c10 = Vector(), c11 = Vector(), c12 = Vector(), c13 = Vector()
                var column = a + i + k0 &* lda
                for k in k0..<k1 {
                    let top = UnsafeRawPointer(column).loadUnaligned(as: Vector.self)
                    let bottom = UnsafeRawPointer(column + 4).loadUnaligned(as: Vector.self)
                    let x0 = Vector(repeating: b0[k]), x1 = Vector(repeating: b1[k])
                    let x2 = Vector(repeating: b2[k]), x3 = Vector(repeating: b3[k])
                    c00 = fusedMultiplyAdd(top, x0, c00); c10 = fusedMultiplyAdd(bottom, x0, c10)
                    c01 = fusedMultiplyAdd(top, x1, c01); c11 = fusedMultiplyAdd(bottom, x1, c11)
                    c02 = fusedMultiplyAdd(top, x2, c02); c12 = fusedMultiplyAdd(bottom, x2, c12)
                    c03 = fusedMultiplyAdd(top, x3, c03); c13 = fusedMultiplyAdd(bottom, x3, c13)
                    column += lda
                }
                let target = c + i + j &* ldc
                subtract(target, c00, c10)
                subtract(target + ldc, c01, c11)
                subtract(target + 2 &* ldc, c02, c12)
                subtract(target + 3 &* ldc, c03, c13)
                j &+= 4
            }
            i &+= 8
        }
        k0 = k1
    }
    // The ragged edges: rows past the whole tiles in the tiled columns, then the last columns.
    for jj in 0..<columns {
        let firstRow = jj < wholeColumns ? wholeRows : 0
        if firstRow >= rows { continue }
        let target = c + jj &* ldc, source = b + jj &* ldb
        for ii in firstRow..<rows {
            var sum = 0.0
            for k in 0..<depth { sum = sum.addingProduct(a[ii &+ k &* lda], source[k]) }
            target[ii] -= sum
        }
    }
}

/// column[0 ..< 8] −= (top, bottom).
@inline(__always)
private func subtract(_ column: UnsafeMutablePointer<Double>, _ top: SIMD4<Double>, _ bottom: SIMD4<Double>) {
    let raw = UnsafeMutableRawPointer(column)
    let first = raw.loadUnaligned(as: SIMD4<Double>.self)
    let second = raw.loadUnaligned(fromByteOffset: 32, as: SIMD4<Double>.self)
    raw.storeBytes(of: first - top, as: SIMD4<Double>.self)
    raw.storeBytes(of: second - bottom, toByteOffset: 32, as: SIMD4<Double>.self)
}
