/// The permutation that sorts an array of doubles in ascending order (see
/// `sortedWithPermutation(_:)`). Stable: equal values keep their original order. −0 and +0 sort as
/// equal; NaN sorts after +∞ (callers exclude NaN).
public func sortPermutation(_ values: UnsafeBufferPointer<Double>) -> [Int32] {
    sortedWithPermutation(values).order
}

/// The sorted values and the permutation that sorts them (`sorted[p] == values[order[p]]`, with
/// −0 returned as +0), stable for equal values.
///
/// A least-significant-digit radix sort (no comparisons; sorting is most of the cost of
/// rank-normalisation) of one 64-bit word per value: the high bits of an order-preserving encoding
/// of the value with the value's index in the low ⌈log₂ n⌉ bits. Only the value bits are sorted on
/// (passes of 12 bits; a pass whose digit is shared by every word is skipped), and since the words
/// start in index order, values whose high bits agree come out in index order; the rare runs of
/// such words whose full values differ are then put in order by comparing the full encodings.
public func sortedWithPermutation(_ values: UnsafeBufferPointer<Double>) -> (sorted: [Double], order: [Int32]) {
    sortedWithPermutation(values, scratch: nil)
}

/// `sortedWithPermutation(_:)` with its work arrays (and the results) from `scratch`.
func sortedWithPermutation(_ values: UnsafeBufferPointer<Double>, scratch: ScratchArrays?)
    -> (sorted: [Double], order: [Int32]) {
    let n = values.count
    precondition(n < Int(Int32.max), "too many values to sort")
    if n == 0 { return ([], []) }
    let indexBits = max(1, Int.bitWidth - (n - 1).leadingZeroBitCount)
    let indexMask = UInt64(1) << UInt64(indexBits) - 1
    let digitBits = 12
    let radix = 1 << digitBits
    let digitMask = UInt64(radix - 1)
    let passes = (64 - indexBits + digitBits - 1) / digitBits
    let lowestBit = max(0, 64 - passes * digitBits)
    var words = scratch?.words(count: n) ?? [UInt64](repeating: 0, count: n)
    var spare = scratch?.words(count: n) ?? [UInt64](repeating: 0, count: n)
    var histogram = [UInt32](repeating: 0, count: radix * passes)
    words.withUnsafeMutableBufferPointer { w in
        spare.withUnsafeMutableBufferPointer { s in
            histogram.withUnsafeMutableBufferPointer { h in
                for i in 0..<n {
                    let word = orderPreservingKey(values[i]) & ~indexMask | UInt64(i)
                    w[i] = word
                    for p in 0..<passes {
                        h[p * radix + Int((word >> UInt64(lowestBit + p * digitBits)) & digitMask)] += 1
                    }
                }
                var source = w, target = s
                for p in 0..<passes {
                    let shift = UInt64(lowestBit + p * digitBits)
                    let offset = p * radix
                    // Skip a pass whose digit is shared by every word.
                    if h[offset + Int((source[0] >> shift) & digitMask)] == UInt32(n) { continue }
                    var position: UInt32 = 0
                    for d in 0..<radix {
                        let count = h[offset + d]
                        h[offset + d] = position
                        position += count
                    }
                    for i in 0..<n {
                        let word = source[i]
                        let slot = offset + Int((word >> shift) & digitMask)
                        let destination = h[slot]
                        h[slot] = destination + 1
                        target[Int(destination)] = word
                    }
                    swap(&source, &target)
                }
                // The sorted words are in `source`; leave them in `w`.
                if source.baseAddress != w.baseAddress { w.baseAddress!.update(from: source.baseAddress!, count: n) }
            }
        }
    }
    var order = scratch?.indices(count: n) ?? [Int32](repeating: 0, count: n)
    var sorted = scratch?.doubles(count: n) ?? [Double](repeating: 0, count: n)
    words.withUnsafeBufferPointer { w in
        order.withUnsafeMutableBufferPointer { o in
            sorted.withUnsafeMutableBufferPointer { out in
                for p in 0..<n {
                    let index = Int(w[p] & indexMask)
                    o[p] = Int32(truncatingIfNeeded: index)
                    let v = values[index]
                    out[p] = v == 0 ? 0 : v
                }
                // Runs of words with equal value bits: order them by the full encodings (stable).
                var start = 0
                while start < n {
                    let high = w[start] & ~indexMask
                    var end = start + 1
                    while end < n && w[end] & ~indexMask == high { end += 1 }
                    if end - start > 1 { orderRun(start..<end, values: values, order: o, sorted: out) }
                    start = end
                }
            }
        }
    }
    scratch?.recycle(words)
    scratch?.recycle(spare)
    return (sorted, order)
}

/// Sorts positions `run` of `order` / `sorted` by the full order-preserving encodings of the
/// values, keeping the index order of equal values (the run is in index order on entry).
private func orderRun(_ run: Range<Int>, values: UnsafeBufferPointer<Double>,
                      order: UnsafeMutableBufferPointer<Int32>, sorted: UnsafeMutableBufferPointer<Double>) {
    var inOrder = true
    for p in run.dropFirst() where orderPreservingKey(sorted[p]) < orderPreservingKey(sorted[p - 1]) {
        inOrder = false
        break
    }
    if inOrder { return }
    var entries = run.map { (key: orderPreservingKey(sorted[$0]), index: order[$0]) }
    entries.sort { $0.key != $1.key ? $0.key < $1.key : $0.index < $1.index }
    for (k, p) in run.enumerated() {
        order[p] = entries[k].index
        sorted[p] = values[Int(entries[k].index)] == 0 ? 0 : values[Int(entries[k].index)]
    }
}

/// Array convenience for `sortPermutation(_:)`.
public func sortPermutation(_ values: [Double]) -> [Int32] {
    values.withUnsafeBufferPointer { sortPermutation($0) }
}

/// An unsigned key whose order is the numeric order of `value` (IEEE 754 total order with −0
/// mapped to +0).
@inline(__always)
func orderPreservingKey(_ value: Double) -> UInt64 {
    let bits = (value == 0 ? 0.0 : value).bitPattern
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
}
