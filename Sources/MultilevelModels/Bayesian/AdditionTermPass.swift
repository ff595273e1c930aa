#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelData

/// The row pass of a model with brms' addition terms (`cens()`, `weights()`, `trunc()`, `se()`),
/// as brms' Stan code writes the likelihood row by row:
///
///     ℓ_i = w_i · (log p_i − log(F(ub_i) − F(lb_i)))   (F(lb_i − 1) for the count families)
///     log p_i = log f(y_i)            (uncensored; with se(): normal with SD s_i or √(σ² + s_i²))
///             = log F(y_i)            (left-censored)
///             = log(1 − F(y_i))       (right-censored)
///             = log(F(y2_i) − F(y_i)) (interval-censored)
///
/// with f and F the family's density and distribution function given η_i and the auxiliary
/// parameters (`CensoredResponseFamily`), every constant included. Each row gives ℓ_i and its
/// derivatives in η_i and the (at most two) auxiliary parameters; the rows' η come from
/// `PosteriorColumns.linearPredictor` (offset included) and ∂ℓ/∂η goes back through
/// `PosteriorColumns.addGradient`, so the pass is specialised per family like the plain one.
/// The values are in the columns' row order (`PosteriorColumns.rowOrder`), allocated once.
final class AdditionColumns: @unchecked Sendable {
    let rowCount: Int
    /// The response on its own scale (y, not log y).
    let response: UnsafeMutablePointer<Double>
    let weights: UnsafeMutablePointer<Double>?
    /// Censoring codes −1/0/1/2 (`RowAdditions.Censoring`).
    let censoring: UnsafeMutablePointer<Int8>?
    let censoringUpper: UnsafeMutablePointer<Double>?
    let truncationLower: UnsafeMutablePointer<Double>?
    let truncationUpper: UnsafeMutablePointer<Double>?
    let standardErrors: UnsafeMutablePointer<Double>?
    /// With se(): whether σ is a parameter (`se(s, sigma = TRUE)`).
    let standardErrorWithSigma: Bool
    /// Number of auxiliary parameters the pass differentiates (0 for se() without sigma).
    let auxiliaryCount: Int

