import Foundation
import MultilevelMath

/// A point in phase space (position q, momentum p, the gradient of log p at q and log p(q)), stored
/// contiguously in a chain's preallocated workspace: `[q (d) | p (d) | ∇ log p(q) (d) | log p(q)]`.
///
/// A point is a view (a pointer), not storage: copying a `PhaseSpacePoint` copies the pointer;
/// `assign(from:)` copies the values. Stan calls this `ps_point`.
@usableFromInline
struct PhaseSpacePoint {
    @usableFromInline let base: UnsafeMutablePointer<Double>
    @usableFromInline let dimension: Int

    @inlinable
    init(base: UnsafeMutablePointer<Double>, dimension: Int) {
        self.base = base
        self.dimension = dimension
    }

    /// Number of doubles one point occupies in a workspace.
    @inlinable
    static func storageSize(dimension: Int) -> Int { 3 * dimension + 1 }

    /// Position q.
    @inlinable var position: UnsafeMutablePointer<Double> { base }
    /// Momentum p.
    @inlinable var momentum: UnsafeMutablePointer<Double> { base + dimension }
    /// ∇ log p(q) (the negative of Stan's dφ/dq).
    @inlinable var gradient: UnsafeMutablePointer<Double> { base + 2 * dimension }
    /// log p(q); −∞ marks a rejected (non-finite) point.
    @inlinable var logDensity: Double {
        get { base[3 * dimension] }
        nonmutating set { base[3 * dimension] = newValue }
    }

    /// Copies every value (q, p, gradient, log density) of `other` into this point.
    @inlinable
    func assign(from other: PhaseSpacePoint) {
        base.update(from: other.base, count: 3 * dimension + 1)
    }
}

/// The Euclidean Hamiltonian with a diagonal metric (Stan's `diag_e_metric`; Betancourt 2017, §4):
/// H(q, p) = −log p(q) + ½ pᵀ M⁻¹ p with M⁻¹ = diag(`inverseMetric`).
///
/// All functions work on raw pointers into a chain's workspace and allocate nothing.
@usableFromInline
struct DiagonalEuclideanHamiltonian {
    /// The diagonal of M⁻¹ (d values).
    @usableFromInline let inverseMetric: UnsafeMutablePointer<Double>
    @usableFromInline let dimension: Int

    @inlinable
    init(inverseMetric: UnsafeMutablePointer<Double>, dimension: Int) {
        self.inverseMetric = inverseMetric
        self.dimension = dimension
    }

    /// Kinetic energy τ(p) = ½ Σᵢ M⁻¹ᵢ pᵢ².
    @inlinable
    func kineticEnergy(_ point: PhaseSpacePoint) -> Double {
        let p = point.momentum
        var sum = 0.0
        for i in 0..<dimension { sum += inverseMetric[i] * p[i] * p[i] }
        return 0.5 * sum
    }

    /// H = −log p(q) + τ(p); +∞ when log p(q) is not finite (Stan maps NaN energies to +∞).
    @inlinable
    func energy(_ point: PhaseSpacePoint) -> Double {
        let logDensity = point.logDensity
        guard logDensity.isFinite else { return .infinity }
        let h = -logDensity + kineticEnergy(point)
        return h.isNaN ? .infinity : h
    }

    /// H (as `energy`) and the velocity p♯ = M⁻¹ p written into `velocity`, in one pass.
    @inlinable
    func energy(_ point: PhaseSpacePoint, velocity output: UnsafeMutablePointer<Double>) -> Double {
        let p = point.momentum
        var sum = 0.0
        for i in 0..<dimension {
            let sharp = inverseMetric[i] * p[i]
            output[i] = sharp
            sum += sharp * p[i]
        }
        let logDensity = point.logDensity
        guard logDensity.isFinite else { return .infinity }
        let h = -logDensity + 0.5 * sum
        return h.isNaN ? .infinity : h
    }

    /// The velocity p♯ = ∂τ/∂p = M⁻¹ p, written into `output`.
    @inlinable
    func velocity(_ point: PhaseSpacePoint, into output: UnsafeMutablePointer<Double>) {
        let p = point.momentum
        for i in 0..<dimension { output[i] = inverseMetric[i] * p[i] }
    }

    /// Draws p ~ N(0, M): pᵢ = zᵢ / √M⁻¹ᵢ with zᵢ standard normal. The zᵢ come in pairs from one
    /// Box–Muller transform each (Box & Muller 1958: r = √(−2 log u₁), z = r cos 2πu₂, r sin 2πu₂),
    /// which halves the logarithms and uniforms of drawing them one at a time; an odd last
    /// coordinate takes `nextNormal()`.
    @inlinable
    func sampleMomentum(_ point: PhaseSpacePoint, rng: inout Xoshiro256PlusPlus) {
        let p = point.momentum
        var i = 0
        while i + 1 < dimension {
            let radius = (-2 * log(rng.nextUniform())).squareRoot()
            let angle = 2 * Double.pi * rng.nextUniform()
            p[i] = radius * cos(angle) / inverseMetric[i].squareRoot()
            p[i + 1] = radius * sin(angle) / inverseMetric[i + 1].squareRoot()
            i += 2
        }
        if i < dimension { p[i] = rng.nextNormal() / inverseMetric[i].squareRoot() }
    }

    /// One leapfrog step of size ε (Stan's `expl_leapfrog`): half step in p, full step in q,
    /// new log density and gradient, half step in p. Returns false when the new point has a
    /// non-finite log density or gradient (its log density is then set to −∞).
    @inlinable
    func leapfrog<Density: LogDensity>(_ point: PhaseSpacePoint, stepSize: Double,
                                       density: inout Density) -> Bool {
        let q = point.position, p = point.momentum, g = point.gradient
        let half = 0.5 * stepSize
        for i in 0..<dimension { p[i] += half * g[i] }
        for i in 0..<dimension { q[i] += stepSize * inverseMetric[i] * p[i] }
        let finite = evaluate(point, density: &density)
        for i in 0..<dimension { p[i] += half * g[i] }
        return finite
    }

    /// Evaluates log p(q) and its gradient at the point's position. A non-finite value or
    /// gradient component marks the point as rejected (log density −∞) and returns false.
    @inlinable
    func evaluate<Density: LogDensity>(_ point: PhaseSpacePoint, density: inout Density) -> Bool {
        let value = density.logDensity(at: UnsafeBufferPointer(start: point.position, count: dimension),
                                       gradient: UnsafeMutableBufferPointer(start: point.gradient,
                                                                            count: dimension))
        var finite = value.isFinite
        if finite {
            let g = point.gradient
            var sum = 0.0
            for i in 0..<dimension { sum += g[i] }
            finite = sum.isFinite || allFinite(g)
        }
        point.logDensity = finite ? value : -.infinity
        return finite
    }

    /// True when every gradient component is finite (the slow path when their sum overflowed).
    @inlinable
    func allFinite(_ values: UnsafeMutablePointer<Double>) -> Bool {
        for i in 0..<dimension where !values[i].isFinite { return false }
        return true
    }
}
