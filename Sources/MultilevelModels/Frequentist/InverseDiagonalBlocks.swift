import Dispatch
import MultilevelMath

extension BlockedMixedModelEquations {
    /// The diagonal blocks of Ω⁻¹ at the factored θ, one qₖ × qₖ block per term and level (the
    /// "selected inverse" of the blocked factor), where Ω is the leading part of the augmented
    /// cross product: Ω = ΛᵀZᵀZΛ + I (`includingFixedEffects` false: the conditional covariance of
    /// u given β up to σ², lme4's `condVar`), or the whole [ZΛ X]ᵀ[ZΛ X] + diag(I, 0) without the
    /// y row (true: what the REML criterion's log|L|² + log|R_X|² is the log-determinant of).
    ///
    /// With L = [L₀₀ 0; L₁₀ L₁₁] and W = L₁₁⁻¹ (leading s rows and columns of the rest factor),
    /// Ω⁻¹ = L⁻ᵀL⁻¹ has blocks L₀₀ₗ⁻ᵀL₀₀ₗ⁻¹ + YₗᵀYₗ, Yₗ = W L₁₀[:, l] L₀₀ₗ⁻¹, for the first
    /// term's levels (L₁₀'s columns are sparse) and the diagonal blocks of WᵀW for the others.
    /// W costs about s³/6 multiply–adds (`lowerTriangularInverse`), the first term's blocks
    /// Σₗ nnz(L₁₀[:, l]) · s · q₀.
    ///
    /// With `perLevel` the result holds every level's block (`[k][level · q² + i + j · q]`),
    /// otherwise only each term's sum over its levels (`[k][i + j · q]`).
    public func inverseDiagonalBlocks(includingFixedEffects: Bool, perLevel: Bool) -> [[Double]] {
        precondition(isFactored, "update(theta:) before inverseDiagonalBlocks")
        let m = restSize
        let s = zRestSize + (includingFixedEffects ? fixedEffectCount : 0)
        var w = [Double](repeating: 0, count: s * s)
        if s > 0 {
            lRest.withUnsafeBufferPointer { l in
                w.withUnsafeMutableBufferPointer { target in
                    lowerTriangularInverse(l.baseAddress!, order: s, leadingDimension: m, into: target.baseAddress!)
                }
            }
        }
        let q0 = self.q0, levels0 = self.levels0, l00 = self.l00, l10 = self.l10
        let segmentStart = self.segmentStart, segmentHeight = self.segmentHeight
        let segmentValue = self.segmentValue, segmentRow = self.segmentRow
        // The first term, in chunks of levels spread over the cores; each chunk writes its own
        // levels' blocks or its own partial sum, added in chunk order (so the result does not
        // depend on the cores).
        let chunkCount = Swift.min(levels0, 16)
        let chunkSize = (levels0 + chunkCount - 1) / Swift.max(1, chunkCount)
        var firstBlocks = [Double](repeating: 0, count: (perLevel ? levels0 : chunkCount) * q0 * q0)
        w.withUnsafeBufferPointer { wBuffer in
            firstBlocks.withUnsafeMutableBufferPointer { blocksBuffer in
                let wPointer = SendablePointer(UnsafeMutablePointer(mutating: wBuffer.baseAddress ?? UnsafePointer(bitPattern: 8)!))
                let target = SendablePointer(blocksBuffer.baseAddress!)
                let work = { (chunk: Int) in
                    let w = wPointer.pointer, blocks = target.pointer
                    let inverse = UnsafeMutablePointer<Double>.allocate(capacity: q0 * q0)
                    let y = UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(1, s * q0))
                    let row = UnsafeMutablePointer<Double>.allocate(capacity: q0)
                    defer { inverse.deallocate(); y.deallocate(); row.deallocate() }
                    y.initialize(repeating: 0, count: s * q0)
                    let firstLevel = chunk * chunkSize, lastLevel = Swift.min(levels0, firstLevel + chunkSize)
                    guard firstLevel < lastLevel else { return }
                    for l in firstLevel..<lastLevel {
                        let base = l * q0 * q0
                        // L₀₀ₗ⁻¹ (lower).
                        inverse.update(repeating: 0, count: q0 * q0)
                        for j in 0..<q0 {
                            inverse[j + j * q0] = 1 / l00[base + j + j * q0]
                            for i in (j + 1)..<Swift.max(j + 1, q0) {
                                var sum = 0.0
                                for k in j..<i { sum -= l00[base + i + k * q0] * inverse[k + j * q0] }
                                inverse[i + j * q0] = sum / l00[base + i + i * q0]
                            }
                        }
                        // Yₗ is zero above the level's first row in the rest (W is lower triangular).
                        var firstRow = s
                        for segment in segmentStart[l]..<segmentStart[l + 1] {
                            let h = segmentHeight[segment], o = segmentValue[segment], r = segmentRow[segment]
                            for i in 0..<h where r + i < s {
                                firstRow = Swift.min(firstRow, r + i)
                                // Row r + i of L₁₀[:, l] L₀₀ₗ⁻¹, spread along W's column r + i.
                                for j in 0..<q0 {
                                    var v = 0.0
                                    for k in j..<q0 { v += l10[o + i + k * h] * inverse[k + j * q0] }
                                    row[j] = v
                                }
                                let column = w + (r + i) * s
                                for j in 0..<q0 where row[j] != 0 {
                                    let v = row[j]
                                    let target = y + j * s
                                    for rr in (r + i)..<s { target[rr] += column[rr] * v }
                                }
                            }
                        }
                        let output = blocks + (perLevel ? base : chunk * q0 * q0)
                        for j in 0..<q0 { for i in 0..<q0 {
                            var sum = 0.0
                            for k in Swift.max(i, j)..<q0 { sum += inverse[k + i * q0] * inverse[k + j * q0] }
                            let yi = y + i * s, yj = y + j * s
                            for rr in firstRow..<Swift.max(firstRow, s) { sum += yi[rr] * yj[rr] }
                            if perLevel { output[i + j * q0] = sum } else { output[i + j * q0] += sum }
                        } }
                        for j in 0..<q0 where firstRow < s { (y + j * s + firstRow).update(repeating: 0, count: s - firstRow) }
                    }
                }
                if levels0 * s >= 100_000 {
                    DispatchQueue.concurrentPerform(iterations: chunkCount, execute: work)
                } else {
                    for chunk in 0..<chunkCount { work(chunk) }
                }
            }
        }
        var result: [[Double]] = []
        if perLevel {
            result.append(firstBlocks)
        } else {
            var sum = [Double](repeating: 0, count: q0 * q0)
            for chunk in 0..<chunkCount { for k in sum.indices { sum[k] += firstBlocks[chunk * q0 * q0 + k] } }
            result.append(sum)
        }
        // The other terms: blocks of WᵀW, Σ_rows W[row, c + i] W[row, c + j].
        for k in 1..<Swift.max(1, terms.count) where k < terms.count {
            let q = terms[k].columnCount
            let levels = terms[k].grouping.levelCount
            var blocks = [Double](repeating: 0, count: (perLevel ? levels : 1) * q * q)
            for level in 0..<levels {
                let c = restOffsets[k] + level * q
                let output = perLevel ? level * q * q : 0
                for j in 0..<q { for i in 0..<q {
                    var sum = 0.0
                    for row in (c + Swift.max(i, j))..<s { sum += w[row + (c + i) * s] * w[row + (c + j) * s] }
                    blocks[output + i + j * q] += sum
                } }
            }
            result.append(blocks)
        }
        return result
    }
}

/// A pointer handed to `concurrentPerform` workers that read it or write disjoint elements.
private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { self.pointer = pointer }
}
