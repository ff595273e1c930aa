import Foundation

/// A Bayesian model as given — design, family and prior statements — with the decisions `fit`
/// makes before sampling: which prior statements are brms priors and which are MCMCglmm-style
/// covariance priors for the Gibbs sampler, which sampler runs when none is named, and which
/// combinations are refused. `fit(…)` samples it; `warnings(…)` are the messages brms and rstan
/// print after a fit.
public struct BayesianModel {
    public let design: ModelDesign
    public let family: Family
    /// brms prior statements (`b ~ normal(0, 10)`).
    public let priors: [PriorStatement]
    /// Gibbs covariance priors (`inv_wishart`, `inv_gamma` on a group's covariance or σ²).
    public let covariancePriors: [CovariancePriorStatement]
    /// The statements as given, in order.
    public let priorTexts: [String]

    /// Sorts `priorStatements` (text and where it was given, for messages) into brms priors and
    /// Gibbs covariance priors, parsing each.
    public init(design: ModelDesign, family: Family, priorStatements: [(text: String, origin: String)]) throws {
        self.design = design
        self.family = family
        var statements: [PriorStatement] = []
        var covariance: [CovariancePriorStatement] = []
        for (text, origin) in priorStatements {
            if CovariancePriorStatement.isCovarianceStatement(text) {
                covariance.append(try CovariancePriorStatement.parse(text, origin: origin))
            } else {
                statements.append(try PriorStatement.parse(text, origin: origin))
            }
        }
        priors = statements
        covariancePriors = covariance
        priorTexts = priorStatements.map(\.text)
    }

    /// brms' default priors for this design and family with the statements applied.
    public func priorSet() throws -> PriorSet {
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(priors)
        return priorSet
    }

    /// The priors in brms' `prior_summary` layout.
    public func priorSummary() throws -> String {
        try priorSet().summaryTable()
    }

    /// Refuses a model whose posterior is improper because of separation: a population-level
    /// coefficient that diverges in the likelihood (`separationFindings`, by one column or any
    /// linear combination of them) and has a flat prior. Throws `ImproperPosteriorError`.
    public func requireProperPosterior() throws {
        try requireProperPosteriorUnderSeparation(design, family: family, priors: try priorSet())
    }

    /// The sampler `fit` uses when none is named: `SamplerRule.defaultSampler` (the collapsed
    /// sampler for gaussian models whose collapsed evaluation is cheap enough, joint NUTS otherwise;
    /// the rule and the measurements behind it are in `CollapsedSamplerRule.swift`).
    public var defaultSampler: String {
        // The addition terms (se(), cens(), weights(), trunc()) have only the joint row pass.
        // …and so have the monotonic effects mo().
        if design.additions != nil || !design.monotonic.isEmpty { return "nuts" }
        return SamplerRule.defaultSampler(family: family, design: design, priors: priors,
                                   hasCovariancePriors: !covariancePriors.isEmpty)
    }

    /// The sampler to run: `named` (with where it was given, for messages) or the default, checked
    /// against the family and the priors. Throws `BayesianModelUsageError` for a combination that
    /// cannot run.
    public func sampler(named: String?, origin: String?) throws -> String {
        let sampler = named ?? defaultSampler
        guard ["nuts", "marginal", "gibbs"].contains(sampler) else {
            throw BayesianModelUsageError("unknown sampler '\(sampler)' (\(origin ?? "sampler")); use nuts, gibbs or marginal")
        }
        if sampler != "gibbs", let first = covariancePriors.first {
            throw BayesianModelUsageError("prior '\(first.text)' (\(first.origin)) is a Gibbs covariance prior; give --sampler gibbs, or use huang_wand / lkj priors with NUTS")
        }
        if sampler == "marginal", family != .gaussian {
            throw BayesianModelUsageError("--sampler marginal needs the gaussian family, not \(family.specification); use --sampler nuts")
        }
        if sampler != "nuts", let label = design.additions?.termNames.joined(separator: ", ") {
            throw BayesianModelUsageError("\(label) is fitted by the joint sampler only; use --sampler nuts")
        }
        if sampler != "nuts", let effect = design.monotonic.first {
            throw BayesianModelUsageError("\(effect.text) is fitted by the joint sampler only; use --sampler nuts")
        }
        if sampler == "gibbs", design.offset != nil {
            throw BayesianModelUsageError("offset() is not supported by the Gibbs sampler; use --sampler nuts or marginal")
        }
        return sampler
    }

