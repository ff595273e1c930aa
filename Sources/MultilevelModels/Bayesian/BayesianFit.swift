import MultilevelData
import MultilevelSampling

/// A Bayesian fit with NUTS (`multilevel fit`): the posterior brms builds for the design, family
/// and priors (defaults merged with the user's statements), sampled by Stan-style NUTS chains in
/// parallel, with the draws mapped to brms' constrained quantities. Made by `BayesianFit.run`
/// (ConstrainedDrawsRecorder.swift), which streams each constrained draw as it is made.
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
    /// CmdStan column names of the constrained parameters (`r_Subject.1.2`), same order as in
    /// `draws` after the sampler columns, and the level / coefficient labels of each group.
    public let cmdStanParameterNames: [String]
    public let groupIndexLabels: [(group: String, levels: [String], coefficients: [String])]
}
