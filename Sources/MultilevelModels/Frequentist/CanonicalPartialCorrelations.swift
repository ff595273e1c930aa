import Foundation

/// Canonical partial correlations (Lewandowski, Kurowicka & Joe 2009, §2; Stan's `cholesky_corr`
/// transform): a q × q correlation matrix R as q(q − 1)/2 numbers z_rc ∈ [−1, 1] (r > c), each
/// free of the others, with R = LLᵀ for the lower-triangular L whose rows are unit vectors,
/// L_r0 = z_r0, L_rc = z_rc·√(1 − Σ_{k<c} L_rk²), L_rr = √(1 − Σ_{k<r} L_rk²). Every point of the
/// box [−1, 1]^(q(q−1)/2) is a positive semi-definite correlation matrix, which is what lets a
/// profile optimise a block's other correlations by a bounded optimiser; z₁₀ is R₁₀ itself, so
/// ordering the variables to put a pair first makes that correlation one coordinate.
enum CanonicalPartialCorrelations {
    /// The CPCs of the row-major correlation matrix `correlations` (q × q) with its variables taken
    /// in `order`, column-major over r > c. Nil when R is not positive semi-definite.
    static func coordinates(of correlations: [Double], order: [Int]) -> [Double]? {
        let q = order.count
        var l = [Double](repeating: 0, count: q * q)   // row-major, permuted order
        for c in 0..<q {
            var pivot = 1.0
            for k in 0..<c { pivot -= l[c * q + k] * l[c * q + k] }
            if pivot < -1e-10 { return nil }
            let root = Swift.max(pivot, 0).squareRoot()
            l[c * q + c] = root
            for r in (c + 1)..<Swift.max(c + 1, q) {
                var sum = correlations[order[r] * q + order[c]]
                for k in 0..<c { sum -= l[r * q + k] * l[c * q + k] }
                l[r * q + c] = root > 1e-12 ? sum / root : 0
            }
        }
        var z: [Double] = []
        for c in 0..<q {
            for r in (c + 1)..<Swift.max(c + 1, q) {
                var remaining = 1.0
                for k in 0..<c { remaining -= l[r * q + k] * l[r * q + k] }
                let length = Swift.max(remaining, 0).squareRoot()
                z.append(length > 1e-12 ? Swift.min(1, Swift.max(-1, l[r * q + c] / length)) : 0)
            }
        }
        return z
    }

    /// The row-major correlation matrix, in the original variable order, of CPCs `z` given in
    /// `order` (as `coordinates(of:order:)` returns them).
    static func correlations(from z: [Double], order: [Int]) -> [Double] {
        let q = order.count
        var l = [Double](repeating: 0, count: q * q)
        var index = 0
        var used = [Double](repeating: 0, count: q)   // Σ_k L_rk² so far, per row
        for c in 0..<q {
            l[c * q + c] = Swift.max(0, 1 - used[c]).squareRoot()
            for r in (c + 1)..<Swift.max(c + 1, q) {
                let value = z[index] * Swift.max(0, 1 - used[r]).squareRoot()
                index += 1
                l[r * q + c] = value
                used[r] += value * value
            }
        }
        var result = [Double](repeating: 0, count: q * q)
        for a in 0..<q { for b in 0..<q {
            var sum = 0.0
            for k in 0...Swift.min(a, b) { sum += l[a * q + k] * l[b * q + k] }
            result[order[a] * q + order[b]] = a == b ? 1 : sum
        } }
        return result
    }
}
