import MultilevelMath

/// One response distribution of the GLMM class (DESIGN §10): everything the engines need to know
/// about a family, in one place. A family is a caseless type conforming to this protocol (one
/// file under `Families/`) plus one line in the registry (`Family.visit`).
///
/// The members serve, in order: the model description (link, auxiliary parameters with brms'
/// names, whether the response is modelled on the log scale), the support check of the response,
/// the Bayesian row pass (`Rows`, generic so that `GLMMPosterior` gets one specialised loop per
/// family, and the data-only constant of the log-likelihood), the pointwise log-likelihood (LOO,
/// WAIC), the working weights of the IRLS pilot that chooses the parameterisation
/// (`ParameterisationPilot`), and random draws for posterior prediction and the parametric
/// bootstrap.
///
/// Auxiliary parameters arrive in the family's `auxiliaryParameters` order, on the constrained
/// scale (σ, not log σ).
protocol ResponseFamily {
    /// The row log-likelihood and its gradient for the posterior's row pass.
    associatedtype Rows: RowLikelihood

    /// The (default) link of the mean.
    static var link: Link { get }
    /// The links the family supports as brms does (`bernoulli(link = "probit")`), the default
    /// first; each other link has its line in `Family.visit` (`LinkedFamily`).
    static var links: [Link] { get }
    /// The family's auxiliary parameters in brms' output order.
    static var auxiliaryParameters: [AuxiliaryParameter] { get }
    /// Whether the response is modelled on the log scale with an identity link (brms'
    /// `has_logscale`: lognormal), which the default priors treat as a log link.
    static var hasLogScale: Bool { get }
    /// Whether the family is continuous with a scale or shape, so that a constant response has no
    /// finite estimate (gaussian, student, lognormal, Gamma).
    static var needsVaryingResponse: Bool { get }
    /// Whether the family needs the number of trials (`y | trials(n)`, `cbind(s, f)`).
    static var needsTrials: Bool { get }
    /// Whether the log-likelihood is linear in y and in the trials, so that rows with identical
    /// predictors and levels can be merged by summing them (bernoulli, binomial, poisson).
    static var mergesRows: Bool { get }
    /// Whether the likelihood depends on the (model-scale) data only through gaussian sufficient
    /// statistics (gaussian, lognormal): `GaussianSufficientStatistics` replaces the row pass.
    static var hasGaussianSufficientStatistics: Bool { get }

    /// y on the scale the likelihood reads it (log y for lognormal).
    static func modelScaleResponse(_ y: Double) -> Double
    /// Why a finite response `y` (with `trials`, 1 without) is outside the family's support, as the
    /// end of a one-line message (`count 2.5 is not a non-negative integer`), or nil when it is in.
    static func supportViolation(response y: Double, trials: Double) -> String?
    /// The data-only part of the log-likelihood over all rows (model-scale response), added once.
    static func dataConstant(response: [Double], trials: [Double]) -> Double
    /// The row pass for this family: `runner.run(Rows.self)` unless the family has faster passes
    /// for special shapes of the data (bernoulli).
    static func rowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double

    /// log p(y | η, auxiliary) of one observation including every constant (the pointwise
    /// log-likelihood of LOO and WAIC); `y` on the response's own scale.
    static func logLikelihood(response y: Double, trials: Double, eta: Double, auxiliary: [Double]) -> Double

    /// The pilot's starting η for response y (model scale).
    static func pilotInitialLinearPredictor(response y: Double, trials: Double) -> Double
    /// The pilot's IRLS working weight w = (∂μ/∂η)²/Var(y) and working residual (y − μ)/(∂μ/∂η)
    /// at η, with the current dispersion estimate (σ², φ or α; 1 for families without one).
    static func pilotWorkingWeightAndResidual(response y: Double, trials: Double, eta: Double,
                                              dispersion: Double) -> (weight: Double, residual: Double)
    /// A moment estimate of the dispersion from the residuals at η, nil for families without one.
    static func pilotDispersion(response: [Double], eta: [Double]) -> Double?

    /// E(y | η, auxiliary) on the response scale and one random draw of y (posterior prediction,
    /// parametric bootstrap).
    static func meanAndDraw(eta: Double, trials: Double, auxiliary: [Double],
                            rng: inout Xoshiro256PlusPlus) -> (mean: Double, draw: Double)

    /// Whether the family has the row pass of brms' addition terms `cens()`, `weights()`,
    /// `trunc()` (`AdditionTermPass`): the families with a distribution function.
    static var supportsAdditionTerms: Bool { get }
    /// The addition-term row pass for this family: `runner.runAdditions(Self.self)` for the
    /// families with a distribution function (`CensoredResponseFamily`); never called for others.
    static func additionRowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double
}

extension ResponseFamily {
    static var links: [Link] { [link] }
    static var hasLogScale: Bool { false }
    static var needsVaryingResponse: Bool { false }
    static var needsTrials: Bool { false }
    static var mergesRows: Bool { false }
    static var hasGaussianSufficientStatistics: Bool { false }
    static func modelScaleResponse(_ y: Double) -> Double { y }
    static func pilotDispersion(response: [Double], eta: [Double]) -> Double? { nil }
    @inline(__always)
    static func rowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double { runner.run(Rows.self) }
    static var supportsAdditionTerms: Bool { false }
    static func additionRowPass<Runner: RowPassRunner>(_ runner: Runner) -> Double { -.infinity }
}

/// Runs the posterior's row pass for a family's `RowLikelihood` (implemented by `GLMMPosterior`),
/// so that a family chooses its rows type and the loop is specialised for it.
protocol RowPassRunner {
    /// The rows, column by column.
    var columns: PosteriorColumns { get }
    /// One pass over the rows with `Rows`; returns the log-likelihood.
    func run<Rows: RowLikelihood>(_ type: Rows.Type) -> Double
    /// The fused bernoulli pass (`PosteriorColumns.fusedBernoulliPass`) for the current θ.
    func runFusedBernoulliPass() -> Double
    /// One pass over the rows with the addition terms (`AdditionTermPass`) for family `F`.
    func runAdditions<F: CensoredResponseFamily>(_ family: F.Type) -> Double
}

/// Calls back with a family's type: the registry's visitor (`Family.visit`), so that code generic
/// over `ResponseFamily` is specialised for every family.
protocol ResponseFamilyVisitor {
    associatedtype Result
    func visit<F: ResponseFamily>(_ family: F.Type) -> Result
}
