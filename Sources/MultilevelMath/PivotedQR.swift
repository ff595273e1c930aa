/// QR decomposition with R's limited column pivoting and rank detection — the algorithm of R's
/// `qr(X, tol = 1e-7, LAPACK = FALSE)` (LINPACK `dqrdc` as modified for R in `dqrdc2`).
///
/// Householder reflections are applied column by column. Before column l is reduced, any column
/// whose remaining norm has fallen below `tolerance` × its original norm is treated as linearly
/// dependent on the columns before it and moved to the right-hand end (the others shift left, so
/// they keep their relative order). The rank is the number of columns not moved. Column norms are
/// down-dated after each reflection and recomputed when they shrink by more than a factor 10⁻³
/// (squared 10⁻⁶), as R does, so the rank decision follows R's.
///
/// lme4 drops the columns `pivot[rank...]` of a rank-deficient fixed-effects matrix; `lm` reports
/// their coefficients as NA. Both uses are served by `pivot`, `rank` and `coefficients(for:)`.
public struct PivotedQR: Sendable {
    /// Number of rows n.
    public let rows: Int
    /// Number of columns p.
    public let columns: Int
    /// The compact factorisation (column-major n × p, in pivoted column order): R in the upper
    /// triangle, the Householder vectors below it (R's `qr$qr`).
    public private(set) var factors: [Double]
    /// The first element of each Householder vector (R's `qr$qraux`).
    public private(set) var auxiliary: [Double]
    /// 0-based original index of each column after pivoting (R's `qr$pivot` minus one).
    public private(set) var pivot: [Int]
    /// Numerical rank: columns `pivot[0..<rank]` are linearly independent.
    public private(set) var rank: Int
    /// The tolerance used.
    public let tolerance: Double

    /// Decomposes `matrix` (R's default tolerance 1e-7).
    public init(_ matrix: DenseMatrix, tolerance: Double = 1e-7) {
        let n = matrix.rows, p = matrix.columns
        rows = n
        columns = p
        self.tolerance = tolerance
        var x = matrix.elements
        var qraux = [Double](repeating: 0, count: p)
        var currentNorm = [Double](repeating: 0, count: p)   // work(,1)
        var originalNorm = [Double](repeating: 1, count: p)  // work(,2)
        var jpvt = Array(0..<p)

        func norm(_ column: Int, from row: Int) -> Double {
            var s = 0.0
            var scale = 0.0
            for i in row..<n {
                let v = Swift.abs(x[i + column * n])
                if v > scale { s = 1 + s * (scale / v) * (scale / v); scale = v } else if v > 0 { s += (v / scale) * (v / scale) }
            }
            return scale * s.squareRoot()
        }

        if n > 0 {
            for j in 0..<p {
                qraux[j] = norm(j, from: 0)
                currentNorm[j] = qraux[j]
                originalNorm[j] = qraux[j] == 0 ? 1 : qraux[j]
            }
        }
        let steps = min(n, p)
        var k = p  // columns from index k on have been moved to the end (0-based: k = p - moved)
        var l = 0
        while l < steps {
            // Move negligible columns to the end.
            while l < k, qraux[l] < originalNorm[l] * tolerance {
                for i in 0..<n {
                    let t = x[i + l * n]
                    for j in (l + 1)..<max(l + 1, p) { x[i + (j - 1) * n] = x[i + j * n] }
                    x[i + (p - 1) * n] = t
                }
                let savedPivot = jpvt[l], savedAux = qraux[l], savedCurrent = currentNorm[l], savedOriginal = originalNorm[l]
                for j in (l + 1)..<max(l + 1, p) {
                    jpvt[j - 1] = jpvt[j]
                    qraux[j - 1] = qraux[j]
                    currentNorm[j - 1] = currentNorm[j]
                    originalNorm[j - 1] = originalNorm[j]
                }
                jpvt[p - 1] = savedPivot
                qraux[p - 1] = savedAux
                currentNorm[p - 1] = savedCurrent
                originalNorm[p - 1] = savedOriginal
                k -= 1
            }
            if l == n - 1 { l += 1; continue }
            var normL = norm(l, from: l)
            if normL != 0 {
                let diagonal = l + l * n
                if x[diagonal] != 0 { normL = x[diagonal] < 0 ? -Swift.abs(normL) : Swift.abs(normL) }
                for i in l..<n { x[i + l * n] /= normL }
                x[diagonal] += 1
                if l + 1 < p {
                    for j in (l + 1)..<p {
                        var dot = 0.0
                        for i in l..<n { dot += x[i + l * n] * x[i + j * n] }
                        let t = -dot / x[diagonal]
                        for i in l..<n { x[i + j * n] += t * x[i + l * n] }
                        if qraux[j] != 0 {
                            let ratio = Swift.abs(x[l + j * n]) / qraux[j]
                            let shrink = Swift.max(1 - ratio * ratio, 0)
                            if Swift.abs(shrink) >= 1e-6 {
                                qraux[j] *= shrink.squareRoot()
                            } else {
                                qraux[j] = norm(j, from: l + 1)
                                currentNorm[j] = qraux[j]
                            }
                        }
                    }
                }
                qraux[l] = x[diagonal]
                x[diagonal] = -normL
            }
            l += 1
        }
        factors = x
        auxiliary = qraux
        pivot = jpvt
        rank = Swift.min(k, n)
    }

