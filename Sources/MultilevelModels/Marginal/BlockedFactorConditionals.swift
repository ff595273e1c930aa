import MultilevelMath

/// Solves with the random-effects part of the blocked factor Lθ (Lθ Lθᵀ = Λθᵀ Zᵀ Z Λθ + I,
/// Bates et al. 2015 §3.2) for a *given* β, and sums of diagonal blocks of (Lθ Lθᵀ)⁻¹ — what the
/// collapsed gaussian posterior (`CollapsedGaussianPosterior`) needs for its value, its gradient
/// and its exact draws of the group-level effects.
///
/// Vectors over the random effects ("Z vectors") hold the first term's levels × q₀ values
/// (level-major), then the rest's `zRestSize` values (`restOffsets[k] + level · qₖ + column`):
/// `zVectorCount` values in all, terms in fitting order (`terms`, `termOrder`).
extension BlockedMixedModelEquations {
    /// Length of a Z vector: Σₖ Lₖ qₖ.
    var zVectorCount: Int { levels0 * q0 + zRestSize }

    /// Offset of fitting-order term k in a Z vector.
    func zVectorOffset(ofTerm k: Int) -> Int { k == 0 ? 0 : levels0 * q0 + restOffsets[k] }

    /// The fixed-effects block of the factor and the y row against it: writes d = c_X − L_XXᵀ β
    /// (p values) and returns ‖d‖² + r², the penalised residual sum at β,
    /// r²(β) = min_u ‖y − Xβ − ZΛθu‖² + ‖u‖² (Bates et al. 2015 eq. 30 before profiling β).
    func penalizedResidualSum(beta: UnsafePointer<Double>, residual d: UnsafeMutablePointer<Double>) -> Double {
        let m = restSize, p = fixedEffectCount, z = zRestSize
        return lRest.withUnsafeBufferPointer { buffer -> Double in
            let l = buffer.baseAddress!
            var total = 0.0
            for i in 0..<p {
                var sum = l[(m - 1) + (z + i) * m]
                for k in i..<p { sum -= l[(z + k) + (z + i) * m] * beta[k] }
                d[i] = sum
                total += sum * sum
            }
            let r = l[(m - 1) * (m + 1)]
            return total + r * r
        }
    }

    /// g = L_XX d (p values): with d from `penalizedResidualSum`, ∂r²(β)/∂β = −2 L_XX d.
    func fixedEffectsGradient(residual d: UnsafePointer<Double>, into g: UnsafeMutablePointer<Double>) {
        let m = restSize, p = fixedEffectCount, z = zRestSize
        lRest.withUnsafeBufferPointer { buffer in
            let l = buffer.baseAddress!
            for k in 0..<p {
                var sum = 0.0
                for i in 0...k { sum += l[(z + k) + (z + i) * m] * d[i] }
                g[k] = sum
            }
        }
    }

    /// Writes into the Z vector `v` the right-hand side of Lθᵀ û = c_Z − L_XZᵀ β (the y row of the
    /// factor against the random effects, less the X rows times β), scaled by `scale`.
    func conditionalModeRightHandSide(beta: UnsafePointer<Double>, scale: Double, into v: UnsafeMutablePointer<Double>) {
        let m = restSize, p = fixedEffectCount, z = zRestSize, first = levels0 * q0
        lRest.withUnsafeBufferPointer { buffer in
            let l = buffer.baseAddress!
            for j in 0..<z {
                var sum = l[(m - 1) + j * m]
                for k in 0..<p { sum -= l[(z + k) + j * m] * beta[k] }
                v[first + j] = sum * scale
            }
        }
        l10.withUnsafeBufferPointer { buffer in
            let l10 = buffer.baseAddress!
            for level in 0..<levels0 {
                for j in 0..<q0 { v[level * q0 + j] = 0 }
                for s in segmentStart[level]..<segmentStart[level + 1] where segmentTerm[s] < 0 {
                    let h = segmentHeight[s], o = segmentValue[s]
                    for j in 0..<q0 {
                        var sum = l10[o + p + j * h]   // the y row
                        for k in 0..<p { sum -= l10[o + k + j * h] * beta[k] }
                        v[level * q0 + j] = sum * scale
                    }
                }
            }
        }
    }

