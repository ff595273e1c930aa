/// The linear programme behind the separation test of Konis (2007, *Linear programming algorithms
/// for detecting separated data in binary logistic regression models*, DPhil thesis, Oxford, ch. 4):
///
///     maximise gᵀθ  subject to  a_kᵀθ ≥ 0 (k = 1…m),  −1 ≤ θ_j ≤ 1 (j = 1…p).
///
/// θ = 0 is always feasible, so the optimum is ≥ 0, and it is > 0 exactly when the cone
/// {θ : Aθ ≥ 0} holds a direction along which gᵀθ grows. The programme is solved through its dual,
///
///     minimise Σu + Σv  subject to  −Aᵀw + u − v = g,  w, u, v ≥ 0,
///
/// which has only p equality rows (m can be large: one per observation), by the revised simplex
/// method (Dantzig's rule, Bland's rule after a run of degenerate pivots so that it cannot cycle;
/// Chvátal 1983, ch. 3 and 7) from the basis of the u or v slack of each row. θ is the simplex
/// multiplier vector of the optimal dual basis (c_Bᵀ B⁻¹), the primal solution by LP duality.
public struct BoxedConeProgram {
    /// Rows a_k, row-major m × p.
    public let constraints: [Double]
    public let rowCount: Int
    public let columnCount: Int

    /// `constraints` holds the m rows a_k of length `columnCount`, row after row.
    public init(constraints: [Double], columnCount: Int) {
        precondition(columnCount > 0 && constraints.count % columnCount == 0)
        self.constraints = constraints
        self.columnCount = columnCount
        self.rowCount = constraints.count / columnCount
    }

    /// The optimum gᵀθ and an optimal θ; nil when the simplex did not finish within
    /// `iterationLimit` pivots or lost its basis numerically (then nothing is known).
    public func maximise(_ g: [Double], iterationLimit: Int = 5_000) -> (value: Double, theta: [Double])? {
        let p = columnCount, m = rowCount
        precondition(g.count == p)
        let tolerance = 1e-10
        // Basis: variable index per basis position. Variables: w_0…w_{m−1}, u_0…u_{p−1}, v_0…v_{p−1}.
        var basis = (0..<p).map { g[$0] >= 0 ? m + $0 : m + p + $0 }
        var inverse = [Double](repeating: 0, count: p * p)        // B⁻¹, row-major
        for j in 0..<p { inverse[j * p + j] = g[j] >= 0 ? 1 : -1 }
        var values = g.map { abs($0) }                             // x_B = B⁻¹ g
        var multipliers = [Double](repeating: 0, count: p)         // y = B⁻ᵀ c_B
        var column = [Double](repeating: 0, count: p)              // A_e
        var direction = [Double](repeating: 0, count: p)           // B⁻¹ A_e
        var degenerateRun = 0

        func cost(_ variable: Int) -> Double { variable < m ? 0 : 1 }

        for iteration in 0..<iterationLimit {
            if iteration > 0, iteration % 64 == 0 {
                guard refactorise(basis: basis, inverse: &inverse, values: &values, g: g) else { return nil }
            }
            for i in 0..<p {
                var sum = 0.0
                for r in 0..<p { sum += cost(basis[r]) * inverse[r * p + i] }
                multipliers[i] = sum
            }
            // Pricing: the reduced cost of w_k is yᵀa_k, of u_j 1 − y_j, of v_j 1 + y_j.
            let useBland = degenerateRun > 50
            var entering = -1
            var best = -tolerance
            var k = 0
            while k < m + 2 * p {
                let reduced: Double
                if k < m {
                    var sum = 0.0
                    let base = k * p
                    for j in 0..<p { sum += multipliers[j] * constraints[base + j] }
                    reduced = sum
                } else if k < m + p {
                    reduced = 1 - multipliers[k - m]
                } else {
                    reduced = 1 + multipliers[k - m - p]
                }
                if reduced < best {
                    entering = k
                    best = reduced
                    if useBland { break }
                }
                k += 1
            }
            if entering < 0 {
                guard refactorise(basis: basis, inverse: &inverse, values: &values, g: g) else { return nil }
                var theta = [Double](repeating: 0, count: p)
                for i in 0..<p {
                    for r in 0..<p { theta[i] += cost(basis[r]) * inverse[r * p + i] }
                }
                var value = 0.0
                for j in 0..<p { value += g[j] * theta[j] }
                return (value, theta)
            }
            loadColumn(entering, into: &column)
            for r in 0..<p {
                var sum = 0.0
                for j in 0..<p { sum += inverse[r * p + j] * column[j] }
                direction[r] = sum
            }
            var leaving = -1
            var ratio = Double.infinity
            for r in 0..<p where direction[r] > 1e-9 {
                let candidate = max(values[r], 0) / direction[r]
                if candidate < ratio - 1e-12 || (candidate <= ratio + 1e-12 && leaving >= 0 && basis[r] < basis[leaving]) {
                    ratio = candidate
                    leaving = r
                }
            }
            guard leaving >= 0 else { return nil }   // an unbounded dual would mean an infeasible primal: θ = 0 is feasible
            degenerateRun = ratio <= 1e-12 ? degenerateRun + 1 : 0
            let pivot = direction[leaving]
            for j in 0..<p { inverse[leaving * p + j] /= pivot }
            values[leaving] /= pivot
            for r in 0..<p where r != leaving && direction[r] != 0 {
                let factor = direction[r]
                for j in 0..<p { inverse[r * p + j] -= factor * inverse[leaving * p + j] }
                values[r] -= factor * values[leaving]
            }
            basis[leaving] = entering
        }
        return nil
    }

