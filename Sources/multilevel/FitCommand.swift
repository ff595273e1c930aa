/// `multilevel fit`: Fit a Bayesian multilevel model with NUTS or Gibbs (brms-style summary).
struct FitCommand: Command {
    let name = "fit"
    let summary = "Fit a Bayesian multilevel model with NUTS or Gibbs (brms-style summary)."
    let usage = "[MODEL] [options]"
    let discussion = ""
    var options: [OptionSpec] { [
        .option("prior", "PRIOR", "A prior in brms syntax, e.g. 'b ~ normal(0, 10)', 'sd:Subject ~ student_t(3, 0, 50)' (repeatable).", repeatable: true),
        .option("chains", "N", "Number of chains (default 4)."),
        .option("iter", "N", "Iterations per chain including warm-up (default 2000)."),
        .option("warmup", "N", "Warm-up iterations per chain (default iter/2)."),
        .option("seed", "N", "Random seed; the same seed gives byte-identical chains on any number of cores."),
        .option("sampler", "NAME", "nuts (default), gibbs or marginal."),
        .option("adapt-delta", "X", "Target acceptance statistic of step-size adaptation, in (0, 1) (default 0.8)."),
        .option("max-treedepth", "N", "Maximum NUTS tree depth (default 10)."),
        .option("init", "X", "Initial values drawn uniformly from (-X, X) on the unconstrained scale (default 2)."),
        .option("output", "DIR", "Write one CmdStan-format CSV per chain (chain-1.csv, ...) into DIR."),
        .flag("force", "Allow --output to write into an existing directory."),
        .flag("show-priors", "Print the priors in brms' prior_summary layout and exit."),
        .flag("ranef", "Also summarise group-level effects r_<group>[level,term]."),
        .flag("json", "Print one JSON object instead of the text summary."),
        .option("plots", "DIR", "Write trace and density plots (SVG) into DIR."),
        .flag("predict", "Write posterior predictive draws."),
        .option("chain-id", "K", "Run only chain K (1-based) with the stream a multi-chain run gives chain K."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
