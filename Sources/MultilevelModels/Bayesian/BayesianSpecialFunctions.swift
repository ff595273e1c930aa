#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath

// Special functions of the posterior's row passes that MultilevelMath does not have in this form:
// the row passes' vectorisable exponentials and log(1 + x), and the digamma function and
// regularised incomplete gamma function whose results the existing families' draws depend on
// bit for bit (MultilevelMath's `digamma` and `regularizedGammaP` agree to ~1e-14 but not to the
// bit); log-gamma, log(1 + eˣ) and the logistic function are MultilevelMath's.

/// The digamma function ψ(x) = d log Γ(x) / dx for x > 0: recurrence ψ(x) = ψ(x + 1) − 1/x up to
/// x ≥ 6, then the asymptotic series ψ(x) ≈ log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz & Stegun
/// 6.3.18); absolute error below 1e-14.
func posteriorDigamma(_ x: Double) -> Double {
    guard x.isFinite, x > 0 else { return x == 0 ? -.infinity : .nan }
    var value = 0.0
    var z = x
    while z < 6 {
        value -= 1 / z
        z += 1
    }
    let inverse = 1 / z
    let inverse2 = inverse * inverse
    let series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2
        * (1.0 / 240 - inverse2 * (1.0 / 132)))))
    return value + log(z) - 0.5 * inverse - series
}

/// log(1 + x) for 0 ≤ x ≤ 1 without glibc's slow `log1p` and without a division: the series
/// x − x²/2 + x³/3 − x⁴/4 below 10⁻³ (truncation error < x⁵/5, below 2·10⁻¹⁶ relative), else
/// log(1 + x), whose rounding of 1 + x costs at most 10⁻¹³ relative there.
@inline(__always)
func posteriorFastLog1p(_ x: Double) -> Double {
    if x < 1e-3 { return x * (1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x))) }
    return log(1 + x)
}

/// eˣ in plain arithmetic, so that a loop calling it can be vectorised (glibc's `exp` is an
/// opaque call): x = k log 2 + r with k = round(x / log 2) and |r| ≤ ½ log 2 (log 2 split in a
/// high part with trailing zero bits, so k · high is exact, and a low part), eʳ by its Taylor
/// polynomial of degree 13 (truncation error below r¹⁴/14! < 10⁻¹⁷), and 2ᵏ built from its bits.
/// Relative error within a few units in the last place. Arguments are clamped to [−708, 709]:
/// below, the result is e⁻⁷⁰⁸ ≈ 3·10⁻³⁰⁸ instead of a smaller number or zero (an absolute error
/// below 10⁻³⁰⁷); above, e⁷⁰⁹ instead of a larger number or +∞. NaN gives NaN.
@inline(__always)
func posteriorExp(_ x: Double) -> Double {
    let clamped = min(max(x, -708.0), 709.0)
    let shifter = 6_755_399_441_055_744.0        // 1.5 · 2⁵²: adding it rounds to an integer
    let shifted = clamped * 1.442_695_040_888_963_4 + shifter
    let k = shifted - shifter
    let r = (clamped - k * 0.693_147_180_369_123_8) - k * 1.908_214_929_270_587_7e-10
    var p = 1.0 / 6_227_020_800                  // 1/13!
    p = p * r + 1.0 / 479_001_600
    p = p * r + 1.0 / 39_916_800
    p = p * r + 1.0 / 3_628_800
    p = p * r + 1.0 / 362_880
    p = p * r + 1.0 / 40_320
    p = p * r + 1.0 / 5_040
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    // The low bits of `shifted` hold k in two's complement; k + 1023 is 2ᵏ's biased exponent.
    let scale = Double(bitPattern: (shifted.bitPattern &- shifter.bitPattern &+ 1023) << 52)
    return p * scale
}

/// 2^(j/256) for j = 0 … 255 as bit patterns (glibc's `exp2`, within an ulp), the table of
/// `posteriorExp(_:table:)`; allocated once, never written after.
final class PosteriorExponentialTable: @unchecked Sendable {
    static let shared = PosteriorExponentialTable()
    let bits: UnsafeMutablePointer<UInt64>

