import MultilevelMath

/// A Student-t(ν, μ, s) prior on a population-level coefficient (brms' default
/// `Intercept ~ student_t(3, median(y), mad(y))` on the centred-predictor intercept) as a normal
/// scale mixture (Andrews & Mallows 1974; West 1987):
///
///     β | λ ~ N(μ, s² λ),      λ ~ IG(ν/2, ν/2)      ⇔      β ~ t(ν, μ, s),
///
/// so that, given λ, the prior is normal and (β, b) stay jointly normal in the Gibbs sampler;
/// λ | β ~ IG((ν + 1)/2, ν/2 + (β − μ)²/(2 s²)).
public struct StudentTInterceptMixture: Sendable, Equatable {
    public let degreesOfFreedom: Double
    public let location: Double
    public let scale: Double
    /// The mixing variable λ.
    public internal(set) var mixing: Double = 1

    public init(degreesOfFreedom: Double, location: Double, scale: Double) {
        self.degreesOfFreedom = degreesOfFreedom
        self.location = location
        self.scale = scale
    }

    /// The conditional prior variance s² λ of the coefficient.
    public var variance: Double { scale * scale * mixing }

    /// Draws λ from its full conditional given the coefficient's value.
    public mutating func updateMixing(value: Double, rng: inout Xoshiro256PlusPlus) {
        let z = (value - location) / scale
        mixing = rng.nextInverseGamma(shape: 0.5 * (degreesOfFreedom + 1), scale: 0.5 * (degreesOfFreedom + z * z))
    }
}

/// The prior of one population-level coefficient as the Gibbs sampler handles it: flat, normal,
/// or Student-t through its normal scale mixture.
public enum CoefficientPrior: Sendable, Equatable {
    case flat
    case normal(mean: Double, sd: Double)
    case studentT(StudentTInterceptMixture)

    /// The conditional prior (mean, variance), nil for the flat prior.
    public var conditionalNormal: (mean: Double, variance: Double)? {
        switch self {
        case .flat: return nil
        case let .normal(mean, sd): return (mean, sd * sd)
        case let .studentT(mixture): return (mixture.location, mixture.variance)
        }
    }

    /// Refreshes the mixing variable (Student-t) given the coefficient's current value.
    public mutating func update(value: Double, rng: inout Xoshiro256PlusPlus) {
        if case .studentT(var mixture) = self {
            mixture.updateMixing(value: value, rng: &rng)
            self = .studentT(mixture)
        }
    }
}
