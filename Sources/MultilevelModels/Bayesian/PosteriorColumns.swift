/// The rows of `PosteriorData` stored column by column (structure of arrays) for the row pass of
/// the non-gaussian families, which visits the rows in blocks of `blockSize`:
///
///     η_block = F_block θ_F + Σ_t Z_t,block r_t     (one pass per column of F and of each Z_t)
///     ℓ, ∂ℓ/∂η = family(y, n, η)                    (one pass, specialised per family)
///     ∂/∂θ_F += F_blockᵀ ∂ℓ/∂η,  ∂/∂r_t += Z_t,blockᵀ ∂ℓ/∂η
///
/// The rows are ordered by the level of the term with the most levels (the *sorted term*; a
/// stable counting sort, so the order is fixed by the data alone). A block is then cut into
/// *chunks*, runs of rows with the same level of that term: its contribution to η is one effect
/// broadcast over a chunk (no gather; a column of ones is not even read), and its gradient is one
/// sum per chunk (no scatter). The other terms' levels are precomputed θ indices (`Int32`), the
/// intercept column is not stored. The buffers are allocated once and never written after `init`.
final class PosteriorColumns: @unchecked Sendable {
    /// Rows per block: the block's η, ∂ℓ/∂η and family scratch (3 × 512 doubles) stay in L1.
    static let blockSize = 512

    let rowCount: Int
    /// Number of F columns; when `hasIntercept`, column 0 is the column of ones and is not stored.
    let fixedColumnCount: Int
    let hasIntercept: Bool
    /// Column-major n × p_F (column 0 unused when `hasIntercept`).
    let fixed: UnsafeMutablePointer<Double>
    /// Number of Z columns over all terms (Σ q_t).
    let termColumnCount: Int
    /// Column-major n × Σq_t: the Z values.
    let termValues: UnsafeMutablePointer<Double>
    /// Column-major n × Σq_t: θ index of row i's effect for Z column c (level offset plus column).
    let thetaIndex: UnsafeMutablePointer<Int32>
    /// Whether Z column c holds ones only (then it is never read).
    let columnIsOnes: UnsafeMutablePointer<Bool>
    /// The Z columns of the sorted term (empty without group-level terms).
    let sortedColumns: Range<Int>
    /// Chunk k ends before row `chunkEnd[k]`; its rows' level of the sorted term has its first
    /// effect at θ index `chunkTheta[k]`. Chunks never cross a block boundary.
    let chunkEnd: UnsafeMutablePointer<Int32>
    let chunkTheta: UnsafeMutablePointer<Int32>
    /// Block b holds chunks `blockFirstChunk[b] ..< blockFirstChunk[b + 1]`.
    let blockFirstChunk: UnsafeMutablePointer<Int>
    let blockCount: Int
    /// Response and trials (sums over merged rows), as in `PosteriorData`.
    let response: UnsafeMutablePointer<Double>
    let trials: UnsafeMutablePointer<Double>
    /// Every row has exactly one trial (bernoulli rows that were not merged).
    let hasUnitTrials: Bool
    /// Row i here is row `rowOrder[i]` of `PosteriorData`.
    let rowOrder: [Int]
    /// The offset added to η per row (`PosteriorData.offset`), nil without one.
    let offset: UnsafeMutablePointer<Double>?
    /// The addition terms' values, nil without any (`AdditionTermPass`).
    let additions: AdditionColumns?

