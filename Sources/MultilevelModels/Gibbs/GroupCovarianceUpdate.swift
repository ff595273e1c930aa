import MultilevelMath

/// The Gibbs update of one group-level term's covariance Σ (q × q) given its level effects
/// b_1, …, b_L ~ N(0, Σ), under a conditionally conjugate prior:
///
/// - q = 1: a `VariancePrior` (half-t through its inverse-gamma mixture, or inverse-gamma),
///   σ_b² | b ~ IG(· + L/2, · + Σ b_l²/2);
/// - Huang–Wand (`HuangWandMixture`), or inverse-Wishart(ν, Ψ) as MCMCglmm (Hadfield 2010, §3):
///   Σ | b ~ IW(ν + L, Ψ + S), S = Σ_l b_l b_lᵀ.
///
/// Keeps Σ and its Cholesky factor C (Σ = C Cᵀ), which the joint (β, b) draw uses.
struct GroupCovarianceUpdate: Sendable {
    enum Prior: Sendable, Equatable {
        case scalar(VariancePrior)
        case huangWand(HuangWandMixture)
        case inverseWishart(degreesOfFreedom: Double, scale: [Double])
    }

    /// Columns q and levels L of the term.
    let order: Int
    let levelCount: Int
    var prior: Prior
    /// Σ and its lower Cholesky factor C, column-major q × q.
    private(set) var covariance: [Double]
    private(set) var factor: [Double]
    /// Scatter matrix and inverse-Wishart workspace.
    private var scatter: [Double]
    private var workspace: [Double]

    init(order: Int, levelCount: Int, prior: Prior) {
        self.order = order
        self.levelCount = levelCount
        self.prior = prior
        covariance = [Double](repeating: 0, count: order * order)
        factor = covariance
        scatter = covariance
        workspace = [Double](repeating: 0, count: 3 * order * order)
    }

    /// Sets Σ = diag(sds²) and draws the prior's auxiliary variables given it.
    mutating func initialize(standardDeviations sds: [Double], rng: inout Xoshiro256PlusPlus) {
        let q = order
        for k in 0..<(q * q) { covariance[k] = 0 }
        for k in 0..<q { covariance[k + k * q] = sds[k] * sds[k] }
        refreshFactor()
        refreshAuxiliary(rng: &rng)
    }

    /// Draws Σ given the effects (`effects[level * q + k]`), then the prior's auxiliary variables
    /// given Σ.
    mutating func update(effects: UnsafePointer<Double>, rng: inout Xoshiro256PlusPlus) throws {
        let q = order
        for k in 0..<(q * q) { scatter[k] = 0 }
        for level in 0..<levelCount {
            let b = effects + level * q
            for j in 0..<q { for i in j..<q { scatter[i + j * q] += b[i] * b[j] } }
        }
        switch prior {
        case .scalar(var variancePrior):
            covariance[0] = variancePrior.update(count: levelCount, sumOfSquares: scatter[0], rng: &rng)
            prior = .scalar(variancePrior)
            factor[0] = covariance[0].squareRoot()
            return
        case let .huangWand(huangWand):
            scatter.withUnsafeMutableBufferPointer { huangWand.addPriorScale(to: $0.baseAddress!) }
            try drawInverseWishart(huangWand.posteriorDegreesOfFreedom(levelCount: levelCount))
        case let .inverseWishart(nu, scale):
            for k in 0..<(q * q) { scatter[k] += scale[k] }
            try drawInverseWishart(nu + Double(levelCount))
        }
        refreshFactor()
        refreshAuxiliary(rng: &rng)

        func drawInverseWishart(_ nu: Double) throws {
            let drawn = scatter.withUnsafeBufferPointer { s in
                covariance.withUnsafeMutableBufferPointer { c in
                    workspace.withUnsafeMutableBufferPointer { w in
                        MultilevelModels.drawInverseWishart(degreesOfFreedom: nu, scale: s.baseAddress!, order: q,
                                                            covariance: c.baseAddress!, workspace: w.baseAddress!,
                                                            rng: &rng)
                    }
                }
            }
            guard drawn else { throw GibbsNumericalError(message: "the scale matrix of a covariance update is not positive definite") }
        }
    }

    /// Sets the variance of a one-column term (`CollapsedScaleUpdate`'s draw) and redraws the prior's
    /// auxiliary variable given it.
    mutating func setVariance(_ variance: Double, rng: inout Xoshiro256PlusPlus) {
        precondition(order == 1, "only a one-column term's variance is set directly")
        covariance[0] = variance
        refreshFactor()
        refreshAuxiliary(rng: &rng)
    }

    /// C = chol(Σ); a Σ that lost positive definiteness to rounding is nudged on its diagonal.
    private mutating func refreshFactor() {
        let q = order
        if q == 1 {
            factor[0] = covariance[0].squareRoot()
            return
        }
        var jitter = 0.0
        while true {
            for k in 0..<(q * q) { factor[k] = covariance[k] }
            for k in 0..<q { factor[k + k * q] += jitter }
            let failed = factor.withUnsafeMutableBufferPointer {
                choleskyFactorLowerInPlace($0.baseAddress!, order: q, leadingDimension: q)
            }
            if failed == nil { break }
            var largest = 0.0
            for k in 0..<q { largest = max(largest, covariance[k + k * q]) }
            jitter = jitter == 0 ? largest * 1e-12 : jitter * 10
        }
        for j in 0..<q { for i in 0..<j { factor[i + j * q] = 0 } }
    }

    /// Redraws the prior's auxiliary variables given the current Σ.
    private mutating func refreshAuxiliary(rng: inout Xoshiro256PlusPlus) {
        switch prior {
        case .scalar(var variancePrior):
            variancePrior.initializeAuxiliary(variance: covariance[0], rng: &rng)
            prior = .scalar(variancePrior)
        case .huangWand(var huangWand):
            // diag(Σ⁻¹)_k = Σ_i ((C⁻¹)_ik)², C⁻¹ by forward substitution into the workspace.
            let q = order
            workspace.withUnsafeMutableBufferPointer { w in
                let inverse = w.baseAddress!
                let diagonal = inverse + q * q
                factor.withUnsafeBufferPointer { invertLowerTriangular($0.baseAddress!, order: q, into: inverse) }
                for k in 0..<q {
                    var sum = 0.0
                    for i in k..<q { sum += inverse[i + k * q] * inverse[i + k * q] }
                    diagonal[k] = sum
                }
                huangWand.updateAuxiliary(inverseDiagonal: diagonal, rng: &rng)
            }
            prior = .huangWand(huangWand)
        case .inverseWishart:
            break
        }
    }
}

/// A numerical failure inside a Gibbs update (a singular system), with a one-line description.
public struct GibbsNumericalError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { "Gibbs sampler: \(message)" }
}
