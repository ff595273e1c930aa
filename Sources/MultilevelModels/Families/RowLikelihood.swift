#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelSampling
import MultilevelAVX2

/// One family's log-likelihood, accumulated row by row on the linear-predictor scale. `add`
/// returns a row's parameter-dependent log-likelihood and ∂/∂η; `finish` adds the terms shared by
/// all rows and writes ∂/∂(auxiliary parameter) on the constrained scale. Data-only constants
/// (log binomial coefficients, log y!, …) are added once by `dataConstant`.
///
/// The row loop is generic over this protocol so each family gets its own specialised loop.
/// `addBlock` adds a block of rows at once (`PosteriorColumns.blockSize` at most) and replaces each
/// η by ∂/∂η; its default calls `add` row by row, families whose rows need only arithmetic
/// override it with a loop the compiler can vectorise.
protocol RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double)
    /// The rows with the number of auxiliary parameters and their gradient's slots, for families
    /// whose auxiliary block has a data-dependent length (cumulative's threshold gaps) and which
    /// accumulate its gradient row by row; the default ignores both.
    init(auxiliary: UnsafePointer<Double>, auxiliaryCount: Int, auxiliaryGradient: UnsafeMutablePointer<Double>,
         rowCount: Int, sumLogResponse: Double)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double)
    /// Σ of the rows' log-likelihoods; `eta[i]` becomes ∂/∂η_i. `work` holds 2 × `count` doubles.
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double
    /// Makes `addBlock` use `kernels` instead of `VectorKernels.selected` (for the tests; families
    /// without an AVX2 pass ignore it).
    mutating func useKernels(_ kernels: VectorKernels)
}

extension RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, auxiliaryCount: Int, auxiliaryGradient: UnsafeMutablePointer<Double>,
         rowCount: Int, sumLogResponse: Double) {
        self.init(auxiliary: auxiliary, rowCount: rowCount, sumLogResponse: sumLogResponse)
    }
    mutating func useKernels(_ kernels: VectorKernels) {}
    /// Row i's log-likelihood by `add`; `eta[i]` becomes ∂/∂η_i.
    @inline(__always)
    mutating func addRow(_ i: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                         eta: UnsafeMutablePointer<Double>) -> Double {
        let term = add(response: response[i], trials: trials[i], eta: eta[i])
        eta[i] = term.etaDerivative
        return term.value
    }

    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        var value = 0.0
        for i in 0..<count { value += addRow(i, response: response, trials: trials, eta: eta) }
        return value
    }
}

let halfLogTwoPi = 0.918_938_533_204_672_7

/// Two consecutive doubles `base[i]`, `base[i + 1]` (any alignment).
@inline(__always)
func loadPair(_ base: UnsafePointer<Double>, _ i: Int) -> SIMD2<Double> {
    UnsafeRawPointer(base + i).loadUnaligned(as: SIMD2<Double>.self)
}

@inline(__always)
func loadPair(_ base: UnsafeMutablePointer<Double>, _ i: Int) -> SIMD2<Double> {
    UnsafeRawPointer(base + i).loadUnaligned(as: SIMD2<Double>.self)
}

@inline(__always)
func storePair(_ value: SIMD2<Double>, _ base: UnsafeMutablePointer<Double>, _ i: Int) {
    UnsafeMutableRawPointer(base + i).storeBytes(of: value, as: SIMD2<Double>.self)
}

/// 1 where x ≥ 0, else 0: with e = e^(−|x|) ≤ 1, max(e, step) is 1 for x ≥ 0 and e below, the
/// numerator of the logistic function e^x / (1 + e^x) = (x ≥ 0 ? 1 : e) / (1 + e).
@inline(__always)
func unitStep(_ x: SIMD2<Double>) -> SIMD2<Double> {
    let mask = unsafeBitCast(x .>= SIMD2<Double>(), to: SIMD2<UInt64>.self)
    return unsafeBitCast(mask & (1.0 as Double).bitPattern, to: SIMD2<Double>.self)
}
