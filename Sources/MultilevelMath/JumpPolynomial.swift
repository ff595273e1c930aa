/// Polynomials over GF(2) of degree below 256, reduced modulo the characteristic polynomial of the
/// xoshiro256 state transition, for jumping a generator ahead by any multiple of 2¹²⁸ steps.
///
/// The state update of xoshiro256 is a linear map T on GF(2)²⁵⁶, so advancing by n steps is Tⁿ, and
/// Tⁿ = (xⁿ mod P)(T) for P the characteristic polynomial of T (Cayley–Hamilton). The published
/// jump polynomial is J = x^(2¹²⁸) mod P (Blackman & Vigna 2021, §5); k jumps are Jᵏ mod P, which
/// binary powering from the squares J^(2^i) mod P forms in at most 63 products, so stream k costs
/// O(log k) instead of k jumps and gives the same state as k calls of `jump()` (Haramoto et al.
/// 2008, *Efficient jump ahead for F2-linear random number generators*). P itself is found once by
/// the Berlekamp–Massey algorithm from 512 bits of one state coordinate (Massey 1969): T's
/// characteristic polynomial is primitive of degree 256 (the generator's period is 2²⁵⁶ − 1), so
/// the minimal polynomial of any non-zero coordinate sequence is P.
public struct JumpPolynomial: Equatable, Sendable {
    /// Coefficient of xⁱ is bit i % 64 of `words[i / 64]` (the layout of the published constants).
    public var words: [UInt64]

    public init(words: [UInt64]) {
        precondition(words.count == 4)
        self.words = words
    }

    /// The polynomial 1 (no advance).
    public static let one = JumpPolynomial(words: [1, 0, 0, 0])

    /// x^(2¹²⁸) mod P: the published xoshiro256 jump polynomial.
    public static let jump = JumpPolynomial(words: [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C,
                                                    0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C])

    /// The coefficients of x⁰ … x²⁵⁵ of P (P = x²⁵⁶ + these).
    public static let characteristicLow: [UInt64] = characteristicPolynomial()

    /// J^(2^i) mod P for i = 0 … 62.
    static let jumpSquares: [JumpPolynomial] = {
        var squares = [jump]
        for _ in 1..<63 { squares.append(squares[squares.count - 1].multiplied(by: squares[squares.count - 1])) }
        return squares
    }()

    /// Jᵏ mod P: the advance of k jumps (k·2¹²⁸ steps).
    public static func jumps(_ k: Int) -> JumpPolynomial {
        precondition(k >= 0)
        var result = one
        var bits = UInt64(k), i = 0
        while bits != 0 {
            if bits & 1 != 0 { result = result.multiplied(by: jumpSquares[i]) }
            bits >>= 1
            i += 1
        }
        return result
    }

    /// The product self · other mod P.
    public func multiplied(by other: JumpPolynomial) -> JumpPolynomial {
        var product = [UInt64](repeating: 0, count: 8)
        for i in 0..<256 where words[i >> 6] >> UInt64(i & 63) & 1 != 0 {
            let q = i >> 6, r = UInt64(i & 63)
            for w in 0..<4 {
                product[w + q] ^= other.words[w] << r
                if r > 0 { product[w + q + 1] ^= other.words[w] >> (64 - r) }
            }
        }
        let low = Self.characteristicLow
        var i = 511
        while i >= 256 {
            if product[i >> 6] >> UInt64(i & 63) & 1 != 0 {
                // x^i = x^(i−256)·x²⁵⁶ ≡ x^(i−256)·low (mod P).
                product[i >> 6] ^= UInt64(1) << UInt64(i & 63)
                let shift = i - 256, q = shift >> 6, r = UInt64(shift & 63)
                for w in 0..<4 {
                    product[w + q] ^= low[w] << r
                    if r > 0, w + q + 1 < 8 { product[w + q + 1] ^= low[w] >> (64 - r) }
                }
            }
            i -= 1
        }
        return JumpPolynomial(words: Array(product[0..<4]))
    }

    /// P's low coefficients by Berlekamp–Massey over 512 bits of the lowest bit of s0 from a
    /// fixed non-zero state.
    private static func characteristicPolynomial() -> [UInt64] {
        var g = Xoshiro256PlusPlus(seed: 0x5EED)
        let n = 512
        var sequence = [UInt8](repeating: 0, count: n)
        for t in 0..<n {
            sequence[t] = UInt8(truncatingIfNeeded: g.s0 & 1)
            _ = g.next()
        }
        // Connection polynomial C(x) = 1 + c₁x + … + c_L x^L with s_t = Σ c_i s_{t−i}.
        var c = [UInt8](repeating: 0, count: n + 1), b = c
        c[0] = 1; b[0] = 1
        var length = 0, m = 1
        for t in 0..<n {
            var discrepancy = sequence[t]
            if length > 0 { for i in 1...length { discrepancy ^= c[i] & sequence[t - i] } }
            if discrepancy == 0 {
                m += 1
            } else if 2 * length <= t {
                let previous = c
                for i in 0..<(n + 1 - m) { c[i + m] ^= b[i] }
                length = t + 1 - length
                b = previous
                m = 1
            } else {
                for i in 0..<(n + 1 - m) { c[i + m] ^= b[i] }
                m += 1
            }
        }
        precondition(length == 256, "xoshiro256's characteristic polynomial has degree 256")
        // P(x) = x^L C(1/x): coefficient of x^j is c_{L−j}.
        var low = [UInt64](repeating: 0, count: 4)
        for j in 0..<256 where c[256 - j] != 0 { low[j >> 6] |= UInt64(1) << UInt64(j & 63) }
        return low
    }
}

extension Xoshiro256PlusPlus {
    /// Advances the state by `polynomial`(T): Σ pᵢ Tⁱ applied to the state (the loop of the
    /// reference `jump()`, for any polynomial of degree below 256).
    public mutating func advance(by polynomial: JumpPolynomial) {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        for word in polynomial.words {
            for b in 0..<64 {
                if word & (UInt64(1) << UInt64(b)) != 0 {
                    t0 ^= s0; t1 ^= s1; t2 ^= s2; t3 ^= s3
                }
                _ = next()
            }
        }
        s0 = t0; s1 = t1; s2 = t2; s3 = t3
    }
}
