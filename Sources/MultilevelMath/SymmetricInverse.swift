/// Inverse of a symmetric positive-definite matrix through its Cholesky factor, LAPACK's
/// `dpotri`: A⁻¹ = L⁻ᵀ L⁻¹.
extension DenseMatrix {
    /// A⁻¹ given this matrix is the lower Cholesky factor L of A (A = L Lᵀ); full symmetric result.
    public var inverseFromCholeskyFactor: DenseMatrix {
        let inverseFactor = lowerTriangularInverse
        let n = rows
        var result = DenseMatrix(rows: n, columns: n)
        for j in 0..<n {
            for i in j..<n {
                // (L⁻ᵀ L⁻¹)[i, j] = Σ_k L⁻¹[k, i] L⁻¹[k, j], k ≥ max(i, j) = i.
                var sum = 0.0
                for k in i..<n { sum += inverseFactor[k, i] * inverseFactor[k, j] }
                result.elements[i + j * n] = sum
                result.elements[j + i * n] = sum
            }
        }
        return result
    }

    /// The inverse of this symmetric positive-definite matrix. Throws `NotPositiveDefiniteError`.
    public func symmetricPositiveDefiniteInverse() throws -> DenseMatrix {
        try choleskyLower().inverseFromCholeskyFactor
    }
}
