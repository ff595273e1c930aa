#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelAVX2
import MultilevelMath

/// The row pass of a Bernoulli (logit) model of the shape `y ~ x + (1 | g)` — an intercept, one
/// more population-level column and one group-level term with a column of ones — in one pass
/// over the rows instead of `GLMMPosterior`'s three passes per block (η, family, gradient sums):
///
///     per chunk (rows of one level g):  η_i = (b₀ + r_g) + b₁ x_i
///                                        ℓ_i = y_i η_i − log(1 + e^η_i),  d_i = y_i − logistic(η_i)
///                                        ∂/∂r_g += Σ d_i,  ∂/∂b₀ += Σ d_i,  ∂/∂b₁ += Σ d_i x_i
///
/// η and ∂ℓ/∂η live in registers only (no block buffer is written or read back) and the rows are
/// taken two at a time with `BernoulliRows.pair` (one table exponential per two rows); a chunk of
/// odd length ends with a pair whose second lane is masked out. As in `BernoulliRows.addBlock`,
/// Σ log(1 + e_i) is the logarithm of two running products of factors in (1, 2], taken before
/// either would exceed `maximumFactors` factors (2²⁵⁶ each, so their product stays finite).
/// Callgrind on `gradient-bernoulli-100k-continuous` (ModelBenchmarks): 32.7 instructions per row
/// against 38.3 for the three block passes (a whole gradient 3.89 against 4.45 million).
///
/// That is the portable pass. Where the processor has AVX2 and FMA (`VectorKernels.selected`)
/// the same pass runs four rows at a time (`fusedBernoulliPassAVX2`, module MultilevelAVX2): a
/// whole gradient 289 against 480 µs, and `nuts-bernoulli-100k-continuous` 86 against 127 CPU
/// seconds.
extension PosteriorColumns {
    /// Factors per partial product before its logarithm is taken.
    static let maximumFactors = 256

    /// Whether the rows have the shape of `fusedBernoulliPass`: unit trials, an intercept and one
    /// more F column, and a single group-level term whose one column is ones.
    var hasFusedBernoulliShape: Bool {
        hasUnitTrials && hasIntercept && offset == nil && fixedColumnCount == 2 && termColumnCount == 1
            && sortedColumns == 0..<1 && columnIsOnes[0]
    }

    /// Σ_i ℓ_i, adding the gradient to `thetaGradient` (θ = (b₀, b₁, r…)); needs
    /// `hasFusedBernoulliShape`. `kernels` chooses the implementation (`VectorKernels.selected`:
    /// AVX2 where the processor has it).
    func fusedBernoulliPass(theta: UnsafePointer<Double>, thetaGradient: UnsafeMutablePointer<Double>,
                            kernels: VectorKernels = VectorKernels.selected) -> Double {
        if kernels == .avx2 {
            let sums = fusedBernoulliPassAVX2(
                predictor: fixed + rowCount, response: response, chunkEnd: chunkEnd, chunkLevel: chunkTheta,
                chunkCount: blockFirstChunk[blockCount], intercept: theta[0], slope: theta[1], theta: theta,
                thetaGradient: thetaGradient,
                rowCount: rowCount, maximumFactors: PosteriorColumns.maximumFactors)
            thetaGradient[0] += sums.interceptDerivative
            thetaGradient[1] += sums.slopeDerivative
            return sums.linear - sums.logOnePlus
        }
        let table = PosteriorExponentialTable.shared.bits
        let x = fixed + rowCount, y = response
        let intercept = theta[0], slope = SIMD2<Double>(repeating: theta[1])
        let chunkCount = blockFirstChunk[blockCount]
        var linear = SIMD2<Double>(), slopeSum = SIMD2<Double>(), interceptSum = 0.0
        var product = SIMD2<Double>(repeating: 1)
        var factors = 0
        var logSum = 0.0
        var low = 0
        for k in 0..<chunkCount {
            let high = Int(chunkEnd[k]), level = Int(chunkTheta[k])
            let pairs = (high &- low &+ 1) >> 1
            if factors &+ pairs > PosteriorColumns.maximumFactors {
                logSum += log(product[0] * product[1])
                product = SIMD2(repeating: 1)
                factors = 0
            }
            factors &+= pairs
            let offset = SIMD2<Double>(repeating: intercept + theta[level])
            var sum = SIMD2<Double>()
            var i = low
            while i &+ 2 <= high {
                let xi = loadPair(x, i)
                let pair = BernoulliRows.pair(offset + slope * xi, loadPair(y, i), table)
                sum += pair.derivative
                slopeSum += pair.derivative * xi
                linear += pair.linear
                product *= pair.onePlus
                i &+= 2
            }
            if i < high {
                // The last row in lane 0; lane 1 (a copy) contributes nothing.
                let xi = SIMD2<Double>(x[i], 0), keep = SIMD2<Double>(1, 0)
                let pair = BernoulliRows.pair(offset + slope * xi, SIMD2(y[i], 0), table)
                let derivative = pair.derivative * keep
                sum += derivative
                slopeSum += derivative * xi
                linear += pair.linear * keep
                product *= SIMD2(pair.onePlus[0], 1)
            }
            let chunkSum = sum.sum()
            thetaGradient[level] += chunkSum
            interceptSum += chunkSum
            low = high
        }
        thetaGradient[0] += interceptSum
        thetaGradient[1] += slopeSum.sum()
        return linear.sum() - (logSum + log(product[0] * product[1]))
    }
}
