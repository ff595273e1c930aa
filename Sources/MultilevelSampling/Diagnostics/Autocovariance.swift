import Foundation
import MultilevelMath

/// Autocovariances of a single sequence at every lag, γ̂_t = (1/N) Σ_{i<N−t} (x_i − x̄)(x_{i+t} − x̄)
/// — the "biased" estimator Geyer (1992) recommends, as posterior's `autocovariance` — computed
/// with an FFT of the centred sequence zero-padded to a power of two ≥ 2N (so the circular
/// correlation equals the linear one). A constant sequence has all autocovariances 0.
public func autocovariance(_ x: [Double]) -> [Double] {
    let mean = AutocovarianceEstimator(sequences: ChainSequences(values: x, chainCount: 1, length: x.count))
    return mean.fullTransform()
}

/// The autocovariances of m sequences of length N, averaged over the sequences, computed only as
/// far as they are asked for: the first lags by direct sums (Geyer's sequence usually stops after
/// a few lags, and a direct sum of N·m products per lag is cheaper than transforms of 2N points),
/// all lags by FFT when more are needed — two real sequences share one complex transform, and the
/// power spectra are summed so that one inverse transform gives the mean.
struct AutocovarianceEstimator {
    /// Lags computed by direct sums before switching to the FFT.
    static let directLagLimit = 160

    let length: Int
    let chainCount: Int
    /// Centred sequences, chain-major; sequences with zero variance are all zeros.
    private var centred: [Double]
    /// The mean of each sequence.
    let chainMeans: [Double]
    /// Mean autocovariance by lag, for lags computed so far.
    private(set) var computed: [Double] = []
    private var usedFFT = false

    /// Takes the sequences' storage when the caller passes it on (a temporary): centring then
    /// happens in place instead of in a copy.
    init(sequences: consuming ChainSequences) {
        length = sequences.length
        chainCount = sequences.chainCount
        var c = sequences.values
        sequences.values = []
        let n = sequences.length, m = sequences.chainCount
        var means = [Double](repeating: 0, count: m)
        c.withUnsafeMutableBufferPointer { buffer in
            for chain in 0..<m {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(chain * n)..<((chain + 1) * n)])
                var sum = 0.0
                for v in slice { sum += v }
                let mean = sum / Double(n)
                means[chain] = mean
                var constant = true
                let first = slice.first ?? 0
                for i in 0..<n {
                    if slice[i] != first { constant = false }
                    slice[i] -= mean
                }
                if constant { for i in 0..<n { slice[i] = 0 } }
            }
        }
        centred = c
        chainMeans = means
    }

    /// The centred sequences' storage, for reuse (the estimator is then empty).
    mutating func takeStorage() -> [Double] {
        defer { centred = [] }
        return centred
    }

    /// Mean autocovariance at lag `t` (0 ≤ t < N).
    mutating func callAsFunction(_ t: Int) -> Double {
        if t >= computed.count { extend(to: t) }
        return computed[t]
    }

    private mutating func extend(to t: Int) {
        if usedFFT { return }
        // Slowly decaying autocorrelation (ρ₈ > 0.6, as an AR(1) with φ > 0.94) will need more
        // lags than direct sums pay for: go to the FFT at once.
        let slow = computed.count > 8 && computed[0] > 0 && computed[8] > 0.6 * computed[0]
        if t >= Self.directLagLimit || slow {
            computed = fullTransform()
            usedFFT = true
            return
        }
        // Lags in batches of 8 (a multiple of the kernel's 4): Geyer's sequence asks for them
        // in pairs, and a batch costs one pass over each chain per 4 lags.
        let first = computed.count
        let last = min(length - 1, max(t, min(first + 7, Self.directLagLimit - 1)))
        let n = length
        let scale = 1 / (Double(n) * Double(chainCount))
        var totals = [Double](repeating: 0, count: last - first + 1)
        // Chain by chain, so each chain stays in cache while its lags are summed.
        centred.withUnsafeBufferPointer { y in
            for chain in 0..<chainCount {
                let base = y.baseAddress! + chain * n
                var lag = first
                while lag <= last {
                    let width = min(4, last - lag + 1)
                    let sums = laggedProducts(base, length: n, firstLag: lag, width: width)
                    for k in 0..<width { totals[lag - first + k] += sums[k] }
                    lag += width
                }
            }
        }
        computed.append(contentsOf: totals.map { $0 * scale })
    }

    /// All N lags of the mean autocovariance by FFT.
    func fullTransform() -> [Double] {
        let n = length
        guard n > 0 else { return [] }
        let size = FastFourierTransform.powerOfTwoLength(atLeast: 2 * n)
        let plan = FFTPlanCache.shared.plan(length: size)
        var spectrum = [Double](repeating: 0, count: size)
        var re = [Double](repeating: 0, count: size)
        var im = [Double](repeating: 0, count: size)
        centred.withUnsafeBufferPointer { y in
            var chain = 0
            while chain < chainCount {
                for i in 0..<size { re[i] = 0; im[i] = 0 }
                for i in 0..<n { re[i] = y[chain * n + i] }
                let paired = chain + 1 < chainCount
                if paired { for i in 0..<n { im[i] = y[(chain + 1) * n + i] } }
                plan.transform(real: &re, imaginary: &im)
                // Z = A + iB with A, B the transforms of the two real sequences:
                // A_k = (Z_k + conj Z_{−k}) / 2, B_k = (Z_k − conj Z_{−k}) / 2i, and
                // |A_k|² + |B_k|² = (|Z_k|² + |Z_{−k}|²) / 2.
                for k in 0..<size {
                    let j = (size - k) & (size - 1)
                    spectrum[k] += 0.5 * (re[k] * re[k] + im[k] * im[k] + re[j] * re[j] + im[j] * im[j])
                }
                chain += paired ? 2 : 1
            }
        }
        im = [Double](repeating: 0, count: size)
        plan.transform(real: &spectrum, imaginary: &im, inverse: true)
        let scale = 1 / (Double(size) * Double(n) * Double(chainCount))
        return (0..<n).map { spectrum[$0] * scale }
    }
}

