#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The Huang–Wand prior (Huang & Wand 2013, *Simple marginally noninformative prior distributions
/// for covariance matrices*, Bayesian Analysis 8(2), eq. 2) written on the posterior's coordinates
/// (sd, L) with Σ = diag(sd) · L Lᵀ · diag(sd):
///
///     p(Σ) ∝ |Σ|^(−(ν + 2q)/2) · Π_k (ν (Σ⁻¹)_kk + 1/A_k²)^(−(ν + q)/2),
///     |∂Σ/∂(sd, L)| ∝ Π_k sd_k^q · Π_k L_kk^(q − k)   (k = 1…q),
///
/// with |Σ| = Π sd_k² L_kk² and (Σ⁻¹)_kk = (C⁻¹)_kk / sd_k², (C⁻¹)_kk = Σ_m (L⁻¹)_mk². For q = 1
/// this is the half-t(ν, A) density of sd. Normalising constants are left out.
enum HuangWandPrior {
    /// Returns log p(sd, L) and adds ∂/∂sd_k to `sdAdjoint` and ∂/∂L (lower triangle, row-major
    /// q × q) to `factorAdjoint`. `inverse` is q × q scratch.
    static func logDensity(nu: Double, scales: UnsafePointer<Double>, sd: UnsafePointer<Double>,
                           factor: UnsafePointer<Double>, dimension q: Int,
                           inverse: UnsafeMutablePointer<Double>,
                           sdAdjoint: UnsafeMutablePointer<Double>,
                           factorAdjoint: UnsafeMutablePointer<Double>) -> Double {
        let qd = Double(q)
        // M = L⁻¹ by forward substitution, column by column.
        for i in 0..<(q * q) { inverse[i] = 0 }
        for j in 0..<q {
            inverse[j * q + j] = 1 / factor[j * q + j]
            for i in (j + 1)..<max(j + 1, q) {
                var sum = 0.0
                for m in j..<i { sum += factor[i * q + m] * inverse[m * q + j] }
                inverse[i * q + j] = -sum / factor[i * q + i]
            }
        }
        var value = 0.0
        for k in 0..<q {
            var c = 0.0
            for m in k..<q { c += inverse[m * q + k] * inverse[m * q + k] }
            let s = sd[k]
            let inverseScale2 = 1 / (scales[k] * scales[k])
            let t = nu * c / (s * s) + inverseScale2
            let logDiagonal = log(factor[k * q + k])
            value += (qd - (nu + 2 * qd)) * log(s) - (nu + qd) / 2 * log(t)
                + (qd - 1 - Double(k) - (nu + 2 * qd)) * logDiagonal
            sdAdjoint[k] += (qd - (nu + 2 * qd)) / s + (nu + qd) * nu * c / (s * s * s) / t
            factorAdjoint[k * q + k] += (qd - 1 - Double(k) - (nu + 2 * qd)) / factor[k * q + k]
            // ∂f/∂L through c_k = Σ_m M_mk²: with G = 2 M diag(w), ∂f/∂L = −Mᵀ G Mᵀ, and G has
            // only column k nonzero for this k: G_mk = 2 M_mk w_k.
            let w = -(nu + qd) / 2 * (nu / (s * s)) / t
            // H = Mᵀ G: H_ak = Σ_m M_ma G_mk (column k only); ∂f/∂L_ij = −Σ_b H_ib M_jb = −H_ik M_jk.
            // M_jk ≠ 0 only for j ≥ k, and L is lower triangular (j ≤ i).
            for i in k..<q {
                var h = 0.0
                for m in i..<q { h += inverse[m * q + i] * 2 * inverse[m * q + k] * w }
                for j in k...i { factorAdjoint[i * q + j] -= h * inverse[j * q + k] }
            }
        }
        return value
    }
}
