/// The permutation that sorts an array of doubles in ascending order, by a least-significant-digit
/// radix sort on an order-preserving 64-bit encoding of the values (five passes of 13 bits; passes
/// whose digit is the same for every value are skipped). Stable, O(n), no comparisons — sorting is
/// most of the cost of rank-normalisation, and this is several times faster than a comparison sort
/// of indices. −0 and +0 sort as equal; NaN sorts after +∞ (callers exclude NaN).
public func sortPermutation(_ values: UnsafeBufferPointer<Double>) -> [Int32] {
    sortedWithPermutation(values).order
}

/// The sorted values and the permutation that sorts them (`sorted[p] == values[order[p]]`, with
/// −0 returned as +0); the sorted values are decoded from the sorted keys, not gathered.
public func sortedWithPermutation(_ values: UnsafeBufferPointer<Double>) -> (sorted: [Double], order: [Int32]) {
    let n = values.count
    precondition(n < Int(Int32.max), "too many values to sort")
    if n == 0 { return ([], []) }
    let digitBits = 13
    let radix = 1 << digitBits
    let passes = (64 + digitBits - 1) / digitBits
    var keys = [UInt64](repeating: 0, count: n)
    var histogram = [Int](repeating: 0, count: radix * passes)
    keys.withUnsafeMutableBufferPointer { k in
        histogram.withUnsafeMutableBufferPointer { h in
            for i in 0..<n {
                let key = orderPreservingKey(values[i])
                k[i] = key
                for p in 0..<passes {
                    h[p * radix + Int((key >> UInt64(p * digitBits)) & UInt64(radix - 1))] += 1
                }
            }
        }
    }
    var order = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
        for i in 0..<n { buffer[i] = Int32(i) }
        count = n
    }
    var scratchKeys = [UInt64](repeating: 0, count: n)
    var scratchOrder = [Int32](repeating: 0, count: n)
    for p in 0..<passes {
        let shift = UInt64(p * digitBits)
        let offset = p * radix
        // Skip a pass whose digit is shared by every key.
        let firstDigit = Int((keys[0] >> shift) & UInt64(radix - 1))
        if histogram[offset + firstDigit] == n { continue }
        var position = 0
        for d in 0..<radix {
            let count = histogram[offset + d]
            histogram[offset + d] = position
            position += count
        }
        keys.withUnsafeBufferPointer { k in
            order.withUnsafeBufferPointer { o in
                scratchKeys.withUnsafeMutableBufferPointer { sk in
                    scratchOrder.withUnsafeMutableBufferPointer { so in
                        histogram.withUnsafeMutableBufferPointer { h in
                            for i in 0..<n {
                                let key = k[i]
                                let slot = offset + Int((key >> shift) & UInt64(radix - 1))
                                let target = h[slot]
                                h[slot] = target + 1
                                sk[target] = key
                                so[target] = o[i]
                            }
                        }
                    }
                }
            }
        }
        swap(&keys, &scratchKeys)
        swap(&order, &scratchOrder)
    }
    let sorted = keys.withUnsafeBufferPointer { k in
        [Double](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n { out[i] = valueOfOrderPreservingKey(k[i]) }
            count = n
        }
    }
    return (sorted, order)
}

/// Array convenience for `sortPermutation(_:)`.
public func sortPermutation(_ values: [Double]) -> [Int32] {
    values.withUnsafeBufferPointer { sortPermutation($0) }
}

/// The double whose key is `key` (inverse of `orderPreservingKey`).
@inline(__always)
func valueOfOrderPreservingKey(_ key: UInt64) -> Double {
    Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key)
}

/// An unsigned key whose order is the numeric order of `value` (IEEE 754 total order with −0
/// mapped to +0).
@inline(__always)
func orderPreservingKey(_ value: Double) -> UInt64 {
    let bits = (value == 0 ? 0.0 : value).bitPattern
    return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
}
