import Foundation
import MultilevelMath

/// loo's `loo_model_weights`: weights for averaging K models' predictive distributions from their
/// pointwise elpd_loo (Yao, Vehtari, Simpson & Gelman 2018, *Using stacking to average Bayesian
/// predictive distributions*, Bayesian Analysis 13(3)).
public enum ModelWeights {
    /// Stacking of predictive distributions (Yao et al. 2018, eq. 4): the weights on the simplex
    /// that maximise Σᵢ log Σₖ wₖ exp(elpd_loo,ik).
    ///
    /// The objective is concave in w; it is maximised by the EM fixed point for mixture weights,
    /// wₖ ← wₖ · (1/n) Σᵢ pᵢₖ / Σⱼ wⱼ pᵢⱼ, which increases it at every step and converges to the
    /// maximum (on the boundary when a model adds nothing). loo maximises the same function with
    /// `constrOptim`'s log barrier, whose answer lies within about 10⁻⁴ of the maximiser.
    ///
    /// - Parameter pointwiseElpd: per model, the n values elpd_loo,i.
    public static func stacking(pointwiseElpd lpd: [[Double]], tolerance: Double = 1e-12,
                                maximumIterations: Int = 100_000) -> [Double] {
        let k = lpd.count
        guard k >= 2, let n = lpd.first?.count, n > 0 else { return [Double](repeating: 1 / Double(max(k, 1)), count: k) }
        // pᵢₖ scaled by each row's largest, which the fixed point does not see.
        var p = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            var largest = -Double.infinity
            for m in 0..<k { largest = max(largest, lpd[m][i]) }
            for m in 0..<k { p[i * k + m] = exp(lpd[m][i] - largest) }
        }
        var w = [Double](repeating: 1 / Double(k), count: k)
        var next = w
        for _ in 0..<maximumIterations {
            for m in 0..<k { next[m] = 0 }
            for i in 0..<n {
                var mixture = 0.0
                for m in 0..<k { mixture += w[m] * p[i * k + m] }
                for m in 0..<k { next[m] += p[i * k + m] / mixture }
            }
            var change = 0.0
            for m in 0..<k {
                let updated = w[m] * next[m] / Double(n)
                change = max(change, abs(updated - w[m]))
                w[m] = updated
            }
            let total = w.reduce(0, +)
            for m in 0..<k { w[m] /= total }
            if change < tolerance { break }
        }
        return w
    }

    /// Pseudo-BMA weights ∝ exp(elpd_loo,k) (Yao et al. 2018, eq. 8; loo's `BB = FALSE`).
    public static func pseudoBMA(pointwiseElpd lpd: [[Double]]) -> [Double] {
        softmax(lpd.map { $0.reduce(0, +) })
    }

    /// Pseudo-BMA+ (Yao et al. 2018, eq. 9; loo's default `pseudobma`): the mean over `replicates`
    /// Bayesian-bootstrap draws g ~ Dirichlet(1, …, 1) of the weights ∝ exp(n Σᵢ gᵢ elpd_loo,ik).
    public static func pseudoBMAPlus(pointwiseElpd lpd: [[Double]], replicates: Int = 1000, seed: UInt64 = 1) -> [Double] {
        let k = lpd.count
        guard k >= 1, let n = lpd.first?.count, n > 0, replicates > 0 else { return [] }
        var rng = Xoshiro256PlusPlus(seed: seed)
        var mean = [Double](repeating: 0, count: k)
        var g = [Double](repeating: 0, count: n)
        for _ in 0..<replicates {
            var total = 0.0
            for i in 0..<n {
                g[i] = -log(1 - rng.nextUniform())          // Gamma(1) = Exponential(1)
                total += g[i]
            }
            let z = (0..<k).map { m in
                var sum = 0.0
                for i in 0..<n { sum += g[i] * lpd[m][i] }
                return sum / total * Double(n)
            }
            for (m, weight) in softmax(z).enumerated() { mean[m] += weight / Double(replicates) }
        }
        return mean
    }

    static func softmax(_ z: [Double]) -> [Double] {
        guard let largest = z.max() else { return [] }
        let u = z.map { exp($0 - largest) }
        let total = u.reduce(0, +)
        return u.map { $0 / total }
    }
}
