import Foundation

/// The Student-t distribution with ν > 0 degrees of freedom (any real ν), location μ and scale σ:
/// density Γ((ν + 1)/2) / (Γ(ν/2) √(νπ) σ) · (1 + z²/ν)^(−(ν + 1)/2), z = (x − μ)/σ.
///
/// The cdf uses P(T ≤ −|t|) = ½ I_{ν/(ν + t²)}(ν/2, ½) (Abramowitz & Stegun 26.7.1) with both
/// ν/(ν + t²) and t²/(ν + t²) formed directly, so it is accurate in both tails and near the centre.
/// brms' half-t priors (truncated at 0) add `−logCCDF(0)` — Stan's `student_t_lccdf(0 | ν, μ, σ)`.
/// Above `largeDegreesOfFreedom` the cdf and quantile use the large-ν form instead (the
/// incomplete-beta route needs ν/2 + ½ exactly, which doubles lose from ν ≈ 2⁵³ on); ν = ∞ is
/// the normal distribution. Invalid parameters (ν ≤ 0, σ ≤ 0, NaN) give NaN results.
public struct StudentTDistribution: ContinuousDistribution, Hashable {
    /// Degrees of freedom ν > 0.
    public var degreesOfFreedom: Double
    /// Location μ.
    public var location: Double
    /// Scale σ > 0.
    public var scale: Double

    public init(degreesOfFreedom: Double, location: Double = 0, scale: Double = 1) {
        self.degreesOfFreedom = degreesOfFreedom
        self.location = location
        self.scale = scale
    }

    @usableFromInline var isValid: Bool {
        degreesOfFreedom > 0 && scale > 0 && location.isFinite && scale.isFinite
    }

    /// From this many degrees of freedom on, P(T > |t|) = Φ̄(w) with w² = (ν − ½)·log1p(t²/ν):
    /// the leading term of the large-a expansion of I_x(a, ½) (x = ν/(ν + t²), a = ν/2; DLMF
    /// §8.18(ii)) with a − ¼ in place of a, which also cancels the O(1/ν) term. Against mpmath
    /// (scripts/references/student_t_large_degrees.py) its relative error is about 6e-5/ν²,
    /// i.e. below 1e-14 here, for |t| up to 38; at ν = ∞ it is the normal distribution exactly.
    public static let largeDegreesOfFreedom = 1e8

    /// w(t) ≥ 0 of the large-ν form: w² = (ν − ½)·log1p(t²/ν), = |t| at ν = ∞.
    @usableFromInline func normalEquivalent(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        if nu.isInfinite { return abs(t) }
        let z = t / nu.squareRoot()
        let z2 = z * z
        // log1p(z²)/z² → 1 as z² → 0; written so that it stays finite for z² up to ∞.
        let ratio = z2 < 1e-300 ? 1 : log1p(z2) / z2
        return abs(z) * ((nu - 0.5) * ratio).squareRoot()
    }

    /// log density; written as −log B(ν/2, ½) − ½ log ν − log σ − (ν + 1)/2 · log1p(z²/ν), which
    /// stays accurate for large ν (no difference of two large log-gamma values).
    public func logDensity(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        let nu = degreesOfFreedom
        let z = (x - location) / scale
        if nu.isInfinite { return NormalDistribution.logDensity(z) - log(scale) }
        return -logBeta(0.5 * nu, 0.5) - 0.5 * log(nu) - log(scale) - 0.5 * (nu + 1) * log1p(z * z / nu)
    }

    /// d/dx of the log density: −(ν + 1) z / (σ (ν + z²)) (−z/σ at ν = ∞).
    @inlinable
    public func logDensityDerivative(_ x: Double) -> Double {
        let z = (x - location) / scale
        if degreesOfFreedom.isInfinite { return -z / scale }
        return -(degreesOfFreedom + 1) * z / (scale * (degreesOfFreedom + z * z))
    }

