/// The xoshiro256++ pseudo-random number generator (Blackman & Vigna 2021, *Scrambled linear
/// pseudorandom number generators*, ACM TOMS 47(4)), seeded through SplitMix64.
///
/// Parallel chains take independent streams with `stream(seed:index:)`: stream k is the generator
/// seeded with `seed` advanced by k calls of `jump()` (2¹²⁸ steps each), so chain k gets the same
/// numbers whatever the number of cores or whether it runs alone (`--chain-id`). The k jumps are
/// made as one advance by Jᵏ mod P (`JumpPolynomial`), in O(log k).
public struct Xoshiro256PlusPlus: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Seeds the four state words from `seed` with SplitMix64 (Steele, Lea & Flood 2014).
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The generator for parallel stream `index` (0-based) under `seed`.
    public static func stream(seed: UInt64, index: Int) -> Xoshiro256PlusPlus {
        var g = Xoshiro256PlusPlus(seed: seed)
        if index > 0 { g.advance(by: JumpPolynomial.jumps(index)) }
        return g
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Xoshiro256PlusPlus.rotl(s0 &+ s3, 23) &+ s0
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Xoshiro256PlusPlus.rotl(s3, 45)
        return result
    }

    /// Advances the state by 2¹²⁸ steps (the published jump polynomial).
    public mutating func jump() {
        advance(by: .jump)
    }

    /// A uniform draw on the open interval (0, 1) with 53 random bits (never exactly 0 or 1).
    @inlinable
    public mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform draw on (a, b).
    @inlinable
    public mutating func nextUniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * nextUniform()
    }

    /// A standard normal draw by the Box–Muller transform (no cached second value, so a draw's
    /// value depends only on the two uniforms it consumes).
    @inlinable
    public mutating func nextNormal() -> Double {
        let u1 = nextUniform()
        let u2 = nextUniform()
        return (-2 * _logMath(u1)).squareRoot() * _cosMath(2 * Double.pi * u2)
    }

    /// A normal draw with mean `mean` and standard deviation `sd`.
    @inlinable
    public mutating func nextNormal(mean: Double, sd: Double) -> Double {
        mean + sd * nextNormal()
    }
}
