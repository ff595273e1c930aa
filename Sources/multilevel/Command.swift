import Foundation

/// A subcommand of `multilevel`. Each lives in its own file (`FitCommand.swift`, …) and is listed
/// in `Commands.all`.
protocol Command: Sendable {
    /// The word after `multilevel` (`fit`).
    var name: String { get }
    /// One line for `multilevel --help`.
    var summary: String { get }
    /// Usage line(s) after the command name, e.g. `MODEL [options]`.
    var usage: String { get }
    /// A paragraph printed by `--help` before the options.
    var discussion: String { get }
    /// The options it accepts (`help` is added automatically).
    var options: [OptionSpec] { get }
    /// Runs with parsed arguments; returns the exit code. Throw `UsageError` for bad arguments
    /// (exit 2) and any other error with a one-line description for bad input (exit 1).
    func run(_ arguments: ParsedArguments) throws -> Int32
}

extension Command {
    /// The `--help` text.
    var helpText: String {
        var text = "USAGE: multilevel \(name) \(usage)\n\n\(summary)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        text += "\nOPTIONS:\n"
        let all = options + [.flag("help", "Show this help and exit.")]
        let width = all.map { optionLabel($0).count }.max() ?? 0
        for spec in all {
            let label = optionLabel(spec)
            text += "  " + label + String(repeating: " ", count: width - label.count + 2) + spec.help + "\n"
        }
        return text
    }

    private func optionLabel(_ spec: OptionSpec) -> String {
        "--\(spec.name)" + (spec.value.map { " <\($0)>" } ?? "")
    }
}

/// Error thrown by a subcommand whose issue has not landed yet (exit 2).
struct NotImplemented: Error, CustomStringConvertible {
    let command: String
    var description: String { "\(command): not implemented yet" }
}
