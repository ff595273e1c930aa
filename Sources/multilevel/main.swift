import Foundation

/// Entry point: `multilevel <subcommand> [options]`. Results go to stdout, notices to stderr;
/// exit 0 on success, 1 for bad input or a failed fit, 2 for bad usage.
let version = "0.1.0"
let commands: [Command] = Commands.all

func topLevelHelp() -> String {
    var text = """
    multilevel \(version) — Bayesian and frequentist multilevel models from the command line.

    USAGE: multilevel <subcommand> [options]

    SUBCOMMANDS:

    """
    let width = commands.map(\.name.count).max() ?? 0
    for c in commands {
        text += "  \(c.name)" + String(repeating: " ", count: width - c.name.count + 2) + c.summary + "\n"
    }
    text += "\nRun 'multilevel <subcommand> --help' for a subcommand's options.\n"
    return text
}

func runMain() -> Int32 {
    CommandOutput.installOutputSignalPolicy()
    SignalPolicy.install()
    var arguments = Array(CommandLine.arguments.dropFirst())
    guard let first = arguments.first else {
        writeStandardError(topLevelHelp())
        return 2
    }
    if first == "--help" || first == "-h" || first == "help" {
        writeStandardOutput(topLevelHelp())
        return 0
    }
    if first == "--version" {
        writeStandardOutput("multilevel \(version)\n")
        return 0
    }
    arguments.removeFirst()
    guard let command = commands.first(where: { $0.name == first }) else {
        let hint = nearestName(to: first, in: commands.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
        reportError("unknown subcommand '\(first)'\(hint) (see 'multilevel --help')", command: nil)
        return 2
    }
    do {
        let parsed = try ParsedArguments.parse(arguments, specs: command.options + [.flag("help", "")],
                                               command: command.name)
        if parsed.has("help") {
            writeStandardOutput(command.helpText)
            return 0
        }
        return try command.run(parsed)
    } catch let error as UsageError {
        reportError(error.description, command: command.name)
        return 2
    } catch let error as NotImplemented {
        reportError(error.description, command: nil)
        return 2
    } catch {
        reportError(describeError(error), command: command.name)
        return 1
    }
}

/// One line for an error: its `CustomStringConvertible` description when it has one.
func describeError(_ error: Error) -> String {
    // Not `(error as CustomStringConvertible)`: on Linux that cast goes through NSError and loses
    // the message. String(describing:) uses the error's own `description`.
    String(describing: error)
}

exit(runMain())
