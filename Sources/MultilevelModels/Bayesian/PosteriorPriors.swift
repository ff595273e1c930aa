/// The prior of every parameter of a GLMM posterior after defaults and user statements have been
/// merged (`PriorSet.resolved(for:)`): what the log density (and the Gibbs sampler) evaluates.
public struct PosteriorPriors: Sendable, Equatable {
    /// Prior of the centred `Intercept` (ignored without an intercept).
    public var intercept: PriorDistribution
    /// Prior of each population-level coefficient `b` (layout order).
    public var coefficients: [PriorDistribution]
    /// Half-priors of the standard deviations, `[term][column]` (truncated at 0).
    public var standardDeviations: [[PriorDistribution]]
    /// LKJ shape η of each term's correlation matrix (unused for q = 1).
    public var correlationEta: [Double]
    /// Priors of the family's auxiliary parameters (`sigma`, `nu`, `shape`), truncated at their
    /// lower bounds.
    public var auxiliary: [PriorDistribution]
    /// Per term, a prior on its whole covariance matrix (`huangWand`) that replaces its sd and
    /// correlation priors, or nil.
    public var covariance: [PriorDistribution?]
    /// Prior of each monotonic effect's coefficient bsp (`ParameterLayout.monotonic` order; brms'
    /// class `b`, coefficient `moedu`); flat when empty.
    public var monotonic: [PriorDistribution] = []
    /// The Dirichlet concentrations α of each monotonic effect's simplex (`ParameterLayout.monotonic`
    /// order, D values each; brms' class `simo`); brms' default Dirichlet(1, …, 1) when empty.
    public var simplexConcentrations: [[Double]] = []

    public init(intercept: PriorDistribution, coefficients: [PriorDistribution],
                standardDeviations: [[PriorDistribution]], correlationEta: [Double],
                auxiliary: [PriorDistribution], covariance: [PriorDistribution?]? = nil) {
        self.intercept = intercept
        self.coefficients = coefficients
        self.standardDeviations = standardDeviations
        self.correlationEta = correlationEta
        self.auxiliary = auxiliary
        self.covariance = covariance ?? standardDeviations.map { _ in nil }
    }
}

extension PosteriorPriors {
    /// Adds the population-level priors — the centred `Intercept`'s and each coefficient's — to
    /// `lp` and writes their unconstrained gradients: g = ∂ log L/∂θ + ∂ log p/∂θ, where
    /// `likelihoodGradient` holds ∂ log L/∂(Intercept, b) in the order (Intercept if present, b…).
    /// Shared by the joint (`GLMMPosterior`) and marginal (`MarginalPosterior`) densities.
    @inline(__always)
    func addPopulationLevelPriors(to lp: inout Double, at x: UnsafePointer<Double>,
                                  gradient g: UnsafeMutablePointer<Double>,
                                  likelihoodGradient: UnsafePointer<Double>, layout: ParameterLayout) {
        if layout.hasIntercept {
            let io = layout.interceptOffset
            // An ordinal model's slot is −τ₁; its thresholds' prior is `OrdinalThresholds.addPrior`.
            let prior = layout.thresholdCount > 0 ? (value: 0.0, derivative: 0.0) : intercept.logDensityAndDerivative(x[io])
            lp += prior.value
            g[io] = likelihoodGradient[0] + prior.derivative
        }
        let shift = layout.hasIntercept ? 1 : 0
        for k in 0..<layout.coefficientNames.count {
            let prior = coefficients[k].logDensityAndDerivative(x[k])
            lp += prior.value
            g[k] = likelihoodGradient[shift + k] + prior.derivative
        }
    }
}