    /// Original indices of the columns found linearly dependent (aliased), in the order R lists
    /// them (`pivot[rank...]`).
    public var aliasedColumns: [Int] { Array(pivot[rank...]) }

    /// Qᵀy (R's `qr.qty`).
    public func transposedQTimes(_ y: [Double]) -> [Double] {
        precondition(y.count == rows, "qr.qty: length mismatch")
        var v = y
        for l in 0..<Swift.min(rank, rows - 1) { reflect(&v, by: l) }
        return v
    }

    /// Applies Householder reflection l (its vector: `auxiliary[l]`, then `factors` below the
    /// diagonal of column l) to `v`, in place (LINPACK `dqrsl`).
    private func reflect(_ v: inout [Double], by l: Int) {
        guard auxiliary[l] != 0 else { return }
        let n = rows
        var dot = auxiliary[l] * v[l]
        for i in (l + 1)..<n { dot += factors[i + l * n] * v[i] }
        let t = -dot / auxiliary[l]
        v[l] += t * auxiliary[l]
        for i in (l + 1)..<n { v[i] += t * factors[i + l * n] }
    }

    /// Least-squares coefficients of y on the original columns (R's `qr.coef`): NaN for aliased
    /// columns, the others from back-substitution with R's leading `rank × rank` block.
    public func coefficients(for y: [Double]) -> [Double] {
        let qty = transposedQTimes(y)
        let n = rows
        var b = [Double](repeating: 0, count: rank)
        for i in stride(from: rank - 1, through: 0, by: -1) {
            var s = qty[i]
            for j in (i + 1)..<Swift.max(i + 1, rank) { s -= factors[i + j * n] * b[j] }
            b[i] = s / factors[i + i * n]
        }
        var result = [Double](repeating: .nan, count: columns)
        for i in 0..<rank { result[pivot[i]] = b[i] }
        return result
    }

    /// Residuals y − X b̂ of the least-squares fit (R's `qr.resid`), computed as Q applied to Qᵀy
    /// with its first `rank` entries zeroed.
    public func residuals(for y: [Double]) -> [Double] {
        var v = transposedQTimes(y)
        for i in 0..<rank { v[i] = 0 }
        for l in stride(from: Swift.min(rank, rows - 1) - 1, through: 0, by: -1) { reflect(&v, by: l) }
        return v
    }

    /// (XᵀX)⁻¹ for the non-aliased columns, `rank × rank` in pivoted order (R's
    /// `chol2inv(qr.R(qr))`): R⁻¹ R⁻ᵀ. Multiplied by σ̂² it is the covariance of the OLS
    /// coefficients `coefficients(for:)[pivot[0..<rank]]`.
    public var unscaledCovariance: DenseMatrix {
        let k = rank
        // Inverse of the upper-triangular R by back-substitution, column by column.
        var inverse = DenseMatrix(rows: k, columns: k)
        for j in 0..<k {
            inverse[j, j] = 1 / factors[j + j * rows]
            for i in stride(from: j - 1, through: 0, by: -1) {
                var s = 0.0
                for m in (i + 1)...j { s += factors[i + m * rows] * inverse[m, j] }
                inverse[i, j] = -s / factors[i + i * rows]
            }
        }
        var result = DenseMatrix(rows: k, columns: k)
        for i in 0..<k {
            for j in i..<k {
                var s = 0.0
                for m in j..<k { s += inverse[i, m] * inverse[j, m] }
                result[i, j] = s
                result[j, i] = s
            }
        }
        return result
    }

    /// The upper-triangular factor R (`rank × rank` leading block, pivoted column order).
    public var upperTriangular: DenseMatrix {
        var r = DenseMatrix(rows: rank, columns: rank)
        for j in 0..<rank { for i in 0...j { r[i, j] = factors[i + j * rows] } }
        return r
    }
}
