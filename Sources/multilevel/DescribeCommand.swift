/// `multilevel describe`: Print the parsed model: response, family, rows used, fixed-effect columns, random terms.
struct DescribeCommand: Command {
    let name = "describe"
    let summary = "Print the parsed model: response, family, rows used, fixed-effect columns, random terms."
    let usage = "MODEL [options]"
    let discussion = ""
    var options: [OptionSpec] { ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        throw NotImplemented(command: name)
    }
}
