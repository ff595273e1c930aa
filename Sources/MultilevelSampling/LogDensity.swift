/// A differentiable log density on ℝᵈ (the unconstrained space), the only thing the samplers know
/// about a model (as Stan's `log_prob` + gradient).
///
/// Implementations are value types: each chain works on its own copy, so scratch buffers stored in
/// the conforming type become private to the chain on first write (copy-on-write) and the hot path
/// allocates nothing afterwards.
public protocol LogDensity {
    /// The dimension d of the unconstrained parameter vector.
    var dimension: Int { get }

    /// Returns log p(θ) up to an additive constant at `position` (d values) and writes ∇ log p(θ)
    /// into `gradient` (d values). A non-finite return value marks a point outside the support or a
    /// numerical failure; the samplers reject such points and count them.
    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double
}

extension LogDensity {
    /// Convenience for tests and set-up code: log density and gradient at `position` as arrays.
    public mutating func logDensityAndGradient(at position: [Double]) -> (value: Double, gradient: [Double]) {
        var gradient = [Double](repeating: 0, count: dimension)
        let value = position.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in logDensity(at: p, gradient: g) }
        }
        return (value, gradient)
    }
}
