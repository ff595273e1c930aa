#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelAVX2
import MultilevelMath

/// brms' `bernoulli()`: y ∈ {0, 1}, P(y = 1) = logistic(η). Rows with identical predictors and
/// levels are merged into binomial rows; a model of the fused shape (`y ~ x + (1 | g)`, one trial
/// per row) takes `PosteriorColumns.fusedBernoulliPass`.
enum BernoulliFamily: ResponseFamily {
    typealias Rows = BernoulliRows
    static var link: Link { .logit }
    static var links: [Link] { [.logit, .probit, .cloglog, .cauchit] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [] }
    static var mergesRows: Bool { true }

    static func supportViolation(response y: Double, trials: Double) -> String? {
        y != 0 && y != 1 ? "response \(formatPriorNumber(y)) is not 0 or 1" : nil
    }

    static func dataConstant(response: [Double], trials: [Double]) -> Double { 0 }

    /// The logit-link row pass of bernoulli and binomial rows: the fused pass for its shape,
    /// `BernoulliRows` when every row has one trial, `BinomialRows` otherwise (merged rows).
    @inline(__always)
    static func rowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double {
        let columns = runner.columns
        if columns.hasFusedBernoulliShape { return runner.runFusedBernoulliPass() }
        if columns.hasUnitTrials { return runner.run(BernoulliRows.self) }
        return runner.run(BinomialRows.self)
    }

    /// y η − log(1 + e^η).
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double {
        y * eta - log1pexp(eta)
    }

    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        BinomialFamily.pilotInitialLinearPredictor(response: y, trials: trials)
    }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        BinomialFamily.pilotWorkingWeightAndResidual(response: y, trials: trials, eta: eta, dispersion: dispersion)
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (mu, rng.nextUniform() < mu ? 1 : 0)
    }
}

/// Bernoulli with logit link, every row one trial: log p = y η − log(1 + e^η), as
/// `BinomialRows` with n = 1, two rows at a time (`posteriorExp(_:table:)`, one division per two
/// rows). The logarithms are summed as the logarithm of a product: Σ log(1 + eᵢ) = log Π (1 + eᵢ),
/// each factor in (1, 2], two partial products of at most `PosteriorColumns.blockSize / 2` factors
/// (below 2²⁵⁶, so no overflow), one logarithm per block instead of one per row. Rounding 1 + eᵢ
/// costs at most 1.1·10⁻¹⁶ absolute per row, the products about 10⁻¹⁶ relative per factor, both
/// below the rounding of the sum itself.
struct BernoulliRows: RowLikelihood {
    /// `bernoulliBlockAVX2` (four rows at a time) where the processor has AVX2 and FMA.
    var kernels = VectorKernels.selected
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    mutating func useKernels(_ kernels: VectorKernels) { self.kernels = kernels }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let e = posteriorExp(-abs(eta))
        return (y * eta - max(eta, 0) - posteriorFastLog1p(e), y - (eta >= 0 ? 1 : e) / (1 + e))
    }
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        if kernels == .avx2 {
            return bernoulliBlockAVX2(eta: eta, response: response, count: count,
                                      maximumFactors: PosteriorColumns.maximumFactors)
        }
        let table = PosteriorExponentialTable.shared.bits
        var linear = SIMD2<Double>()
        var product = SIMD2<Double>(repeating: 1)
        var i = 0
        while i &+ 2 <= count {
            let pair = BernoulliRows.pair(loadPair(eta, i), loadPair(response, i), table)
            storePair(pair.derivative, eta, i)
            linear += pair.linear
            product *= pair.onePlus
            i &+= 2
        }
        var value = linear.sum()
        var last = 1.0
        if i < count {
            let x = eta[i], y = response[i]
            let e = posteriorExp(-abs(x))
            last = 1 + e
            eta[i] = y - (x >= 0 ? 1 : e) / last
            value += y * x - max(x, 0)
        }
        return value - log(product[0] * product[1] * last)
    }
    /// Two rows: ∂/∂η = y − (η ≥ 0 ? 1 : e)/(1 + e), the linear part y η − max(η, 0) = (y − [η ≥ 0]) η,
    /// and 1 + e, with e = e^(−|η|).
    @inline(__always)
    static func pair(_ x: SIMD2<Double>, _ y: SIMD2<Double>, _ table: UnsafePointer<UInt64>)
        -> (derivative: SIMD2<Double>, linear: SIMD2<Double>, onePlus: SIMD2<Double>) {
        let e = posteriorExpOfNegativeMagnitude(x, table: table)
        let onePlus = 1 + e
        let step = unitStep(x)
        return (y - pointwiseMax(e, step) / onePlus, (y - step) * x, onePlus)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}
