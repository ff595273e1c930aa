#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

extension MarginalPosterior {
    /// Scratch size of `drawStandardisedEffects` (values).
    public var conditionalScratchCount: Int { p + 4 * q * q + 4 * q }

    /// Draws the standardised group-level effects exactly from their conditional distribution given
    /// the reduced draw `x`: with u_j = z_j (r_j = Λ u_j), the joint density is gaussian in u_j with
    /// precision M_j = I + Λᵀ Z_jᵀZ_j Λ / σ² and mean M_j⁻¹ Λᵀ Z_jᵀ(ỹ − Fβ) / σ², so
    /// u_j = m_j / σ² + C_j⁻ᵀ ε, ε ~ N(0, I), C_j C_jᵀ = M_j. Writes x and the u_j into the joint
    /// vector `joint` (`layout.dimension` values, z level-major as `ParameterLayout` stores them).
    public func drawStandardisedEffects(_ x: UnsafePointer<Double>, into joint: UnsafeMutablePointer<Double>,
                                        scratch s: UnsafeMutablePointer<Double>,
                                        using generator: inout Xoshiro256PlusPlus) {
        embed(x, into: joint)
        let qq = q * q
        let beta = s, factor = s + p, lambda = factor + qq, product = lambda + qq, system = product + qq
        let c = system + qq, w = c + q, m = w + q, e = m + q
        let shift = layout.hasIntercept ? 1 : 0
        if layout.hasIntercept { beta[0] = x[layout.interceptOffset] - statistics.responseShift }
        for k in 0..<layout.coefficientNames.count { beta[shift + k] = x[k] }
        let sigma = exp(x[sigmaOffset])
        let v = sigma * sigma
        _ = covarianceFactor(x, factor: factor, lambda: lambda)
        let zOffset = layout.terms[0].zOffset
        withLevelStatistics { blockBase, zfBase, zyBase in
            let dimension = EffectDimensionAny(q: q)
            for j in 0..<levelCount {
                _ = levelSystem(dimension, j, beta: beta, lambda: lambda, inverseVariance: 1 / v, product: product,
                                system: system, c: c, w: w, m: m, blocks: blockBase, fixedBlocks: zfBase,
                                crossResponse: zyBase)
                for k in 0..<q { e[k] = generator.nextNormal() }
                // Solve Cᵀ d = ε by back substitution.
                for k in stride(from: q - 1, through: 0, by: -1) {
                    var sum = e[k]
                    for r in (k + 1)..<max(k + 1, q) { sum -= system[r * q + k] * e[r] }
                    e[k] = sum * system[k * q + k]   // the diagonal holds 1 / C_kk
                }
                let u = joint + zOffset + j * q
                for k in 0..<q { u[k] = m[k] / v + e[k] }
            }
        }
    }
}
