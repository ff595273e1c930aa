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
/// parameters (`ConstrainedParameters.names`), for Gibbs and NUTS draws alike.
public func logPosteriorAndConstrained(_ draws: Draws, layout: ParameterLayout, columnMeans: [Double]) -> Draws {
    var map = ConstrainedParameters(layout: layout, columnMeans: columnMeans)
    let statistics = TransitionStatistics.columnNames.count
    let inWidth = draws.variableCount
    let outWidth = 1 + map.count
    let rows = draws.drawsPerChain
    let chains = draws.chains.map { chain -> [Double] in
        var output = [Double](repeating: 0, count: rows * outWidth)
        chain.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    out[row * outWidth] = input[row * inWidth]
                    let position = UnsafeBufferPointer(rebasing: input[(row * inWidth + statistics)..<((row + 1) * inWidth)])
                    let target = UnsafeMutableBufferPointer(rebasing: out[(row * outWidth + 1)..<((row + 1) * outWidth)])
                    map.write(unconstrained: position, into: target)
                }
            }
        }
        return output
    }
    return Draws(variableNames: ["lp__"] + map.names, chains: chains)
}