/// FFT plans by length, built once and shared between threads.
final class FFTPlanCache: @unchecked Sendable {
    static let shared = FFTPlanCache()
    private var plans: [Int: FastFourierTransform] = [:]
    private let lock = NSLock()

    func plan(length: Int) -> FastFourierTransform {
        lock.withLock {
            if let plan = plans[length] { return plan }
            let plan = FastFourierTransform(length: length)
            plans[length] = plan
            return plan
        }
    }
}

/// Σ_{i<N−t} x_i x_{i+t} for the `width` (≤ 4) lags t = firstLag, firstLag + 1, …: one pass
/// over x loads each x_i once for all the lags (four accumulators of four lanes), then each
/// lag's few remaining terms.
@inline(__always)
private func laggedProducts(_ x: UnsafePointer<Double>, length n: Int, firstLag: Int, width: Int) -> SIMD4<Double> {
    let raw = UnsafeRawPointer(x)
    var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
    // Terms every lag of the group has: i + firstLag + 3 < N.
    let common = max(0, n - firstLag - 3)
    var i = 0
    let lagBytes = firstLag * 8
    while i + 4 <= common {
        let v = raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        let offset = lagBytes + i * 8
        a0 += v * raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
        a1 += v * raw.loadUnaligned(fromByteOffset: offset + 8, as: SIMD4<Double>.self)
        a2 += v * raw.loadUnaligned(fromByteOffset: offset + 16, as: SIMD4<Double>.self)
        a3 += v * raw.loadUnaligned(fromByteOffset: offset + 24, as: SIMD4<Double>.self)
        i += 4
    }
    var sums = SIMD4<Double>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    for k in 0..<width {
        let lag = firstLag + k
        var s = 0.0
        var j = i
        while j < n - lag {
            s += x[j] * x[j + lag]
            j += 1
        }
        sums[k] += s
    }
    return sums
}
