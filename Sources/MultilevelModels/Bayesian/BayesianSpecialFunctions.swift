#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// Special functions the posterior needs (log-gamma, digamma, log(1 + eˣ), regularised incomplete
// beta and gamma functions). Kept private to the Bayesian code until MultilevelMath provides
// them; the lead deduplicates against MultilevelMath's versions.

/// log Γ(x) for x > 0, thread-safe (`lgamma_r`, not `lgamma`, which writes the global `signgam`).
@inline(__always)
func posteriorLogGamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
}

/// The digamma function ψ(x) = d log Γ(x) / dx for x > 0: recurrence ψ(x) = ψ(x + 1) − 1/x up to
/// x ≥ 6, then the asymptotic series ψ(x) ≈ log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz & Stegun
/// 6.3.18); absolute error below 1e-14.
func posteriorDigamma(_ x: Double) -> Double {
    guard x.isFinite, x > 0 else { return x == 0 ? -.infinity : .nan }
    var value = 0.0
    var z = x
    while z < 6 {
        value -= 1 / z
        z += 1
    }
    let inverse = 1 / z
    let inverse2 = inverse * inverse
    let series = inverse2 * (1.0 / 12 - inverse2 * (1.0 / 120 - inverse2 * (1.0 / 252 - inverse2
        * (1.0 / 240 - inverse2 * (1.0 / 132)))))
    return value + log(z) - 0.5 * inverse - series
}

/// log(1 + x) for 0 ≤ x ≤ 1 without glibc's slow `log1p` and without a division: the series
/// x − x²/2 + x³/3 − x⁴/4 below 10⁻³ (truncation error < x⁵/5, below 2·10⁻¹⁶ relative), else
/// log(1 + x), whose rounding of 1 + x costs at most 10⁻¹³ relative there.
@inline(__always)
func posteriorFastLog1p(_ x: Double) -> Double {
    if x < 1e-3 { return x * (1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x))) }
    return log(1 + x)
}

/// log(1 + eˣ) without overflow or loss of precision (Mächler 2012, *Accurately computing
/// log(1 − exp(−|a|))*, eq. 10).
@inline(__always)
func posteriorLog1pExp(_ x: Double) -> Double {
    if x <= -37 { return exp(x) }
    if x <= 18 { return log1p(exp(x)) }
    if x <= 33.3 { return x + exp(-x) }
    return x
}

/// The logistic function 1 / (1 + e⁻ˣ), computed without overflow.
@inline(__always)
func posteriorLogistic(_ x: Double) -> Double {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}

/// Continued fraction for the regularised incomplete beta function (modified Lentz algorithm;
/// Numerical Recipes 3rd ed. §6.4, eq. 6.4.5).
private func incompleteBetaFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
        let mm = Double(m)
        let m2 = 2 * mm
        var aa = mm * (b - mm) * x / ((a + m2 - 1) * (a + m2))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + mm) * (a + b + mm) * x / ((a + m2) * (a + m2 + 1))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return h
}

/// The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 ≤ x ≤ 1.
func posteriorRegularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = posteriorLogGamma(a + b) - posteriorLogGamma(a) - posteriorLogGamma(b)
        + a * log(x) + b * log1p(-x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * incompleteBetaFraction(a, b, x) / a
    }
    return 1 - exp(logFront) * incompleteBetaFraction(b, a, 1 - x) / b
}

/// The regularised lower incomplete gamma function P(a, x) for a > 0, x ≥ 0: the series for
/// x < a + 1, else one minus the continued fraction for Q (Numerical Recipes §6.2).
func posteriorRegularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 0 }
    let logFront = a * log(x) - x - posteriorLogGamma(a)
    if x < a + 1 {
        var term = 1 / a
        var sum = term
        var n = a
        for _ in 0..<10_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(logFront)
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1...10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b; if abs(d) < tiny { d = tiny }
        c = b + an / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return 1 - exp(logFront) * h
}

/// Student-t cumulative distribution function with ν degrees of freedom at t (standardised).
func posteriorStudentTCDF(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    let x = nu / (nu + t * t)
    let tail = 0.5 * posteriorRegularizedIncompleteBeta(nu / 2, 0.5, x)
    return t > 0 ? 1 - tail : tail
}
