extension CmdStanRunSettings {
    /// A 16-hex-digit identifier of a run: the 64-bit FNV-1a hash (Fowler, Noll & Vo) of its
    /// configuration strings (model, data file, formula, family, sampler, seed, iterations, priors,
    /// …) and of the bits of its data. The chains of one run share it — also when they run as
    /// separate `--chain-id` processes — while runs that differ in any of these get different
    /// identifiers, so `diagnose` can tell chains of different runs apart.
    public static func runIdentifier(configuration: [String], data: [Double]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        for text in configuration {
            for byte in text.utf8 { mix(byte) }
            mix(0)
        }
        for value in data {
            var bits = value.bitPattern
            for _ in 0..<8 { mix(UInt8(truncatingIfNeeded: bits)); bits >>= 8 }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
