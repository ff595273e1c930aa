import Foundation
import MultilevelData
import MultilevelMath

/// The mixed-model equations of a linear mixed model in the blocked form of MixedModels.jl
/// (Bates et al. 2015 §3.2–3.3 in its blocked variant): with the random-effect terms ordered by
/// decreasing number of levels, the augmented cross-product matrix of [ZΛθ X y] is
///
///     ⎡ Λ₁ᵀZ₁ᵀZ₁Λ₁ + I        ·              ⎤   block 0: block diagonal (one q₁ × q₁ block per level)
///     ⎣ [ZΛ X y]ᵀ_rest Z₁Λ₁   rest + I_Z     ⎦   rest: the other terms, X and y, dense
///
/// and its Cholesky factor keeps that shape: block diagonal L₀₀, a sparse L₁₀ (nonzero only where
/// a level of the first term meets a level of another term, plus the X/y rows), and a dense L₁₁
/// whose last row holds c = [R_ZX; β-part] and whose last diagonal entry is r(θ) =
/// √(penalised residual sum of squares). θ-independent cross products are accumulated once from
/// the design; `update(theta:)` refactors in O(levels·q³ + Σ nnz² + m³/3), m the size of the rest.
public final class BlockedMixedModelEquations {
    /// The random-effect terms in fitting order (decreasing number of levels, stable).
    public let terms: [RandomEffectTerm]
    /// `terms[k]` is the design's `randomTerms[termOrder[k]]`.
    public let termOrder: [Int]
    /// Λθ's layout for `terms`.
    public let covarianceFactor: RelativeCovarianceFactor
    /// Number of observations n and fixed effects p.
    public let observationCount: Int
    public let fixedEffectCount: Int

    let q0: Int
    let levels0: Int
    /// Z₁ᵀZ₁ per level of the first term (q₀ × q₀ column-major each). The cross products are
    /// variables only so that PIRLS can refill them for new weights (`WeightedMixedModelEquations`).
    var a00: [Double]
    /// Sparse block column 0 below the diagonal: for level l, segments segmentStart[l]..<segmentStart[l+1];
    /// a segment covers rest rows segmentRow..<segmentRow+segmentHeight, belongs to term
    /// segmentTerm (−1: the X/y rows) and stores height × q₀ values (column-major) at segmentValue.
    let segmentStart: [Int]
    let segmentRow: [Int]
    let segmentHeight: [Int]
    let segmentTerm: [Int]
    let segmentValue: [Int]
    var a10: [Double]
    /// Size m of the rest (Σ_{k≥1} Lₖqₖ + p + 1), its random-effects part, and each term's offset.
    public let restSize: Int
    let zRestSize: Int
    let restOffsets: [Int]
    /// Full symmetric m × m cross products of [Z_rest X y].
    var aRest: [Double]

    /// θ of the current factor.
    public private(set) var theta: [Double]
    var l00: [Double]
    var l10: [Double]
    var lRest: [Double]
    /// Whether the last `update` succeeded.
    public private(set) var isFactored = false
    /// Tallest segment of block column 0, number of `update` calls, the scalar crossed case's
    /// precomputed Schur products (built on the second update) and a reused workspace.
    let maximumSegmentHeight: Int
    /// Largest Σ heights of one level's segments (rows of one column block of L₁₀).
    let maximumLevelHeight: Int
    var updateCount = 0
    var schurPattern: ScalarSchurComplementPattern?
    var workspace: [Double] = []

