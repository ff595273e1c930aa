/// The gaussian likelihood's data reduced to cross-products (DESIGN §5): with W = [F, Z_1, Z_2, …]
/// and θ = (θ_F, r_1, r_2, …) as in `PosteriorData`, the residual sum of squares is
///
///     S(θ) = ỹᵀỹ − 2 θᵀ Wᵀỹ + θᵀ (WᵀW) θ,      ∂S/∂θ = −2 (Wᵀỹ − WᵀW θ),
///
/// so one evaluation costs O(p_F² + Σ_t L_t q_t (q_t + p_F) + pairs) instead of O(n). WᵀW is kept
/// in blocks: FᵀF (dense), per level Z_tjᵀ Z_tj and Z_tjᵀ F, and for crossed terms t < u one
/// q_t × q_u block per pair of levels that share rows. ỹ = y − ȳ when the model has an intercept
/// (θ_F[0] then stands for Intercept − ȳ), which keeps S free of cancellation for large means.
final class GaussianSufficientStatistics: Sendable {
    /// Number of rows n.
    let rowCount: Int
    /// Shift ȳ subtracted from the response (0 without an intercept).
    let responseShift: Double
    /// ỹᵀỹ.
    let responseSquares: Double
    /// p_F.
    let fixedColumnCount: Int
    /// FᵀF, p_F × p_F row-major.
    let fixedCrossProduct: [Double]
    /// Wᵀỹ in θ layout.
    let crossResponse: [Double]
    /// Per term: q_t and offset in θ, number of levels.
    let termColumnCounts: [Int]
    let termOffsets: [Int]
    let termLevelCounts: [Int]
    /// Offsets of each term's Z_tjᵀZ_tj blocks (L_t · q_t² values) in `diagonalBlocks`.
    let diagonalBlockOffsets: [Int]
    let diagonalBlocks: [Double]
    /// Offsets of each term's Z_tjᵀF blocks (L_t · q_t · p_F values, row k of level j at
    /// `(j q_t + k) p_F`) in `fixedBlocks`.
    let fixedBlockOffsets: [Int]
    let fixedBlocks: [Double]
    /// Crossed blocks with q_a or q_b > 1: θ index of the first effect on each side, the sizes and
    /// the offset of the q_a × q_b row-major block Σ_i z_a,i z_b,iᵀ in `pairBlocks`.
    let pairFirstIndex: [Int]
    let pairSecondIndex: [Int]
    let pairFirstCount: [Int]
    let pairSecondCount: [Int]
    let pairBlockOffsets: [Int]
    let pairBlocks: [Double]
    /// Crossed blocks of two scalar effects (both terms with q = 1, as in `(1 | s) + (1 | d)`), the
    /// bulk of the pairs in crossed designs: θ indices a < b and the value Σ_i z_a,i z_b,i, sorted
    /// by a, so that `residualSumOfSquares` runs them in one tight loop and keeps (WᵀWθ)_a in a
    /// register while a repeats.
    let scalarPairFirst: [Int]
    let scalarPairSecond: [Int]
    let scalarPairValues: [Double]