    /// log P(X ≤ x) and log P(X > x).
    public func logCDFAndCCDF(_ x: Double) -> (logCDF: Double, logCCDF: Double) {
        guard isValid, !x.isNaN else { return (.nan, .nan) }
        let t = (x - location) / scale
        if t == 0 { return (-M_LN2, -M_LN2) }
        if t.isInfinite { return t > 0 ? (0, -.infinity) : (-.infinity, 0) }
        let nu = degreesOfFreedom
        if nu >= Self.largeDegreesOfFreedom {
            let w = normalEquivalent(t)
            let logTail = NormalDistribution.logCDF(-w), logBody = NormalDistribution.logCDF(w)
            return t < 0 ? (logTail, logBody) : (logBody, logTail)
        }
        // x_b = ν/(ν + t²), y_b = t²/(ν + t²), with z = t/√ν to avoid overflow of t².
        let z = t / nu.squareRoot()
        let z2 = z * z
        if z2 > 1e250 {
            // Far tail: I_x(ν/2, ½) = x^(ν/2) / ((ν/2) B(ν/2, ½)) · (1 + O(x)) with x = 1/(1 + z²)
            // below 1e-250, formed on the log scale because x itself may underflow.
            let a = 0.5 * nu
            let logTail = -M_LN2 - a * 2 * log(abs(z)) - log(a) - logBeta(a, 0.5)
            return t < 0 ? (logTail, log1p(-exp(logTail))) : (log1p(-exp(logTail)), logTail)
        }
        let beta = logRegularizedIncompleteBeta(0.5 * nu, 0.5, x: 1 / (1 + z2), y: z2 / (1 + z2))
        let logTail = -M_LN2 + beta.logI                   // P(T > |t|)
        let logBody = -M_LN2 + log1p(exp(beta.logComplement)) // P(T ≤ |t|) = ½(1 + (1 − I))
        return t < 0 ? (logTail, logBody) : (logBody, logTail)
    }


    /// The p-quantile (R's `qt(p, ν) · σ + μ`).
    ///
    /// Inverts the incomplete beta relation (tail probability 2 min(p, 1 − p) through
    /// `inverseRegularizedIncompleteBeta`, which returns x_b and 1 − x_b accurately), sets
    /// t = √(ν y_b / x_b) and polishes with one Newton step on the log tail probability.
    public func quantile(_ p: Double) -> Double {
        guard isValid, p >= 0, p <= 1 else { return .nan }
        if p == 0.5 { return location }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let nu = degreesOfFreedom
        let tail = p < 0.5 ? p : 1 - p
        if nu >= Self.largeDegreesOfFreedom {
            // Invert Φ̄(w) = tail, then w² = (ν − ½)·log1p(t²/ν) for t.
            let w = -NormalDistribution.quantile(tail)
            let t = nu.isInfinite ? w : (nu * expm1(w * w / (nu - 0.5))).squareRoot()
            return location + scale * (p < 0.5 ? -t : t)
        }
        let (xb, yb) = inverseRegularizedIncompleteBeta(0.5 * nu, 0.5, p: 2 * tail, q: 1 - 2 * tail)
        let standard = StudentTDistribution(degreesOfFreedom: nu)
        var t: Double
        if xb > 1e-250 {
            t = (nu * yb / xb).squareRoot()
            if t.isFinite && t > 0 {
                let logTail = standard.logCCDF(t)
                let slope = -exp(standard.logDensity(t) - logTail)
                let step = (logTail - log(tail)) / slope
                if step.isFinite && abs(step) < 0.1 * t { t -= step }
            }
        } else {
            // Extreme tail: start from the power law P(T > t) ≈ ½ (ν/t²)^(ν/2) / ((ν/2) B(ν/2, ½))
            // and take Newton steps on log P(T > t) in log t.
            var u = (-M_LN2 + 0.5 * nu * log(nu) - logBeta(0.5 * nu, 0.5) - log(0.5 * nu) - log(tail)) / nu
            for _ in 0..<50 {
                let tt = exp(u)
                let logTail = standard.logCCDF(tt)
                let slope = -exp(standard.logDensity(tt) + u - logTail)
                let step = (logTail - log(tail)) / slope
                if !step.isFinite { break }
                u -= step
                if abs(step) < 1e-15 * max(1, abs(u)) { break }
            }
            t = exp(u)
        }
        return location + scale * (p < 0.5 ? -t : t)
    }
}