    /// Samples the posterior with `sampler` (from `sampler(named:origin:)`); returns the fit and
    /// the notices to show (group-level terms sampled centred or hierarchically centred).
    public func fit(sampler: String, settings: SamplerSettings, parameterisation: ParameterisationChoice = .automatic,
                    sink: ConstrainedDrawSink? = nil, progress: ChainProgress? = nil,
                    stopFlag: StopFlag? = nil) throws -> (fit: BayesianFit, notices: [String]) {
        switch sampler {
        case "marginal":
            return (try BayesianFit.runMarginal(design: design, priors: priors, settings: settings, sink: sink,
                                                progress: progress, stopFlag: stopFlag), [])
        case "gibbs":
            return (try GibbsSampler.fit(design: design, family: family, priors: priors, covariance: covariancePriors,
                                         settings: settings, sink: sink, progress: progress, stopFlag: stopFlag), [])
        default:
            let fit = try BayesianFit.run(design: design, family: family, priors: priors, settings: settings,
                                          parameterisation: parameterisation, sink: sink, progress: progress,
                                          stopFlag: stopFlag)
            var notices: [String] = []
            let centred = fit.posterior.layout.centredGroupNames
            if !centred.isEmpty {
                notices.append("group-level effects of \(centred.joined(separator: ", ")) sampled centred (their levels' data outweigh the prior; --parameterization noncentered gives brms' parameterisation)")
            }
            let partial = fit.posterior.layout.partiallyCentredGroupNames
            if !partial.isEmpty {
                notices.append("group-level effects of \(partial.joined(separator: ", ")) partially centred per level (each level by its data's share of the information; --parameterization centered or noncentered turns this off)")
            }
            let nested = fit.posterior.layout.hierarchicalCentring
            if !nested.isEmpty {
                let pairs = nested.map { "\($0.group) on \($0.parent)" }.joined(separator: ", ")
                notices.append("nested group-level effects hierarchically centred (\(pairs): sampled as sums with the effect they are nested in; --parameterization centered turns this off)")
            }
            return (fit, notices)
        }
    }

    /// The warnings after a fit, in the order brms/rstan print them: divergences, tree depth,
    /// R-hat and ESS (`brmsWarnings`), separation (`separationWarnings`), parameters that never
    /// moved (`stuckParametersWarning`).
    public func warnings(parameterDraws: Draws, summary: DrawsSummary, divergences: Int, treeDepthSaturations: Int,
                         maxTreeDepth: Int) -> [String] {
        var result = brmsWarnings(summary: summary, divergences: divergences, treeDepthSaturations: treeDepthSaturations,
                                  maxTreeDepth: maxTreeDepth)
        result += separationWarnings(design, family: family)
        if let warning = stuckParametersWarning(parameterDraws, design: design) { result.append(warning) }
        return result
    }
}

/// A combination of model, priors and sampler that cannot run (the CLI reports it as a usage
/// error, exit 2).
public struct BayesianModelUsageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A warning when some parameters kept one value in every draw of every chain: the sampler never
/// moved them from their initial values (rstan's "The largest R-hat is NA"), so their estimates
/// mean nothing. This is what a response on a scale far from the unit-scale initialisation
/// (values like 1e100) gives; the warning names the response's largest value then.
public func stuckParametersWarning(_ draws: Draws, design: ModelDesign) -> String? {
    guard draws.drawsPerChain >= 2 else { return nil }
    var stuck: [String] = []
    for (index, name) in draws.variableNames.enumerated() {
        let values = draws.values(ofVariable: index).joined()
        guard let first = values.first else { continue }
        if values.allSatisfy({ $0 == first }) { stuck.append(name) }
    }
    guard !stuck.isEmpty else { return nil }
    let shown = stuck.prefix(4).joined(separator: ", ") + (stuck.count > 4 ? ", …" : "")
    let largest = design.response.reduce(0) { max($0, abs($1)) }
    let scale = largest >= 1e6
        ? "; the response reaches \(String(format: "%g", largest)): rescale it towards unit scale (for example divide by \(String(format: "%g", pow(10, log10(largest).rounded(.down)))))"
        : "; check the scale of the data and the priors"
    return "\(stuck.count) parameters (\(shown)) never moved from their initial values in any chain: the sampler is stuck and their estimates are meaningless\(scale)"
}
