import Foundation

// Numerically stable sums and differences on the log scale.

/// log(1 + eˣ) without overflow for large x or loss of accuracy for very negative x
/// (Mächler 2012, *Accurately computing log(1 − exp(−|a|))*, the `log1pexp` cut-offs).
@inlinable
public func log1pexp(_ x: Double) -> Double {
    if x <= -37 { return exp(x) }
    if x <= 18 { return log1p(exp(x)) }
    if x <= 33.3 { return x + exp(-x) }
    return x
}

/// log(1 − eˣ) for x ≤ 0 (NaN for x > 0): `log(-expm1(x))` for x > −log 2, else
/// `log1p(-exp(x))` (Mächler 2012), relative error a few ulps on the whole range.
@inlinable
public func log1mexp(_ x: Double) -> Double {
    if x > 0 { return .nan }
    if x > -0.693147180559945309417232121458 { return log(-expm1(x)) }
    return log1p(-exp(x))
}

/// log(eᵃ + eᵇ) computed as max + log1p(exp(−|a − b|)); handles −∞ arguments.
@inlinable
public func logSumExp(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    if a.isNaN || b.isNaN { return .nan }
    if a == .infinity || b == .infinity { return .infinity }
    return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
}

/// log(eᵃ − eᵇ) for a ≥ b (NaN when a < b, −∞ when a = b).
@inlinable
public func logDifferenceExp(_ a: Double, _ b: Double) -> Double {
    if b == -.infinity { return a }
    if a < b { return .nan }
    if a == b { return -.infinity }
    return a + log1mexp(b - a)
}

/// log Σ exp(xᵢ) by the max-shift (two passes); −∞ for an empty buffer or all −∞; +∞ if any
/// value is +∞; NaN if any is NaN.
@inlinable
public func logSumExp(_ values: UnsafeBufferPointer<Double>) -> Double {
    var maximum = -Double.infinity
    for v in values {
        if v.isNaN { return .nan }
        if v > maximum { maximum = v }
    }
    if maximum == -.infinity || maximum == .infinity { return maximum }
    var sum = 0.0
    for v in values { sum += exp(v - maximum) }
    return maximum + log(sum)
}

/// log Σ exp(xᵢ) over an array (see the buffer overload).
@inlinable
public func logSumExp(_ values: [Double]) -> Double {
    values.withUnsafeBufferPointer { logSumExp($0) }
}
