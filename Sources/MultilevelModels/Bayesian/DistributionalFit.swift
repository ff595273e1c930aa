import MultilevelData
import MultilevelSampling

/// A Bayesian fit of a distributional model by joint NUTS (the collapsed gaussian samplers assume
/// a constant σ, so every `bf(…)` model with a predicted dpar is sampled jointly, non-centred as
/// brms): the draws mapped to brms' constrained quantities (`DistributionalPosterior.parameterNames`).
public struct DistributionalFit {
    /// The log posterior that was sampled.
    public let posterior: DistributionalPosterior
    /// The sampler settings used.
    public let settings: SamplerSettings
    /// Per-chain summaries.
    public let chainSummaries: [ChainSummary]
    /// The seven CmdStan sampler columns followed by the constrained parameters in brms' order.
    public let draws: Draws
    /// CmdStan column names of the constrained parameters (`r_Subject__sigma.1.1`).
    public let cmdStanParameterNames: [String]

    /// Samples `posterior` with NUTS under `settings`.
    public static func run(posterior: DistributionalPosterior, settings: SamplerSettings,
                           progress: ChainProgress? = nil, stopFlag: StopFlag? = nil) throws -> DistributionalFit {
        let (unconstrained, summaries) = try NUTSSampler<DistributionalPosterior>.sample(posterior, settings: settings, progress: progress,
                                                                stopFlag: stopFlag)
        let (names, cmdStanNames) = posterior.parameterNames
        let samplerColumns = TransitionStatistics.columnNames.count
        let width = unconstrained.variableCount
        let chains = unconstrained.chains.map { chain -> [Double] in
            var out: [Double] = []
            let rows = chain.count / max(1, width)
            out.reserveCapacity(rows * (samplerColumns + names.count))
            for row in 0..<rows {
                let start = row * width
                out.append(contentsOf: chain[start..<(start + samplerColumns)])
                out.append(contentsOf: posterior.constrained(Array(chain[(start + samplerColumns)..<(start + width)])))
            }
            return out
        }
        let draws = Draws(variableNames: Array(unconstrained.variableNames.prefix(samplerColumns)) + names, chains: chains)
        return DistributionalFit(posterior: posterior, settings: settings, chainSummaries: summaries, draws: draws,
                                 cmdStanParameterNames: cmdStanNames)
    }
}