    private init() {
        bits = .allocate(capacity: 256)
        for j in 0..<256 { (bits + j).initialize(to: exp2(Double(j) / 256).bitPattern) }
    }
}

/// eˣ of two arguments at once in SSE2 arithmetic (a table lookup and a degree-4 polynomial
/// instead of `posteriorExp`'s degree 13): x = (256k + j) log 2 / 256 + r with 256k + j =
/// round(256 x / log 2), |r| ≤ log 2 / 512 (log 2 / 256 split in a 34-bit high part, so that
/// (256k + j) · high is exact for every clamped x, and a low part), then eˣ = 2ᵏ · 2^(j/256) · eʳ
/// with 2ᵏ added to the table entry's exponent field and eʳ − 1 = r + r²/2 + r³/6 + r⁴/24
/// (truncation below r⁵/120 < 4·10⁻¹⁷). Within about two units in the last place.
/// Arguments are clamped to [−708, 709] as in `posteriorExp`.
@inline(__always)
func posteriorExp(_ x: SIMD2<Double>, table: UnsafePointer<UInt64>) -> SIMD2<Double> {
    posteriorExpOfClamped(pointwiseMin(pointwiseMax(x, SIMD2(repeating: -708)), SIMD2(repeating: 709)), table: table)
}

/// e^(−|x|) of two arguments (`posteriorExp(_:table:)` without the upper clamp, needless here).
@inline(__always)
func posteriorExpOfNegativeMagnitude(_ x: SIMD2<Double>, table: UnsafePointer<UInt64>) -> SIMD2<Double> {
    let negative = unsafeBitCast(unsafeBitCast(x, to: SIMD2<UInt64>.self) | SIMD2(repeating: 0x8000_0000_0000_0000),
                                 to: SIMD2<Double>.self)
    return posteriorExpOfClamped(pointwiseMax(negative, SIMD2(repeating: -708)), table: table)
}

/// eˣ for x in [−708, 709] (see `posteriorExp(_:table:)`).
@inline(__always)
func posteriorExpOfClamped(_ clamped: SIMD2<Double>, table: UnsafePointer<UInt64>) -> SIMD2<Double> {
    typealias Vector = SIMD2<Double>
    let shifter = Vector(repeating: 6_755_399_441_055_744.0)        // 1.5 · 2⁵²
    let shifted: Vector = clamped * Vector(repeating: 369.329_930_467_574_6) + shifter
    let k: Vector = shifted - shifter
    let high = Vector(repeating: 0.002_707_606_173_999_011), low = Vector(repeating: 6.327_543_041_662_719e-14)
    let r: Vector = (clamped - k * high) - k * low
    // The low bits of `shifted` hold 256k + j in two's complement.
    let m = unsafeBitCast(shifted, to: SIMD2<UInt64>.self) &- unsafeBitCast(shifter, to: SIMD2<UInt64>.self)
    let j = m & 255
    let entries = SIMD2<UInt64>(table[Int(truncatingIfNeeded: j[0])], table[Int(truncatingIfNeeded: j[1])])
    let scale = unsafeBitCast(entries &+ ((m &- j) &<< 44), to: Vector.self)
    var p: Vector = r * Vector(repeating: 1.0 / 24) + Vector(repeating: 1.0 / 6)
    p = p * r + Vector(repeating: 0.5)
    p = p * r + Vector(repeating: 1)
    p = p * r
    return scale + scale * p
}

/// The regularised lower incomplete gamma function P(a, x) for a > 0, x ≥ 0: the series for
/// x < a + 1, else one minus the continued fraction for Q (Numerical Recipes §6.2).
func posteriorRegularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    let logFront = a * log(x) - x - logGamma(a)
    if x < a + 1 {
        var term = 1 / a
        var sum = term
        var n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(logFront)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1...10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b; if abs(d) < tiny { d = tiny }
        c = b + an / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return 1 - exp(logFront) * h
}
