#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

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
}

extension RowLikelihood {
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        var value = 0.0
        for i in 0..<count {
            let term = add(response: response[i], trials: trials[i], eta: eta[i])
            value += term.value
            eta[i] = term.etaDerivative
        }
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
    /// The arithmetic in one vectorisable loop (e in `work`), then log(1 + e) row by row.
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        let linear = work, small = work + count
        for i in 0..<count {
            let x = eta[i], n = trials[i], y = response[i]
            let e = posteriorExp(-abs(x))
            eta[i] = y - n * ((x >= 0 ? 1 : e) / (1 + e))
            linear[i] = y * x - n * max(x, 0)
            small[i] = e
        }
        var value = blockSum(linear, count)
        for i in 0..<count { value -= trials[i] * posteriorFastLog1p(small[i]) }
        return value
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}

/// Bernoulli with logit link, every row one trial: log p = y η − log(1 + e^η), as
/// `BinomialRows` with n = 1. The logarithms are summed as the logarithm of a product:
/// Σ log(1 + eᵢ) = log Π (1 + eᵢ), each factor in (1, 2], four partial products of at most
/// `PosteriorColumns.blockSize / 4` factors (below 2¹²⁸, so no overflow), two logarithms per block
/// instead of one per row. Rounding 1 + eᵢ costs at most 1.1·10⁻¹⁶ absolute per row, the
/// products about 10⁻¹⁶ relative per factor, both below the rounding of the sum itself.
struct BernoulliRows: RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let e = posteriorExp(-abs(eta))
        return (y * eta - max(eta, 0) - posteriorFastLog1p(e), y - (eta >= 0 ? 1 : e) / (1 + e))
    }
    @inline(__always)
    mutating func addBlock(count: Int, response: UnsafePointer<Double>, trials: UnsafePointer<Double>,
                           eta: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>) -> Double {
        let linear = work, onePlus = work + count
        for i in 0..<count {
            let x = eta[i], y = response[i]
            let e = posteriorExp(-abs(x))
            let s = 1 + e
            eta[i] = y - (x >= 0 ? 1 : e) / s
            linear[i] = y * x - max(x, 0)
            onePlus[i] = s
        }
        var p0 = 1.0, p1 = 1.0, p2 = 1.0, p3 = 1.0
        var i = 0
        while i &+ 4 <= count {
            p0 *= onePlus[i]; p1 *= onePlus[i &+ 1]; p2 *= onePlus[i &+ 2]; p3 *= onePlus[i &+ 3]
            i &+= 4
        }
        while i < count { p0 *= onePlus[i]; i &+= 1 }
        return blockSum(linear, count) - (log(p0 * p1) + log(p2 * p3))
    }
    func finish(auxiliaryGradient: UnsafeMutablePointer<Double>) -> Double { 0 }
}

/// Poisson with log link: log p = y η − e^η − log y! (`trials` counts merged rows: Σy η − m e^η).
struct PoissonRows: RowLikelihood {
    init(auxiliary: UnsafePointer<Double>, rowCount: Int, sumLogResponse: Double) {}
    @inline(__always)
    mutating func add(response y: Double, trials: Double, eta: Double) -> (value: Double, etaDerivative: Double) {
        let mu = exp(eta)
        return (y * eta - trials * mu, y - trials * mu)
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
