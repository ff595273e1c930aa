#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A complex discrete Fourier transform of a fixed power-of-two length n (iterative radix-2
/// Cooley–Tukey, decimation in time, with a precomputed bit-reversal permutation and twiddle
/// table). Data are held as separate real and imaginary arrays.
///
/// Forward: X_k = Σ_j x_j e^{−2πi jk/n}. Inverse: x_j = Σ_k X_k e^{+2πi jk/n} — unnormalised, as
/// R's `fft(inverse = TRUE)`; divide by n to invert the forward transform.
///
/// A plan is immutable and may be shared between threads; each call works in place on the
/// caller's buffers.
public struct FastFourierTransform: Sendable {
    /// Transform length, a power of two ≥ 1.
    public let length: Int
    /// log₂ of the length.
    public let logLength: Int
    /// cos(2πk/n) and sin(2πk/n) for k < n/2.
    @usableFromInline let cosines: [Double]
    @usableFromInline let sines: [Double]
    /// Bit-reversed index of each position.
    @usableFromInline let bitReversal: [Int]

    /// The smallest power of two ≥ `minimumLength` (and ≥ 1).
    public static func powerOfTwoLength(atLeast minimumLength: Int) -> Int {
        var n = 1
        while n < minimumLength { n <<= 1 }
        return n
    }

    /// A plan for transforms of `length`, which must be a power of two.
    public init(length: Int) {
        precondition(length >= 1 && length & (length - 1) == 0, "FFT length must be a power of two")
        self.length = length
        var bits = 0
        while (1 << bits) < length { bits += 1 }
        logLength = bits
        let half = length / 2
        var c = [Double](repeating: 1, count: max(half, 1))
        var s = [Double](repeating: 0, count: max(half, 1))
        for k in 0..<half {
            let angle = 2 * Double.pi * Double(k) / Double(length)
            c[k] = cos(angle)
            s[k] = sin(angle)
        }
        cosines = c
        sines = s
        var reversal = [Int](repeating: 0, count: length)
        for i in 0..<length {
            var r = 0
            var v = i
            for _ in 0..<bits {
                r = (r << 1) | (v & 1)
                v >>= 1
            }
            reversal[i] = r
        }
        bitReversal = reversal
    }

    /// Transforms (`real`, `imaginary`), each of `length` values, in place. `inverse` uses the
    /// positive exponent and does not scale.
    public func transform(real: UnsafeMutableBufferPointer<Double>,
                          imaginary: UnsafeMutableBufferPointer<Double>, inverse: Bool = false) {
        let n = length
        precondition(real.count >= n && imaginary.count >= n, "FFT buffers shorter than the plan")
        guard n > 1 else { return }
        bitReversal.withUnsafeBufferPointer { reversal in
            for i in 0..<n {
                let j = reversal[i]
                if j > i {
                    real.swapAt(i, j)
                    imaginary.swapAt(i, j)
                }
            }
        }
        let sign: Double = inverse ? 1 : -1
        cosines.withUnsafeBufferPointer { cosTable in
            sines.withUnsafeBufferPointer { sinTable in
                var size = 2
                while size <= n {
                    let halfSize = size / 2
                    let stride = n / size
                    var start = 0
                    while start < n {
                        var k = 0
                        for j in 0..<halfSize {
                            let wr = cosTable[k]
                            let wi = sign * sinTable[k]
                            let a = start + j
                            let b = a + halfSize
                            let br = real[b], bi = imaginary[b]
                            let tr = wr * br - wi * bi
                            let ti = wr * bi + wi * br
                            let ar = real[a], ai = imaginary[a]
                            real[b] = ar - tr
                            imaginary[b] = ai - ti
                            real[a] = ar + tr
                            imaginary[a] = ai + ti
                            k += stride
                        }
                        start += size
                    }
                    size <<= 1
                }
            }
        }
    }

    /// Convenience on arrays: the transform of (`real`, `imaginary`) in place.
    public func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool = false) {
        real.withUnsafeMutableBufferPointer { r in
            imaginary.withUnsafeMutableBufferPointer { i in
                transform(real: r, imaginary: i, inverse: inverse)
            }
        }
    }
}