    /// Solves Lθᵀ x = v in place for a Z vector v (the rest block first, then each level of the
    /// first term against the rest's solution).
    func solveRandomEffectsTranspose(_ v: UnsafeMutablePointer<Double>) {
        let m = restSize, z = zRestSize, first = levels0 * q0, q0 = self.q0
        lRest.withUnsafeBufferPointer { buffer in
            solveLowerTransposeInPlace(buffer.baseAddress!, order: z, leadingDimension: m, v + first)
        }
        l00.withUnsafeBufferPointer { l00Buffer in
            l10.withUnsafeBufferPointer { l10Buffer in
                let l00 = l00Buffer.baseAddress!, l10 = l10Buffer.baseAddress!
                for level in 0..<levels0 {
                    let x = v + level * q0
                    for s in segmentStart[level]..<segmentStart[level + 1] where segmentTerm[s] >= 0 {
                        let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                        for j in 0..<q0 {
                            var sum = 0.0
                            for i in 0..<h { sum += l10[o + i + j * h] * v[first + r + i] }
                            x[j] -= sum
                        }
                    }
                    let base = level * q0 * q0
                    var j = q0 - 1
                    while j >= 0 {
                        var sum = x[j]
                        for k in (j + 1)..<max(j + 1, q0) { sum -= l00[base + k + j * q0] * x[k] }
                        x[j] = sum / l00[base + j + j * q0]
                        j -= 1
                    }
                }
            }
        }
    }

    /// Scratch values `inverseBlockSums` needs.
    var inverseBlockScratchCount: Int { zRestSize * zRestSize + zRestSize * q0 + q0 * q0 }

    /// Per term k (fitting order), Bₖ = Σ_levels Sₗ, the sum over the term's levels of the qₖ × qₖ
    /// diagonal blocks of (Lθ Lθᵀ)⁻¹ (column-major, at `sums + Σ_{j<k} qⱼ²`). With L = [L₀₀ 0; L₁₀ L₁₁]
    /// (Z part): for the first term Sₗ = L₀₀⁻ᵀL₀₀⁻¹ + Yₗᵀ Yₗ with Yₗ = L₁₁⁻¹ L₁₀ₗ L₀₀ₗ⁻¹; for the
    /// others, blocks of WᵀW with W = L₁₁⁻¹ (a selected inverse, Takahashi et al. 1973, formed
    /// densely: O(m_Z³/6 + nnz(L₁₀) m_Z)).
    func inverseBlockSums(into sums: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let z = zRestSize, m = restSize, q0 = self.q0
        let w = scratch, y = scratch + z * z, inverse = y + z * q0
        var sumOffsets: [Int] = []
        var total = 0
        for term in terms { sumOffsets.append(total); total += term.columnCount * term.columnCount }
        for k in 0..<total { sums[k] = 0 }
        lRest.withUnsafeBufferPointer { buffer in
            let l = buffer.baseAddress!
            for j in 0..<z {
                let column = w + j * z
                for r in 0..<z { column[r] = r == j ? 1 : 0 }
                for c in j..<z {
                    let value = column[c] / l[c + c * m]
                    column[c] = value
                    if value == 0 { continue }
                    for r in (c + 1)..<z { column[r] -= l[r + c * m] * value }
                }
            }
        }
        for k in 1..<max(1, terms.count) where k < terms.count {
            let q = terms[k].columnCount
            let b = sums + sumOffsets[k]
            for level in 0..<terms[k].grouping.levelCount {
                let c = restOffsets[k] + level * q
                for j in 0..<q { for i in j..<q {
                    var sum = 0.0
                    let wi = w + (c + i) * z, wj = w + (c + j) * z
                    for row in (c + i)..<z { sum += wi[row] * wj[row] }
                    b[i + j * q] += sum
                } }
            }
            for j in 0..<q { for i in (j + 1)..<max(j + 1, q) { b[j + i * q] = b[i + j * q] } }
        }
        l00.withUnsafeBufferPointer { l00Buffer in
            l10.withUnsafeBufferPointer { l10Buffer in
                let l00 = l00Buffer.baseAddress!, l10 = l10Buffer.baseAddress!
                for level in 0..<levels0 {
                    let base = level * q0 * q0
                    for j in 0..<q0 {
                        for i in 0..<q0 { inverse[i + j * q0] = 0 }
                        inverse[j + j * q0] = 1 / l00[base + j + j * q0]
                        for i in (j + 1)..<max(j + 1, q0) {
                            var sum = 0.0
                            for k in j..<i { sum -= l00[base + i + k * q0] * inverse[k + j * q0] }
                            inverse[i + j * q0] = sum / l00[base + i + i * q0]
                        }
                    }
                    for k in 0..<(z * q0) { y[k] = 0 }
                    for s in segmentStart[level]..<segmentStart[level + 1] where segmentTerm[s] >= 0 {
                        let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                        for j in 0..<q0 {
                            for i in 0..<h {
                                var v = 0.0
                                for k in j..<q0 { v += l10[o + i + k * h] * inverse[k + j * q0] }
                                if v == 0 { continue }
                                let source = w + (r + i) * z, target = y + j * z
                                for row in (r + i)..<z { target[row] += source[row] * v }
                            }
                        }
                    }
                    for j in 0..<q0 { for i in 0..<q0 {
                        var sum = 0.0
                        for k in max(i, j)..<q0 { sum += inverse[k + i * q0] * inverse[k + j * q0] }
                        let yi = y + i * z, yj = y + j * z
                        for row in 0..<z { sum += yi[row] * yj[row] }
                        sums[i + j * q0] += sum
                    } }
                }
            }
        }
    }
}
