import MultilevelData
import MultilevelMath

/// A gaussian multilevel model prepared for the Gibbs sampler (shared by all chains): the data in
/// brms' centred form, the priors translated into conditionally conjugate pieces, and the
/// posterior (`CovariancePriorPosterior`) whose value at each draw is reported as `lp__`.
///
/// Conjugate translations (the posterior is unchanged; only auxiliary variables are added):
/// - `Intercept` and `b`: flat, normal, or Student-t / Cauchy as a normal scale mixture
///   (`StudentTInterceptMixture`);
/// - `sd` of a one-column term and `sigma`: half-Student-t / half-Cauchy with location 0 through
///   `HalfTScaleMixture` (brms' defaults), or an inverse-gamma variance prior (`sigma2`, `cov`);
/// - terms with two or more columns need a covariance prior: Huang–Wand (`cov:g ~ huang_wand(ν, A)`,
///   updated by `HuangWandMixture`) or inverse-Wishart (`CovariancePriors`); brms' sd + LKJ prior is
///   not conditionally conjugate. A one-column term may take either too.
/// So with brms' default priors and scalar group-level terms (any number of crossed or nested
/// random intercepts) the Gibbs sampler targets exactly brms' posterior.
public struct GibbsModel {
    /// The unconstrained layout the draws are written in (the same as NUTS').
    public var layout: ParameterLayout { posterior.layout }
    /// The posterior whose log density is `lp__`.
    public let posterior: CovariancePriorPosterior
    /// Means of the non-intercept columns (b_Intercept = Intercept − x̄·b).
    public var columnMeans: [Double] { posterior.base.columnMeans }

    /// y − ȳ (ȳ = 0 without an intercept) and ȳ.
    let response: [Double]
    let responseShift: Double
    /// F = [1, X_c]: brms' centred fixed-effects matrix.
    let fixedEffects: DenseMatrix
    let randomTerms: [RandomEffectTerm]
    /// Priors of F's coefficients (Intercept first when present).
    let coefficientPriors: [CoefficientPrior]
    /// Covariance priors of the terms (design order).
    let termPriors: [GroupCovarianceUpdate.Prior]
    let residualPrior: VariancePrior
    /// sd(y), the scale of the initial values.
    let responseScale: Double
    /// The partially collapsed update of the one-column terms' sds (nil: none applies).
    var collapsedScales: CollapsedScaleUpdate?