    init(data: PosteriorData, hasIntercept: Bool) {
        let n = data.rowCount
        let p = data.fixedColumnCount
        rowCount = n
        fixedColumnCount = p
        let shift = hasIntercept && n > 0 ? data.response.reduce(0, +) / Double(n) : 0
        responseShift = shift
        termColumnCounts = data.termColumnCounts
        termOffsets = data.termOffsets
        let levelCounts = (0..<data.termCount).map { t -> Int in
            let end = t + 1 < data.termCount ? data.termOffsets[t + 1] : data.thetaCount
            return (end - data.termOffsets[t]) / max(1, data.termColumnCounts[t])
        }
        termLevelCounts = levelCounts
        var diagonalOffsets: [Int] = []
        var fixedOffsets: [Int] = []
        var diagonalCount = 0
        var fixedCount = 0
        for t in 0..<data.termCount {
            let q = data.termColumnCounts[t]
            diagonalOffsets.append(diagonalCount)
            fixedOffsets.append(fixedCount)
            diagonalCount += levelCounts[t] * q * q
            fixedCount += levelCounts[t] * q * p
        }
        diagonalBlockOffsets = diagonalOffsets
        fixedBlockOffsets = fixedOffsets
        var ftf = [Double](repeating: 0, count: p * p)
        var wty = [Double](repeating: 0, count: data.thetaCount)
        var diagonal = [Double](repeating: 0, count: diagonalCount)
        var fixedBlocks = [Double](repeating: 0, count: fixedCount)
        var squares = 0.0
        var pairIndex: [Int: Int] = [:]
        var pairFirst: [Int] = [], pairSecond: [Int] = [], pairFirstQ: [Int] = []
        var pairSecondQ: [Int] = [], pairOffsets: [Int] = []
        var pairBlocks: [Double] = []
        let T = data.termCount
        let width = data.termValueWidth
        for i in 0..<n {
            let y = data.response[i] - shift
            squares += y * y
            let fRow = i * p
            for a in 0..<p {
                let fa = data.fixed[fRow + a]
                wty[a] += fa * y
                for b in 0..<p { ftf[a * p + b] += fa * data.fixed[fRow + b] }
            }
            for t in 0..<T {
                let q = data.termColumnCounts[t]
                let base = data.termThetaIndex[i * T + t]
                let level = (base - data.termOffsets[t]) / q
                let zRow = i * width + data.termValueOffsets[t]
                for k in 0..<q {
                    let zk = data.termValues[zRow + k]
                    wty[base + k] += zk * y
                    let dRow = diagonalOffsets[t] + level * q * q + k * q
                    for l in 0..<q { diagonal[dRow + l] += zk * data.termValues[zRow + l] }
                    let fBlockRow = fixedOffsets[t] + (level * q + k) * p
                    for m in 0..<p { fixedBlocks[fBlockRow + m] += zk * data.fixed[fRow + m] }
                }
                for u in (t + 1)..<max(t + 1, T) {
                    let qu = data.termColumnCounts[u]
                    let baseU = data.termThetaIndex[i * T + u]
                    let key = base &* data.thetaCount &+ baseU
                    let pair: Int
                    if let existing = pairIndex[key] {
                        pair = existing
                    } else {
                        pair = pairFirst.count
                        pairIndex[key] = pair
                        pairFirst.append(base); pairSecond.append(baseU)
                        pairFirstQ.append(q); pairSecondQ.append(qu)
                        pairOffsets.append(pairBlocks.count)
                        pairBlocks.append(contentsOf: repeatElement(0, count: q * qu))
                    }
                    let zuRow = i * width + data.termValueOffsets[u]
                    let offset = pairOffsets[pair]
                    for k in 0..<q {
                        let zk = data.termValues[zRow + k]
                        for l in 0..<qu { pairBlocks[offset + k * qu + l] += zk * data.termValues[zuRow + l] }
                    }
                }
            }
        }
        responseSquares = squares
        fixedCrossProduct = ftf
        crossResponse = wty
        diagonalBlocks = diagonal
        self.fixedBlocks = fixedBlocks
        var scalar: [Int] = []
        var general: [Int] = []
        for pair in pairFirst.indices {
            if pairFirstQ[pair] == 1 && pairSecondQ[pair] == 1 { scalar.append(pair) } else { general.append(pair) }
        }
        scalar.sort { pairFirst[$0] != pairFirst[$1] ? pairFirst[$0] < pairFirst[$1] : pairSecond[$0] < pairSecond[$1] }
        scalarPairFirst = scalar.map { pairFirst[$0] }
        scalarPairSecond = scalar.map { pairSecond[$0] }
        scalarPairValues = scalar.map { pairBlocks[pairOffsets[$0]] }
        pairFirstIndex = general.map { pairFirst[$0] }
        pairSecondIndex = general.map { pairSecond[$0] }
        pairFirstCount = general.map { pairFirstQ[$0] }
        pairSecondCount = general.map { pairSecondQ[$0] }
        var generalBlocks: [Double] = []
        var generalOffsets: [Int] = []
        for pair in general {
            generalOffsets.append(generalBlocks.count)
            let size = pairFirstQ[pair] * pairSecondQ[pair]
            generalBlocks.append(contentsOf: pairBlocks[pairOffsets[pair]..<(pairOffsets[pair] + size)])
        }
        pairBlockOffsets = generalOffsets
        self.pairBlocks = generalBlocks
    }