    /// Accumulates the cross products from a design (response, X, random-effect terms).
    public init(response: [Double], fixedEffects x: DenseMatrix, randomTerms: [RandomEffectTerm]) {
        let n = response.count
        let p = x.columns
        precondition(!randomTerms.isEmpty, "at least one random-effect term")
        let order = randomTerms.indices.sorted { a, b in
            let la = randomTerms[a].grouping.levelCount, lb = randomTerms[b].grouping.levelCount
            return la != lb ? la > lb : a < b
        }
        let sorted = order.map { randomTerms[$0] }
        terms = sorted
        termOrder = order
        covarianceFactor = RelativeCovarianceFactor(termSizes: sorted.map(\.columnCount))
        observationCount = n
        fixedEffectCount = p
        let q0 = sorted[0].columnCount
        let levels0 = sorted[0].grouping.levelCount
        self.q0 = q0
        self.levels0 = levels0
        var offsets = [Int](repeating: 0, count: sorted.count)
        var running = 0
        for k in 1..<max(1, sorted.count) where k < sorted.count {
            offsets[k] = running
            running += sorted[k].columnCount * sorted[k].grouping.levelCount
        }
        restOffsets = offsets
        zRestSize = running
        let m = running + p + 1
        restSize = m

        var a00 = [Double](repeating: 0, count: levels0 * q0 * q0)
        var aRest = [Double](repeating: 0, count: m * m)
        // Segments of block column 0, per level, keyed by rest row start.
        var segmentIndex = [[Int: Int]](repeating: [:], count: levels0)
        var segmentsOfLevel = [[(row: Int, height: Int, term: Int, values: [Double])]](repeating: [], count: levels0)
        for l in 0..<levels0 {
            segmentsOfLevel[l].append((row: running, height: p + 1, term: -1, values: [Double](repeating: 0, count: (p + 1) * q0)))
            segmentIndex[l][running] = 0
        }
        var restIndices = [Int](repeating: 0, count: m)
        var restValues = [Double](repeating: 0, count: m)
        let first = sorted[0]
        for r in 0..<n {
            let l0 = first.grouping.levelIndex[r]
            let z0 = r * q0
            for j in 0..<q0 { for i in 0..<q0 {
                a00[l0 * q0 * q0 + i + j * q0] += first.values[z0 + i] * first.values[z0 + j]
            } }
            var count = 0
            for k in 1..<max(1, sorted.count) where k < sorted.count {
                let term = sorted[k]
                let q = term.columnCount
                let level = term.grouping.levelIndex[r]
                let rowStart = offsets[k] + level * q
                let segment: Int
                if let existing = segmentIndex[l0][rowStart] {
                    segment = existing
                } else {
                    segment = segmentsOfLevel[l0].count
                    segmentsOfLevel[l0].append((row: rowStart, height: q, term: k, values: [Double](repeating: 0, count: q * q0)))
                    segmentIndex[l0][rowStart] = segment
                }
                for j in 0..<q0 { for i in 0..<q {
                    segmentsOfLevel[l0][segment].values[i + j * q] += term.values[r * q + i] * first.values[z0 + j]
                } }
                for i in 0..<q { restIndices[count] = rowStart + i; restValues[count] = term.values[r * q + i]; count += 1 }
            }
            for j in 0..<q0 {
                let z = first.values[z0 + j]
                for i in 0..<p { segmentsOfLevel[l0][0].values[i + j * (p + 1)] += x[r, i] * z }
                segmentsOfLevel[l0][0].values[p + j * (p + 1)] += response[r] * z
            }
            for i in 0..<p { restIndices[count] = running + i; restValues[count] = x[r, i]; count += 1 }
            restIndices[count] = m - 1; restValues[count] = response[r]; count += 1
            for a in 0..<count {
                let va = restValues[a]
                if va == 0 { continue }
                let column = restIndices[a] * m
                for b in 0..<count { aRest[restIndices[b] + column] += restValues[b] * va }
            }
        }
        var start = [0], rows: [Int] = [], heights: [Int] = [], termOf: [Int] = [], valueOffsets: [Int] = []
        var values: [Double] = []
        for l in 0..<levels0 {
            for segment in segmentsOfLevel[l].sorted(by: { $0.row < $1.row }) {
                rows.append(segment.row); heights.append(segment.height); termOf.append(segment.term)
                valueOffsets.append(values.count); values.append(contentsOf: segment.values)
            }
            start.append(rows.count)
        }
        self.a00 = a00
        self.aRest = aRest
        segmentStart = start
        segmentRow = rows
        segmentHeight = heights
        segmentTerm = termOf
        segmentValue = valueOffsets
        maximumSegmentHeight = heights.max() ?? 0
        maximumLevelHeight = (0..<levels0).map { l in (start[l]..<start[l + 1]).reduce(0) { $0 + heights[$1] } }.max() ?? 0
        a10 = values
        theta = []
        l00 = [Double](repeating: 0, count: a00.count)
        l10 = [Double](repeating: 0, count: values.count)
        lRest = [Double](repeating: 0, count: m * m)
    }

