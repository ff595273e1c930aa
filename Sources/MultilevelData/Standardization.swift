/// R's `scale(x, center, scale)` for one column: subtract the mean (when centring), divide by the
/// standard deviation (when centring and scaling) or by the root mean square √(Σx² / (n − 1))
/// (when scaling only), as `scale.default` does. The centre and scale come from the fitted rows
/// and are kept so that new data are transformed the same way.
public struct Standardization: Sendable, Equatable {
    /// The value subtracted (nil: not centred).
    public var center: Double?
    /// The divisor (nil: not scaled).
    public var scale: Double?

    public init(center: Double?, scale: Double?) {
        self.center = center
        self.scale = scale
    }

    /// The centre and scale of `x` for `scale(x, center = centering, scale = scaling)`.
    public static func fit(_ x: [Double], centering: Bool, scaling: Bool) -> Standardization {
        let n = Double(x.count)
        let center = centering ? x.reduce(0, +) / n : nil
        let shifted = x.map { $0 - (center ?? 0) }
        let scale = scaling ? (shifted.reduce(0) { $0 + $1 * $1 } / (n - 1)).squareRoot() : nil
        return Standardization(center: center, scale: scale)
    }

    /// The transformed values.
    public func apply(_ x: [Double]) -> [Double] {
        x.map { ($0 - (center ?? 0)) / (scale ?? 1) }
    }
}
