/// The rows of `PosteriorData` stored column by column (structure of arrays) for the row pass of
/// the non-gaussian families, which visits the rows in blocks of `blockSize`:
///
///     η_block = F_block θ_F + Σ_t Z_t,block r_t     (one pass per column of F and of each Z_t)
///     ℓ, ∂ℓ/∂η = family(y, n, η)                    (one pass, specialised per family)
///     ∂/∂θ_F += F_blockᵀ ∂ℓ/∂η,  ∂/∂r_t += Z_t,blockᵀ ∂ℓ/∂η
///
/// Each pass is a tight loop over contiguous memory; the per-row level of each term is a
/// precomputed θ index (`Int32`), and the intercept column is not stored. The buffers are
/// allocated once and never written after `init`.
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
    /// Response and trials (sums over merged rows), as in `PosteriorData`.
    let response: UnsafeMutablePointer<Double>
    let trials: UnsafeMutablePointer<Double>
    /// Every row has exactly one trial (bernoulli rows that were not merged).
    let hasUnitTrials: Bool

    init(data: PosteriorData, hasIntercept: Bool) {
        let n = data.rowCount
        let p = data.fixedColumnCount
        let width = data.termValueWidth
        precondition(data.thetaCount <= Int(Int32.max), "more than 2³¹ group-level effects")
        rowCount = n
        fixedColumnCount = p
        self.hasIntercept = hasIntercept && p > 0
        fixed = .allocate(capacity: max(1, n * p))
        fixed.initialize(repeating: 0, count: max(1, n * p))
        for i in 0..<n {
            for m in 0..<p { fixed[m * n + i] = data.fixed[i * p + m] }
        }
        termColumnCount = width
        termValues = .allocate(capacity: max(1, n * width))
        termValues.initialize(repeating: 0, count: max(1, n * width))
        thetaIndex = .allocate(capacity: max(1, n * width))
        thetaIndex.initialize(repeating: 0, count: max(1, n * width))
        for t in 0..<data.termCount {
            for k in 0..<data.termColumnCounts[t] {
                let c = data.termValueOffsets[t] + k
                for i in 0..<n {
                    let value = data.termValues[i * width + c]
                    termValues[c * n + i] = value
                    thetaIndex[c * n + i] = Int32(data.termThetaIndex[i * data.termCount + t] + k)
                }
            }
        }
        response = .allocate(capacity: max(1, n))
        response.initialize(repeating: 0, count: max(1, n))
        trials = .allocate(capacity: max(1, n))
        trials.initialize(repeating: 0, count: max(1, n))
        var unit = true
        for i in 0..<n {
            response[i] = data.response[i]
            trials[i] = data.trials[i]
            if data.trials[i] != 1 { unit = false }
        }
        hasUnitTrials = unit
    }

    deinit {
        fixed.deallocate()
        termValues.deallocate()
        thetaIndex.deallocate()
        response.deallocate()
        trials.deallocate()
    }

    /// η of rows `start ..< start + count` into `eta`.
    @inline(__always)
    func linearPredictor(start: Int, count: Int, theta: UnsafePointer<Double>, eta: UnsafeMutablePointer<Double>) {
        let n = rowCount
        let intercept = hasIntercept ? theta[0] : 0
        for i in 0..<count { eta[i] = intercept }
        for m in (hasIntercept ? 1 : 0)..<fixedColumnCount {
            let column = fixed + (m &* n &+ start)
            let coefficient = theta[m]
            for i in 0..<count { eta[i] += coefficient * column[i] }
        }
        for c in 0..<termColumnCount {
            let index = thetaIndex + (c &* n &+ start)
            let values = termValues + (c &* n &+ start)
            for i in 0..<count { eta[i] += theta[Int(index[i])] * values[i] }
        }
    }

    /// Adds Fᵀ d and Zᵀ d over rows `start ..< start + count` (d = ∂ℓ/∂η of those rows) to the
    /// θ gradient. Sums over rows use four partial sums; a term's effects are accumulated over
    /// runs of rows with the same level before they are written.
    @inline(__always)
    func addGradient(start: Int, count: Int, derivative d: UnsafePointer<Double>,
                     thetaGradient: UnsafeMutablePointer<Double>) {
        let n = rowCount
        if hasIntercept { thetaGradient[0] += blockSum(d, count) }
        for m in (hasIntercept ? 1 : 0)..<fixedColumnCount {
            thetaGradient[m] += blockDot(d, fixed + (m &* n &+ start), count)
        }
        for c in 0..<termColumnCount where count > 0 {
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

/// Σ a[i] over `count` values with four partial sums (independent additions pipeline and
/// vectorise; the order is fixed, so the result is reproducible).
@inline(__always)
func blockSum(_ a: UnsafePointer<Double>, _ count: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i &+ 4 <= count {
        s0 += a[i]; s1 += a[i &+ 1]; s2 += a[i &+ 2]; s3 += a[i &+ 3]
        i &+= 4
    }
    while i < count { s0 += a[i]; i &+= 1 }
    return (s0 + s1) + (s2 + s3)
}

/// Σ a[i] b[i] over `count` values with four partial sums (see `blockSum`).
@inline(__always)
func blockDot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i &+ 4 <= count {
        s0 += a[i] * b[i]; s1 += a[i &+ 1] * b[i &+ 1]
        s2 += a[i &+ 2] * b[i &+ 2]; s3 += a[i &+ 3] * b[i &+ 3]
        i &+= 4
    }
    while i < count { s0 += a[i] * b[i]; i &+= 1 }
    return (s0 + s1) + (s2 + s3)
}
