import Foundation

// The logistic function and its inverse, stable in both tails.

/// logit(p) = log(p / (1 − p)), computed as log(p) − log1p(−p) so that p near 0 or 1 keeps its
/// accuracy. NaN outside [0, 1].
@inlinable
public func logit(_ p: Double) -> Double {
    guard p >= 0, p <= 1 else { return .nan }
    return p < 0.5 ? log(p / (1 - p)) : log(p) - log1p(-p)
}

/// The inverse logit (logistic) function 1 / (1 + e⁻ˣ), never overflowing:
/// eˣ/(1 + eˣ) for x < 0.
@inlinable
public func inverseLogit(_ x: Double) -> Double {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}

/// log(inverseLogit(x)) = −log1pexp(−x), exact in the left tail where inverseLogit underflows.
@inlinable
public func logInverseLogit(_ x: Double) -> Double { -log1pexp(-x) }

/// log(1 − inverseLogit(x)) = −log1pexp(x).
@inlinable
public func log1mInverseLogit(_ x: Double) -> Double { -log1pexp(x) }
