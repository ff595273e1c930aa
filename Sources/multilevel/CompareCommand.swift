/// `multilevel compare`: Compare complete, no and partial pooling, bootstrap and Bayesian fits side by side.
struct CompareCommand: Command {
    let name = "compare"
    let summary = "Compare complete, no and partial pooling, bootstrap and Bayesian fits side by side."
    let usage = "[MODEL] [options]"
    let discussion = ""
    var options: [OptionSpec] { [
        .option("replicates", "N", "Bootstrap replicates (default 1000)."),
        .option("seed", "N", "Random seed."),
        .option("plots", "DIR", "Write SVG plots into DIR."),
        .flag("json", "Print one JSON object instead of the text tables."),
    ] + ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