    /// Prepares `design` under `priors` (resolved brms priors) and optional covariance priors.
    /// Throws `GibbsModelError` when the model or a prior is outside what the Gibbs sampler can
    /// update conjugately (naming it), `FamilyError` for an invalid response.
    public init(design: ModelDesign, family: Family = .gaussian, priors: PosteriorPriors,
                covariancePriors: CovariancePriors? = nil) throws {
        guard family == .gaussian else {
            throw GibbsModelError(message: "the Gibbs sampler handles the gaussian family only, not \(family.name); use --sampler nuts")
        }
        guard !design.randomTerms.isEmpty else {
            throw GibbsModelError(message: "the Gibbs sampler needs at least one group-level term; use --sampler nuts")
        }
        let layout = ParameterLayout(design: design, family: family)
        let covariance = covariancePriors ?? .none(for: layout)
        posterior = try CovariancePriorPosterior(design: design, family: family, priors: priors,
                                                 covariancePriors: covariance)
        let shift = posterior.base.sufficient?.responseShift ?? 0
        responseShift = shift
        response = design.response.map { $0 - shift }
        var f = design.fixedEffects
        let means = posterior.base.columnMeans
        if design.hasIntercept {
            for k in 1..<max(1, f.columns) where k < f.columns {
                for i in 0..<f.rows { f[i, k] -= means[k - 1] }
            }
        }
        fixedEffects = f
        randomTerms = design.randomTerms

        var coefficients: [CoefficientPrior] = []
        if layout.hasIntercept { coefficients.append(try Self.coefficientPrior(priors.intercept, "Intercept")) }
        for (k, name) in layout.coefficientNames.enumerated() {
            coefficients.append(try Self.coefficientPrior(priors.coefficients[k], "b_\(name)"))
        }
        coefficientPriors = coefficients

        var termPriors: [GroupCovarianceUpdate.Prior] = []
        for (t, term) in layout.terms.enumerated() {
            let q = term.columnCount
            if let prior = covariance.terms[t] {
                termPriors.append(Self.termPrior(try prior.expanded(order: q, context: "prior 'cov:\(term.groupName) ~ \(prior)'")))
            } else if case let .huangWand(nu, scales)? = priors.covariance[t] {
                let expanded = scales.count == q ? scales : Array(repeating: scales[0], count: q)
                termPriors.append(q == 1 ? .scalar(.halfT(HalfTScaleMixture(degreesOfFreedom: nu, scale: expanded[0])))
                                         : .huangWand(HuangWandMixture(degreesOfFreedom: nu, scales: expanded)))
            } else if q == 1 {
                termPriors.append(.scalar(try Self.scalePrior(priors.standardDeviations[t][0],
                                                              "sd_\(term.groupName)__\(term.columnNames[0])")))
            } else {
                throw GibbsModelError(message: "the group-level term of \(term.groupName) with columns "
                    + "\(term.columnNames.joined(separator: ", ")) has correlated effects: the Gibbs sampler needs a "
                    + "covariance prior such as 'cov:\(term.groupName) ~ huang_wand(2, 25)' or 'cov:\(term.groupName) ~ inv_wishart(\(q + 1), 1)' "
                    + "(brms' sd and lkj priors are not conditionally conjugate), or use --sampler nuts")
            }
        }
        self.termPriors = termPriors
        if let residual = covariance.residualVariance, case let .inverseGamma(a, b) = residual {
            residualPrior = .inverseGamma(shape: a, scale: b)
        } else {
            let sigma = layout.auxiliaryParameters.firstIndex(of: .sigma)!
            residualPrior = try Self.scalePrior(priors.auxiliary[sigma], "sigma")
        }
        let n = Double(design.rowCount)
        let mean = design.response.reduce(0, +) / max(1, n)
        let variance = design.response.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(1, n - 1)
        responseScale = variance > 0 && variance.isFinite ? variance.squareRoot() : 1
        collapsedScales = CollapsedScaleUpdate(design: design, priors: priors, covariancePriors: covariance)
    }

    static func coefficientPrior(_ prior: PriorDistribution, _ name: String) throws -> CoefficientPrior {
        switch prior {
        case .flat: return .flat
        case let .normal(mean, sd): return .normal(mean: mean, sd: sd)
        case let .studentT(nu, location, scale):
            return .studentT(StudentTInterceptMixture(degreesOfFreedom: nu, location: location, scale: scale))
        case let .cauchy(location, scale):
            return .studentT(StudentTInterceptMixture(degreesOfFreedom: 1, location: location, scale: scale))
        default:
            throw GibbsModelError(message: "the Gibbs sampler takes flat, normal, student_t or cauchy priors on \(name), not \(prior); use --sampler nuts")
        }
    }

    static func scalePrior(_ prior: PriorDistribution, _ name: String) throws -> VariancePrior {
        switch prior {
        case let .studentT(nu, 0, scale):
            return .halfT(HalfTScaleMixture(degreesOfFreedom: nu, scale: scale))
        case let .cauchy(0, scale):
            return .halfT(HalfTScaleMixture(degreesOfFreedom: 1, scale: scale))
        default:
            throw GibbsModelError(message: "the Gibbs sampler takes a half student_t(ν, 0, A) or cauchy(0, A) prior on \(name), not \(prior); "
                + "write a covariance prior (cov/sigma2 ~ inv_gamma(a, b)) or use --sampler nuts")
        }
    }

    static func termPrior(_ prior: CovariancePrior) -> GroupCovarianceUpdate.Prior {
        switch prior {
        case let .inverseWishart(nu, psi):
            if psi.count == 1 { return .scalar(.inverseGamma(shape: nu / 2, scale: psi[0] / 2)) }
            let q = psi.count
            var scale = [Double](repeating: 0, count: q * q)
            for k in 0..<q { scale[k + k * q] = psi[k] }
            return .inverseWishart(degreesOfFreedom: nu, scale: scale)
        case let .inverseGamma(a, b):
            return .scalar(.inverseGamma(shape: a, scale: b))
        }
    }
}

/// A model or prior the Gibbs sampler cannot handle, with a one-line description naming it.
public struct GibbsModelError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { message }
}
