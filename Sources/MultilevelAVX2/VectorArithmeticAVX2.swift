#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// Vector arithmetic shared by the AVX2 row passes: four doubles per 256-bit register. Every helper
// is inlined into the passes (nothing here may become a symbol other modules could share — see
// `fusedBernoulliPassAVX2`); the lane-by-lane forms compile to single AVX2 / FMA instructions.

/// e^(−|x_i|) (or, with `negativeMagnitude` false, e^(x_i) with x clamped to [−708, 709]) for
/// i < `count` (a multiple of 4) into `result`, by the row passes' exponentials — for the tests.
@inline(never)
public func exponentialsAVX2(_ x: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>,
                             count: Int, negativeMagnitude: Bool) {
    var i = 0
    while i &+ 4 <= count {
        let argument = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD4<Double>.self)
        let value = negativeMagnitude ? exponentialOfNegativeMagnitude(argument) : exponential(clamped: clamp(argument))
        UnsafeMutableRawPointer(result + i).storeBytes(of: value, as: SIMD4<Double>.self)
        i &+= 4
    }
}

/// x clamped to [−708, 709], the range of `exponential(clamped:)`.
@inline(__always)
func clamp(_ x: SIMD4<Double>) -> SIMD4<Double> {
    lanewiseMin(lanewiseMax(x, SIMD4(repeating: -708)), SIMD4(repeating: 709))
}

/// min(a, b) lane by lane (one `vminpd`, as `lanewiseMax`).
@inline(__always)
func lanewiseMin(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
    SIMD4(Swift.min(a[0], b[0]), Swift.min(a[1], b[1]), Swift.min(a[2], b[2]), Swift.min(a[3], b[3]))
}

/// max(a, b) lane by lane, written per lane so that it compiles to one `vmaxpd` (the standard
/// library's generic `pointwiseMax` was not inlined here).
@inline(__always)
func lanewiseMax(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
    SIMD4(Swift.max(a[0], b[0]), Swift.max(a[1], b[1]), Swift.max(a[2], b[2]), Swift.max(a[3], b[3]))
}

/// a · b + c rounded once, lane by lane (one `vfmadd`; `SIMD4.addingProduct` left some lanes
/// scalar inside this loop).
@inline(__always)
func fusedMultiplyAdd(_ a: SIMD4<Double>, _ b: SIMD4<Double>, _ c: SIMD4<Double>) -> SIMD4<Double> {
    SIMD4(c[0].addingProduct(a[0], b[0]), c[1].addingProduct(a[1], b[1]),
          c[2].addingProduct(a[2], b[2]), c[3].addingProduct(a[3], b[3]))
}

/// `value` where `keep` is all ones, +0 where it is zero.
@inline(__always)
func masked(_ value: SIMD4<Double>, _ keep: SIMD4<UInt64>) -> SIMD4<Double> {
    unsafeBitCast(unsafeBitCast(value, to: SIMD4<UInt64>.self) & keep, to: SIMD4<Double>.self)
}

/// log(p₀ p₁) + log(p₂ p₃): each running product is at most 2^`maximumFactors`, so a product of
/// two stays finite where one of four might not.
@inline(__always)
func logOfProduct(_ product: SIMD4<Double>) -> Double {
    log(product[0] * product[1]) + log(product[2] * product[3])
}

/// e^(−|x|) for four arguments: `exponential` of −|x| clamped below at −708.
@inline(__always)
func exponentialOfNegativeMagnitude(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let signBit = SIMD4<UInt64>(repeating: 0x8000_0000_0000_0000)
    let negative = unsafeBitCast(unsafeBitCast(x, to: SIMD4<UInt64>.self) | signBit, to: SIMD4<Double>.self)
    return exponential(clamped: lanewiseMax(negative, SIMD4(repeating: -708)))
}

/// eˣ for four arguments in [−708, 709], without a table: x = k log 2 + r with k = round(x / log 2)
/// (the fused multiply–add rounds once) and |r| ≤ ½ log 2 (log 2 split in a high part with
/// trailing zero bits and a low part), eʳ by its Taylor polynomial of degree 13 (truncation error
/// below r¹⁴/14! < 10⁻¹⁷, as the portable `posteriorExp`) in Estrin's scheme, 2ᵏ built from its
/// bits. A table lookup would take each lane out of the vector register and back; the polynomial
/// stays in it.
@inline(__always)
func exponential(clamped x: SIMD4<Double>) -> SIMD4<Double> {
    typealias Vector = SIMD4<Double>
    let shifter = Vector(repeating: 6_755_399_441_055_744.0)        // 1.5 · 2⁵²
    let shifted = fusedMultiplyAdd(x, Vector(repeating: 1.442_695_040_888_963_4), shifter)
    let k = shifted - shifter
    let r = fusedMultiplyAdd(k, Vector(repeating: -1.908_214_929_270_587_7e-10),
                             fusedMultiplyAdd(k, Vector(repeating: -0.693_147_180_369_123_8), x))
    // Σ_{i ≤ 13} rⁱ/i! in Estrin's scheme: pairs c_i + c_{i+1} r, combined with r², r⁴, r⁸ — four
    // dependent fused multiply–adds after r instead of Horner's thirteen, so that more rows are
    // in flight at once (the row loops are bound by this latency, not by the arithmetic).
    let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
    let c = (Vector(repeating: 1), Vector(repeating: 1.0 / 2), Vector(repeating: 1.0 / 6),
             Vector(repeating: 1.0 / 24), Vector(repeating: 1.0 / 120), Vector(repeating: 1.0 / 720),
             Vector(repeating: 1.0 / 5_040), Vector(repeating: 1.0 / 40_320), Vector(repeating: 1.0 / 362_880),
             Vector(repeating: 1.0 / 3_628_800), Vector(repeating: 1.0 / 39_916_800),
             Vector(repeating: 1.0 / 479_001_600), Vector(repeating: 1.0 / 6_227_020_800))
    let s0 = fusedMultiplyAdd(fusedMultiplyAdd(r, c.2, c.1), r2, fusedMultiplyAdd(r, c.0, c.0))
    let s1 = fusedMultiplyAdd(fusedMultiplyAdd(r, c.6, c.5), r2, fusedMultiplyAdd(r, c.4, c.3))
    let s2 = fusedMultiplyAdd(fusedMultiplyAdd(r, c.10, c.9), r2, fusedMultiplyAdd(r, c.8, c.7))
    let s3 = fusedMultiplyAdd(r, c.12, c.11)
    let p = fusedMultiplyAdd(fusedMultiplyAdd(s3, r4, s2), r8, fusedMultiplyAdd(s1, r4, s0))
    // The low bits of `shifted` hold k in two's complement; k + 1023 is 2ᵏ's biased exponent.
    let exponent = unsafeBitCast(shifted, to: SIMD4<UInt64>.self) &- unsafeBitCast(shifter, to: SIMD4<UInt64>.self)
    let scale = unsafeBitCast((exponent &+ 1023) &<< 52, to: Vector.self)
    return p * scale
}
