/// Triangular solves with a lower-triangular factor L (column-major, leading dimension `lda`),
/// LAPACK's `dtrsv`: forward substitution L x = b and back substitution Lᵀ x = b, in place.

/// Solves L x = b in place (`x` holds b on entry), L the `n × n` lower triangle at `l`.
@inlinable
public func solveLowerInPlace(_ l: UnsafePointer<Double>, order n: Int, leadingDimension lda: Int,
                              _ x: UnsafeMutablePointer<Double>) {
    for j in 0..<n {
        let value = x[j] / l[j + j * lda]
        x[j] = value
        if value == 0 { continue }
        let column = l + j * lda
        for i in (j + 1)..<Swift.max(j + 1, n) { x[i] -= column[i] * value }
    }
}

/// Solves Lᵀ x = b in place (`x` holds b on entry), L the `n × n` lower triangle at `l`.
@inlinable
public func solveLowerTransposeInPlace(_ l: UnsafePointer<Double>, order n: Int, leadingDimension lda: Int,
                                       _ x: UnsafeMutablePointer<Double>) {
    var j = n - 1
    while j >= 0 {
        let column = l + j * lda
        var sum = x[j]
        for i in (j + 1)..<Swift.max(j + 1, n) { sum -= column[i] * x[i] }
        x[j] = sum / column[j]
        j -= 1
    }
}

extension DenseMatrix {
    /// x with L x = b, this matrix being lower triangular (L).
    public func solvingLower(_ b: [Double]) -> [Double] {
        precondition(rows == columns && b.count == rows, "triangular solve: dimensions differ")
        var x = b
        elements.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { solveLowerInPlace(l.baseAddress!, order: rows, leadingDimension: rows, $0.baseAddress!) }
        }
        return x
    }

    /// x with Lᵀ x = b, this matrix being lower triangular (L).
    public func solvingLowerTranspose(_ b: [Double]) -> [Double] {
        precondition(rows == columns && b.count == rows, "triangular solve: dimensions differ")
        var x = b
        elements.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { solveLowerTransposeInPlace(l.baseAddress!, order: rows, leadingDimension: rows, $0.baseAddress!) }
        }
        return x
    }

    /// L⁻¹ for this lower-triangular matrix L (lower triangular again).
    public var lowerTriangularInverse: DenseMatrix {
        precondition(rows == columns, "triangular inverse: matrix is not square")
        let n = rows
        var inverse = DenseMatrix(rows: n, columns: n)
        for j in 0..<n {
            // Column j of L⁻¹ solves L x = e_j; entries above j are zero.
            inverse.elements[j + j * n] = 1 / self[j, j]
            for i in (j + 1)..<Swift.max(j + 1, n) {
                var sum = 0.0
                for k in j..<i { sum -= self[i, k] * inverse.elements[k + j * n] }
                inverse.elements[i + j * n] = sum / self[i, i]
            }
        }
        return inverse
    }
}
