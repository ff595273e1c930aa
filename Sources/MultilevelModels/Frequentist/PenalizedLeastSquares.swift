import MultilevelMath

/// The penalised least-squares solution at the current θ (Bates et al. 2015 §3.2, eq. 17–19):
/// the spherical random effects û, the fixed effects β̂ and the conditional modes b̂ = Λθ û,
/// from one back substitution through the blocked factor: Lᵀ [u; β] = c, c being the y row of the
/// augmented factor.
public struct PenalizedLeastSquaresSolution: Sendable {
    /// β̂, in X's column order.
    public var fixedEffects: [Double]
    /// û per term (fitting order), level-major: `spherical[k][level * q + j]`.
    public var spherical: [[Double]]
    /// b̂ = Tₖ û per term and level, same layout.
    public var conditionalModes: [[Double]]
}

extension BlockedMixedModelEquations {
    /// Solves for û, β̂ and b̂ at the factored θ.
    public func solution() -> PenalizedLeastSquaresSolution {
        precondition(isFactored, "update(theta:) before solution()")
        let m = restSize
        let p = fixedEffectCount
        // Back substitution on the rest: L₁₁ᵀ x = c_rest (leading m − 1 block, c = last row).
        var x = (0..<(m - 1)).map { lRest[(m - 1) + $0 * m] }
        lRest.withUnsafeBufferPointer { l in
            x.withUnsafeMutableBufferPointer { solveLowerTransposeInPlace(l.baseAddress!, order: m - 1, leadingDimension: m, $0.baseAddress!) }
        }
        // Block 0: L₀₀ᵀ u₀ = c₀ − L₁₀ᵀ x, per level.
        var u0 = [Double](repeating: 0, count: levels0 * q0)
        var rhs = [Double](repeating: 0, count: q0)
        for l in 0..<levels0 {
            for j in 0..<q0 { rhs[j] = 0 }
            for s in segmentStart[l]..<segmentStart[l + 1] {
                let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                for j in 0..<q0 {
                    for i in 0..<h {
                        let row = r + i
                        let v = l10[o + i + j * h]
                        if row == m - 1 { rhs[j] += v } else { rhs[j] -= v * x[row] }
                    }
                }
            }
            let base = l * q0 * q0
            for j in stride(from: q0 - 1, through: 0, by: -1) {
                var sum = rhs[j]
                for k in (j + 1)..<q0 { sum -= l00[base + k + j * q0] * rhs[k] }
                rhs[j] = sum / l00[base + j + j * q0]
            }
            for j in 0..<q0 { u0[l * q0 + j] = rhs[j] }
        }
        var spherical = [u0]
        for k in 1..<max(1, terms.count) where k < terms.count {
            let size = terms[k].columnCount * terms[k].grouping.levelCount
            spherical.append(Array(x[restOffsets[k]..<(restOffsets[k] + size)]))
        }
        let beta = Array(x[zRestSize..<(zRestSize + p)])
        var modes: [[Double]] = []
        for k in terms.indices {
            let q = terms[k].columnCount
            let t = covarianceFactor.template(ofTerm: k, theta: theta)
            var b = [Double](repeating: 0, count: spherical[k].count)
            for level in 0..<terms[k].grouping.levelCount {
                for i in 0..<q {
                    var sum = 0.0
                    for j in 0...i { sum += t[i + j * q] * spherical[k][level * q + j] }
                    b[level * q + i] = sum
                }
            }
            modes.append(b)
        }
        return PenalizedLeastSquaresSolution(fixedEffects: beta, spherical: spherical, conditionalModes: modes)
    }

    /// (R_Xᵀ R_X)⁻¹, so that Var(β̂) = σ² (R_Xᵀ R_X)⁻¹ (Bates et al. 2015 eq. 54). R_X is the
    /// fixed-effects diagonal block of the rest factor.
    public func fixedEffectsUnscaledCovariance() -> DenseMatrix {
        let p = fixedEffectCount
        var rx = DenseMatrix(rows: p, columns: p)
        for j in 0..<p { for i in j..<p { rx[i, j] = lRest[(zRestSize + i) + (zRestSize + j) * restSize] } }
        return rx.inverseFromCholeskyFactor
    }

