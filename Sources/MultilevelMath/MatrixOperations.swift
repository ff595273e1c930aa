/// Products and transposes of `DenseMatrix` (column-major), in the BLAS vocabulary: `gemm`
/// (A·B), `gemv` (A·x), `syrk` (XᵀX). Written for the small and medium matrices of the model
/// fitters; the large dense kernels live in `Cholesky.swift`.
extension DenseMatrix {
    /// The transpose Aᵀ.
    public var transposed: DenseMatrix {
        var result = DenseMatrix(rows: columns, columns: rows)
        for j in 0..<columns {
            for i in 0..<rows { result.elements[j + i * columns] = elements[i + j * rows] }
        }
        return result
    }

    /// The product A·B (`gemm`).
    public static func * (lhs: DenseMatrix, rhs: DenseMatrix) -> DenseMatrix {
        precondition(lhs.columns == rhs.rows, "matrix product: inner dimensions differ")
        var result = DenseMatrix(rows: lhs.rows, columns: rhs.columns)
        let m = lhs.rows
        lhs.elements.withUnsafeBufferPointer { a in
            rhs.elements.withUnsafeBufferPointer { b in
                result.elements.withUnsafeMutableBufferPointer { c in
                    for j in 0..<rhs.columns {
                        for k in 0..<lhs.columns {
                            let factor = b[k + j * rhs.rows]
                            if factor == 0 { continue }
                            for i in 0..<m { c[i + j * m] += a[i + k * m] * factor }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The product A·x (`gemv`).
    public func multiplied(by vector: [Double]) -> [Double] {
        precondition(vector.count == columns, "matrix-vector product: dimensions differ")
        var result = [Double](repeating: 0, count: rows)
        for j in 0..<columns {
            let factor = vector[j]
            if factor == 0 { continue }
            for i in 0..<rows { result[i] += elements[i + j * rows] * factor }
        }
        return result
    }

    /// The product Aᵀ·x.
    public func transposeMultiplied(by vector: [Double]) -> [Double] {
        precondition(vector.count == rows, "transposed matrix-vector product: dimensions differ")
        var result = [Double](repeating: 0, count: columns)
        for j in 0..<columns {
            var sum = 0.0
            for i in 0..<rows { sum += elements[i + j * rows] * vector[i] }
            result[j] = sum
        }
        return result
    }

    /// The cross product AᵀA (`syrk`), full symmetric result.
    public var crossProduct: DenseMatrix {
        var result = DenseMatrix(rows: columns, columns: columns)
        for j in 0..<columns {
            for k in 0...j {
                var sum = 0.0
                for i in 0..<rows { sum += elements[i + j * rows] * elements[i + k * rows] }
                result.elements[j + k * columns] = sum
                result.elements[k + j * columns] = sum
            }
        }
        return result
    }

    /// The main diagonal.
    public var diagonal: [Double] { (0..<Swift.min(rows, columns)).map { self[$0, $0] } }

    /// Copies the lower triangle onto the upper one (the matrix becomes symmetric).
    public mutating func symmetrizeFromLower() {
        precondition(rows == columns, "symmetrize: matrix is not square")
        for j in 0..<columns {
            for i in (j + 1)..<Swift.max(j + 1, rows) { elements[j + i * rows] = elements[i + j * rows] }
        }
    }
}
