/// `multilevel bootstrap`: Bootstrap a mixed-model fit: parametric, by group or by row.
struct BootstrapCommand: Command {
    let name = "bootstrap"
    let summary = "Bootstrap a mixed-model fit: parametric, by group or by row."
    let usage = "[MODEL] [options]"
    let discussion = ""
    var options: [OptionSpec] { [
        .option("type", "KIND", "parametric (default), group or row."),
        .option("replicates", "N", "Number of bootstrap replicates (default 1000)."),
        .option("fraction", "X", "With --type row: the fraction of rows kept in each resample."),
        .option("seed", "N", "Random seed."),
        .flag("ml", "Refit by maximum likelihood instead of REML."),
        .flag("json", "Print one JSON object instead of the text summary."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
