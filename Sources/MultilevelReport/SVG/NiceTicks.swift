import Foundation

/// Axis ticks at "nice" numbers by Heckbert's loose labelling (P. S. Heckbert, "Nice numbers for
/// graph labels", Graphics Gems, 1990, pp. 61–63): the tick spacing is a nice number (1, 2 or 5
/// times a power of ten) near range/(n − 1), and the axis runs from the multiple of the spacing at
/// or below the data minimum to the one at or above the maximum, so every tick is labelled.
public struct NiceTicks: Sendable, Equatable {
    /// Tick positions, ascending, the first ≤ the data minimum and the last ≥ the maximum.
    public var values: [Double]
    /// The spacing between ticks.
    public var spacing: Double
    /// Decimals that show the spacing exactly (Heckbert's nfrac).
    public var fractionDigits: Int

    /// Ticks for data in [minimum, maximum] aiming at about `count` ticks (≥ 2). A degenerate
    /// range (minimum == maximum) is widened to ±1 around the value (±10% when the value is large);
    /// non-finite bounds give the ticks of [0, 1].
    public init(minimum: Double, maximum: Double, count: Int = 5) {
        var low = Swift.min(minimum, maximum), high = Swift.max(minimum, maximum)
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if high - low <= 1e-12 * Swift.max(abs(low), abs(high)) {
            let pad = abs(low) > 10 ? 0.1 * abs(low) : 1
            low -= pad
            high += pad
        }
        let range = NiceTicks.niceNumber(high - low, round: false)
        let step = NiceTicks.niceNumber(range / Double(Swift.max(1, count - 1)), round: true)
        let first = (low / step).rounded(.down) * step
        let last = (high / step).rounded(.up) * step
        var ticks: [Double] = []
        var k = 0.0
        while first + k * step <= last + 0.5 * step {
            let value = first + k * step
            ticks.append(abs(value) < 1e-12 * step ? 0 : value)
            k += 1
        }
        values = ticks
        spacing = step
        fractionDigits = Swift.max(-Int(log10(step).rounded(.down)), 0)
    }

    /// Heckbert's nicenum: a nice number near x (x > 0) — rounded to the nearest of 1, 2, 5, 10
    /// times a power of ten when `round`, else the smallest of them ≥ x.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        let exponent = log10(x).rounded(.down)
        let power = pow(10, exponent)
        let fraction = x / power
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// The label of a tick value with `fractionDigits` decimals (`-0` written `0`); very large or
    /// small magnitudes in exponent form.
    public func label(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude >= 1e6 || spacing < 1e-4) {
            return String(format: "%g", value)
        }
        let text = String(format: "%.\(fractionDigits)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// The axis extent: from the first tick to the last.
    public var domain: ClosedRange<Double> { values.first! ... values.last! }
}