    /// Writes v = WᵀW θ into `product` and returns S(θ) = ỹᵀỹ − 2 θᵀWᵀỹ + θᵀv. θ_F[0] must already
    /// be shifted by −ȳ.
    func residualSumOfSquares(theta: UnsafeMutablePointer<Double>, product: UnsafeMutablePointer<Double>,
                              thetaCount: Int) -> Double {
        let p = fixedColumnCount
        fixedCrossProduct.withUnsafeBufferPointer { ftf in
            for a in 0..<p {
                var sum = 0.0
                for b in 0..<p { sum += ftf[a * p + b] * theta[b] }
                product[a] = sum
            }
        }
        diagonalBlocks.withUnsafeBufferPointer { diagonal in
            fixedBlocks.withUnsafeBufferPointer { fixedBlocks in
                for t in termColumnCounts.indices {
                    let q = termColumnCounts[t]
                    let offset = termOffsets[t]
                    let dOffset = diagonalBlockOffsets[t]
                    let fOffset = fixedBlockOffsets[t]
                    for j in 0..<termLevelCounts[t] {
                        let r = offset + j * q
                        for k in 0..<q {
                            var sum = 0.0
                            let dRow = dOffset + (j * q + k) * q
                            for l in 0..<q { sum += diagonal[dRow + l] * theta[r + l] }
                            let fRow = fOffset + (j * q + k) * p
                            var fixedSum = 0.0
                            let rk = theta[r + k]
                            for m in 0..<p {
                                let block = fixedBlocks[fRow + m]
                                fixedSum += block * theta[m]
                                product[m] += block * rk
                            }
                            product[r + k] = sum + fixedSum
                        }
                    }
                }
            }
        }
        pairBlocks.withUnsafeBufferPointer { blocks in
            for pair in pairFirstIndex.indices {
                let a = pairFirstIndex[pair], b = pairSecondIndex[pair]
                let qa = pairFirstCount[pair], qb = pairSecondCount[pair]
                let offset = pairBlockOffsets[pair]
                for k in 0..<qa {
                    var sum = 0.0
                    let rowOffset = offset + k * qb
                    let ak = theta[a + k]
                    for l in 0..<qb {
                        let block = blocks[rowOffset + l]
                        sum += block * theta[b + l]
                        product[b + l] += block * ak
                    }
                    product[a + k] += sum
                }
            }
        }
        scalarPairFirst.withUnsafeBufferPointer { first in
        scalarPairSecond.withUnsafeBufferPointer { second in
        scalarPairValues.withUnsafeBufferPointer { values in
            let count = values.count
            var i = 0
            while i < count {
                let a = first[i]
                let thetaA = theta[a]
                var sum = 0.0
                repeat {
                    let b = second[i]
                    let value = values[i]
                    sum += value * theta[b]
                    product[b] += value * thetaA
                    i += 1
                } while i < count && first[i] == a
                product[a] += sum
            }
        }}}
        var linear = 0.0
        var quadratic = 0.0
        crossResponse.withUnsafeBufferPointer { wty in
            for i in 0..<thetaCount {
                linear += theta[i] * wty[i]
                quadratic += theta[i] * product[i]
            }
        }
        return responseSquares - 2 * linear + quadratic
    }
}
