import MultilevelData
import MultilevelSampling

/// A Bayesian fit with NUTS (`multilevel fit`): the posterior brms builds for the design, family
/// and priors (defaults merged with the user's statements), sampled by Stan-style NUTS chains in
/// parallel, with the draws mapped to brms' constrained quantities.
public struct BayesianFit {
    /// The log posterior that was sampled.
    public let posterior: GLMMPosterior
    /// The prior table (defaults and user statements), for `--show-priors` and the summary.
    public let priors: PriorSet
    /// The sampler settings used.
    public let settings: SamplerSettings
    /// Per-chain summaries (timings, divergences, tree-depth saturations, adaptation).
    public let chainSummaries: [ChainSummary]
    /// Post-warm-up draws (and warm-up draws when `settings.saveWarmup`): the seven CmdStan sampler
    /// columns (`lp__`, `accept_stat__`, …) followed by the constrained parameters in brms' order
    /// (`ConstrainedParameters.names`).
    public let draws: Draws
    /// The unconstrained draws as the sampler produced them (sampler columns, then
    /// `ParameterLayout.unconstrainedNames`), e.g. for diagnosing the sampler itself.
    public let unconstrainedDraws: Draws
    /// CmdStan column names of the constrained parameters (`r_Subject.1.2`), same order as in
    /// `draws` after the sampler columns, and the level / coefficient labels of each group.
    public let cmdStanParameterNames: [String]
    public let groupIndexLabels: [(group: String, levels: [String], coefficients: [String])]

    /// Builds the posterior and runs NUTS.
    /// - Parameters:
    ///   - statements: user priors (`PriorStatement.parseAll`), applied over brms' defaults;
    ///     a statement naming a coefficient or group the model lacks throws `PriorError`.
    ///   - progress: CmdStan-style progress (nil for quiet).
    public static func fit(design: ModelDesign, family: Family, priors statements: [PriorStatement] = [],
                           settings: SamplerSettings, progress: ChainProgress? = nil,
                           stopFlag: StopFlag? = nil) throws -> BayesianFit {
        try settings.validate()
        var priorSet = PriorSet.defaults(for: design, family: family)
        try priorSet.apply(statements)
        let layout = ParameterLayout(design: design, family: family)
        let posterior = try GLMMPosterior(design: design, family: family, priors: priorSet.resolved(for: layout))
        let (unconstrained, summaries) = try NUTSSampler.sample(posterior, settings: settings,
                                                                parameterNames: layout.unconstrainedNames,
                                                                progress: progress, stopFlag: stopFlag)
        var map = ConstrainedParameters(posterior: posterior)
        let draws = constrainedDraws(unconstrained, dimension: layout.dimension, map: &map)
        return BayesianFit(posterior: posterior, priors: priorSet, settings: settings, chainSummaries: summaries,
                           draws: draws, unconstrainedDraws: unconstrained, cmdStanParameterNames: map.cmdStanNames,
                           groupIndexLabels: map.groupIndexLabels)
    }

    /// Maps every draw of `unconstrained` (sampler columns, then d parameters) to the sampler
    /// columns followed by the constrained quantities of `map`.
    public static func constrainedDraws(_ unconstrained: Draws, dimension: Int, map: inout ConstrainedParameters) -> Draws {
        let statistics = unconstrained.variableCount - dimension
        let inWidth = unconstrained.variableCount
        let outWidth = statistics + map.count
        let rows = unconstrained.drawsPerChain
        let chains = unconstrained.chains.map { chain -> [Double] in
            var output = [Double](repeating: 0, count: rows * outWidth)
            chain.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    for row in 0..<rows {
                        for s in 0..<statistics { out[row * outWidth + s] = input[row * inWidth + s] }
                        let position = UnsafeBufferPointer(rebasing: input[(row * inWidth + statistics)..<((row + 1) * inWidth)])
                        let target = UnsafeMutableBufferPointer(rebasing: out[(row * outWidth + statistics)..<((row + 1) * outWidth)])
                        map.write(unconstrained: position, into: target)
                    }
                }
            }
            return output
        }
        return Draws(variableNames: Array(unconstrained.variableNames.prefix(statistics)) + map.names, chains: chains)
    }
}
