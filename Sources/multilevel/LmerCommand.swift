/// `multilevel lmer`: Fit a linear (or generalised) mixed model by REML/ML or Laplace, as lme4 does.
struct LmerCommand: Command {
    let name = "lmer"
    let summary = "Fit a linear (or generalised) mixed model by REML/ML or Laplace, as lme4 does."
    let usage = "[MODEL] [options]"
    let discussion = ""
    var options: [OptionSpec] { [
        .flag("ml", "Maximum likelihood instead of REML."),
        .option("pooling", "KIND", "partial (the mixed model, default), complete (OLS) or none (one line per group)."),
        .option("confint", "KIND", "Intervals: wald or profile."),
        .flag("ranef", "Also print conditional modes with conditional SDs."),
        .flag("json", "Print one JSON object instead of the text summary."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
