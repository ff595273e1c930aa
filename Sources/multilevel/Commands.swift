/// Every subcommand, in the order `multilevel --help` lists them.
enum Commands {
    static let all: [Command] = [
        DescribeCommand(), FitCommand(), LmerCommand(), AnovaCommand(), BootstrapCommand(), CompareCommand(), DiagnoseCommand(),
        PredictCommand(), EffectsCommand(), EmmeansCommand(), LooCommand(), KFoldCommand(),
    ]
}

/// Options shared by every command that reads a model: the model-file keys as flags (DESIGN §2 and
/// the model-file format in the README). A flag overrides the model file's key of the same name.
enum ModelOptions {
    static let specs: [OptionSpec] = [
        .option("data", "CSV", "Data file (overrides the model file's 'data'); '-' reads standard input."),
        .option("sep", "SEP", "Field separator of the data file: ',', ';' or 'tab' (default: detected from the header line)."),
        .option("dec", "DEC", "Decimal mark: '.' or ',' (default ',' when the separator is ';', else '.')."),
        .option("formula", "FORMULA", "Model formula, lme4/brms syntax, e.g. 'Reaction ~ Days + (Days | Subject)'."),
        .option("family", "FAMILY", "Response family: gaussian (default), bernoulli, binomial, poisson, negbinomial, student, lognormal, Gamma, zero_inflated_poisson, zero_inflated_negbinomial, hurdle_poisson, hurdle_negbinomial, hurdle_lognormal, exponential, weibull, beta, skew_normal, cumulative (ordinal ratings 1..K; thresholds b_Intercept[k]); a link as brms writes it: bernoulli(link = \"probit\"), binomial(\"cloglog\"), poisson(\"identity\"), Gamma(\"inverse\"), cumulative(\"probit\")."),
        .option("factor", "COLUMN", "Treat a numeric column as a factor (repeatable).", repeatable: true),
        .option("contrasts", "F=KIND", "Contrasts of factor F: treatment, sum, helmert or poly (R's contr.*); KIND alone sets every factor (repeatable).", repeatable: true),
        .option("reference", "F=LEVEL", "Make LEVEL the reference (first) level of factor F, as R's relevel (repeatable).", repeatable: true),
        .option("ordered", "Y=L1,L2,...", "The order of the levels of an ordinal response Y for family cumulative, as R's ordered(Y, levels = c(L1, L2, ...)): L1 is category 1; levels that do not occur are dropped, a value not listed is an error.", repeatable: true),
        .option("weights", "COLUMN", "lmer: prior weights, lme4's weights = (gaussian: residual variance sigma^2/w; binomial/bernoulli: the trials of a proportion response; poisson: each row's log-likelihood times w); brms' weights are 'y | weights(w)' in the formula."),
    ]
}
