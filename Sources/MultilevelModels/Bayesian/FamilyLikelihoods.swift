#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelAVX2
import MultilevelMath

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

/// Normal(η, σ): log p = −log σ − ½ log 2π − (y − η)²/(2σ²).
struct GaussianRows: RowLikelihood {
    let sigma: Double, inverseVariance: Double, rowCount: Int
    var sumSquares = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; inverseVariance = 1 / (sigma * sigma); self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let r = y - eta
        sumSquares += r * r
        return (-0.5 * r * r * inverseVariance, r * inverseVariance)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        auxiliaryGradient[0] = -Double(rowCount) / sigma + sumSquares * inverseVariance / sigma
        return -Double(rowCount) * log(sigma)
    }
}

/// Student-t(ν, η, σ): log p = log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπ) − log σ
/// − (ν+1)/2 · log(1 + z²/ν), z = (y − η)/σ.
struct StudentRows: RowLikelihood {
    let sigma: Double, nu: Double, rowCount: Int
    var sumLogTerm = 0.0, sumRatio = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        sigma = auxiliary[0]; nu = auxiliary[1]; self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let r = y - eta
        let z2 = r * r / (sigma * sigma)
        let logTerm = log1p(z2 / nu)
        sumLogTerm += logTerm
        sumRatio += z2 / (nu + z2)
        return (-(nu + 1) / 2 * logTerm, (nu + 1) * r / (nu * sigma * sigma + r * r))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = -n / sigma + (nu + 1) / sigma * sumRatio
        auxiliaryGradient[1] = n * (0.5 * posteriorDigamma((nu + 1) / 2) - 0.5 * posteriorDigamma(nu / 2)
            - 0.5 / nu) - 0.5 * sumLogTerm + (nu + 1) / (2 * nu) * sumRatio
        return n * (posteriorLogGamma((nu + 1) / 2) - posteriorLogGamma(nu / 2)
            - 0.5 * log(nu * Double.pi) - log(sigma))
    }
}

/// Binomial with logit link: log p = y η − n log(1 + e^η) + log C(n, y). Also serves bernoulli
/// rows that were merged (n = the number of merged rows).
///
/// With e = e^(−|η|) ∈ (0, 1], one exponential serves both terms: log(1 + e^η) = max(η, 0)
/// + log(1 + e), and the logistic function is 1/(1 + e) for η ≥ 0, e/(1 + e) below.
struct BinomialRows: RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let e = posteriorExp(-abs(eta))
        let logOnePlus = max(eta, 0) + posteriorFastLog1p(e)
        let probability = (eta >= 0 ? 1 : e) / (1 + e)
        return (y * eta - trials * logOnePlus, y - trials * probability)
    }
    /// The arithmetic two rows at a time (e in `work`), then log(1 + e) row by row.
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        let table = PosteriorExponentialTable.shared.bits
        var linear = SIMD2<Double>()
        var i = 0
        while i &+ 2 <= count {
            let x = loadPair(eta, i), n = loadPair(trials, i), y = loadPair(response, i)
            let e = posteriorExpOfNegativeMagnitude(x, table: table)
            let step = unitStep(x)
            storePair(y - n * (pointwiseMax(e, step) / (1 + e)), eta, i)
            linear += (y - n * step) * x
            storePair(e, work, i)
            i &+= 2
        }
        var value = linear.sum()
        if i < count { value += addRow(i, response: response, trials: trials, eta: eta) }
        for i in 0..<(count & ~1) { value -= trials[i] * posteriorFastLog1p(work[i]) }
        return value
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
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

/// Poisson with log link: log p = y η − e^η − log y! (`trials` counts merged rows: Σy η − m e^η),
/// two rows at a time with `posteriorExp(_:table:)` (η clamped to [−708, 709] inside the
/// exponential).
struct PoissonRows: RowLikelihood {
    /// `poissonBlockAVX2` (four rows at a time) where the processor has AVX2 and FMA.
    var kernels = VectorKernels.selected
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    mutating func useKernels(_ kernels: VectorKernels) { self.kernels = kernels }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let mu = exp(eta)
        return (y * eta - trials * mu, y - trials * mu)
    }
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        if kernels == .avx2 { return poissonBlockAVX2(eta: eta, response: response, trials: trials, count: count) }
        let table = PosteriorExponentialTable.shared.bits
        var sum = SIMD2<Double>()
        var i = 0
        while i &+ 2 <= count {
            let x = loadPair(eta, i), n = loadPair(trials, i), y = loadPair(response, i)
            let mean = n * posteriorExp(x, table: table)
            sum += y * x - mean
            storePair(y - mean, eta, i)
            i &+= 2
        }
        var value = sum.sum()
        if i < count { value += addRow(i, response: response, trials: trials, eta: eta) }
        return value
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}