    init(data: PosteriorData, hasIntercept: Bool, auxiliaryCount: Int = 0) {
        let n = data.rowCount
        let p = data.fixedColumnCount
        let width = data.termValueWidth
        let termCount = data.termCount
        precondition(data.thetaCount <= Int(Int32.max) && n <= Int(Int32.max), "more than 2³¹ rows or effects")
        rowCount = n
        fixedColumnCount = p
        self.hasIntercept = hasIntercept && p > 0

        // The sorted term: the most levels (the first of equals); rows in order of its θ index.
        var sortedTerm = -1
        var mostLevels = 0
        for t in 0..<termCount {
            let end = t + 1 < termCount ? data.termOffsets[t + 1] : data.thetaCount
            let levels = (end - data.termOffsets[t]) / max(1, data.termColumnCounts[t])
            if levels > mostLevels { mostLevels = levels; sortedTerm = t }
        }
        var order = Array(0..<n)
        if sortedTerm >= 0 {
            var counts = [Int](repeating: 0, count: data.thetaCount + 1)
            for i in 0..<n { counts[data.termThetaIndex[i * termCount + sortedTerm] + 1] += 1 }
            for k in 0..<data.thetaCount { counts[k + 1] += counts[k] }
            for i in 0..<n {
                let key = data.termThetaIndex[i * termCount + sortedTerm]
                order[counts[key]] = i
                counts[key] += 1
            }
            sortedColumns = data.termValueOffsets[sortedTerm]
                ..< data.termValueOffsets[sortedTerm] + data.termColumnCounts[sortedTerm]
        } else {
            sortedColumns = 0..<0
        }
        rowOrder = order

        fixed = .allocate(capacity: max(1, n * p))
        fixed.initialize(repeating: 0, count: max(1, n * p))
        for i in 0..<n {
            for m in 0..<p { fixed[m * n + i] = data.fixed[order[i] * p + m] }
        }
        termColumnCount = width
        termValues = .allocate(capacity: max(1, n * width))
        termValues.initialize(repeating: 0, count: max(1, n * width))
        thetaIndex = .allocate(capacity: max(1, n * width))
        thetaIndex.initialize(repeating: 0, count: max(1, n * width))
        columnIsOnes = .allocate(capacity: max(1, width))
        columnIsOnes.initialize(repeating: true, count: max(1, width))
        for t in 0..<termCount {
            for k in 0..<data.termColumnCounts[t] {
                let c = data.termValueOffsets[t] + k
                for i in 0..<n {
                    let value = data.termValues[order[i] * width + c]
                    termValues[c * n + i] = value
                    thetaIndex[c * n + i] = Int32(data.termThetaIndex[order[i] * termCount + t] + k)
                    if value != 1 { columnIsOnes[c] = false }
                }
            }
        }
        response = .allocate(capacity: max(1, n))
        trials = .allocate(capacity: max(1, n))
        var unit = true
        for i in 0..<n {
            (response + i).initialize(to: data.response[order[i]])
            (trials + i).initialize(to: data.trials[order[i]])
            if data.trials[i] != 1 { unit = false }
        }
        hasUnitTrials = unit
        if let values = data.offset {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
            for i in 0..<n { (pointer + i).initialize(to: values[order[i]]) }
            offset = pointer
        } else {
            offset = nil
        }
        additions = data.additions.map {
            AdditionColumns(additions: $0, response: data.rawResponse, order: order, auxiliaryCount: auxiliaryCount)
        }

        // Chunks: blocks cut where the sorted term's level changes.
        let size = PosteriorColumns.blockSize
        blockCount = (n + size - 1) / size
        var ends: [Int32] = [], levels: [Int32] = [], firsts: [Int] = []
        for b in 0..<blockCount {
            firsts.append(ends.count)
            let stop = min(n, (b + 1) * size)
            for i in (b * size)..<stop {
                let key = sortedTerm >= 0 ? Int32(data.termThetaIndex[order[i] * termCount + sortedTerm]) : 0
                if i == b * size || key != levels[levels.count - 1] {
                    if i > b * size { ends.append(Int32(i)) }
                    levels.append(key)
                }
            }
            ends.append(Int32(stop))
        }
        firsts.append(ends.count)
        chunkEnd = .allocate(capacity: max(1, ends.count))
        chunkEnd.initialize(repeating: 0, count: max(1, ends.count))
        chunkTheta = .allocate(capacity: max(1, levels.count))
        chunkTheta.initialize(repeating: 0, count: max(1, levels.count))
        for k in 0..<ends.count { chunkEnd[k] = ends[k]; chunkTheta[k] = levels[k] }
        blockFirstChunk = .allocate(capacity: firsts.count)
        blockFirstChunk.initialize(from: firsts, count: firsts.count)
    }

    deinit {
        fixed.deallocate()
        termValues.deallocate()
        thetaIndex.deallocate()
        columnIsOnes.deallocate()
        chunkEnd.deallocate()
        chunkTheta.deallocate()
        blockFirstChunk.deallocate()
        response.deallocate()
        trials.deallocate()
        offset?.deallocate()
    }

