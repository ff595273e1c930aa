#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// Stan's transform of K − 1 unconstrained values y to a K-simplex x (stick-breaking; Stan
/// reference manual, "Unit simplex", as in Stan 2.21's `simplex_constrain`):
///
///     z_k = logistic(y_k − log(K − k)),   x_k = s_k z_k,   s_{k+1} = s_k − x_k   (k = 1…K−1, s_1 = 1),
///     x_K = s_K,
///
/// with log-Jacobian Σ_k [log s_k + log z_k + log(1 − z_k)]. The offset log(K − k) maps y = 0 to
/// the simplex's centre (1/K, …, 1/K).
enum SimplexTransform {
    /// Writes the simplex of `y` (K − 1 values) into `x` (K values), the stick lengths s_k into
    /// `sticks` and z_k into `fractions` (K − 1 values each, for `addGradient`); returns the
    /// log-Jacobian.
    @inline(__always)
    static func constrain(_ y: UnsafePointer<Double>, size k: Int, into x: UnsafeMutablePointer<Double>,
                          sticks: UnsafeMutablePointer<Double>, fractions: UnsafeMutablePointer<Double>) -> Double {
        var stick = 1.0
        var logJacobian = 0.0
        for i in 0..<(k - 1) {
            let shifted = y[i] - log(Double(k - 1 - i))
            let z = inverseLogit(shifted)
            sticks[i] = stick
            fractions[i] = z
            x[i] = stick * z
            logJacobian += log(stick) - log1pexp(-shifted) - log1pexp(shifted)
            stick -= x[i]
        }
        x[k - 1] = stick
        return logJacobian
    }

    /// The simplex of `y` without the Jacobian (for the reported draws).
    static func constrain(_ y: UnsafePointer<Double>, size k: Int, into x: UnsafeMutablePointer<Double>) {
        var stick = 1.0
        for i in 0..<(k - 1) {
            let z = inverseLogit(y[i] - log(Double(k - 1 - i)))
            x[i] = stick * z
            stick -= x[i]
        }
        x[k - 1] = stick
    }

    /// Adds to `yGradient` (K − 1 values) the gradient with respect to y of f(x(y)) + log|J(y)|,
    /// given ∂f/∂x in `xAdjoint` (K values) and the `sticks` and `fractions` of `constrain`:
    /// reverse mode through s_{k+1} = s_k (1 − z_k), x_k = s_k z_k, backwards from s_K.
    @inline(__always)
    static func addGradient(size k: Int, xAdjoint: UnsafePointer<Double>, sticks: UnsafePointer<Double>,
                            fractions: UnsafePointer<Double>, yGradient: UnsafeMutablePointer<Double>) {
        var stickAdjoint = xAdjoint[k - 1]     // ∂/∂s_K
        var i = k - 2
        while i >= 0 {
            let s = sticks[i], z = fractions[i]
            let zAdjoint = s * (xAdjoint[i] - stickAdjoint)
            yGradient[i] += zAdjoint * z * (1 - z) + (1 - 2 * z)
            stickAdjoint = xAdjoint[i] * z + stickAdjoint * (1 - z) + 1 / s
            i -= 1
        }
    }
}
