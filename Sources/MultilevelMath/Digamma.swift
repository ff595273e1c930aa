import Foundation

// The digamma function ψ(x) = d log Γ(x)/dx.
//
// Accuracy (checked against mpmath in `DigammaTests`): relative error below 1e-14 for x > 0,
// including the neighbourhood of the positive root x₀ = 1.46163…; for x < 0 relative error
// below 1e-13 except within ~1e-3 of the roots between the negative integers, where the error
// is absolute (~1e-15).

/// The digamma function ψ(x) = Γ′(x)/Γ(x).
///
/// Method: reflection ψ(x) = ψ(1 − x) − π cot(πx) for x < 0; a Taylor series about the positive
/// root x₀ for |x − x₀| < 0.2 (coefficients ψ⁽ᵏ⁾(x₀)/k! from mpmath, x₀ split into two doubles,
/// so that the result keeps its relative accuracy near the root); otherwise the recurrence
/// ψ(x) = ψ(x + 1) − 1/x up to x ≥ 10 and the asymptotic series
/// ψ(x) = log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) (Abramowitz & Stegun 6.3.18).
/// Returns NaN at 0 and the negative integers.
public func digamma(_ x: Double) -> Double {
    if x.isNaN || x == -.infinity { return .nan }
    if x == .infinity { return .infinity }
    if x <= 0 {
        let fraction = x - x.rounded(.down)
        if fraction == 0 { return .nan }
        return digamma(1 - x) - Double.pi / tan(Double.pi * fraction)
    }
    let offset = x - digammaRootHigh
    if abs(offset) < 0.2 {
        let h = offset - digammaRootLow
        var sum = 0.0
        for c in digammaRootTaylor.reversed() { sum = sum * h + c }
        return sum * h
    }
    var value = 0.0
    var z = x
    while z < 10 {
        value -= 1 / z
        z += 1
    }
    let r2 = 1 / (z * z)
    let series = r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 * (1.0 / 132
        - r2 * (691.0 / 32760 - r2 * (1.0 / 12)))))))
    return value + log(z) - 0.5 / z - series
}

/// The positive root of ψ as a sum of two doubles.
let digammaRootHigh = 1.4616321449683622
let digammaRootLow = 9.549995429965697e-17

/// ψ⁽ᵏ⁾(x₀)/k! for k = 1 … 24 (mpmath, 50 digits; scripts/references/special_functions.py).
let digammaRootTaylor: [Double] = [
    0.96767224544762117043, -0.44276316898359210609, 0.25849976095565101062, -0.1639427054424065275,
    0.10782405069126236576, -0.072199561256454710926, 0.048804288164143107225, -0.033161126474847359292,
    0.02259764823221810466, -0.015424765904948959139, 0.010538791616612175388, -0.007204534386356868241,
    0.0049267813957298534464, -0.0033698016554393280828, 0.0023051263267349278369,
    -0.0015769367714301972593, 0.0010788252019162965807, -0.00073807093899600512957,
    0.00050495326583460203518, -0.00034546802510630769956, 0.00023635601564027052792,
    -0.00016170622091974803449, 0.00011063372768747410904, -0.000075691795821950659192,
]

/// The trigamma function ψ′(x) = d² log Γ(x)/dx².
///
/// Method: reflection ψ′(x) = π²/sin²(πx) − ψ′(1 − x) for x < 0; otherwise the recurrence
/// ψ′(x) = ψ′(x + 1) + 1/x² up to x ≥ 10 and the asymptotic series
/// ψ′(x) = 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹ (Abramowitz & Stegun 6.4.12). All terms are positive
/// for x > 0, so the relative error is a few ulps there. Returns NaN at 0 and the negative integers.
public func trigamma(_ x: Double) -> Double {
    if x.isNaN || x == -.infinity { return .nan }
    if x == .infinity { return 0 }
    if x <= 0 {
        let fraction = x - x.rounded(.down)
        if fraction == 0 { return .nan }
        let s = sin(Double.pi * fraction)
        return Double.pi * Double.pi / (s * s) - trigamma(1 - x)
    }
    var value = 0.0
    var z = x
    while z < 10 {
        value += 1 / (z * z)
        z += 1
    }
    let r = 1 / z
    let r2 = r * r
    let series = r * (1 + r * (0.5 + r * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30
        - r2 * (5.0 / 66 - r2 * (691.0 / 2730 - r2 * (7.0 / 6)))))))))
    return value + series
}
