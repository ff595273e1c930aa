/// `multilevel diagnose`: Summarise and check chains from CmdStan-format or posterior draws CSV files.
struct DiagnoseCommand: Command {
    let name = "diagnose"
    let summary = "Summarise and check chains from CmdStan-format or posterior draws CSV files."
    let usage = "FILE... [options]"
    let discussion = ""
    var options: [OptionSpec] { [
        .option("variables", "LIST", "Comma-separated variables to summarise (default all)."),
        .flag("json", "Print one JSON object instead of the text summary."),
    ] }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
