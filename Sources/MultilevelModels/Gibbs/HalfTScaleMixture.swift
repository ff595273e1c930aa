import MultilevelMath

/// A half-Student-t(ν, 0, A) prior on a standard deviation s (brms' default `student_t(3, 0, A)`
/// on `sd` and `sigma`, truncated at 0) as a scale mixture of inverse gammas with an auxiliary a
/// (Huang & Wand 2013, *Simple marginally noninformative prior distributions for covariance
/// matrices*, Bayesian Analysis 8(2), Result 5; Makalic & Schmidt 2016 for ν = 1):
///
///     s² | a ~ IG(ν/2, ν/a),      a ~ IG(1/2, 1/A²)      ⇔      s ~ half-t(ν, 0, A).
///
/// Both conditionals are inverse gammas, so the Gibbs sampler draws the variance given the
/// effects' sum of squares and then a given the variance.
public struct HalfTScaleMixture: Sendable, Equatable {
    /// Degrees of freedom ν.
    public let degreesOfFreedom: Double
    /// Scale A.
    public let scale: Double
    /// The auxiliary variable a.
    public internal(set) var auxiliary: Double

    public init(degreesOfFreedom: Double, scale: Double) {
        self.degreesOfFreedom = degreesOfFreedom
        self.scale = scale
        auxiliary = scale * scale
    }

    /// Draws s² from its full conditional given `count` zero-mean normal values with sum of
    /// squares `sumOfSquares` and the current a: IG(ν/2 + count/2, ν/a + sumOfSquares/2).
    public func drawVariance(count: Int, sumOfSquares: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        rng.nextInverseGamma(shape: 0.5 * (degreesOfFreedom + Double(count)),
                             scale: degreesOfFreedom / auxiliary + 0.5 * sumOfSquares)
    }

    /// Draws a from its full conditional given s²: IG((ν + 1)/2, ν/s² + 1/A²).
    public mutating func updateAuxiliary(variance: Double, rng: inout Xoshiro256PlusPlus) {
        auxiliary = rng.nextInverseGamma(shape: 0.5 * (degreesOfFreedom + 1),
                                         scale: degreesOfFreedom / variance + 1 / (scale * scale))
    }
}

/// The prior of a scalar variance (a residual variance σ² or the variance of a one-column
/// group-level term) in a form the Gibbs sampler can update conjugately.
public enum VariancePrior: Sendable, Equatable {
    /// Half-Student-t on the standard deviation, through its inverse-gamma mixture.
    case halfT(HalfTScaleMixture)
    /// Inverse-gamma(shape, scale) on the variance itself (MCMCglmm's scalar prior).
    case inverseGamma(shape: Double, scale: Double)

    /// Draws the variance from its full conditional given `count` zero-mean normal values
    /// (residuals, or effects) with sum of squares `sumOfSquares`, then refreshes any auxiliary.
    public mutating func update(count: Int, sumOfSquares: Double, rng: inout Xoshiro256PlusPlus) -> Double {
        switch self {
        case .halfT(var mixture):
            let variance = mixture.drawVariance(count: count, sumOfSquares: sumOfSquares, rng: &rng)
            mixture.updateAuxiliary(variance: variance, rng: &rng)
            self = .halfT(mixture)
            return variance
        case let .inverseGamma(shape, scale):
            return rng.nextInverseGamma(shape: shape + 0.5 * Double(count), scale: scale + 0.5 * sumOfSquares)
        }
    }

    /// Draws the auxiliary variables (if any) from their conditional given the variance: used once
    /// at initialisation, so that the first update starts from a draw of the joint prior.
    public mutating func initializeAuxiliary(variance: Double, rng: inout Xoshiro256PlusPlus) {
        if case .halfT(var mixture) = self {
            mixture.updateAuxiliary(variance: variance, rng: &rng)
            self = .halfT(mixture)
        }
    }
}
