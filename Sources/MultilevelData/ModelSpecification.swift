import Foundation

/// A model as the user describes it: the keys of a model file (`key: value` lines, `#` comments),
/// possibly overridden by command-line flags. Every key is optional; each remembers where it came
/// from (`origin`) so that later errors can name `file:line` or the option.
///
/// ```
/// # sleepstudy.model
/// data: sleepstudy.csv
/// formula: Reaction ~ Days + (Days | Subject)
/// prior: sigma ~ exponential(0.1)
/// chains: 4
/// ```
public struct ModelSpecification: Sendable, Equatable {
    /// Where a setting came from.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        /// A model file and 1-based line.
        case file(String, line: Int)
        /// A command-line option (`--chains`).
        case option(String)

        public var description: String {
            switch self {
            case .file(let name, let line): return "\(name):\(line)"
            case .option(let name): return "option --\(name)"
            }
        }
    }

    /// A value with its origin.
    public struct Setting<Value: Sendable & Equatable>: Sendable, Equatable {
        public var value: Value
        public var origin: Origin
        public init(_ value: Value, origin: Origin) {
            self.value = value
            self.origin = origin
        }
    }

    /// Keys accepted in model files, in documentation order. Command-line flags use `-` for `_`.
    public static let keys = ["data", "formula", "family", "prior", "factor", "contrasts", "reference", "ordered", "sep", "dec",
                              "chains", "iter", "warmup", "seed", "sampler", "adapt_delta", "max_treedepth",
                              "parameterization", "weights"]
    /// The accepted values of `parameterization`.
    public static let parameterizationModes: Set<String> = ["auto", "partial", "centered", "centred", "noncentered", "noncentred",
                                                            "non-centered", "non-centred"]
    /// Keys that may be given several times.
    public static let repeatableKeys: Set<String> = ["prior", "factor", "contrasts", "reference", "ordered"]

    /// A `contrasts:` entry: `recipe = sum` (column nil: `contrasts: sum`, every factor).
    public struct ContrastSetting: Sendable, Equatable {
        public var column: String?
        public var kind: ContrastKind
    }

    /// A `reference:` entry: `temperature = 185`.
    public struct ReferenceLevel: Sendable, Equatable {
        public var column: String
        public var level: String
    }

    /// An `ordered:` entry: `rating = low, mid, high` (R's `ordered(rating, levels = c(...))`).
    public struct OrderedLevels: Sendable, Equatable {
        public var column: String
        public var levels: [String]
    }

    /// The model file this came from, if any.
    public var fileURL: URL?
    /// Data file path as written (relative paths are relative to the model file's folder).
    public var data: Setting<String>?
    public var formula: Setting<String>?
    public var family: Setting<String>?
    /// Priors as raw text (`b ~ normal(0, 10)`), parsed by the models layer.
    public var priors: [Setting<String>] = []
    /// Columns to treat as factors.
    public var factors: [Setting<String>] = []
    /// Contrasts of factors (`contrasts: recipe = sum`; `contrasts: sum` for all).
    public var contrasts: [Setting<ContrastSetting>] = []
    /// Reference levels (`reference: temperature = 185`).
    public var references: [Setting<ReferenceLevel>] = []
    /// Orders of ordinal responses (`ordered: rating = low, mid, high`), one column per entry.
    public var ordered: [Setting<OrderedLevels>] = []
    /// Field separator of the data file (`,`, `;` or a tab; detected when not given).
    public var separator: Setting<UInt8>?
    /// Decimal mark of the data file (`.` or `,`; `,` when the separator is `;` and not given).
    public var decimal: Setting<UInt8>?
    public var chains: Setting<Int>?
    public var iterations: Setting<Int>?
    public var warmup: Setting<Int>?
    public var seed: Setting<UInt64>?
    public var sampler: Setting<String>?
    /// `weights: w`: lme4's prior weights column for `lmer` (residual variance σ²/w).
    public var weights: Setting<String>?
    /// How joint NUTS samples the group-level effects: `auto`, `centered` or `noncentered`
    /// (as written; British spellings and hyphens accepted, see `parameterizationModes`).
    public var parameterization: Setting<String>?
    public var adaptDelta: Setting<Double>?
    public var maxTreedepth: Setting<Int>?

    public init() {}

    /// Reads a model file. Errors name `file:line`: unknown keys (with the nearest key), repeated
    /// non-repeatable keys, lines without `key: value`, empty or badly typed values.
    public static func load(url: URL) throws -> ModelSpecification {
        let data: Data
        do { data = try InputFile.read(path: url.path) } catch let failure as InputFile.Failure {
            throw ModelFileError(location: url.path, message: failure.description == "no such file" ? "no such model file" : failure.description)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelFileError(location: url.path, message: "is not UTF-8 text")
        }
        var specification = try parse(text, fileName: url.path)
        specification.fileURL = url
        return specification
    }

    /// Parses model-file text; `fileName` is used in messages.
    public static func parse(_ text: String, fileName: String) throws -> ModelSpecification {
        var specification = ModelSpecification()
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (offset, rawLine) in lines.enumerated() {
            let origin = Origin.file(fileName, line: offset + 1)
            var line = String(rawLine)
            if let hash = commentStart(line) { line = String(line[..<hash]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw ModelFileError(location: origin.description, message: "expected 'key: value' (for example 'formula: y ~ x + (1 | g)')")
            }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            try specification.set(key: key, value: value, origin: origin)
        }
        return specification
    }

    /// Position of a `#` comment: at the start of the line or after whitespace.
    private static func commentStart(_ line: String) -> String.Index? {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#", previous.isWhitespace { return index }
            previous = line[index]
        }
        return nil
    }

    /// Sets `key` (model-file spelling, or with `-` as on the command line) from text.
    public mutating func set(key rawKey: String, value: String, origin: Origin) throws {
        let key = rawKey.replacingOccurrences(of: "-", with: "_")
        guard ModelSpecification.keys.contains(key) else {
            let near = nearestNames(to: key, in: ModelSpecification.keys, limit: 1)
            let hint = near.first.map { "; did you mean '\($0)'?" } ?? "; known keys: \(ModelSpecification.keys.joined(separator: ", "))"
            throw ModelFileError(location: origin.description, message: "unknown key '\(rawKey)'\(hint)")
        }
        guard !value.isEmpty else {
            throw ModelFileError(location: origin.description, message: "'\(key)' has no value")
        }
        if case .file = origin, !ModelSpecification.repeatableKeys.contains(key), let earlier = self.origin(of: key) {
            throw ModelFileError(location: origin.description, message: "'\(key)' is given twice (first at \(earlier))")
        }
        // A file error names the key after file:line; an option's location already names it.
        var prefix = ""
        if case .file = origin { prefix = "\(key): " }
        func integer(minimum: Int, _ what: String) throws -> Int {
            guard let v = Int(value), v >= minimum else {
                throw ModelFileError(location: origin.description, message: "\(prefix)expected \(what), got '\(value)'")
            }
            return v
        }
        switch key {
        case "data": data = Setting(value, origin: origin)
        case "formula": formula = Setting(value, origin: origin)
        case "family": family = Setting(value, origin: origin)
        case "sampler": sampler = Setting(value, origin: origin)
        case "weights": weights = Setting(value, origin: origin)
        case "parameterization":
            guard ModelSpecification.parameterizationModes.contains(value) else {
                throw ModelFileError(location: origin.description,
                                     message: "\(prefix)expected auto, partial, centered or noncentered, got '\(value)'")
            }
            parameterization = Setting(value, origin: origin)
        case "prior": priors.append(Setting(value, origin: origin))
        case "ordered":
            let sides = value.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let levels = sides.count == 2 ? sides[1].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) } : []
            guard sides.count == 2, !sides[0].isEmpty, levels.count >= 2, !levels.contains(where: \.isEmpty) else {
                throw ModelFileError(location: origin.description, message: "\(prefix)expected 'column = level1, level2, …' (the levels in order, at least two), got '\(value)'")
            }
            if let repeated = levels.indices.first(where: { levels[..<$0].contains(levels[$0]) }) {
                throw ModelFileError(location: origin.description, message: "\(prefix)level '\(levels[repeated])' is listed twice")
            }
            if let earlier = ordered.firstIndex(where: { $0.value.column == sides[0] }) {
                // A flag replaces the model file's order of the same column; two in one source clash.
                guard case .option = origin, case .file = ordered[earlier].origin else {
                    throw ModelFileError(location: origin.description, message: "\(prefix)'\(sides[0])' is given an order twice (first at \(ordered[earlier].origin))")
                }
                ordered.remove(at: earlier)
            }
            ordered.append(Setting(OrderedLevels(column: sides[0], levels: levels), origin: origin))
        case "factor":
            for name in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                factors.append(Setting(name, origin: origin))
            }
        case "contrasts", "reference":
            for entry in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
                let sides = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if key == "reference" {
                    guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty else {
                        throw ModelFileError(location: origin.description, message: "\(prefix)expected 'column = level', got '\(entry)'")
                    }
                    references.append(Setting(ReferenceLevel(column: sides[0], level: sides[1]), origin: origin))
                    continue
                }
                guard let kind = ContrastKind(name: sides.last!), sides.count == 1 || !sides[0].isEmpty else {
                    throw ModelFileError(location: origin.description, message: "\(prefix)expected 'column = kind' or 'kind' with kind one of \(ContrastKind.acceptedNames), got '\(entry)'")
                }
                contrasts.append(Setting(ContrastSetting(column: sides.count == 2 ? sides[0] : nil, kind: kind), origin: origin))
            }
        case "sep", "dec":
            let named: [String: UInt8] = key == "sep"
                ? [",": UInt8(ascii: ","), ";": UInt8(ascii: ";"), "tab": UInt8(ascii: "\t"), "\\t": UInt8(ascii: "\t"), "\t": UInt8(ascii: "\t")]
                : [".": UInt8(ascii: "."), ",": UInt8(ascii: ",")]
            guard let byte = named[value] else {
                throw ModelFileError(location: origin.description,
                                     message: "\(prefix)expected \(key == "sep" ? "',', ';' or 'tab'" : "'.' or ','"), got '\(value)'")
            }
            if key == "sep" { separator = Setting(byte, origin: origin) } else { decimal = Setting(byte, origin: origin) }
        case "chains": chains = Setting(try integer(minimum: 1, "a positive whole number"), origin: origin)
        case "iter": iterations = Setting(try integer(minimum: 1, "a positive whole number"), origin: origin)
        case "warmup": warmup = Setting(try integer(minimum: 0, "a whole number ≥ 0"), origin: origin)
        case "max_treedepth": maxTreedepth = Setting(try integer(minimum: 1, "a positive whole number"), origin: origin)
        case "seed":
            guard let v = UInt64(value) else {
                throw ModelFileError(location: origin.description, message: "\(prefix)expected a whole number from 0 to 18446744073709551615, got '\(value)'")
            }
            seed = Setting(v, origin: origin)
        case "adapt_delta":
            guard let v = Double(value), v > 0, v < 1 else {
                throw ModelFileError(location: origin.description, message: "\(prefix)expected a number strictly between 0 and 1, got '\(value)'")
            }
            adaptDelta = Setting(v, origin: origin)
        default: break
        }
    }

    /// Where `key` was last set, if it was.
    public func origin(of key: String) -> Origin? {
        switch key.replacingOccurrences(of: "-", with: "_") {
        case "data": return data?.origin
        case "formula": return formula?.origin
        case "family": return family?.origin
        case "prior": return priors.last?.origin
        case "factor": return factors.last?.origin
        case "contrasts": return contrasts.last?.origin
        case "reference": return references.last?.origin
        case "ordered": return ordered.last?.origin
        case "sep": return separator?.origin
        case "dec": return decimal?.origin
        case "chains": return chains?.origin
        case "iter": return iterations?.origin
        case "warmup": return warmup?.origin
        case "seed": return seed?.origin
        case "sampler": return sampler?.origin
        case "weights": return weights?.origin
        case "parameterization": return parameterization?.origin
        case "adapt_delta": return adaptDelta?.origin
        case "max_treedepth": return maxTreedepth?.origin
        default: return nil
        }
    }

    /// The factor, contrast and reference-level settings as the design builder takes them.
    public var designOptions: DesignOptions {
        var options = DesignOptions(factors: factors.map(\.value))
        for setting in contrasts {
            if let column = setting.value.column { options.contrasts[column] = setting.value.kind } else { options.defaultContrast = setting.value.kind }
        }
        for setting in references { options.references[setting.value.column] = setting.value.level }
        for setting in ordered { options.ordered[setting.value.column] = setting.value.levels }
        return options
    }

    /// The CSV reading options (`sep`, `dec`).
    public var csvOptions: CSVOptions {
        CSVOptions(separator: separator?.value, decimal: decimal?.value)
    }

    /// Checks settings that depend on each other: warm-up must be less than the iterations.
    public func validate() throws {
        if let warmup, let iterations, warmup.value >= iterations.value {
            throw ModelFileError(location: warmup.origin.description,
                                 message: "warmup (\(warmup.value)) must be less than iter (\(iterations.value), \(iterations.origin))")
        }
    }

    /// The data file: `data` resolved against the model file's folder (or the working directory
    /// when it came from the command line). Errors name where `data` was set.
    public func resolvedDataURL() throws -> URL {
        guard let data else {
            throw ModelFileError(location: fileURL?.path ?? "model", message: "no data file: add 'data: FILE.csv' to the model file or give --data")
        }
        let url: URL
        if data.value.hasPrefix("/") {
            url = URL(fileURLWithPath: data.value)
        } else if case .file = data.origin, let fileURL {
            url = fileURL.deletingLastPathComponent().appendingPathComponent(data.value)
        } else {
            url = URL(fileURLWithPath: data.value)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelFileError(location: data.origin.description, message: "data file '\(data.value)' not found (looked for \(url.standardizedFileURL.path))")
        }
        if isDirectory.boolValue {
            throw ModelFileError(location: data.origin.description, message: "data '\(data.value)' is a directory, not a CSV file")
        }
        return url
    }
}