    /// First row and number of rows of block `b`.
    @inline(__always)
    func blockRows(_ b: Int) -> (start: Int, count: Int) {
        let start = b &* PosteriorColumns.blockSize
        return (start, min(PosteriorColumns.blockSize, rowCount &- start))
    }

    /// Calls `body(low, high, θ)` for each chunk of block `b`: its rows `low ..< high` relative to
    /// the block's first row and the θ index of its level's first effect.
    @inline(__always)
    func forEachChunk(block b: Int, _ body: (_ low: Int, _ high: Int, _ theta: Int) -> Void) {
        let start = b &* PosteriorColumns.blockSize
        var low = 0
        for k in blockFirstChunk[b]..<blockFirstChunk[b &+ 1] {
            let high = Int(chunkEnd[k]) &- start
            body(low, high, Int(chunkTheta[k]))
            low = high
        }
    }

    /// η of the rows of block `b` into `eta`.
    @inline(__always)
    func linearPredictor(block b: Int, theta: UnsafePointer<Double>, eta: UnsafeMutablePointer<Double>) {
        let (start, count) = blockRows(b)
        let n = rowCount
        let intercept = hasIntercept ? theta[0] : 0
        var firstSortedColumn = sortedColumns.lowerBound
        var firstFixedColumn = hasIntercept ? 1 : 0
        if !sortedColumns.isEmpty && columnIsOnes[firstSortedColumn] {
            // Intercept plus the level's effect, one value per chunk, plus the first F column.
            if firstFixedColumn < fixedColumnCount {
                let column = fixed + (firstFixedColumn &* n &+ start)
                let coefficient = theta[firstFixedColumn]
                forEachChunk(block: b) { low, high, level in
                    let value = intercept + theta[level]
                    for i in low..<high { eta[i] = value + coefficient * column[i] }
                }
                firstFixedColumn &+= 1
            } else {
                forEachChunk(block: b) { low, high, level in
                    let value = intercept + theta[level]
                    for i in low..<high { eta[i] = value }
                }
            }
            firstSortedColumn &+= 1
        } else {
            for i in 0..<count { eta[i] = intercept }
        }
        for m in firstFixedColumn..<fixedColumnCount {
            let column = fixed + (m &* n &+ start)
            let coefficient = theta[m]
            for i in 0..<count { eta[i] += coefficient * column[i] }
        }
        for c in firstSortedColumn..<sortedColumns.upperBound {
            let values = termValues + (c &* n &+ start)
            let shift = c &- sortedColumns.lowerBound
            let ones = columnIsOnes[c]
            forEachChunk(block: b) { low, high, level in
                let effect = theta[level &+ shift]
                if ones {
                    for i in low..<high { eta[i] += effect }
                } else {
                    for i in low..<high { eta[i] += effect * values[i] }
                }
            }
        }
        for c in 0..<termColumnCount where !sortedColumns.contains(c) {
            let index = thetaIndex + (c &* n &+ start)
            let values = termValues + (c &* n &+ start)
            for i in 0..<count { eta[i] += theta[Int(index[i])] * values[i] }
        }
        if let offset {
            let rows = offset + start
            for i in 0..<count { eta[i] += rows[i] }
        }
    }

