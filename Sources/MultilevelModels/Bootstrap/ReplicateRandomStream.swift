import MultilevelMath

/// The SplitMix64 output function (Steele, Lea & Flood 2014): a bijective 64-bit mix whose outputs
/// for consecutive inputs are statistically independent.
@inlinable
func splitMix64Finalizer(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The random-number generator of bootstrap replicate `replicate` under `seed`: xoshiro256++ seeded
/// with a SplitMix64 hash of (seed, replicate). Each replicate owns its stream, so a replicate's
/// data set depends only on (seed, replicate) — never on which thread ran it or in what order —
/// and stream r costs O(1) to create (unlike r jumps).
public func replicateRandomStream(seed: UInt64, replicate: Int) -> Xoshiro256PlusPlus {
    let index = splitMix64Finalizer(UInt64(truncatingIfNeeded: replicate) &+ 0x9E37_79B9_7F4A_7C15)
    return Xoshiro256PlusPlus(seed: splitMix64Finalizer(seed ^ index))
}