/// Negative binomial (Stan's `neg_binomial_2_log`) with mean μ = e^η and shape φ:
/// log p = log Γ(y + φ) − log Γ(φ) − log y! + φ log φ + y η − (y + φ) log(μ + φ).
struct NegativeBinomialRows: RowLikelihood {
    let shape: Double, logShape: Double, rowCount: Int
    var shapeDerivative = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        shape = auxiliary[0]; logShape = log(shape); self.rowCount = rowCount
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        // log(μ + φ) = log φ + log(1 + e^(η − log φ)), stable for large η.
        let logSum = logShape + posteriorLog1pExp(eta - logShape)
        let meanShare = posteriorLogistic(eta - logShape)            // μ / (μ + φ)
        let value = posteriorLogGamma(y + shape) + y * eta - (y + shape) * logSum
        shapeDerivative += posteriorDigamma(y + shape) - logSum - (y + shape) / (shape + exp(eta))
        return (value, y - (y + shape) * meanShare)
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = shapeDerivative + n * (logShape + 1 - posteriorDigamma(shape))
        return n * (shape * logShape - posteriorLogGamma(shape))
    }
}

/// Gamma with log link, mean μ = e^η and shape α (rate α/μ):
/// log p = α log α − α η − log Γ(α) + (α − 1) log y − α y e^(−η).
struct GammaRows: RowLikelihood {
    let shape: Double, rowCount: Int, sumLogResponse: Double
    var sumScaled = 0.0
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {
        shape = auxiliary[0]; self.rowCount = rowCount; self.sumLogResponse = sumLogResponse
    }
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let ratio = y * exp(-eta)
        sumScaled += eta + ratio
        return (-shape * (eta + ratio), shape * (ratio - 1))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double {
        let n = Double(rowCount)
        auxiliaryGradient[0] = n * (log(shape) + 1 - posteriorDigamma(shape)) + sumLogResponse - sumScaled
        return n * (shape * log(shape) - posteriorLogGamma(shape)) + (shape - 1) * sumLogResponse
    }
}

extension Family {
    /// The part of the log-likelihood that depends on the data only (added once).
    func dataConstant(response: [Double], trials: [Double]) -> Double {
        let n = Double(response.count)
        switch self {
        case .gaussian:
            return -n * halfLogTwoPi
        case .lognormal:
            // `response` is log y here: −Σ log y is the Jacobian of y ↦ log y.
            return -n * halfLogTwoPi - response.reduce(0, +)
        case .binomial:
            var sum = 0.0
            for (y, t) in zip(response, trials) {
                sum += posteriorLogGamma(t + 1) - posteriorLogGamma(y + 1) - posteriorLogGamma(t - y + 1)
            }
            return sum
        case .poisson, .negativeBinomial:
            return response.reduce(0) { $0 - posteriorLogGamma($1 + 1) }
        case .student, .bernoulli, .gamma:
            return 0
        }
    }

    /// Checks the response against the family's support; the error names the first offending
    /// row by its line in the data file (`data.csv line 12: …` when the file's name is known).
    func validate(response: [Double], trials: [Double]?, sourceLines: [Int], dataFileName: String? = nil) throws {
        func fail(_ i: Int, _ what: String) -> FamilyError {
            let line: String
            if i < sourceLines.count {
                line = (dataFileName.map { "\($0) " } ?? "") + "line \(sourceLines[i])"
            } else {
                line = "row \(i + 1)"
            }
            return FamilyError(message: "\(line): \(what) for family \(name)")
        }
        for (i, y) in response.enumerated() {
            guard y.isFinite else { throw fail(i, "response \(y) is not finite") }
            switch self {
            case .gaussian, .student:
                break
            case .bernoulli:
                if y != 0 && y != 1 { throw fail(i, "response \(formatPriorNumber(y)) is not 0 or 1") }
            case .binomial:
                guard let trials else {
                    throw FamilyError(message: "family binomial needs the number of trials: write `y | trials(n) ~ …` or `cbind(successes, failures) ~ …`")
                }
                let n = trials[i]
                if n < 0 || n != n.rounded() { throw fail(i, "number of trials \(formatPriorNumber(n)) is not a non-negative integer") }
                if y < 0 || y != y.rounded() { throw fail(i, "successes \(formatPriorNumber(y)) is not a non-negative integer") }
                if y > n { throw fail(i, "successes \(formatPriorNumber(y)) exceed the number of trials \(formatPriorNumber(n))") }
            case .poisson, .negativeBinomial:
                if y < 0 || y != y.rounded() { throw fail(i, "count \(formatPriorNumber(y)) is not a non-negative integer") }
            case .lognormal, .gamma:
                if y <= 0 { throw fail(i, "response \(formatPriorNumber(y)) is not positive") }
            }
        }
    }
}
