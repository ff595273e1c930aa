import Foundation

/// A Gaussian kernel density estimate f̂(x) = (1/nh) Σ φ((x − xᵢ)/h) on an even grid, with
/// Silverman's rule-of-thumb bandwidth h = 0.9 · min(s, IQR/1.34) · n^(−1/5) (Silverman 1986,
/// *Density Estimation for Statistics and Data Analysis*, eq. 3.31; R's `bw.nrd0`).
public struct KernelDensity: Sendable {
    public var bandwidth: Double
    /// Grid points from min − 3h to max + 3h, and the density at each.
    public var x: [Double]
    public var density: [Double]

    /// The estimate from finite `values` on `gridCount` points; nil for fewer than two finite values.
    public init?(_ values: [Double], gridCount: Int = 256, bandwidth: Double? = nil) {
        let data = values.filter { $0.isFinite }.sorted()
        guard data.count >= 2 else { return nil }
        let h = bandwidth ?? KernelDensity.silvermanBandwidth(sorted: data)
        self.bandwidth = h
        let low = data.first! - 3 * h, high = data.last! + 3 * h
        x = evenlySpaced(from: low, to: high, count: gridCount)
        let n = Double(data.count)
        let normalizer = 1 / (n * h * (2 * Double.pi).squareRoot())
        density = x.map { point in
            // Only data within 8h contribute noticeably (φ(8) ≈ 5e-15).
            var lowerIndex = KernelDensity.firstIndex(in: data, atLeast: point - 8 * h)
            var sum = 0.0
            while lowerIndex < data.count && data[lowerIndex] <= point + 8 * h {
                let z = (point - data[lowerIndex]) / h
                sum += exp(-0.5 * z * z)
                lowerIndex += 1
            }
            return sum * normalizer
        }
    }

    /// R's `bw.nrd0`: 0.9 · min(sd, IQR/1.34) · n^(−1/5), falling back to sd, then |x₁|, then 1
    /// when the spread is zero.
    public static func silvermanBandwidth(sorted data: [Double]) -> Double {
        let n = Double(data.count)
        let mean = data.reduce(0, +) / n
        let sd = (data.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        func quantile(_ p: Double) -> Double {
            let h = (n - 1) * p
            let k = Int(h.rounded(.down))
            return k + 1 < data.count ? data[k] + (h - Double(k)) * (data[k + 1] - data[k]) : data[k]
        }
        let iqr = quantile(0.75) - quantile(0.25)
        var spread = min(sd, iqr / 1.34)
        if !(spread > 0) { spread = sd > 0 ? sd : (abs(data[0]) > 0 ? abs(data[0]) : 1) }
        return 0.9 * spread * pow(n, -0.2)
    }

    static func firstIndex(in sorted: [Double], atLeast value: Double) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
