import Foundation

// Multivariate random variates: normal, Wishart and inverse-Wishart. Matrices are flat
// column-major p × p `[Double]` arrays (element (i, j) at i + j·p, the `DenseMatrix` layout); a
// "Cholesky factor" argument is lower triangular (its upper triangle is ignored).

extension Xoshiro256PlusPlus {
    /// A draw from N(mean, L Lᵀ) as mean + L z with z ~ N(0, I) (p normals, in order).
    public mutating func nextMultivariateNormal(mean: [Double], choleskyFactor: [Double]) -> [Double] {
        let p = mean.count
        precondition(choleskyFactor.count == p * p, "Cholesky factor must be p × p")
        var z = [Double](repeating: 0, count: p)
        for i in 0..<p { z[i] = nextNormal() }
        var x = mean
        for j in 0..<p {
            let zj = z[j]
            for i in j..<p { x[i] += choleskyFactor[i + j * p] * zj }
        }
        return x
    }

    /// The Bartlett factor A (lower triangular, column-major p × p): A_ii = √χ²(ν − i) for
    /// i = 0…p−1, A_ij ~ N(0, 1) below the diagonal (Bartlett 1933; Smith & Hocking 1972,
    /// Algorithm AS 53). A Aᵀ ~ Wishart(ν, I).
    mutating func nextBartlettFactor(degreesOfFreedom nu: Double, dimension p: Int) -> [Double] {
        var a = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            a[j + j * p] = nextChiSquared(degreesOfFreedom: nu - Double(j)).squareRoot()
            for i in (j + 1)..<max(p, j + 1) { a[i + j * p] = nextNormal() }
        }
        return a
    }

    /// The Cholesky factor L·A of a Wishart(ν, Σ = L Lᵀ) draw (lower triangular with positive
    /// diagonal, column-major), by the Bartlett decomposition. Requires ν > p − 1.
    public mutating func nextWishartCholeskyFactor(degreesOfFreedom nu: Double, scaleCholeskyFactor l: [Double],
                                                   dimension p: Int) -> [Double] {
        precondition(l.count == p * p, "scale factor must be p × p")
        precondition(nu > Double(p - 1), "Wishart needs ν > p − 1")
        let a = nextBartlettFactor(degreesOfFreedom: nu, dimension: p)
        return lowerTriangularProduct(l, a, p)
    }

    /// A Wishart(ν, Σ) draw W = (LA)(LA)ᵀ with Σ = L Lᵀ (mean νΣ), column-major p × p.
    /// Requires ν > p − 1.
    public mutating func nextWishart(degreesOfFreedom nu: Double, scaleCholeskyFactor l: [Double],
                                     dimension p: Int) -> [Double] {
        let factor = nextWishartCholeskyFactor(degreesOfFreedom: nu, scaleCholeskyFactor: l, dimension: p)
        return outerProduct(factor, p)
    }

    /// An inverse-Wishart(ν, Ψ) draw with Ψ = C Cᵀ (mean Ψ/(ν − p − 1)), column-major p × p.
    ///
    /// If A Aᵀ ~ Wishart(ν, I) (Bartlett) then X = (C A⁻ᵀ)(C A⁻ᵀ)ᵀ = C (A Aᵀ)⁻¹ Cᵀ, the inverse of
    /// C⁻ᵀ A Aᵀ C⁻¹ ~ Wishart(ν, Ψ⁻¹), so X ~ inverse-Wishart(ν, Ψ). Requires ν > p − 1.
    public mutating func nextInverseWishart(degreesOfFreedom nu: Double, scaleCholeskyFactor c: [Double],
                                            dimension p: Int) -> [Double] {
        precondition(c.count == p * p, "scale factor must be p × p")
        precondition(nu > Double(p - 1), "inverse-Wishart needs ν > p − 1")
        let a = nextBartlettFactor(degreesOfFreedom: nu, dimension: p)
        let b = lowerTriangularInverse(a, p)            // A⁻¹, lower
        // G = C · Bᵀ (lower × upper), dense.
        var g = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            for i in 0..<p {
                var sum = 0.0
                // C[i, k] nonzero for k ≤ i; Bᵀ[k, j] = B[j, k] nonzero for k ≤ j.
                for k in 0...min(i, j) { sum += c[i + k * p] * b[j + k * p] }
                g[i + j * p] = sum
            }
        }
        var x = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            for i in j..<p {
                var sum = 0.0
                for k in 0..<p { sum += g[i + k * p] * g[j + k * p] }
                x[i + j * p] = sum
                x[j + i * p] = sum
            }
        }
        return x
    }
}

/// L · A for lower-triangular L and A (column-major p × p).
private func lowerTriangularProduct(_ l: [Double], _ a: [Double], _ p: Int) -> [Double] {
    var result = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
        for i in j..<p {
            var sum = 0.0
            for k in j...i { sum += l[i + k * p] * a[k + j * p] }
            result[i + j * p] = sum
        }
    }
    return result
}

/// M Mᵀ for lower-triangular M (column-major p × p), symmetric full storage.
private func outerProduct(_ m: [Double], _ p: Int) -> [Double] {
    var result = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
        for i in j..<p {
            var sum = 0.0
            for k in 0...j { sum += m[i + k * p] * m[j + k * p] }
            result[i + j * p] = sum
            result[j + i * p] = sum
        }
    }
    return result
}

/// The inverse of a lower-triangular matrix with nonzero diagonal, by forward substitution on the
/// columns of the identity.
private func lowerTriangularInverse(_ a: [Double], _ p: Int) -> [Double] {
    var inverse = [Double](repeating: 0, count: p * p)
    for j in 0..<p {
        inverse[j + j * p] = 1 / a[j + j * p]
        for i in (j + 1)..<max(p, j + 1) {
            var sum = 0.0
            for k in j..<i { sum += a[i + k * p] * inverse[k + j * p] }
            inverse[i + j * p] = -sum / a[i + i * p]
        }
    }
    return inverse
}
