#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The transform of a parameter with a lower bound a to the real line (Stan reference manual,
/// "Lower bounded scalar"): x = a + eʸ, log-Jacobian log |dx/dy| = y.
public enum LowerBoundTransform {
    /// x = bound + eʸ.
    @inline(__always)
    public static func constrain(_ y: Double, lowerBound: Double = 0) -> Double { lowerBound + exp(y) }

    /// y = log(x − bound).
    @inline(__always)
    public static func unconstrain(_ x: Double, lowerBound: Double = 0) -> Double { log(x - lowerBound) }
}

/// Stan's transform of a Cholesky factor of a K × K correlation matrix (Stan reference manual,
/// "Cholesky factors of correlation matrices"; Lewandowski, Kurowicka & Joe 2009):
/// K(K−1)/2 unconstrained values y → canonical partial correlations z = tanh(y) → L row by row,
/// L₁₁ = 1, L_i1 = z_i1, L_ij = z_ij · sqrt(1 − Σ_{m<j} L_im²), L_ii = sqrt(1 − Σ_{m<i} L_im²).
/// log-Jacobian Σ_{i>j} log(1 − z_ij²) + ½ Σ_{i>j} log(1 − Σ_{m<j} L_im²).
///
/// Storage: `y` holds the strict lower triangle row by row ((1,0), (2,0), (2,1), (3,0), …);
/// `L` is K × K row-major (`L[i * K + j]`), upper triangle zero.
public enum CholeskyCorrelationTransform {
    /// Number of unconstrained values for dimension K.
    @inline(__always)
    public static func freeCount(_ k: Int) -> Int { k * (k - 1) / 2 }

    /// Fills `factor` (K × K row-major) from `y` and returns the log-Jacobian.
    @discardableResult
    public static func constrain(_ y: UnsafePointer<Double>, dimension k: Int,
                                 into factor: UnsafeMutablePointer<Double>) -> Double {
        var logJacobian = 0.0
        var position = 0
        for i in 0..<k {
            var sum = 0.0
            for j in 0..<i {
                let z = tanh(y[position])
                position += 1
                let remaining = 1 - sum
                let value = z * remaining.squareRoot()
                factor[i * k + j] = value
                logJacobian += log1p(-z * z) + 0.5 * log(remaining)
                sum += value * value
            }
            factor[i * k + i] = max(0, 1 - sum).squareRoot()
            for j in (i + 1)..<max(i + 1, k) { factor[i * k + j] = 0 }
        }
        return logJacobian
    }

    /// The unconstrained values y of a valid Cholesky factor of a correlation matrix (the inverse
    /// of `constrain`): z_ij = L_ij / sqrt(1 − Σ_{m<j} L_im²), y = atanh(z).
    public static func unconstrain(_ factor: UnsafePointer<Double>, dimension k: Int,
                                   into y: UnsafeMutablePointer<Double>) {
        var position = 0
        for i in 0..<k {
            var sum = 0.0
            for j in 0..<i {
                let value = factor[i * k + j]
                y[position] = atanh(value / (1 - sum).squareRoot())
                position += 1
                sum += value * value
            }
        }
    }

    /// Reverse-mode derivative of `constrain` plus its log-Jacobian: given ∂f/∂L in
    /// `factorAdjoint` (lower triangle, diagonal included; overwritten as scratch), adds
    /// ∂(f + log J)/∂y to `yAdjoint`. `factor` must hold constrain(y).
    public static func addGradient(_ y: UnsafePointer<Double>, dimension k: Int,
                                   factor: UnsafePointer<Double>,
                                   factorAdjoint: UnsafeMutablePointer<Double>,
                                   yAdjoint: UnsafeMutablePointer<Double>) {
        guard k > 1 else { return }
        // Row i uses the y positions rowStart ..< rowStart + i, rowStart = i(i−1)/2.
        for i in 1..<k {
            let rowStart = i * (i - 1) / 2
            // s_j = Σ_{m<j} L_im², the sum before column j; s_i feeds the diagonal.
            var sumBefore = 0.0
            for j in 0..<i { sumBefore += factor[i * k + j] * factor[i * k + j] }
            // Adjoint of s_i from L_ii = sqrt(1 − s_i).
            let diagonal = factor[i * k + i]
            var sumAdjoint = diagonal > 0 ? -factorAdjoint[i * k + i] / (2 * diagonal) : 0
            for j in stride(from: i - 1, through: 0, by: -1) {
                let value = factor[i * k + j]
                sumBefore -= value * value                       // now s_j
                let remaining = 1 - sumBefore
                let w = remaining.squareRoot()
                let z = tanh(y[rowStart + j])
                let valueAdjoint = factorAdjoint[i * k + j] + sumAdjoint * 2 * value
                // s_j enters through w_j = sqrt(1 − s_j) and the Jacobian term ½ log(1 − s_j).
                sumAdjoint += -valueAdjoint * z / (2 * w) - 0.5 / remaining
                let zAdjoint = valueAdjoint * w
                yAdjoint[rowStart + j] += zAdjoint * (1 - z * z) - 2 * z
            }
        }
    }

    /// log density of the LKJ(η) prior on the Cholesky factor up to its normalising constant
    /// (Stan's `lkj_corr_cholesky_lpdf`): Σ_{k=2..K} (K − k + 2η − 2) log L_kk (1-based k).
    /// Adds ∂/∂L_kk to `factorAdjoint`'s diagonal when it is non-nil.
    public static func lkjLogDensity(eta: Double, factor: UnsafePointer<Double>, dimension k: Int,
                                     factorAdjoint: UnsafeMutablePointer<Double>?) -> Double {
        var value = 0.0
        for i in 1..<max(1, k) {
            // 1-based row i + 1: coefficient K − (i + 1) + 2η − 2.
            let coefficient = Double(k - i - 3) + 2 * eta
            let diagonal = factor[i * k + i]
            value += coefficient * log(diagonal)
            factorAdjoint?[i * k + i] += coefficient / diagonal
        }
        return value
    }
}
