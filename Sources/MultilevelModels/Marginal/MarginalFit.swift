import MultilevelData
import MultilevelSampling

extension BayesianFit {
    /// `fit --sampler marginal`: the same posterior as `run` for a gaussian model with one
    /// group-level term, sampled by NUTS on (b, Intercept, sigma, sd, L) only — the group-level
    /// effects integrated out (`MarginalPosterior`) — and completed with exact conditional draws of
    /// the effects, so `draws` has the joint sampler's columns. `lp__` is the marginal log density.
    public static func runMarginal(design: ModelDesign, priors statements: [PriorStatement] = [],
                                   settings: SamplerSettings, sink: ConstrainedDrawSink? = nil,
                                   progress: ChainProgress? = nil, stopFlag: StopFlag? = nil) throws -> BayesianFit {
        try settings.validate()
        let family = Family.gaussian
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(statements)
        let layout = ParameterLayout(design: design, family: family)
        let resolved = priorSet.resolved(for: layout)
        let marginal = try MarginalPosterior(design: design, priors: resolved)
        let posterior = try GLMMPosterior(design: design, family: family, priors: resolved)
        let map = ConstrainedParameters(layout: layout, columnMeans: marginal.columnMeans)
        try sink?.prepare(parameterNames: map.names)
        let recorder = ConstrainedDrawsRecorder(map: map, settings: settings, sink: sink)
        let observer = MarginalDrawsRecorder(posterior: marginal, recorder: recorder, settings: settings)
        let summaries = try ChainRunner.run(settings: settings, observer: observer, progress: progress,
                                            stopFlag: stopFlag) { _ in
            NUTSSampler(density: marginal, maxTreeDepth: settings.maxTreeDepth)
        }
        if let error = recorder.firstError { throw error }
        return BayesianFit(posterior: posterior, priors: priorSet, settings: settings, chainSummaries: summaries,
                           draws: recorder.draws,
                           cmdStanParameterNames: map.cmdStanNames, groupIndexLabels: map.groupIndexLabels)
    }
}
