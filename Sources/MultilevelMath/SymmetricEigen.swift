import Foundation

/// The eigen decomposition A = V diag(λ) Vᵀ of a small real symmetric matrix by the cyclic Jacobi
/// method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5.2: one rotation per off-diagonal
/// pair per sweep, sweeps until the off-diagonal mass is negligible). Eigenvalues in decreasing
/// order, as R's `eigen(symmetric = TRUE)` returns them; eigenvectors are the columns of `vectors`.
/// Meant for the few-by-few matrices of variance parameters and contrasts (O(n³) per sweep).
public struct SymmetricEigenDecomposition: Sendable {
    /// λ₁ ≥ λ₂ ≥ … ≥ λₙ.
    public var values: [Double]
    /// V (n × n), column k the unit eigenvector of λₖ.
    public var vectors: DenseMatrix

    public init(_ matrix: DenseMatrix) {
        precondition(matrix.rows == matrix.columns, "a square matrix")
        let n = matrix.rows
        var a = matrix
        a.symmetrizeFromLower()
        var v = DenseMatrix.identity(n)
        let scale = max(a.elements.map(abs).max() ?? 0, .leastNormalMagnitude)
        for _ in 0..<100 {
            var off = 0.0
            for j in 0..<n { for i in (j + 1)..<max(j + 1, n) { off += a[i, j] * a[i, j] } }
            if off.squareRoot() <= 1e-17 * scale { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) where a[p, q] != 0 {
                    // Rotation zeroing a[p, q]: t = tan of the angle (GVL Algorithm 8.5.1).
                    let tau = (a[q, q] - a[p, p]) / (2 * a[p, q])
                    let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k, p], akq = a[k, q]
                        a[k, p] = c * akp - s * akq
                        a[k, q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p, k], aqk = a[q, k]
                        a[p, k] = c * apk - s * aqk
                        a[q, k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k, p], vkq = v[k, q]
                        v[k, p] = c * vkp - s * vkq
                        v[k, q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { a[$0, $0] > a[$1, $1] }
        values = order.map { a[$0, $0] }
        var sorted = DenseMatrix(rows: n, columns: n)
        for (k, source) in order.enumerated() { for i in 0..<n { sorted[i, k] = v[i, source] } }
        vectors = sorted
    }
}
