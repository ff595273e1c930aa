/// Finds the root of a monotone function by Newton's method kept inside a shrinking bracket
/// (bisection, geometric when the bracket spans orders of magnitude, whenever a Newton step
/// leaves it). Used by the inverses of the incomplete gamma and beta functions.
///
/// - Parameters:
///   - initial: starting point inside (lower, upper).
///   - lower, upper: bracket; `upper` may be +∞.
///   - increasing: whether `function` increases in x.
///   - relativeTolerance: the search stops once a Newton step moves x by at most this much
///     relative to x (default 4 ulps). A function evaluated by quadrature, whose value is only
///     accurate to ~1e-15, may never settle to 4 ulps; a step of 1e-12 relative means the point
///     reached is already accurate far beyond what that function can resolve (the error after a
///     step is quadratic in it).
///   - function: returns g(x) and g′(x); the root g(x) = 0 is sought.
/// - Returns: the root to about `relativeTolerance`, after at most 300 evaluations.
func safeguardedNewtonRoot(initial: Double, lower: Double, upper: Double, increasing: Bool,
                           relativeTolerance: Double = 4 * Double.ulpOfOne,
                           _ function: (Double) -> (value: Double, derivative: Double)) -> Double {
    var low = lower, high = upper
    var x = min(max(initial, low), high)
    if !(x > low && x < high) { x = nextBracketPoint(low, high, x) }
    for _ in 0..<300 {
        let (g, derivative) = function(x)
        if g == 0 { return x }
        if g.isNaN { return x }
        if (g < 0) == increasing { low = x } else { high = x }
        var next = x - g / derivative
        // A step too small to leave x (it may round to x itself, on the bracket's edge) means x is
        // the root: test that before the bracket check, which would otherwise send it away.
        if next.isFinite && abs(next - x) <= relativeTolerance * abs(next) { return next }
        if !(next > low && next < high) || !next.isFinite { next = nextBracketPoint(low, high, x) }
        if abs(next - x) <= relativeTolerance * abs(next) { return next }
        if high.isFinite && high - low <= 4 * Double.ulpOfOne * abs(high) { return 0.5 * (low + high) }
        x = next
    }
    return x
}

private func nextBracketPoint(_ low: Double, _ high: Double, _ x: Double) -> Double {
    if high == .infinity { return max(2 * x, 2 * low, 1) }
    if low <= 0 { return high / 16 }
    if high / low > 4 { return (low * high).squareRoot() }
    return 0.5 * (low + high)
}
