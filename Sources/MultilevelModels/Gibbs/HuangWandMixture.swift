import MultilevelMath

/// The Huang–Wand prior on a q × q covariance matrix Σ as its inverse-Wishart mixture (Huang & Wand 2013, *Simple marginally
/// noninformative prior distributions for covariance matrices*, Bayesian Analysis 8(2), eq. 2):
///
///     Σ | a ~ IW(ν + q − 1, 2ν diag(1/a₁, …, 1/a_q)),      a_k ~ IG(1/2, 1/A_k²) independently,
///
/// under which each standard deviation is half-t(ν, 0, A_k) and, for ν = 2, each correlation is
/// uniform on (−1, 1). Given the L level effects b_l (scatter S = Σ_l b_l b_lᵀ) both conditionals
/// are standard (their §4):
///
///     Σ | a, b ~ IW(ν + q − 1 + L, 2ν diag(1/a) + S),      a_k | Σ ~ IG((ν + q)/2, ν (Σ⁻¹)_kk + 1/A_k²).
public struct HuangWandMixture: Sendable, Equatable {
    /// ν.
    public let degreesOfFreedom: Double
    /// A_1, …, A_q.
    public let scales: [Double]
    /// The auxiliary variables a_1, …, a_q.
    public internal(set) var auxiliary: [Double]

    public init(degreesOfFreedom: Double, scales: [Double]) {
        self.degreesOfFreedom = degreesOfFreedom
        self.scales = scales
        auxiliary = scales.map { $0 * $0 }
    }

    /// Dimension q.
    public var order: Int { scales.count }

    /// Degrees of freedom of the conditional inverse-Wishart given `levelCount` effects.
    public func posteriorDegreesOfFreedom(levelCount: Int) -> Double {
        degreesOfFreedom + Double(order - 1 + levelCount)
    }

    /// Adds the prior scale 2ν diag(1/a) to the diagonal of `scatter` (q × q column-major).
    public func addPriorScale(to scatter: UnsafeMutablePointer<Double>) {
        let q = order
        for k in 0..<q { scatter[k + k * q] += 2 * degreesOfFreedom / auxiliary[k] }
    }

    /// Draws each a_k from its conditional given the diagonal of Σ⁻¹.
    public mutating func updateAuxiliary(inverseDiagonal: UnsafePointer<Double>, rng: inout Xoshiro256PlusPlus) {
        let q = order
        for k in 0..<q {
            auxiliary[k] = rng.nextInverseGamma(shape: 0.5 * (degreesOfFreedom + Double(q)),
                                                scale: degreesOfFreedom * inverseDiagonal[k] + 1 / (scales[k] * scales[k]))
        }
    }
}
