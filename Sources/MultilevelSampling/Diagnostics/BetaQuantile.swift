import Foundation
import MultilevelMath

/// The regularised incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), by the continued
/// fraction of Abramowitz & Stegun 26.5.8 evaluated with the modified Lentz method, using the
/// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where that converges faster (x > (a + 1)/(a + b + 2)).
func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = a * log(x) + b * log1p(-x) - logBeta(a, b)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x, a, b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
}

/// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b).
func logBeta(_ a: Double, _ b: Double) -> Double {
    lgamma(a) + lgamma(b) - lgamma(a + b)
}

/// The continued fraction of I_x(a, b) (A&S 26.5.8), modified Lentz.
private func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
    let tiny = 1e-300
    let qab = a + b, qap = a + 1, qam = a - 1
    var c = 1.0
    var d = 1 - qab * x / qap
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    var m = 1.0
    while m < 100_000 {
        let m2 = 2 * m
        var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        if abs(d) < tiny { d = tiny }
        c = 1 + aa / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16 { break }
        m += 1
    }
    return h
}

/// The quantile of the Beta(a, b) distribution at `p` (R's `qbeta(p, a, b)`), by Newton steps on
/// I_x(a, b) − p safeguarded by bisection, from a normal approximation; relative accuracy ~1e-14.
/// NaN for NaN or non-positive shape parameters.
func betaQuantile(_ p: Double, _ a: Double, _ b: Double) -> Double {
    guard !p.isNaN, !a.isNaN, !b.isNaN, a > 0, b > 0, p >= 0, p <= 1 else { return .nan }
    if p == 0 { return 0 }
    if p == 1 { return 1 }
    let logB = logBeta(a, b)
    let mean = a / (a + b)
    let sd = (a * b / ((a + b) * (a + b) * (a + b + 1))).squareRoot()
    var low = 0.0, high = 1.0
    var x = mean + sd * NormalDistribution.quantile(p)
    if !(x > 0 && x < 1) { x = mean }
    for _ in 0..<200 {
        let f = regularizedIncompleteBeta(x, a, b) - p
        if f == 0 { return x }
        if f < 0 { low = x } else { high = x }
        let logDensity = (a - 1) * log(x) + (b - 1) * log1p(-x) - logB
        var next = x - f / exp(logDensity)
        if !(next > low && next < high) || !next.isFinite { next = 0.5 * (low + high) }
        if abs(next - x) <= 1e-15 * x || high - low <= 1e-15 * x { return next }
        x = next
    }
    return x
}