    /// Diagonal blocks of (ΛᵀZᵀZΛ + I)⁻¹ per term and level (q × q column-major each), the
    /// conditional covariance of û given β = β̂ up to σ² — what lme4's `condVar` uses. For the
    /// first term: L₀₀⁻ᵀL₀₀⁻¹ + (L₁₁⁻¹L₁₀L₀₀⁻¹)ᵀ(L₁₁⁻¹L₁₀L₀₀⁻¹); for the others, blocks of W ᵀW with
    /// W = L₁₁⁻¹ restricted to the random-effects rows.
    public func sphericalConditionalCovarianceBlocks() -> [[Double]] {
        let mz = zRestSize
        let m = restSize
        // W = (L₁₁)_Z⁻¹, lower triangular, column-major mz × mz.
        var w = [Double](repeating: 0, count: mz * mz)
        for j in 0..<mz {
            w[j + j * mz] = 1
            w.withUnsafeMutableBufferPointer { wb in
                lRest.withUnsafeBufferPointer { l in
                    let column = wb.baseAddress! + j * mz
                    // Solve L x = e_j from row j on.
                    for c in j..<mz {
                        let value = column[c] / l[c + c * m]
                        column[c] = value
                        if value == 0 { continue }
                        for r in (c + 1)..<mz { column[r] -= l[r + c * m] * value }
                    }
                }
            }
        }
        var blocks: [[Double]] = []
        var first = [Double](repeating: 0, count: levels0 * q0 * q0)
        var y = [Double](repeating: 0, count: mz * q0)
        for l in 0..<levels0 {
            let base = l * q0 * q0
            // L₀₀⁻¹ (lower).
            var inverse = [Double](repeating: 0, count: q0 * q0)
            for j in 0..<q0 {
                inverse[j + j * q0] = 1 / l00[base + j + j * q0]
                for i in (j + 1)..<max(j + 1, q0) {
                    var sum = 0.0
                    for k in j..<i { sum -= l00[base + i + k * q0] * inverse[k + j * q0] }
                    inverse[i + j * q0] = sum / l00[base + i + i * q0]
                }
            }
            // Y = W L₁₀ L₀₀⁻¹ (mz × q0), from the random-effects segments.
            for k in 0..<(mz * q0) { y[k] = 0 }
            for s in segmentStart[l]..<segmentStart[l + 1] where segmentTerm[s] >= 0 {
                let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                for j in 0..<q0 {
                    for i in 0..<h {
                        var v = 0.0
                        for k in j..<q0 { v += l10[o + i + k * h] * inverse[k + j * q0] }
                        if v == 0 { continue }
                        let source = (r + i) * mz
                        for row in (r + i)..<mz { y[row + j * mz] += w[row + source] * v }
                    }
                }
            }
            for j in 0..<q0 { for i in 0..<q0 {
                var sum = 0.0
                for k in max(i, j)..<q0 { sum += inverse[k + i * q0] * inverse[k + j * q0] }
                for row in 0..<mz { sum += y[row + i * mz] * y[row + j * mz] }
                first[base + i + j * q0] = sum
            } }
        }
        blocks.append(first)
        for k in 1..<max(1, terms.count) where k < terms.count {
            let q = terms[k].columnCount
            var termBlocks = [Double](repeating: 0, count: terms[k].grouping.levelCount * q * q)
            for level in 0..<terms[k].grouping.levelCount {
                let c = restOffsets[k] + level * q
                for j in 0..<q { for i in 0..<q {
                    var sum = 0.0
                    for row in (c + max(i, j))..<mz { sum += w[row + (c + i) * mz] * w[row + (c + j) * mz] }
                    termBlocks[level * q * q + i + j * q] = sum
                } }
            }
            blocks.append(termBlocks)
        }
        return blocks
    }
}
