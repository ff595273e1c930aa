#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelAVX2
import MultilevelMath

/// brms' `binomial()`: y successes out of n trials (`y | trials(n)`, lme4's `cbind(y, n − y)`),
/// success probability logistic(η).
enum BinomialFamily: ResponseFamily {
    typealias Rows = BinomialRows
    static var link: Link { .logit }
    static var links: [Link] { [.logit, .probit, .cloglog, .cauchit] }
    static var auxiliaryParameters: [AuxiliaryParameter] { [] }
    static var needsTrials: Bool { true }
    static var mergesRows: Bool { true }

    static func supportViolation(response y: Double, trials n: Double) -> String? {
        if n < 0 || n != n.rounded() { return "number of trials \(formatPriorNumber(n)) is not a non-negative integer" }
        if y < 0 || y != y.rounded() { return "successes \(formatPriorNumber(y)) is not a non-negative integer" }
        if y > n { return "successes \(formatPriorNumber(y)) exceed the number of trials \(formatPriorNumber(n))" }
        return nil
    }

    /// Σ log C(n, y).
    static func dataConstant(response: [Double], trials: [Double]) -> Double {
        var sum = 0.0
        for (y, t) in zip(response, trials) {
            sum += logGamma(t + 1) - logGamma(y + 1) - logGamma(t - y + 1)
        }
        return sum
    }

    @inline(__always)
    static func rowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double { BernoulliFamily.rowPass(runner) }

    /// log C(n, y) + y η − n log(1 + e^η).
    static func logLikelihood(response y: Double, trials n: Double, eta: Double, auxiliary: [Double]) -> Double {
        logGamma(n + 1) - logGamma(y + 1) - logGamma(n - y + 1)
            + y * eta - n * log1pexp(eta)
    }

    /// logit((y + ½)/(n + 1)).
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double {
        let p = (y + 0.5) / (trials + 1)
        return log(p / (1 - p))
    }

    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double) {
        let p = 1 / (1 + exp(-eta))
        let v = max(trials * p * (1 - p), 1e-10)
        return (v, (y - trials * p) / v)
    }

    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double) {
        let mu = link.inverse(eta)
        return (trials * mu, Double(rng.nextBinomial(trials: Int(trials), probability: mu)))
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
