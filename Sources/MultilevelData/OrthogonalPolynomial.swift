import Foundation

/// R's `poly(x, degree)`: the orthogonal polynomial basis of x (column j is a polynomial of
/// degree j in x, orthogonal to the lower-degree ones over the fitted rows, unit length), with the
/// recurrence coefficients `alpha` and `norm2` that R keeps as `attr(, "coefs")` so that
/// `predict.poly` evaluates the same basis at new x.
///
/// On the fitted rows the basis is the Gram–Schmidt orthonormalisation of the centred powers
/// (x − x̄)ʲ, j = 0…degree, each column's sign making its leading coefficient positive — what R's
/// QR-based `poly` returns, independent of the QR's sign conventions. The monic (unnormalised)
/// columns Pⱼ give norm2 = (1, n, ‖P₁‖², …) and alphaⱼ = Σ x Pⱼ² / ‖Pⱼ‖²; at new x the
/// three-term recurrence P₀ = 1, P₁ = x − α₁, Pⱼ₊₁ = (x − αⱼ₊₁) Pⱼ − (norm2ⱼ₊₂ / norm2ⱼ₊₁) Pⱼ₋₁
/// rebuilds them and column j is Pⱼ / √norm2ⱼ₊₂ (Kennedy & Gentle 1980, §8.7; R's `poly`).
public struct OrthogonalPolynomial: Sendable, Equatable {
    /// The degree k (number of columns).
    public var degree: Int
    /// Recurrence centres α₁…α_k (R's `coefs$alpha`).
    public var alpha: [Double]
    /// Squared norms (1, n, ‖P₁‖², …, ‖P_k‖²) (R's `coefs$norm2`, k + 2 values).
    public var norm2: [Double]

    public init(degree: Int, alpha: [Double], norm2: [Double]) {
        self.degree = degree
        self.alpha = alpha
        self.norm2 = norm2
    }

    /// Fits the basis to `x` and returns it with the basis columns at `x` (column-major, one
    /// array per degree). Throws when `degree` is not below the number of distinct values, as R
    /// does ("'degree' must be less than number of unique points").
    public static func fit(_ x: [Double], degree: Int) throws -> (OrthogonalPolynomial, columns: [[Double]]) {
        let distinct = Set(x).count
        guard degree >= 1, degree < distinct else {
            throw DesignError("poly(): degree \(degree) must be at least 1 and less than the number of distinct values (\(distinct))")
        }
        let n = x.count
        let mean = x.reduce(0, +) / Double(n)
        let centred = x.map { $0 - mean }
        // Monic orthogonal polynomials by Gram–Schmidt, orthogonalised twice for accuracy.
        var monic: [[Double]] = [[Double](repeating: 1, count: n)]
        var power = [Double](repeating: 1, count: n)
        for _ in 1...degree {
            for i in 0..<n { power[i] *= centred[i] }
            var column = power
            for _ in 0..<2 {
                for previous in monic {
                    let dot = zip(column, previous).reduce(0) { $0 + $1.0 * $1.1 }
                    let norm = previous.reduce(0) { $0 + $1 * $1 }
                    let factor = dot / norm
                    for i in 0..<n { column[i] -= factor * previous[i] }
                }
            }
            monic.append(column)
        }
        var norm2 = [1.0]
        var alpha: [Double] = []
        for (j, column) in monic.enumerated() {
            let squared = column.reduce(0) { $0 + $1 * $1 }
            norm2.append(squared)
            if j < degree {
                alpha.append(zip(centred, column).reduce(0) { $0 + $1.0 * $1.1 * $1.1 } / squared + mean)
            }
        }
        let columns = (1...degree).map { j in monic[j].map { $0 / norm2[j + 1].squareRoot() } }
        return (OrthogonalPolynomial(degree: degree, alpha: alpha, norm2: norm2), columns)
    }

    /// The basis at new values of x by the three-term recurrence (R's `predict.poly`).
    public func basis(at x: [Double]) -> [[Double]] {
        var previous = [Double](repeating: 1, count: x.count)
        var current = x.map { $0 - alpha[0] }
        var columns = [current.map { $0 / norm2[2].squareRoot() }]
        if degree >= 2 {
            for j in 1..<degree {
                let ratio = norm2[j + 1] / norm2[j]
                let next = x.indices.map { (x[$0] - alpha[j]) * current[$0] - ratio * previous[$0] }
                previous = current
                current = next
                columns.append(current.map { $0 / norm2[j + 2].squareRoot() })
            }
        }
        return columns
    }
}