    /// Column `variable` of the dual's constraint matrix [−Aᵀ, I, −I].
    private func loadColumn(_ variable: Int, into column: inout [Double]) {
        let p = columnCount, m = rowCount
        if variable < m {
            for j in 0..<p { column[j] = -constraints[variable * p + j] }
        } else {
            for j in 0..<p { column[j] = 0 }
            column[(variable - m) % p] = variable < m + p ? 1 : -1
        }
    }

    /// Recomputes B⁻¹ and x_B = B⁻¹g from the basis by Gauss–Jordan elimination with partial
    /// pivoting, so that rounding does not accumulate over many pivots; false if B is singular.
    private func refactorise(basis: [Int], inverse: inout [Double], values: inout [Double], g: [Double]) -> Bool {
        let p = columnCount
        var matrix = [Double](repeating: 0, count: p * p)
        var column = [Double](repeating: 0, count: p)
        for (r, variable) in basis.enumerated() {
            loadColumn(variable, into: &column)
            for i in 0..<p { matrix[i * p + r] = column[i] }
        }
        for i in 0..<(p * p) { inverse[i] = 0 }
        for i in 0..<p { inverse[i * p + i] = 1 }
        for c in 0..<p {
            var pivotRow = c
            for r in (c + 1)..<max(p, c + 1) where abs(matrix[r * p + c]) > abs(matrix[pivotRow * p + c]) { pivotRow = r }
            let pivot = matrix[pivotRow * p + c]
            guard abs(pivot) > 1e-12 else { return false }
            if pivotRow != c {
                for j in 0..<p {
                    matrix.swapAt(c * p + j, pivotRow * p + j)
                    inverse.swapAt(c * p + j, pivotRow * p + j)
                }
            }
            for j in 0..<p {
                matrix[c * p + j] /= pivot
                inverse[c * p + j] /= pivot
            }
            for r in 0..<p where r != c {
                let factor = matrix[r * p + c]
                guard factor != 0 else { continue }
                for j in 0..<p {
                    matrix[r * p + j] -= factor * matrix[c * p + j]
                    inverse[r * p + j] -= factor * inverse[c * p + j]
                }
            }
        }
        for r in 0..<p {
            var sum = 0.0
            for j in 0..<p { sum += inverse[r * p + j] * g[j] }
            values[r] = sum
        }
        return true
    }
}