    /// A system with `other`'s structure and cross products that owns its copies of them, to be
    /// refilled for other weights (`WeightedMixedModelEquations`) and factored on its own.
    init(copyingStructureOf other: BlockedMixedModelEquations) {
        terms = other.terms
        termOrder = other.termOrder
        covarianceFactor = other.covarianceFactor
        observationCount = other.observationCount
        fixedEffectCount = other.fixedEffectCount
        q0 = other.q0
        levels0 = other.levels0
        a00 = other.a00
        segmentStart = other.segmentStart
        segmentRow = other.segmentRow
        segmentHeight = other.segmentHeight
        segmentTerm = other.segmentTerm
        segmentValue = other.segmentValue
        a10 = other.a10
        restSize = other.restSize
        zRestSize = other.zRestSize
        restOffsets = other.restOffsets
        aRest = other.aRest
        theta = []
        l00 = [Double](repeating: 0, count: other.a00.count)
        l10 = [Double](repeating: 0, count: other.a10.count)
        lRest = [Double](repeating: 0, count: other.restSize * other.restSize)
        maximumSegmentHeight = other.maximumSegmentHeight
        maximumLevelHeight = other.maximumLevelHeight
    }

    /// Marks the factor stale after the cross products changed (a PIRLS refill), and drops the
    /// scalar crossed case's precomputed products, which were built from the old ones.
    func invalidateFactor() {
        isFactored = false
        schurPattern = nil
        updateCount = 0
    }

