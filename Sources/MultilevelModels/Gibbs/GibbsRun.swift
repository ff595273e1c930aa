import MultilevelData
import MultilevelSampling

extension GibbsSampler {
    /// `multilevel fit --sampler gibbs`: the Gibbs counterpart of `BayesianFit.run`. Builds brms'
    /// priors (defaults, then the user's `statements`, Huang–Wand `cov` statements included) and the
    /// MCMCglmm-style `covariance` statements (`CovariancePriorStatement`), runs the Gibbs chains in
    /// parallel, and streams every constrained draw to `sink` (CmdStan CSV) as NUTS does. The draws
    /// have the seven CmdStan sampler columns (only `lp__` is meaningful: accept_stat__ = 1, the
    /// others 0) followed by brms' constrained parameters. Throws `GibbsModelError` for a model or
    /// prior outside the conjugate class (one line, suggesting --sampler nuts), `PriorError` for
    /// statements that do not fit the model.
    public static func fit(design: ModelDesign, family: Family, priors statements: [PriorStatement] = [],
                           covariance: [CovariancePriorStatement] = [], settings: SamplerSettings,
                           sink: ConstrainedDrawSink? = nil, progress: ChainProgress? = nil,
                           stopFlag: StopFlag? = nil) throws -> BayesianFit {
        try settings.validate()
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(statements)
        let layout = ParameterLayout(design: design, family: family)
        let model = try GibbsModel(design: design, family: family, priors: priorSet.resolved(for: layout),
                                   covariancePriors: CovariancePriors.resolve(covariance, layout: layout))
        let map = ConstrainedParameters(layout: layout, columnMeans: model.columnMeans)
        try sink?.prepare(parameterNames: map.names)
        let recorder = ConstrainedDrawsRecorder(map: map, settings: settings, sink: sink)
        let summaries = try ChainRunner.run(settings: settings, observer: recorder, progress: progress,
                                            stopFlag: stopFlag) { _ in GibbsSampler(model: model) }
        if let error = recorder.firstError { throw error }
        return BayesianFit(posterior: model.posterior.base, priors: priorSet, settings: settings,
                           chainSummaries: summaries, draws: recorder.draws,
                           unconstrainedDraws: Draws(variableNames: [], chains: []),
                           cmdStanParameterNames: map.cmdStanNames, groupIndexLabels: map.groupIndexLabels)
    }

    /// Runs `settings.chains` Gibbs chains of `model` (in parallel, one RNG stream per chain) and
    /// returns the draws after warm-up (plus warm-up when `settings.saveWarmup`) with the columns
    /// `lp__` followed by brms' constrained parameters (`b_Intercept`, …, `r_Subject[308,Intercept]`;
    /// `ConstrainedParameters.names`), and each chain's summary.
    public static func sample(model: GibbsModel, settings: SamplerSettings, progress: ChainProgress? = nil,
                              stopFlag: StopFlag? = nil) throws -> (draws: Draws, summaries: [ChainSummary]) {
        try settings.validate()
        let collector = DrawsCollector(settings: settings, parameterCount: model.layout.dimension)
        let summaries = try ChainRunner.run(settings: settings, observer: collector, progress: progress,
                                            stopFlag: stopFlag) { _ in GibbsSampler(model: model) }
        let unconstrained = collector.draws(parameterNames: model.layout.unconstrainedNames)
        return (logPosteriorAndConstrained(unconstrained, layout: model.layout, columnMeans: model.columnMeans), summaries)
    }
}

/// Maps draws collected on the unconstrained scale (the sampler statistics of
/// `TransitionStatistics.columnNames`, then the position) to `lp__` followed by brms' constrained
/// parameters (`BayesianFit.constrainedDraws` without the NUTS-only columns), for Gibbs and NUTS
/// draws alike.
public func logPosteriorAndConstrained(_ draws: Draws, layout: ParameterLayout, columnMeans: [Double]) -> Draws {
    var map = ConstrainedParameters(layout: layout, columnMeans: columnMeans)
    let all = BayesianFit.constrainedDraws(draws, dimension: layout.dimension, map: &map)
    let dropped = TransitionStatistics.columnNames.count - 1
    let width = all.variableCount
    let chains = all.chains.map { chain -> [Double] in
        var out: [Double] = []
        out.reserveCapacity(chain.count / width * (width - dropped))
        for row in 0..<(chain.count / width) {
            out.append(chain[row * width])
            out.append(contentsOf: chain[(row * width + dropped + 1)..<((row + 1) * width)])
        }
        return out
    }
    return Draws(variableNames: ["lp__"] + map.names, chains: chains)
}
