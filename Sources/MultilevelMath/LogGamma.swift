import Foundation

// The logarithm of the gamma and beta functions.
//
// Accuracy (checked against mpmath in `LogGammaTests`): `logGamma` is the C library's re-entrant
// `lgamma_r` (glibc: a few ulps, including near the roots x = 1 and x = 2); `logGamma1p` and
// `logBeta` have relative error below 1e-13 for arguments in [1e-8, 1e8].

/// log |Γ(x)|, thread-safe.
///
/// Calls the re-entrant `lgamma_r`, which returns the sign of Γ(x) through an argument instead of
/// writing the global `signgam` as `lgamma` does (a data race when chains run in parallel).
/// Returns +∞ at the poles x = 0, −1, −2, ….
@inlinable
public func logGamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
}

/// log |Γ(x)| and the sign of Γ(x) (+1 or −1), thread-safe (`lgamma_r`).
@inlinable
public func logGammaWithSign(_ x: Double) -> (logAbsoluteValue: Double, sign: Double) {
    var sign: Int32 = 0
    let value = lgamma_r(x, &sign)
    return (value, sign < 0 ? -1 : 1)
}

/// log Γ(1 + x), accurate also for small |x| where `1 + x` would lose the low digits of x.
///
/// For |x| < 0.2 it sums the Taylor series log Γ(1 + x) = −γx + Σ_{k≥2} (−1)ᵏ ζ(k) xᵏ / k
/// (Abramowitz & Stegun 6.1.33); elsewhere it is `logGamma(1 + x)`.
public func logGamma1p(_ x: Double) -> Double {
    guard abs(x) < 0.2 else { return logGamma(1 + x) }
    // ζ(k) itself is fine for |x| < 0.2 with 31 terms (0.2³² / 32 ≈ 1e-24).
    var sum = -eulerMascheroni * x
    var power = -x                       // (−x)ᵏ
    for k in 2...32 {
        power *= -x
        sum += riemannZetaAtIntegers[k - 2] * power / Double(k)
    }
    return sum
}

/// Euler–Mascheroni constant γ.
public let eulerMascheroni = 0.57721566490153286060651209008240243

/// ζ(2), ζ(3), …, ζ(32).
@usableFromInline
let riemannZetaAtIntegers: [Double] = [
    1.6449340668482264365, 1.2020569031595942854, 1.0823232337111381915, 1.0369277551433699263,
    1.0173430619844491397, 1.0083492773819228268, 1.0040773561979443394, 1.0020083928260822144,
    1.0009945751278180853, 1.0004941886041194646, 1.0002460865533080483, 1.0001227133475784891,
    1.0000612481350587048, 1.0000305882363070205, 1.0000152822594086519, 1.0000076371976378998,
    1.0000038172932649998, 1.0000019082127165539, 1.0000009539620338728, 1.0000004769329867878,
    1.0000002384505027277, 1.0000001192199259653, 1.0000000596081890513, 1.0000000298035035147,
    1.0000000149015548284, 1.0000000074507117898, 1.0000000037253340248, 1.0000000018626597235,
    1.0000000009313274324, 1.0000000004656629065, 1.0000000002328311834,
]

/// log √(2π).
public let logSquareRootTwoPi = 0.91893853320467274178032973640561764

/// The remainder of Stirling's formula, δ(x) = log Γ(x) − [(x − ½) log x − x + log √(2π)],
/// for x ≥ 10 by its asymptotic series Σ B₂ₖ / (2k (2k − 1) x²ᵏ⁻¹) (8 terms, relative error
/// < 1e-16 at x = 10); below 10 by the definition.
///
/// Used to form differences of log-gamma values without cancellation (`logBeta`, the prefactors
/// of the incomplete gamma and beta functions), as in R's `lgammacor` and Loader (2000).
public func stirlingCorrection(_ x: Double) -> Double {
    if x < 10 {
        return logGamma(x) - ((x - 0.5) * log(x) - x + logSquareRootTwoPi)
    }
    let r = 1 / x
    let r2 = r * r
    // B2k / (2k(2k-1)) for k = 1…8.
    let series = 1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 + r2 * (1.0 / 1188
        + r2 * (-691.0 / 360360 + r2 * (1.0 / 156 + r2 * (-3617.0 / 122400)))))))
    return series * r
}

/// log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b) for a, b > 0, without the cancellation the
/// direct sum suffers when a or b is large (the method of R's `lbeta`: Stirling's formula with
/// the correction `stirlingCorrection` for the large arguments).
public func logBeta(_ a: Double, _ b: Double) -> Double {
    guard a > 0, b > 0 else { return a == 0 || b == 0 ? .infinity : .nan }
    let p = min(a, b), q = max(a, b)
    guard q.isFinite else { return -.infinity }
    if p >= 10 {
        let correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
        return -0.5 * log(q) + logSquareRootTwoPi + correction + (p - 0.5) * log(p / (p + q))
            + q * log1p(-p / (p + q))
    } else if q >= 10 {
        let correction = stirlingCorrection(q) - stirlingCorrection(p + q)
        return logGamma(p) + correction + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
    } else {
        return logGamma(p) + logGamma(q) - logGamma(p + q)
    }
}