    /// Refactors L(θ) (Bates et al. 2015, eq. 18 in blocked form). Throws
    /// `NotPositiveDefiniteError` when the fixed-effects block is singular (X rank deficient), or
    /// when θ is so extreme that rounding makes a pivot of the first term's blocks non-positive.
    public func update(theta newTheta: [Double]) throws {
        precondition(newTheta.count == covarianceFactor.parameterCount, "θ has the wrong length")
        theta = newTheta
        isFactored = false
        updateCount += 1
        let templates = terms.indices.map { covarianceFactor.template(ofTerm: $0, theta: newTheta) }
        let q0 = self.q0, m = restSize, levels0 = self.levels0
        let allScalar = terms.dropFirst().allSatisfy { $0.columnCount == 1 }
        let termScales = templates.map { $0.count == 1 ? $0[0] : 0 }
        // The scalar crossed case streams precomputed products; built on the second update, so a
        // one-off system (a PIRLS step) does not pay for it.
        if q0 == 1 && allScalar && updateCount == 2 && schurPattern == nil {
            schurPattern = ScalarSchurComplementPattern(
                levels: levels0, restSize: m, segmentStart: segmentStart, segmentRow: segmentRow,
                segmentHeight: segmentHeight, segmentValue: segmentValue, values: a10)
        }
        // Work on local arrays (moved out of the instance, so no copies and no exclusivity checks).
        var l00 = [Double](), l10 = [Double](), lRest = [Double](), work = [Double]()
        swap(&l00, &self.l00); swap(&l10, &self.l10); swap(&lRest, &self.lRest); swap(&work, &self.workspace)
        defer {
            swap(&l00, &self.l00); swap(&l10, &self.l10); swap(&lRest, &self.lRest); swap(&work, &self.workspace)
        }
        // Workspace: T₀ᵀA₀₀ product and L₀₀ block (q₀² each), a segment product (height × q₀), the
        // rest scaling D (m) and the Schur weights (levels₀).
        // Then a level's gathered L₁₀ rows (values, q₀ per row).
        let workCount = 2 * q0 * q0 + maximumSegmentHeight * q0 + m + levels0 + maximumLevelHeight * q0
        if work.count < workCount { work = [Double](repeating: 0, count: workCount) }
        let segmentStart = self.segmentStart, segmentRow = self.segmentRow, segmentHeight = self.segmentHeight
        let segmentTerm = self.segmentTerm, segmentValue = self.segmentValue
        let restOffsets = self.restOffsets, zRestSize = self.zRestSize
        // ΛᵀZᵀZΛ + I is positive definite for every finite θ, but for extreme θ (a profile far out
        // in a standard deviation, entries of 1e8 on a column of values in the hundreds) rounding
        // can leave a pivot of a level's block non-positive: that is reported as a failure at
        // `firstBlockFailure` and thrown, never trapped (issue 22: a profile aborted here).
        var firstBlockFailed = false
        let firstBlockFailure = -1
        let failure: Int? = a00.withUnsafeBufferPointer { a00Buffer in
          a10.withUnsafeBufferPointer { a10Buffer in
            aRest.withUnsafeBufferPointer { aRestBuffer in
              l00.withUnsafeMutableBufferPointer { l00Buffer in
                l10.withUnsafeMutableBufferPointer { l10Buffer in
                  lRest.withUnsafeMutableBufferPointer { restBuffer in
                    work.withUnsafeMutableBufferPointer { workBuffer -> Int? in
            let a00 = a00Buffer.baseAddress!, a10 = a10Buffer.baseAddress!, aRest = aRestBuffer.baseAddress!
            let l00 = l00Buffer.baseAddress!, rest = restBuffer.baseAddress!
            let l10 = l10Buffer.baseAddress ?? UnsafeMutablePointer<Double>(bitPattern: 8)!
            let product = workBuffer.baseAddress!, block = product + q0 * q0, scratch = block + q0 * q0
            let scaling = scratch + maximumSegmentHeight * q0, weights = scaling + m
            let gathered = weights + levels0
            templates[0].withUnsafeBufferPointer { t0Buffer in
                let t0 = t0Buffer.baseAddress!
                if q0 == 1 && allScalar {
                    // Scalar terms: L₀₀ is one number per level, √(t₀² A₀₀ + 1), and each value of
                    // block column 0 is A₁₀ t₀ tₖ / L₀₀ (tₖ = 1 on the X/y rows): the loops below
                    // with their 1 × 1 products written as one multiplication per value.
                    let theta0 = t0[0]
                    for l in 0..<levels0 {
                        let pivot = theta0 * theta0 * a00[l] + 1
                        guard pivot > 0 && pivot.isFinite else { firstBlockFailed = true; return }
                        let root = pivot.squareRoot()
                        l00[l] = root
                        let ratio = theta0 / root
                        for s in segmentStart[l]..<segmentStart[l + 1] {
                            let term = segmentTerm[s]
                            let factor = term >= 0 ? ratio * termScales[term] : ratio
                            let o = segmentValue[s]
                            for i in 0..<segmentHeight[s] { l10[o + i] = a10[o + i] * factor }
                        }
                    }
                    return
                }
                for l in 0..<levels0 {
                    // T₀ᵀ A₀₀ T₀ + I, then its Cholesky factor.
                    let base = l * q0 * q0
                    if q0 == 2 {
                        // The same operations as the loops below, unrolled for the common
                        // (1 + x | g) term: product P = A₀₀T₀, lower triangle of T₀ᵀP + I, its factor.
                        let t00 = t0[0], t10 = t0[1], t01 = t0[2], t11 = t0[3]
                        let a0 = a00[base], a1 = a00[base + 1], a2 = a00[base + 2], a3 = a00[base + 3]
                        let p00 = 0.0 + a0 * t00 + a2 * t10, p10 = 0.0 + a1 * t00 + a3 * t10
                        let p01 = 0.0 + a0 * t01 + a2 * t11, p11 = 0.0 + a1 * t01 + a3 * t11
                        block[0] = 0.0 + t00 * p00 + t10 * p10 + 1
                        block[1] = 0.0 + t01 * p00 + t11 * p10 + 0
                        block[3] = 0.0 + t01 * p01 + t11 * p11 + 1
                        let pivot0 = block[0]
                        guard pivot0 > 0 && pivot0.isFinite else { firstBlockFailed = true; return }
                        let root0 = pivot0.squareRoot()
                        block[0] = root0
                        block[1] *= 1 / root0
                        let factor = block[1]
                        if factor != 0 { block[3] -= factor * block[1] }
                        let pivot1 = block[3]
                        guard pivot1 > 0 && pivot1.isFinite else { firstBlockFailed = true; return }
                        block[3] = pivot1.squareRoot()
                        for k in 0..<4 { l00[base + k] = block[k] }
                        for s in segmentStart[l]..<segmentStart[l + 1] {
                            let h = segmentHeight[s]
                            let offset = segmentValue[s]
                            for i in 0..<h {
                                scratch[i] = 0.0 + a10[offset + i] * t00 + a10[offset + i + h] * t10
                                scratch[i + h] = 0.0 + a10[offset + i + h] * t11
                            }
                            let term = segmentTerm[s]
                            if term >= 0 {
                                templates[term].withUnsafeBufferPointer { t in
                                    for j in 0..<2 { for i in 0..<h {
                                        var sum = 0.0
                                        for k in i..<h { sum += t[k + i * h] * scratch[k + j * h] }
                                        l10[offset + i + j * h] = sum
                                    } }
                                }
                            } else {
                                for k in 0..<(h * 2) { l10[offset + k] = scratch[k] }
                            }
                            let d0 = block[0], d1 = block[1], d3 = block[3]
                            for i in 0..<h {
                                let v0 = l10[offset + i] / d0
                                l10[offset + i] = v0
                                l10[offset + i + h] = (l10[offset + i + h] - v0 * d1) / d3
                            }
                        }
                        continue
                    }
                    for j in 0..<q0 { for i in 0..<q0 {
                        var sum = 0.0
                        for k in 0..<q0 { sum += a00[base + i + k * q0] * t0[k + j * q0] }
                        product[i + j * q0] = sum
                    } }
                    for j in 0..<q0 { for i in j..<q0 {
                        var sum = 0.0
                        for k in 0..<q0 { sum += t0[k + i * q0] * product[k + j * q0] }
                        block[i + j * q0] = sum + (i == j ? 1 : 0)
                    } }
                    let failed = q0 <= 64 ? unblockedCholesky(block, order: q0, leadingDimension: q0)
                        : choleskyFactorLowerInPlace(block, order: q0, leadingDimension: q0)
                    guard failed == nil else { firstBlockFailed = true; return }
                    for k in 0..<(q0 * q0) { l00[base + k] = block[k] }
                    // Segments: V = S A T₀ L₀₀⁻ᵀ, S = Tₖᵀ for a term segment, identity for X/y.
                    for s in segmentStart[l]..<segmentStart[l + 1] {
                        let h = segmentHeight[s]
                        let offset = segmentValue[s]
                        for j in 0..<q0 { for i in 0..<h {
                            var sum = 0.0
                            for k in j..<q0 { sum += a10[offset + i + k * h] * t0[k + j * q0] }
                            scratch[i + j * h] = sum
                        } }
                        let term = segmentTerm[s]
                        if term >= 0 {
                            templates[term].withUnsafeBufferPointer { t in
                                for j in 0..<q0 { for i in 0..<h {
                                    var sum = 0.0
                                    for k in i..<h { sum += t[k + i * h] * scratch[k + j * h] }
                                    l10[offset + i + j * h] = sum
                                } }
                            }
                        } else {
                            for k in 0..<(h * q0) { l10[offset + k] = scratch[k] }
                        }
                        // Right solve by L₀₀ᵀ: row vector v ← v L₀₀⁻ᵀ, i.e. L₀₀ vᵀ = (old v)ᵀ.
                        for i in 0..<h {
                            for j in 0..<q0 {
                                var sum = l10[offset + i + j * h]
                                for k in 0..<j { sum -= l10[offset + i + k * h] * block[j + k * q0] }
                                l10[offset + i + j * h] = sum / block[j + j * q0]
                            }
                        }
                    }
                }
            }
            if firstBlockFailed { return firstBlockFailure }
            // Λᵀ (·) Λ on the other terms' rows and columns, in place (templates are lower triangular).
            if allScalar {
                // All-scalar terms: copy and scale the lower triangle in one pass by the diagonal D.
                for i in 0..<m { scaling[i] = 1 }
                for k in 1..<max(1, terms.count) where k < terms.count {
                    let factor = templates[k][0]
                    for level in 0..<terms[k].grouping.levelCount { scaling[restOffsets[k] + level] = factor }
                }
                for j in 0..<m {
                    let column = rest + j * m, sourceColumn = aRest + j * m
                    let dj = scaling[j]
                    for i in j..<m { column[i] = sourceColumn[i] * scaling[i] * dj }
                }
            } else {
                rest.update(from: aRest, count: m * m)
                for k in 1..<max(1, terms.count) where k < terms.count {
                    let q = terms[k].columnCount
                    let t = templates[k]
                    for level in 0..<terms[k].grouping.levelCount {
                        let c = restOffsets[k] + level * q
                        if q == 1 {
                            let factor = t[0]
                            for i in 0..<m { rest[i + c * m] *= factor }
                            for j in 0..<m { rest[c + j * m] *= factor }
                            continue
                        }
                        for j in 0..<q {
                            for i in 0..<m {
                                var sum = 0.0
                                for kk in j..<q { sum += rest[i + (c + kk) * m] * t[kk + j * q] }
                                rest[i + (c + j) * m] = sum
                            }
                        }
                        for j in 0..<m {
                            let column = rest + j * m
                            for i in 0..<q {
                                var sum = 0.0
                                for kk in i..<q { sum += t[kk + i * q] * column[c + kk] }
                                column[c + i] = sum
                            }
                        }
                    }
                }
            }
            for i in 0..<zRestSize { rest[i + i * m] += 1 }
            // Subtract L₁₀ L₁₀ᵀ (lower triangle).
            if let pattern = schurPattern, q0 == 1, allScalar {
                let t0 = templates[0][0]
                for l in 0..<levels0 { let ratio = t0 / l00[l]; weights[l] = ratio * ratio }
                pattern.subtract(from: rest, leadingDimension: m, weights: weights, scaling: scaling)
            } else {
                // Per level, gather its column block of L₁₀ (the segments' rows, increasing, with
                // q₀ values each) and subtract the block's outer product from the lower triangle:
                // for gathered rows a ≥ b, rest[row_a, row_b] −= Σₖ V[a, k] V[b, k].
                let levelHeight = maximumLevelHeight
                // The gathered rows as integers (a Double → Int conversion in the inner loop
                // cost more than the multiply–subtract it indexes).
                withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(levelHeight, 1)) { rowBuffer in
                let gatheredRows = rowBuffer.baseAddress!
                for l in 0..<levels0 {
                    var count = 0
                    for s in segmentStart[l]..<segmentStart[l + 1] {
                        let h = segmentHeight[s], o = segmentValue[s], r = segmentRow[s]
                        for i in 0..<h {
                            gatheredRows[count] = r + i
                            for k in 0..<q0 { gathered[count * q0 + k] = l10[o + i + k * h] }
                            count += 1
                        }
                    }
                    precondition(count <= levelHeight, "a level's rows fit the gathered block")
                    if q0 == 1 {
                        for b in 0..<count {
                            let column = rest + gatheredRows[b] * m
                            let vb = gathered[b]
                            for a in b..<count { column[gatheredRows[a]] -= 0.0 + gathered[a] * vb }
                        }
                        continue
                    }
                    for b in 0..<count {
                        let column = rest + gatheredRows[b] * m
                        let vb = gathered + b * q0
                        for a in b..<count {
                            let va = gathered + a * q0
                            var sum = 0.0
                            for k in 0..<q0 { sum += va[k] * vb[k] }
                            column[gatheredRows[a]] -= sum
                        }
                    }
                }
                }
            }
            return choleskyFactorLowerInPlace(rest, order: m, leadingDimension: m)
                    }
                  }
                }
              }
            }
          }
        }
        if let failure {
            // The y pivot may vanish for a perfect fit; anything earlier is a singular X block
            // (or, at `firstBlockFailure`, a level's block of the first term lost to rounding).
            if failure == firstBlockFailure {
                throw NotPositiveDefiniteError(column: 0)
            } else if failure == m - 1 {
                lRest[(m - 1) * (m + 1)] = 0
            } else {
                throw NotPositiveDefiniteError(column: failure)
            }
        }
        isFactored = true
    }

    /// log|Lθ|² (Bates et al. 2015 eq. 34 and 41): twice the log of L's random-effects diagonal.
    public var logDeterminantL: Double {
        var total = 0.0
        for l in 0..<levels0 { for j in 0..<q0 { total += log(l00[l * q0 * q0 + j * (q0 + 1)]) } }
        for i in 0..<zRestSize { total += log(lRest[i * (restSize + 1)]) }
        return 2 * total
    }

    /// log|R_X|² (eq. 41).
    public var logDeterminantRX: Double {
        var total = 0.0
        for i in zRestSize..<(zRestSize + fixedEffectCount) { total += log(lRest[i * (restSize + 1)]) }
        return 2 * total
    }

    /// r²(θ), the minimised penalised residual sum of squares ‖y − Xβ̂ − ZΛû‖² + ‖û‖² (eq. 30).
    public var penalizedResidualSumOfSquares: Double {
        let r = lRest[(restSize - 1) * (restSize + 1)]
        return r * r
    }
}
