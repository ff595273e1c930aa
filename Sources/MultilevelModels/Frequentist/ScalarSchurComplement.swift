import Dispatch

/// The Schur-complement update of the blocked factor when the first term is scalar (q₀ = 1) and
/// every other term is scalar too — the crossed random-intercept case, InstEval's
/// `(1 | s) + (1 | d) + (1 | dept)`. Then L₁₀[:, l] = D a₁₀[:, l] t₀ / L₀₀ₗ with D the diagonal of
/// the other terms' θ (1 on the X/y rows), so that
///
///     Σₗ L₁₀[:, l] L₁₀[:, l]ᵀ = D (Σₗ wₗ a₁₀[:, l] a₁₀[:, l]ᵀ) D,   wₗ = t₀² / (t₀² A₀₀ₗ + 1),
///
/// and each entry (i, j) of the sum is a fixed list of products a₁₀[i, l] a₁₀[j, l] weighted by
/// the wₗ of their levels. The lists are built once, sorted by target entry in column-major order:
/// an evaluation then streams them and writes the dense rest matrix in order, instead of
/// scattering level by level over a matrix far larger than the cache.
struct ScalarSchurComplementPattern {
    /// Distinct target entries (lower triangle of the rest), column-major order.
    let targetRow: [Int32]
    let targetColumn: [Int32]
    /// Products of target t are at start[t]..<start[t + 1].
    let start: [Int]
    let level: [Int32]
    let coefficient: [Double]

    /// Largest number of products kept (beyond it the level-by-level update is used).
    static let maximumProducts = 40_000_000

    /// Builds the product lists from block column 0's segments (q₀ = 1: one value per segment row).
    /// Nil when there would be more than `maximumProducts` products.
    init?(levels: Int, restSize m: Int, segmentStart: [Int], segmentRow: [Int], segmentHeight: [Int],
          segmentValue: [Int], values a10: [Double]) {
        var total = 0
        for l in 0..<levels {
            var height = 0
            for s in segmentStart[l]..<segmentStart[l + 1] { height += segmentHeight[s] }
            total += height * (height + 1) / 2
            if total > ScalarSchurComplementPattern.maximumProducts { return nil }
        }
        // Counting sort by column, then by row within a column (two stable passes on the key).
        var rows = [Int32](repeating: 0, count: total), columns = rows, levelOf = rows
        var products = [Double](repeating: 0, count: total)
        var count = 0
        for l in 0..<levels {
            let first = segmentStart[l], last = segmentStart[l + 1]
            for s1 in first..<last {
                let h1 = segmentHeight[s1], o1 = segmentValue[s1], r1 = segmentRow[s1]
                for s2 in first...s1 {
                    let h2 = segmentHeight[s2], o2 = segmentValue[s2], r2 = segmentRow[s2]
                    for j in 0..<h2 {
                        for i in 0..<h1 where r1 + i >= r2 + j {
                            rows[count] = Int32(r1 + i); columns[count] = Int32(r2 + j); levelOf[count] = Int32(l)
                            products[count] = a10[o1 + i] * a10[o2 + j]
                            count += 1
                        }
                    }
                }
            }
        }
        func stableOrder(by key: [Int32]) -> [Int] {
            var offsets = [Int](repeating: 0, count: m + 1)
            for e in 0..<count { offsets[Int(key[e]) + 1] += 1 }
            for k in 0..<m { offsets[k + 1] += offsets[k] }
            var order = [Int](repeating: 0, count: count)
            for e in 0..<count { order[offsets[Int(key[e])]] = e; offsets[Int(key[e])] += 1 }
            return order
        }
        let byRow = stableOrder(by: rows)
        let rowSorted = byRow.map { columns[$0] }
        let byColumnThenRow = stableOrder(by: rowSorted).map { byRow[$0] }
        var targetRow: [Int32] = [], targetColumn: [Int32] = [], start: [Int] = []
        var level = [Int32](repeating: 0, count: count), coefficient = [Double](repeating: 0, count: count)
        for (position, e) in byColumnThenRow.enumerated() {
            if targetRow.last != rows[e] || targetColumn.last != columns[e] {
                targetRow.append(rows[e]); targetColumn.append(columns[e]); start.append(position)
            }
            level[position] = levelOf[e]
            coefficient[position] = products[e]
        }
        start.append(count)
        self.targetRow = targetRow
        self.targetColumn = targetColumn
        self.start = start
        self.level = level
        self.coefficient = coefficient
    }

    /// rest[i, j] −= Dᵢ Dⱼ Σ coefficient · w[level] for every target (i, j). Large patterns are
    /// split into runs of targets over the cores; each target is summed by one worker in a fixed
    /// order, so the result does not depend on the number of cores.
    func subtract(from rest: UnsafeMutablePointer<Double>, leadingDimension m: Int,
                  weights w: UnsafePointer<Double>, scaling d: UnsafePointer<Double>) {
        let targets = targetRow.count
        let runs = coefficient.count >= 200_000 ? 16 : 1
        let output = SendablePointer(rest), weights = SendableConstantPointer(w), scaling = SendableConstantPointer(d)
        targetRow.withUnsafeBufferPointer { rows in
        targetColumn.withUnsafeBufferPointer { columns in
        start.withUnsafeBufferPointer { start in
        level.withUnsafeBufferPointer { level in
        coefficient.withUnsafeBufferPointer { coefficient in
            let rows = SendableBuffer(rows), columns = SendableBuffer(columns), start = SendableBuffer(start)
            let level = SendableBuffer(level), coefficient = SendableBuffer(coefficient)
            let work = { (run: Int) in
                let rest = output.pointer, w = weights.pointer, d = scaling.pointer
                let rows = rows.buffer, columns = columns.buffer, start = start.buffer
                let level = level.buffer, coefficient = coefficient.buffer
                for t in (run * targets / runs)..<((run + 1) * targets / runs) {
                    var sum = 0.0
                    for e in start[t]..<start[t + 1] { sum += coefficient[e] * w[Int(level[e])] }
                    let i = Int(rows[t]), j = Int(columns[t])
                    rest[i + j * m] -= sum * d[i] * d[j]
                }
            }
            if runs > 1 { DispatchQueue.concurrentPerform(iterations: runs, execute: work) } else { work(0) }
        } } } } }
    }
}

/// Raw pointers and buffers handed to `concurrentPerform` workers that write disjoint elements.
private struct SendablePointer: @unchecked Sendable { let pointer: UnsafeMutablePointer<Double>; init(_ p: UnsafeMutablePointer<Double>) { pointer = p } }
private struct SendableConstantPointer: @unchecked Sendable { let pointer: UnsafePointer<Double>; init(_ p: UnsafePointer<Double>) { pointer = p } }
private struct SendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeBufferPointer<Element>
    init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }
}
