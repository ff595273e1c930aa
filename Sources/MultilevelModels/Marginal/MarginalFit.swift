import MultilevelData
import MultilevelSampling

extension BayesianFit {
    /// `fit --sampler marginal`: the same posterior as `run` for a gaussian model, sampled by NUTS
    /// on (b, Intercept, sigma, sd, L) only — the group-level effects integrated out
    /// (`MarginalPosterior`'s per-level Woodbury form for one group-level term,
    /// `CollapsedGaussianPosterior`'s blocked Cholesky for several) — and completed with exact
    /// conditional draws of the effects, so `draws` has the joint sampler's columns. `lp__` is the
    /// marginal log density.
    public static func runMarginal(design: ModelDesign, priors statements: [PriorStatement] = [],
                                   settings: SamplerSettings, sink: ConstrainedDrawSink? = nil,
                                   progress: ChainProgress? = nil, stopFlag: StopFlag? = nil) throws -> BayesianFit {
        try settings.validate()
        let family = Family.gaussian
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(statements)
        let layout = ParameterLayout(design: design, family: family)
        let resolved = priorSet.resolved(for: layout)
        let posterior = try GLMMPosterior(design: design, family: family, priors: resolved)
        let run = ReducedRun(posterior: posterior, priors: priorSet, settings: settings, sink: sink,
                             progress: progress, stopFlag: stopFlag)
        if design.randomTerms.count == 1 {
            return try run.sample(try MarginalPosterior(design: design, priors: resolved))
        }
        return try run.sample(try CollapsedGaussianPosterior(design: design, priors: resolved))
    }
}

/// One run of NUTS on a posterior with the group-level effects integrated out, its draws completed
/// by `MarginalDrawsRecorder`.
private struct ReducedRun {
    let posterior: GLMMPosterior
    let priors: PriorSet
    let settings: SamplerSettings
    let sink: ConstrainedDrawSink?
    let progress: ChainProgress?
    let stopFlag: StopFlag?

    func sample<Density: LogDensity & StandardisedEffectsDrawing>(_ density: Density) throws -> BayesianFit {
        let map = ConstrainedParameters(layout: density.layout, columnMeans: posterior.columnMeans)
        try sink?.prepare(parameterNames: map.names)
        let recorder = ConstrainedDrawsRecorder(map: map, settings: settings, sink: sink)
        let observer = MarginalDrawsRecorder(posterior: density, recorder: recorder, settings: settings)
        let maxTreeDepth = settings.maxTreeDepth
        let summaries = try ChainRunner.run(settings: settings, observer: observer, progress: progress,
                                            stopFlag: stopFlag) { _ in
            NUTSSampler(density: density, maxTreeDepth: maxTreeDepth)
        }
        if let error = recorder.firstError { throw error }
        return BayesianFit(posterior: posterior, priors: priors, settings: settings, chainSummaries: summaries,
                           draws: recorder.draws,
                           cmdStanParameterNames: map.cmdStanNames, groupIndexLabels: map.groupIndexLabels)
    }
}
