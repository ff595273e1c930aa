import MultilevelSampling

extension GibbsSampler {
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
        return (constrainedDraws(unconstrained, layout: model.layout, columnMeans: model.columnMeans), summaries)
    }
}

/// Maps draws collected on the unconstrained scale (the sampler statistics of
/// `TransitionStatistics.columnNames`, then the position) to `statistics` (default `lp__`) followed
/// by brms' constrained parameters (`ConstrainedParameters`), for Gibbs and NUTS draws alike.
public func constrainedDraws(_ draws: Draws, layout: ParameterLayout, columnMeans: [Double],
                             statistics: [String] = ["lp__"]) -> Draws {
    var constrained = ConstrainedParameters(layout: layout, columnMeans: columnMeans)
    let statisticColumns = statistics.map { name in draws.index(of: name)! }
    let positionStart = TransitionStatistics.columnNames.count
    let inWidth = draws.variableCount
    let outWidth = statistics.count + constrained.count
    let rows = draws.drawsPerChain
    let chains = draws.chains.map { chain -> [Double] in
        var out = [Double](repeating: 0, count: rows * outWidth)
        chain.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                for row in 0..<rows {
                    let source = input.baseAddress! + row * inWidth
                    let target = output.baseAddress! + row * outWidth
                    for (i, column) in statisticColumns.enumerated() { target[i] = source[column] }
                    constrained.write(unconstrained: UnsafeBufferPointer(start: source + positionStart, count: layout.dimension),
                                      into: UnsafeMutableBufferPointer(start: target + statistics.count, count: constrained.count))
                }
            }
        }
        return out
    }
    return Draws(variableNames: statistics + constrained.names, chains: chains)
}