    /// Adds Fᵀ d and Zᵀ d over the rows of block `b` (d = ∂ℓ/∂η of those rows) to the θ gradient:
    /// one sum per chunk for the sorted term (whose sums also give the intercept's when its first
    /// column is ones), runs of rows with the same level for the other terms.
    @inline(__always)
    func addGradient(block b: Int, derivative d: UnsafePointer<Double>, thetaGradient: UnsafeMutablePointer<Double>) {
        let (start, count) = blockRows(b)
        let n = rowCount
        var firstFixedColumn = hasIntercept ? 1 : 0
        var firstSortedColumn = sortedColumns.lowerBound
        var interceptSum = 0.0
        let interceptFromChunks = hasIntercept && !sortedColumns.isEmpty && columnIsOnes[sortedColumns.lowerBound]
        if interceptFromChunks && firstFixedColumn < fixedColumnCount {
            // The sorted term's column of ones and the first F column in one pass per chunk.
            let column = fixed + (firstFixedColumn &* n &+ start)
            var columnSum = 0.0
            forEachChunk(block: b) { low, high, level in
                let sums = blockSumAndDot(d + low, column + low, high &- low)
                thetaGradient[level] += sums.sum
                interceptSum += sums.sum
                columnSum += sums.dot
            }
            thetaGradient[firstFixedColumn] += columnSum
            firstFixedColumn &+= 1
            firstSortedColumn &+= 1
        }
        for m in firstFixedColumn..<fixedColumnCount {
            thetaGradient[m] += blockDot(d, fixed + (m &* n &+ start), count)
        }
        for c in firstSortedColumn..<sortedColumns.upperBound {
            let values = termValues + (c &* n &+ start)
            let shift = c &- sortedColumns.lowerBound
            let ones = columnIsOnes[c]
            forEachChunk(block: b) { low, high, level in
                let sum = ones ? blockSum(d + low, high &- low) : blockDot(d + low, values + low, high &- low)
                thetaGradient[level &+ shift] += sum
                if shift == 0 { interceptSum += sum }
            }
        }
        if hasIntercept { thetaGradient[0] += interceptFromChunks ? interceptSum : blockSum(d, count) }
        for c in 0..<termColumnCount where count > 0 && !sortedColumns.contains(c) {
            let index = thetaIndex + (c &* n &+ start)
            let values = termValues + (c &* n &+ start)
            var level = Int(index[0])
            var sum = 0.0
            for i in 0..<count {
                let next = Int(index[i])
                if next != level {
                    thetaGradient[level] += sum
                    level = next
                    sum = 0
                }
                sum += d[i] * values[i]
            }
            thetaGradient[level] += sum
        }
    }
}

/// Σ a[i] over `count` values with two SIMD2 partial sums and a scalar tail (independent
/// additions pipeline and vectorise; the order is fixed, so the result is reproducible).
@inline(__always)
func blockSum(_ a: UnsafePointer<Double>, _ count: Int) -> Double {
    let raw = UnsafeRawPointer(a)
    var s0 = SIMD2<Double>(), s1 = SIMD2<Double>()
    var i = 0
    while i &+ 4 <= count {
        s0 += raw.loadUnaligned(fromByteOffset: i &* 8, as: SIMD2<Double>.self)
        s1 += raw.loadUnaligned(fromByteOffset: i &* 8 &+ 16, as: SIMD2<Double>.self)
        i &+= 4
    }
    var tail = 0.0
    while i < count { tail += a[i]; i &+= 1 }
    return (s0 + s1).sum() + tail
}

/// (Σ a[i], Σ a[i] b[i]) over `count` values in one pass (see `blockSum`).
@inline(__always)
func blockSumAndDot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> (sum: Double, dot: Double) {
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
    var s0 = SIMD2<Double>(), s1 = SIMD2<Double>(), d0 = SIMD2<Double>(), d1 = SIMD2<Double>()
    var i = 0
    while i &+ 4 <= count {
        let offset = i &* 8
        let a0 = rawA.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
        let a1 = rawA.loadUnaligned(fromByteOffset: offset &+ 16, as: SIMD2<Double>.self)
        s0 += a0
        s1 += a1
        d0 += a0 * rawB.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
        d1 += a1 * rawB.loadUnaligned(fromByteOffset: offset &+ 16, as: SIMD2<Double>.self)
        i &+= 4
    }
    var sumTail = 0.0, dotTail = 0.0
    while i < count { sumTail += a[i]; dotTail += a[i] * b[i]; i &+= 1 }
    return ((s0 + s1).sum() + sumTail, (d0 + d1).sum() + dotTail)
}

/// Σ a[i] b[i] over `count` values (see `blockSum`).
@inline(__always)
func blockDot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    let rawA = UnsafeRawPointer(a), rawB = UnsafeRawPointer(b)
    var s0 = SIMD2<Double>(), s1 = SIMD2<Double>()
    var i = 0
    while i &+ 4 <= count {
        let offset = i &* 8
        s0 += rawA.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
            * rawB.loadUnaligned(fromByteOffset: offset, as: SIMD2<Double>.self)
        s1 += rawA.loadUnaligned(fromByteOffset: offset &+ 16, as: SIMD2<Double>.self)
            * rawB.loadUnaligned(fromByteOffset: offset &+ 16, as: SIMD2<Double>.self)
        i &+= 4
    }
    var tail = 0.0
    while i < count { tail += a[i] * b[i]; i &+= 1 }
    return (s0 + s1).sum() + tail
}
