/// Assigns factor codes to CSV fields by their raw bytes, so that a million-row factor column
/// costs one hash per row and one `String` per distinct level (an open-addressing hash table with
/// FNV-1a hashes and linear probing). Raw bytes identify labels exactly: quote-undoubling maps
/// distinct raw fields to distinct labels.
struct LevelInterner {
    private let bytes: UnsafeBufferPointer<UInt8>
    /// Slot → code + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int
    /// Code → byte range of the first field with that label, and its hash.
    private(set) var ranges: [(start: Int, end: Int)] = []
    private var hashes: [UInt64] = []

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        slots = [Int32](repeating: 0, count: 1024)
        mask = 1023
    }

    /// The code of the label spelled by `bytes[start..<end]`, new codes numbered in order of
    /// first appearance.
    mutating func code(start: Int, end: Int) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in start..<end { hash = (hash ^ UInt64(bytes[i])) &* 0x100_0000_01b3 }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            let code = Int(stored - 1)
            if hashes[code] == hash, sameBytes(ranges[code], start, end) { return stored - 1 }
            slot = (slot + 1) & mask
        }
        let code = Int32(ranges.count)
        slots[slot] = code + 1
        ranges.append((start, end))
        hashes.append(hash)
        if ranges.count * 2 > slots.count { grow() }
        return code
    }

    private func sameBytes(_ range: (start: Int, end: Int), _ start: Int, _ end: Int) -> Bool {
        guard range.end - range.start == end - start else { return false }
        var i = range.start, j = start
        while j < end {
            if bytes[i] != bytes[j] { return false }
            i += 1; j += 1
        }
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for (code, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code + 1)
        }
    }
}
