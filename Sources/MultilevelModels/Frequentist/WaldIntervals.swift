import MultilevelMath
import Foundation

/// Wald intervals β̂ ± z₍₁₊ₗₑᵥₑₗ₎/₂ · SE for the fixed effects, as lme4's `confint(method = "Wald")`
/// (which gives no Wald interval for variance parameters).
public func waldIntervals(_ fit: LinearMixedModelFit, level: Double = 0.95) -> [NamedEstimate] {
    let z = NormalDistribution.quantile((1 + level) / 2)
    return frequentistParameters(fit).map { parameter in
        var result = parameter
        if let se = parameter.standardError {
            result.lower = parameter.estimate - z * se
            result.upper = parameter.estimate + z * se
        }
        return result
    }
}

/// The Student-t distribution function with `df` degrees of freedom through the regularised
/// incomplete beta function: P(T ≤ t) = 1 − I_{ν/(ν+t²)}(ν/2, 1/2)/2 for t ≥ 0.
public func studentTDistribution(_ t: Double, degreesOfFreedom df: Double) -> Double {
    let tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
}

/// The Student-t quantile (R's `qt`), by safeguarded Newton iteration on the distribution function.
public func studentTQuantile(_ p: Double, degreesOfFreedom df: Double) -> Double {
    precondition(p > 0 && p < 1 && df > 0, "t quantile: p in (0, 1) and df > 0")
    var x = NormalDistribution.quantile(p)
    var low = -1e300, high = 1e300
    for _ in 0..<200 {
        let cdf = studentTDistribution(x, degreesOfFreedom: df)
        if cdf < p { low = x } else { high = x }
        let logNormaliser: Double = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
        let logKernel: Double = -(df + 1) / 2 * log1p(x * x / df)
        let density = exp(logNormaliser + logKernel)
        var next = x - (cdf - p) / density
        if !(next > low && next < high) || !next.isFinite {
            next = (low > -1e299 && high < 1e299) ? (low + high) / 2 : (cdf < p ? x + max(1, abs(x)) : x - max(1, abs(x)))
        }
        if abs(next - x) < 1e-14 * max(1, abs(x)) { return next }
        x = next
    }
    return x
}

/// I_x(a, b) by the continued fraction of the incomplete beta function (modified Lentz), using the
/// symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    let tiny = 1e-300
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var fraction = d
    for m in 1...10_000 {
        let mm = Double(m)
        let even = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
        d = 1 + even * d; if abs(d) < tiny { d = tiny }
        c = 1 + even / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        fraction *= d * c
        let odd = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
        d = 1 + odd * d; if abs(d) < tiny { d = tiny }
        c = 1 + odd / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        fraction *= delta
        if abs(delta - 1) < 1e-16 { break }
    }
    return exp(logFront) * fraction / a
}
