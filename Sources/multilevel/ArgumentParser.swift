import Foundation
import Multilevel

/// An error in what the user typed on the command line; printed as one line, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Describes one option of a subcommand, for parsing and for `--help`.
struct OptionSpec: Sendable {
    /// Long name without dashes (`adapt-delta`).
    let name: String
    /// Placeholder for the value (`X`), or nil for a flag that takes no value.
    let value: String?
    /// Whether it may be given several times (`--prior`, `--factor`).
    let repeatable: Bool
    /// One-line help.
    let help: String

    static func flag(_ name: String, _ help: String) -> OptionSpec {
        OptionSpec(name: name, value: nil, repeatable: false, help: help)
    }
    static func option(_ name: String, _ value: String, _ help: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, value: value, repeatable: repeatable, help: help)
    }
}

/// Parsed command-line arguments: options by long name (each occurrence kept in order) and the
/// positional arguments. Accepts `--name value`, `--name=value` and `--` to end options.
struct ParsedArguments {
    var options: [String: [String]] = [:]
    var flags: Set<String> = []
    var positional: [String] = []

    /// The last value given for `name`, if any.
    func value(_ name: String) -> String? { options[name]?.last }
    /// Every value given for a repeatable option, in order.
    func values(_ name: String) -> [String] { options[name] ?? [] }
    /// Whether the flag `name` was given.
    func has(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option, with a message naming the option when it does not parse.
    func integer(_ name: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw UsageError("option --\(name): expected an integer, got '\(text)'")
        }
        return v
    }

    /// A floating-point option, with a message naming the option when it does not parse.
    func double(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw UsageError("option --\(name): expected a number, got '\(text)'")
        }
        return v
    }

    /// Parses `arguments` against `specs`. Unknown options are errors that suggest the nearest
    /// known option.
    static func parse(_ arguments: [String], specs: [OptionSpec], command: String) throws -> ParsedArguments {
        var result = ParsedArguments()
        let byName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                result.positional.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            if argument == "-h" { result.flags.insert("help"); continue }
            guard argument.hasPrefix("--") else {
                throw UsageError("unknown option '\(argument)' (options are spelled --name; see 'multilevel \(command) --help')")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = byName[name] else {
                let hint = nearestName(to: name, in: specs.map(\.name)).map { "; did you mean --\($0)?" } ?? ""
                throw UsageError("unknown option '--\(name)'\(hint)")
            }
            if spec.value == nil {
                if inlineValue != nil { throw UsageError("option --\(name) takes no value") }
                result.flags.insert(name)
                continue
            }
            let value: String
            if let inlineValue { value = inlineValue } else {
                guard i < arguments.count else { throw UsageError("option --\(name) needs a value (\(spec.value!))") }
                value = arguments[i]
                i += 1
            }
            if !spec.repeatable, result.options[name] != nil {
                throw UsageError("option --\(name) given more than once")
            }
            result.options[name, default: []].append(value)
        }
        return result
    }
}

/// The candidate closest to `name` (MultilevelData's `nearestNames`), if it is close enough to be a
/// plausible typo.
func nearestName(to name: String, in candidates: [String]) -> String? {
    nearestNames(to: name, in: candidates, limit: 1).first
}
