#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// The fused Bernoulli row pass of `PosteriorColumns.fusedBernoulliPass` (model `y ~ x + (1 | g)`,
/// rows ordered by level and cut into chunks of one level each) four rows at a time in 256-bit
/// AVX2 registers, with fused multiply–adds:
///
///     η_i = (b₀ + r_g) + b₁ x_i,   e_i = e^(−|η_i|),
///     ℓ_i = (y_i − [η_i ≥ 0]) η_i − log(1 + e_i),   d_i = y_i − max(e_i, [η_i ≥ 0]) / (1 + e_i),
///     ∂/∂r_g += Σ_chunk d_i,   ∂/∂b₀ += Σ d_i,   ∂/∂b₁ += Σ d_i x_i.
///
/// e^(−|η|) comes from `exponentialOfNegativeMagnitude` (a degree-13 polynomial in fused
/// multiply–adds, no table), so the results agree with the portable pass (table exponential, η
/// rounded twice) to a few units in the last place of e and of η, not bit for bit. Σ log(1 + e_i)
/// is the logarithm of four running products of factors in (1, 2], taken before any would hold
/// more than `maximumFactors` factors.
///
/// Speed (gradient-bernoulli-100k-continuous, a whole gradient including the prior; fastest of
/// five alternating runs on the shared machine): 289 µs against 480 µs with the portable pass.
/// A first version with the portable pass's table (2^(j/256)) took each lane out of the vector to
/// index the table and the compiler left half the polynomial scalar (~110 instructions per four
/// rows); with Horner's scheme the loop was bound by the exponential's 13 dependent fused
/// multiply–adds (~26 cycles per four rows); Estrin's scheme cut that chain to four.
///
/// This module is compiled for AVX2 and FMA (Package.swift) and holds nothing else: no type, no
/// global, no call of a generic function that is not inlined (`pointwiseMax` on `SIMD4<Double>`
/// was not, and its specialisation became a weak symbol the linker could have shared with code
/// run on any processor; `lanewiseMax` replaces it). `scripts/check-avx2-module.sh` (run by CI)
/// fails when the module's objects define a symbol not named in the module. The caller must
/// check the processor first (`VectorKernels`). `exponentialsAVX2` exposes the
/// exponential to the tests.
///
/// `rowCount` is the length of the `predictor` and `response` arrays (rows past a chunk's end are
/// read, and masked out, where they exist).
///
/// Returns Σ (y_i − [η_i ≥ 0]) η_i, Σ log(1 + e_i), Σ d_i and Σ d_i x_i over all rows, and adds
/// each chunk's Σ d_i to `thetaGradient[level]`.
@inline(never)
public func fusedBernoulliPassAVX2(
    predictor x: UnsafePointer<Double>, response y: UnsafePointer<Double>,
    chunkEnd: UnsafePointer<Int32>, chunkLevel: UnsafePointer<Int32>, chunkCount: Int,
    intercept: Double, slope: Double, theta: UnsafePointer<Double>,
    thetaGradient: UnsafeMutablePointer<Double>,
    rowCount: Int, maximumFactors: Int
) -> (linear: Double, logOnePlus: Double, interceptDerivative: Double, slopeDerivative: Double) {
    typealias Vector = SIMD4<Double>
    let slopes = Vector(repeating: slope)
    let laneIndex = SIMD4<Int64>(0, 1, 2, 3)
    var linear = Vector(), slopeSum = Vector(), interceptSum = 0.0
    var product = Vector(repeating: 1)
    var factors = 0
    var logSum = 0.0
    var low = 0
    for k in 0..<chunkCount {
        let high = Int(chunkEnd[k]), level = Int(chunkLevel[k])
        let quads = (high &- low &+ 3) >> 2
        if factors &+ quads > maximumFactors {
            logSum += logOfProduct(product)
            product = Vector(repeating: 1)
            factors = 0
        }
        factors &+= quads
        let offset = Vector(repeating: intercept + theta[level])
        var sum = Vector()
        var i = low
        while i &+ 4 <= high {
            let xi = UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self)
            let yi = UnsafeRawPointer(y + i).loadUnaligned(as: Vector.self)
            let row = bernoulliTerms(fusedMultiplyAdd(slopes, xi, offset), yi)
            sum += row.derivative
            slopeSum += row.derivative * xi
            linear += row.linear
            product *= row.onePlus
            i &+= 4
        }
        let remaining = high &- i
        if remaining > 0 {
            // The chunk's last one to three rows in the low lanes, the other lanes masked out:
            // loaded whole where four rows remain in the arrays (the next chunk's rows fill the
            // masked lanes), lane by lane at the arrays' end.
            var xi = Vector(), yi = Vector()
            if i &+ 4 <= rowCount {
                xi = UnsafeRawPointer(x + i).loadUnaligned(as: Vector.self)
                yi = UnsafeRawPointer(y + i).loadUnaligned(as: Vector.self)
            } else {
                for lane in 0..<remaining {
                    xi[lane] = x[i &+ lane]
                    yi[lane] = y[i &+ lane]
                }
            }
            let keep = unsafeBitCast(laneIndex .< SIMD4<Int64>(repeating: Int64(remaining)), to: SIMD4<UInt64>.self)
            let row = bernoulliTerms(fusedMultiplyAdd(slopes, xi, offset), yi)
            let derivative = masked(row.derivative, keep)
            sum += derivative
            slopeSum += derivative * xi
            linear += masked(row.linear, keep)
            // 1 + e where kept, 1 elsewhere (1 + e − 1 is exact, 1 + e being in (1, 2]).
            product *= masked(row.onePlus - 1, keep) + 1
        }
        let chunkSum = sum.sum()
        thetaGradient[level] += chunkSum
        interceptSum += chunkSum
        low = high
    }
    return (linear.sum(), logSum + logOfProduct(product), interceptSum, slopeSum.sum())
}

/// The terms of four rows: ∂ℓ/∂η = y − max(e, step) / (1 + e), the linear part (y − step) η and
/// 1 + e, with e = e^(−|η|) and step = [η ≥ 0].
@inline(__always)
func bernoulliTerms(_ eta: SIMD4<Double>, _ y: SIMD4<Double>)
    -> (derivative: SIMD4<Double>, linear: SIMD4<Double>, onePlus: SIMD4<Double>) {
    typealias Vector = SIMD4<Double>
    let e = exponentialOfNegativeMagnitude(eta)
    let onePlus = Vector(repeating: 1) + e
    let mask = unsafeBitCast(eta .>= Vector(), to: SIMD4<UInt64>.self)
    let step = unsafeBitCast(mask & (1.0 as Double).bitPattern, to: Vector.self)
    return (y - lanewiseMax(e, step) / onePlus, (y - step) * eta, onePlus)
}
