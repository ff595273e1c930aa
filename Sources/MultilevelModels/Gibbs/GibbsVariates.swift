#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

/// Draws Σ ~ inverse-Wishart(ν, Ψ) (density ∝ |Σ|^(−(ν+q+1)/2) exp(−tr(Ψ Σ⁻¹)/2), q × q) by the
/// Bartlett decomposition (Bartlett 1933; Smith & Hocking 1972): with Ψ = R Rᵀ (Cholesky) and A lower
/// triangular, A_ii = √χ²(ν − i + 1) (1-based i), A_ij ~ N(0, 1) below the diagonal,
/// W = (R⁻ᵀ A)(R⁻ᵀ A)ᵀ ~ Wishart(ν, Ψ⁻¹), hence Σ = W⁻¹ = B Bᵀ with B = R A⁻ᵀ.
///
/// `scale` is Ψ, column-major q × q (lower triangle read); on return `covariance` holds Σ
/// (column-major, full). Returns false when Ψ is not positive definite. `workspace` must hold 3q²
/// values. ν must exceed q − 1.
func drawInverseWishart(degreesOfFreedom nu: Double, scale: UnsafePointer<Double>, order q: Int,
                        covariance: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>,
                        rng: inout Xoshiro256PlusPlus) -> Bool {
    let r = workspace
    let a = workspace + q * q
    let b = workspace + 2 * q * q
    for k in 0..<(q * q) { r[k] = scale[k] }
    if choleskyFactorLowerInPlace(r, order: q, leadingDimension: q) != nil { return false }
    for j in 0..<q { for i in 0..<j { r[i + j * q] = 0 } }
    // Bartlett factor A (lower), then A⁻¹ in place (lower).
    for j in 0..<q {
        for i in 0..<q {
            if i == j {
                a[i + j * q] = (2 * rng.nextGamma(shape: (nu - Double(i)) / 2)).squareRoot()
            } else if i > j {
                a[i + j * q] = rng.nextNormal()
            } else {
                a[i + j * q] = 0
            }
        }
    }
    invertLowerTriangular(a, order: q, into: b)
    // B = R (A⁻¹)ᵀ: B_ij = Σ_k R_ik (A⁻¹)_jk, stored in a.
    for j in 0..<q {
        for i in 0..<q {
            var sum = 0.0
            for k in 0..<q { sum += r[i + k * q] * b[j + k * q] }
            a[i + j * q] = sum
        }
    }
    for j in 0..<q {
        for i in 0..<q {
            var sum = 0.0
            for k in 0..<q { sum += a[i + k * q] * a[j + k * q] }
            covariance[i + j * q] = sum
        }
    }
    return true
}

/// M = A⁻¹ for a lower-triangular q × q A (column-major), by forward substitution column by
/// column; M is lower triangular (its strict upper triangle is set to 0).
func invertLowerTriangular(_ a: UnsafePointer<Double>, order q: Int, into m: UnsafeMutablePointer<Double>) {
    for j in 0..<q {
        for i in 0..<q { m[i + j * q] = 0 }
        m[j + j * q] = 1 / a[j + j * q]
        for i in (j + 1)..<max(j + 1, q) {
            var sum = 0.0
            for k in j..<i { sum -= a[i + k * q] * m[k + j * q] }
            m[i + j * q] = sum / a[i + i * q]
        }
    }
}
