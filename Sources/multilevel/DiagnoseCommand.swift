import Foundation
import Multilevel

/// `multilevel diagnose`: Summarise and check chains from CmdStan-format or posterior draws CSV files.
struct DiagnoseCommand: Command {
    let name = "diagnose"
    let summary = "Summarise and check chains from CmdStan-format or posterior draws CSV files."
    let usage = "FILE... [options]"
    let discussion = """
    Reads one chain per CmdStan CSV file (from 'multilevel fit --output', CmdStan or rstan; saved \
    warm-up draws are dropped) or posterior draws CSVs with a .chain column, merges them, and prints \
    per variable the mean, sd, median, MAD, 5% and 95% quantiles, rank-normalised split R-hat, \
    bulk- and tail-ESS and the MCSE of the mean (as R's posterior package computes them). Flags \
    R-hat >= 1.01, ESS below 100 per chain, divergences, draws at the maximum tree depth and \
    E-BFMI < 0.3. Chains run as separate processes are merged by passing all their files; files \
    whose comments name different runs (model, seed, or the run_id 'multilevel fit' writes) are \
    refused unless --allow-mixed is given, and so are duplicated or empty column names.
    """
    var options: [OptionSpec] { [
        .option("variables", "LIST", "Comma-separated variables to summarise (default all)."),
        .flag("json", "Print one JSON object instead of the text summary."),
        .flag("allow-mixed", "Merge CmdStan files whose comments name different runs (model, seed or run_id); refused by default."),
    ] }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        do {
            return try diagnose(arguments)
        } catch let error as DrawsFileError {
            // Printed here with its own one-line description (a bridged NSError would not be).
            reportError(error.description, command: name)
            return 1
        }
    }

    private func diagnose(_ arguments: ParsedArguments) throws -> Int32 {
        guard !arguments.positional.isEmpty else {
            throw UsageError("give one or more CSV files of draws (see 'multilevel diagnose --help')")
        }
        let urls = arguments.positional.map { URL(fileURLWithPath: $0) }
        let chains = try DrawsFileReader.read(urls: urls, allowMixed: arguments.has("allow-mixed"))
        var parameters = chains.parameters
        if let list = arguments.value("variables") {
            let wanted = splitVariableList(list)
            guard !wanted.isEmpty else { throw UsageError("option --variables: no variable names given") }
            for name in wanted where parameters.index(of: name) == nil {
                let hint = nearestName(to: name, in: parameters.variableNames).map { "; did you mean '\($0)'?" } ?? ""
                throw UsageError("option --variables: no variable '\(name)' in the files\(hint)")
            }
            parameters = parameters.selecting(wanted)
        }
        let summary = summarize(draws: parameters)
        let checks = chains.samplerStatistics.variableCount > 0
            ? SamplerChecks(statistics: chains.samplerStatistics, maxTreeDepths: chains.chains.map(\.maxTreeDepth))
            : nil
        let report = DiagnosticsReport(summary: summary, checks: checks, files: arguments.positional,
                                       readingWarnings: chains.warnings)
        if arguments.has("json") {
            writeStandardOutput(report.json().serialized() + "\n")
        } else {
            writeStandardOutput(report.text())
        }
        return 0
    }

    /// Splits `b_Days,r_Subject[308,Days]` at the commas outside brackets.
    private func splitVariableList(_ list: String) -> [String] {
        var names: [String] = [], current = "", depth = 0
        for c in list {
            if c == "[" { depth += 1 } else if c == "]" { depth = max(0, depth - 1) }
            if c == ",", depth == 0 { names.append(current); current = ""; continue }
            current.append(c)
        }
        names.append(current)
        return names.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