    init(additions: RowAdditions, response: [Double], order: [Int], auxiliaryCount: Int) {
        let n = order.count
        rowCount = n
        func column(_ values: [Double]?) -> UnsafeMutablePointer<Double>? {
            guard let values else { return nil }
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(1, n))
            for i in 0..<n { (pointer + i).initialize(to: values[order[i]]) }
            return pointer
        }
        self.response = column(response)!
        weights = column(additions.weights)
        censoringUpper = column(additions.censoringUpper)
        truncationLower = column(additions.truncationLower)
        truncationUpper = column(additions.truncationUpper)
        standardErrors = column(additions.standardErrors)
        if let codes = additions.censoring {
            let pointer = UnsafeMutablePointer<Int8>.allocate(capacity: max(1, n))
            for i in 0..<n { (pointer + i).initialize(to: codes[order[i]].rawValue) }
            censoring = pointer
        } else {
            censoring = nil
        }
        standardErrorWithSigma = additions.standardErrorWithSigma
        self.auxiliaryCount = auxiliaryCount
    }

    deinit {
        response.deallocate()
        weights?.deallocate()
        censoring?.deallocate()
        censoringUpper?.deallocate()
        truncationLower?.deallocate()
        truncationUpper?.deallocate()
        standardErrors?.deallocate()
    }

    /// Row j's ℓ_j with its derivatives (see the type's documentation).
    @inline(__always)
    func term<F: CensoredResponseFamily>(_ family: F.Type, row j: Int, eta: Double,
                                        auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let y = response[j]
        var term: CensoredTerm
        if let standardErrors {
            term = AdditionColumns.knownStandardDeviation(y, eta: eta, standardError: standardErrors[j],
                                                         sigma: standardErrorWithSigma ? auxiliary[0] : nil)
        } else {
            switch censoring?[j] ?? 0 {
            case 0: term = F.logDensityTerm(y, eta: eta, auxiliary: auxiliary)
            case -1: term = F.logCDF(y, eta: eta, auxiliary: auxiliary)
            case 1: term = F.logCCDF(y, eta: eta, auxiliary: auxiliary)
            default: term = AdditionColumns.logProbability(F.self, between: y, and: censoringUpper![j], eta: eta, auxiliary: auxiliary)
            }
            if truncationLower != nil || truncationUpper != nil {
                var lower = truncationLower?[j] ?? -.infinity, upper = truncationUpper?[j] ?? .infinity
                let hasLower = lower > F.supportLowerEnd, hasUpper = upper < .infinity
                if F.isDiscrete {
                    // Inclusive integer bounds: P(lb ≤ Y ≤ ub) = F(ub) − F(lb − 1), brms'
                    // `log_diff_exp(lcdf(ub), lcdf(lb - 1))` and `lccdf(lb - 1)`.
                    lower = lower.rounded(.up) - 1
                    upper = upper.rounded(.down)
                }
                var normaliser = CensoredTerm(value: 0, eta: 0, auxiliary: (0, 0))
                if hasLower && hasUpper {
                    normaliser = AdditionColumns.logProbability(F.self, between: lower, and: upper, eta: eta, auxiliary: auxiliary)
                } else if hasLower {
                    normaliser = F.logCCDF(lower, eta: eta, auxiliary: auxiliary)
                } else if hasUpper {
                    normaliser = F.logCDF(upper, eta: eta, auxiliary: auxiliary)
                }
                term.value -= normaliser.value
                term.eta -= normaliser.eta
                term.auxiliary.0 -= normaliser.auxiliary.0
                term.auxiliary.1 -= normaliser.auxiliary.1
            }
        }
        if let weights {
            let w = weights[j]
            term.value *= w
            term.eta *= w
            term.auxiliary.0 *= w
            term.auxiliary.1 *= w
        }
        return term
    }

    /// log(F(b) − F(a)), a < b, with derivatives: from the lower tails log F when F(a) ≤ ½, else
    /// from the upper tails log(S(a) − S(b)) (S = 1 − F), so neither subtraction cancels.
    /// With u = log F(b), l = log F(a): log(e^u − e^l) = u + log(1 − e^(l−u)) and
    /// ∂ = (∂u − e^(l−u) ∂l)/(1 − e^(l−u)).
    @inline(__always)
    static func logProbability<F: CensoredResponseFamily>(_ family: F.Type, between a: Double, and b: Double, eta: Double,
                                                         auxiliary: UnsafePointer<Double>) -> CensoredTerm {
        let lowerA = F.logCDF(a, eta: eta, auxiliary: auxiliary)
        let (high, low) = lowerA.value <= -log(2.0)
            ? (F.logCDF(b, eta: eta, auxiliary: auxiliary), lowerA)
            : (F.logCCDF(a, eta: eta, auxiliary: auxiliary), F.logCCDF(b, eta: eta, auxiliary: auxiliary))
        let ratio = exp(low.value - high.value)
        let scale = 1 / (1 - ratio)
        return CensoredTerm(value: high.value + log1mexp(low.value - high.value),
                            eta: (high.eta - ratio * low.eta) * scale,
                            auxiliary: ((high.auxiliary.0 - ratio * low.auxiliary.0) * scale,
                                        (high.auxiliary.1 - ratio * low.auxiliary.1) * scale))
    }

    /// brms' `se()`: the normal density with SD τ = s (or √(σ² + s²) with σ):
    /// −log τ − ½ log 2π − ½ r²/τ², r = y − η; ∂η = r/τ², ∂σ = (r²/τ² − 1)/τ · σ/τ.
    @inline(__always)
    static func knownStandardDeviation(_ y: Double, eta: Double, standardError s: Double, sigma: Double?) -> CensoredTerm {
        let variance = s * s + (sigma.map { $0 * $0 } ?? 0)
        let tau = variance.squareRoot(), r = y - eta, scaled = r * r / variance
        let sigmaDerivative = sigma.map { (scaled - 1) / tau * $0 / tau } ?? 0
        return CensoredTerm(value: -log(tau) - halfLogTwoPi - 0.5 * scaled, eta: r / variance,
                            auxiliary: (sigmaDerivative, 0))
    }

    /// The pass: every block's η, each row's term, the θ gradient; the auxiliary gradient is
    /// assigned. Returns Σ ℓ_i.
    @inline(__always)
    func run<F: CensoredResponseFamily>(_ family: F.Type, columns: PosteriorColumns, theta: UnsafePointer<Double>,
                                       thetaGradient: UnsafeMutablePointer<Double>, auxiliary: UnsafePointer<Double>,
                                       auxiliaryGradient: UnsafeMutablePointer<Double>,
                                       eta: UnsafeMutablePointer<Double>) -> Double {
        var value = 0.0, first = 0.0, second = 0.0
        for b in 0..<columns.blockCount {
            let (start, count) = columns.blockRows(b)
            columns.linearPredictor(block: b, theta: theta, eta: eta)
            for i in 0..<count {
                let term = self.term(F.self, row: start &+ i, eta: eta[i], auxiliary: auxiliary)
                value += term.value
                eta[i] = term.eta
                first += term.auxiliary.0
                second += term.auxiliary.1
            }
            columns.addGradient(block: b, derivative: eta, thetaGradient: thetaGradient)
        }
        if auxiliaryCount > 0 { auxiliaryGradient[0] = first }
        if auxiliaryCount > 1 { auxiliaryGradient[1] = second }
        return value
    }
}
