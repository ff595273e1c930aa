import MultilevelData

/// The priors of a distributional model, predictor by predictor (`[0]` the mean's, then each
/// predicted auxiliary parameter's in formula order), and of the auxiliary parameters that are not
/// predicted.
///
/// `defaults` gives brms 2.18's (`get_prior` of `bf(…)`): for μ as for any brms model
/// (`PriorSet.defaults`); for a dpar's intercept on its link scale student_t(3, 0, 2.5) (sigma,
/// shape, phi) or normal(2.7, 0.8) (nu); b flat; every sd — a dpar's too — the class-wide
/// student_t(3, 0, s) of the response; LKJ(1) on every correlation matrix.
public struct DistributionalPriors: Sendable, Equatable {
    /// Per predictor, the prior of its (centred) Intercept (flat without one).
    public var intercept: [PriorDistribution]
    /// Per predictor, one prior per non-intercept coefficient.
    public var coefficients: [[PriorDistribution]]
    /// Per predictor, per term, one half prior per column.
    public var standardDeviations: [[[PriorDistribution]]]
    /// Per predictor, per term, the LKJ shape.
    public var correlationEta: [[Double]]
    /// One prior per auxiliary parameter of the family, used for those that are not predicted.
    public var auxiliary: [PriorDistribution]
}
