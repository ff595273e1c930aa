import Foundation

/// Reading and writing fit directories (docs/fit-directory.md, format version 1): `fit.json` (the
/// index), `data.csv` (the rows used), `model.txt` (the model as a model file), the chains
/// (`chain-K.csv`, Bayesian) or `estimates.json` (frequentist).
public enum FitDirectory {
    public static let format = "multilevel-fit"
    public static let version = 1

    /// The model as given, as it goes into `fit.json` and `model.txt`.
    public struct ModelRecord: Sendable {
        public var kind: FittedModel.Kind
        public var engine: String
        public var formula: String
        public var family: String
        public var priors: [String]
        public var factors: [String]
        public var dataName: String
        public var dataSource: String
        /// Bayesian: the sampler settings used; nil for frequentist fits.
        public var settings: SamplerSettings?
        /// Contrasts and reference levels as given (`contrasts:`, `reference:`, `C(f, sum)` lives
        /// in the formula); `factors` is the list above.
        public var contrasts: [String: ContrastKind] = [:]
        public var defaultContrast: ContrastKind?
        public var references: [String: String] = [:]
        /// The order of an ordinal response's levels (`ordered: y = a, b, c`), by column.
        public var ordered: [String: [String]] = [:]
        /// Bayesian, joint NUTS: `ParameterisationChoice.recordedText` (`auto`, `centered`,
        /// `noncentered`, `centered:g1,g2`).
        public var parameterization: String?

        public init(kind: FittedModel.Kind, engine: String, formula: String, family: String, priors: [String],
                    factors: [String], dataName: String, dataSource: String, settings: SamplerSettings?,
                    parameterization: String? = nil) {
            self.kind = kind
            self.engine = engine
            self.formula = formula
            self.family = family
            self.priors = priors
            self.factors = factors
            self.dataName = dataName
            self.dataSource = dataSource
            self.settings = settings
            self.parameterization = parameterization
        }

        /// Keeps the contrasts and reference levels of `options` (its factors are `factors`).
        public mutating func recordDesignOptions(_ options: DesignOptions) {
            contrasts = options.contrasts
            defaultContrast = options.defaultContrast
            references = options.references
            ordered = options.ordered
        }
    }

    /// Whether `path` is a directory holding a `fit.json`.
    public static func isFitDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            && FileManager.default.fileExists(atPath: URL(fileURLWithPath: path).appendingPathComponent("fit.json").path)
    }

    // MARK: Writing

    /// Writes `data.csv`, `model.txt`, `estimates.json` (when `mixedModelFit` is given) and, last,
    /// `fit.json` into `directory` (which must exist), each under a temporary name renamed into
    /// place. `chains` are the chain files already in the directory.
    public static func write(_ record: ModelRecord, data: DataTable, chains: [String],
                             mixedModelFit: LinearMixedModelFit?, into directory: URL) throws {
        try writeAtomically(dataCSV(data), to: directory.appendingPathComponent("data.csv"))
        try writeAtomically(modelText(record), to: directory.appendingPathComponent("model.txt"))
        if let fit = mixedModelFit {
            try writeAtomically(estimatesJSON(fit).serialized() + "\n", to: directory.appendingPathComponent("estimates.json"))
        }
        try writeAtomically(indexJSON(record, data: data, chains: chains, hasEstimates: mixedModelFit != nil).serialized() + "\n",
                            to: directory.appendingPathComponent("fit.json"))
    }

    /// Writes `text` to `.NAME.partial` beside `url` and renames it to `url`.
    public static func writeAtomically(_ text: String, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".partial")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            throw FitDirectoryError(file: url.path, message: "cannot be written (\(error.localizedDescription))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FitDirectoryError(file: url.path, message: "cannot be written (\(reason))")
        }
    }

    /// RFC 4180 text of `table`: numbers in their shortest exact form, factor values quoted.
    static func dataCSV(_ table: DataTable) -> String {
        var text = table.columnNames.map(quoted).joined(separator: ",") + "\n"
        let cells: [(Int) -> String] = table.columns.map { column in
            switch column {
            case .numeric(let values): return { values[$0].isNaN ? "NA" : formatNumber(values[$0]) }
            case .factor(let levels, let codes):
                let quotedLevels = levels.map(quoted)
                return { codes[$0] < 0 ? "NA" : quotedLevels[Int(codes[$0])] }
            }
        }
        for row in 0..<table.rowCount {
            text += cells.map { $0(row) }.joined(separator: ",") + "\n"
        }
        return text
    }

    private static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func modelText(_ record: ModelRecord) -> String {
        var lines = ["# Written by multilevel with the fit (docs/fit-directory.md); 'multilevel \(record.kind == .bayesian ? "fit" : "lmer") model.txt' refits it.",
                     "data: data.csv", "formula: \(record.formula)", "family: \(record.family)"]
        lines += record.priors.map { "prior: \($0)" }
        lines += record.factors.map { "factor: \($0)" }
        if let kind = record.defaultContrast { lines.append("contrasts: \(kind.rawValue)") }
        lines += record.contrasts.sorted { $0.key < $1.key }.map { "contrasts: \($0.key) = \($0.value.rawValue)" }
        lines += record.references.sorted { $0.key < $1.key }.map { "reference: \($0.key) = \($0.value)" }
        lines += record.ordered.sorted { $0.key < $1.key }.map { "ordered: \($0.key) = \($0.value.joined(separator: ", "))" }
        if let s = record.settings {
            lines += ["chains: \(s.chains)", "iter: \(s.iterations)", "warmup: \(s.warmup)", "seed: \(s.seed)",
                      "sampler: \(record.engine)", "adapt_delta: \(formatNumber(s.adaptDelta))",
                      "max_treedepth: \(s.maxTreeDepth)"]
            if let mode = record.parameterization, record.engine == "nuts",
               ModelSpecification.parameterizationModes.contains(mode) {
                lines.append("parameterization: \(mode)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func indexJSON(_ record: ModelRecord, data: DataTable, chains: [String], hasEstimates: Bool) -> JSONValue {
        var settings: [(String, JSONValue)]
        if let s = record.settings {
            settings = [("chains", .integer(s.chains)), ("iter", .integer(s.iterations)), ("warmup", .integer(s.warmup)),
                        ("seed", .string(String(s.seed))), ("first_chain", .integer(s.firstChain + 1)),
                        ("sampler", .string(record.engine)), ("adapt_delta", .number(s.adaptDelta)),
                        ("max_treedepth", .integer(s.maxTreeDepth)), ("init", .number(s.initRadius))]
            if let mode = record.parameterization { settings.append(("parameterization", .string(mode))) }
        } else {
            settings = [("method", .string(record.engine == "ml" ? "ML" : "REML"))]
        }
        let columns: [JSONValue] = zip(data.columnNames, data.columns).map { name, column in
            switch column {
            case .numeric: return .object([("name", .string(name)), ("type", .string("numeric"))])
            case .factor(let levels, _):
                return .object([("name", .string(name)), ("type", .string("factor")), ("levels", .array(levels.map { .string($0) }))])
            }
        }
        var model: [(String, JSONValue)] = [
            ("formula", .string(record.formula)), ("family", .string(record.family)),
            ("priors", .array(record.priors.map { .string($0) })),
            ("factors", .array(record.factors.map { .string($0) })),
        ]
        // Optional (absent means treatment contrasts and the data's first levels).
        if !record.contrasts.isEmpty || record.defaultContrast != nil {
            var contrasts = record.contrasts.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value.rawValue)) }
            if let kind = record.defaultContrast { contrasts.insert(("*", .string(kind.rawValue)), at: 0) }
            model.append(("contrasts", .object(contrasts)))
        }
        if !record.references.isEmpty {
            model.append(("references", .object(record.references.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        if !record.ordered.isEmpty {
            model.append(("ordered", .object(record.ordered.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSONValue.string))) })))
        }
        model += [("data_name", .string(record.dataName)), ("data_source", .string(record.dataSource)),
                  ("settings", .object(settings))]
        return .object([
            ("format", .string(format)), ("version", .integer(version)),
            ("kind", .string(record.kind.rawValue)), ("engine", .string(record.engine)),
            ("model", .object(model)),
            ("data", .object([("file", .string("data.csv")), ("rows", .integer(data.rowCount)), ("columns", .array(columns))])),
            ("chains", .array(chains.map { .string($0) })),
            ("estimates", hasEstimates ? .string("estimates.json") : .null),
        ])
    }

    static func estimatesJSON(_ fit: LinearMixedModelFit) -> JSONValue {
        let p = fit.fixedEffects.count
        let covariance: [JSONValue] = (0..<p).map { i in .array((0..<p).map { .number(fit.fixedEffectsCovariance[i, $0]) }) }
        let groups: [JSONValue] = fit.terms.enumerated().map { k, term in
            let q = term.columnCount
            func byLevel(_ values: [Double]) -> JSONValue {
                .array((0..<term.grouping.levelCount).map { level in
                    .array((0..<q).map { values.isEmpty ? .null : .number(values[level * q + $0]) })
                })
            }
            return .object([
                ("group", .string(term.grouping.name)), ("terms", .array(term.columnNames.map { .string($0) })),
                ("levels", .array(term.grouping.levels.map { .string($0) })),
                ("modes", byLevel(fit.conditionalModes[k])),
                ("conditional_sd", byLevel(k < fit.conditionalStandardDeviations.count ? fit.conditionalStandardDeviations[k] : [])),
            ])
        }
        return .object([
            ("method", .string(fit.method == .ml ? "ML" : "REML")), ("criterion", .number(fit.criterion)),
            ("fixed_effects", .object([("names", .array(fit.fixedEffectNames.map { .string($0) })),
                                       ("estimates", .array(fit.fixedEffects.map { .number($0) })),
                                       ("covariance", .array(covariance))])),
            ("sigma", .number(fit.sigma)), ("theta", .array(fit.theta.map { .number($0) })),
            ("groups", .array(groups)),
        ])
    }

    // MARK: Reading

    /// Reads the fit directory at `directory`: checks `fit.json`'s format and version, reads
    /// `data.csv` with the recorded column types and level orders, rebuilds the design, and reads
    /// the chains (Bayesian) or refits the REML/ML estimates from the rows (frequentist; the refit
    /// of the same rows is deterministic, and its criterion is checked against `estimates.json`).
    public static func load(_ directory: URL) throws -> FittedModel {
        let indexURL = directory.appendingPathComponent("fit.json")
        let indexFile = indexURL.path
        guard let bytes = FileManager.default.contents(atPath: indexFile) else {
            throw FitDirectoryError(file: indexFile, message: "no such file: '\(directory.path)' is not a fit directory (write one with fit --output or lmer --output)")
        }
        guard let index = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else {
            throw FitDirectoryError(file: indexFile, message: "not a JSON object")
        }
        guard index["format"] as? String == format else {
            throw FitDirectoryError(file: indexFile, message: "format is not '\(format)'")
        }
        guard let fileVersion = index["version"] as? Int, fileVersion == version else {
            throw FitDirectoryError(file: indexFile, message: "format version \(index["version"].map { "\($0)" } ?? "missing") is not supported (this multilevel reads version \(version))")
        }
        func field<T>(_ object: [String: Any], _ key: String, _ what: String) throws -> T {
            guard let value = object[key] as? T else { throw FitDirectoryError(file: indexFile, message: "missing or malformed '\(what)'") }
            return value
        }
        let kindName: String = try field(index, "kind", "kind")
        guard let kind = FittedModel.Kind(rawValue: kindName) else {
            throw FitDirectoryError(file: indexFile, message: "unknown kind '\(kindName)'")
        }
        let engine: String = try field(index, "engine", "engine")
        let model: [String: Any] = try field(index, "model", "model")
        let formulaText: String = try field(model, "formula", "model.formula")
        let familyName: String = try field(model, "family", "model.family")
        let priors: [String] = try field(model, "priors", "model.priors")
        let factors: [String] = try field(model, "factors", "model.factors")
        let dataName: String = try field(model, "data_name", "model.data_name")
        let settingsObject: [String: Any] = try field(model, "settings", "model.settings")
        let dataObject: [String: Any] = try field(index, "data", "data")
        let columns: [[String: Any]] = try field(dataObject, "columns", "data.columns")

        // brms' bf(y ~ …, dpar ~ …): the mean's formula here, every part's design below.
        let distributional = try DistributionalFormula.isBrmsFormulaCall(formulaText) ? DistributionalFormula.parse(formulaText) : nil
        let formula = try distributional?.mean ?? Formula.parse(formulaText)
        let family = try Family(name: familyName)
        var table = try DataTable.read(contentsOf: directory.appendingPathComponent("data.csv"))
        table.fileName = directory.appendingPathComponent("data.csv").path
        for column in columns {
            guard let name = column["name"] as? String, column["type"] as? String == "factor",
                  let levels = column["levels"] as? [String] else { continue }
            table = try recoded(table, column: name, levels: levels, file: indexFile)
        }
        var options = DesignOptions(factors: factors)
        for (name, value) in (model["contrasts"] as? [String: Any]) ?? [:] {
            guard let text = value as? String, let kind = ContrastKind(name: text) else {
                throw FitDirectoryError(file: indexFile, message: "model.contrasts: '\(name)' has unknown contrasts \(value) (\(ContrastKind.acceptedNames))")
            }
            if name == "*" { options.defaultContrast = kind } else { options.contrasts[name] = kind }
        }
        for (name, value) in (model["references"] as? [String: Any]) ?? [:] {
            guard let level = value as? String else { throw FitDirectoryError(file: indexFile, message: "model.references: '\(name)' is not a level name") }
            options.references[name] = level
        }
        for (name, value) in (model["ordered"] as? [String: Any]) ?? [:] {
            guard let levels = value as? [String] else { throw FitDirectoryError(file: indexFile, message: "model.ordered: '\(name)' is not a list of level names") }
            options.ordered[name] = levels
        }
        let design = try ModelDesign.build(formula: formula, table: table, options: options)
        let distributionalDesign = try distributional.flatMap { parsed in
            try parsed.isDistributional ? DistributionalDesign.build(formula: parsed, table: table, options: options, family: family) : nil
        }

        switch kind {
        case .bayesian:
            let chainNames: [String] = try field(index, "chains", "chains")
            guard !chainNames.isEmpty else { throw FitDirectoryError(file: indexFile, message: "no chains listed") }
            let sampled = try CmdStanCSVReader.read(urls: chainNames.map { directory.appendingPathComponent($0) })
            var settings = SamplerSettings()
            if let chains = settingsObject["chains"] as? Int { settings.chains = chains }
            if let iterations = settingsObject["iter"] as? Int { settings.iterations = iterations }
            if let warmup = settingsObject["warmup"] as? Int { settings.warmup = warmup }
            if let seed = (settingsObject["seed"] as? String).flatMap(UInt64.init) { settings.seed = seed }
            if let first = settingsObject["first_chain"] as? Int { settings.firstChain = first - 1 }
            if let delta = settingsObject["adapt_delta"] as? Double { settings.adaptDelta = delta }
            if let depth = settingsObject["max_treedepth"] as? Int { settings.maxTreeDepth = depth }
            if let radius = settingsObject["init"] as? Double { settings.initRadius = radius }
            var fitted = FittedModel(kind: kind, engine: engine, formula: formula, family: family, priors: priors,
                                     factors: factors, dataName: dataName, data: table, design: design,
                                     settings: settings, draws: sampled.parameters, mixedModelFit: nil)
            if let text = settingsObject["parameterization"] as? String {
                guard let choice = ParameterisationChoice(recordedText: text) else {
                    throw FitDirectoryError(file: indexFile, message: "unknown model.settings.parameterization '\(text)' (auto, centered, noncentered or centered:GROUPS)")
                }
                fitted.parameterization = choice
            }
            if let distributional, let distributionalDesign { fitted.distributional = (distributional, distributionalDesign) }
            fitted.designOptions = options
            return fitted
        case .frequentist:
            let method: EstimationMethod = (settingsObject["method"] as? String) == "ML" ? .ml : .reml
            let fit = try LinearMixedModel(design: design).fit(method: method, options: .init(conditionalVariances: true))
            if let estimatesURL = (index["estimates"] as? String).map({ directory.appendingPathComponent($0) }),
               let estimateBytes = FileManager.default.contents(atPath: estimatesURL.path),
               let estimates = (try? JSONSerialization.jsonObject(with: estimateBytes)) as? [String: Any],
               let criterion = estimates["criterion"] as? Double,
               abs(criterion - fit.criterion) > 1e-6 * max(1, abs(criterion)) {
                throw FitDirectoryError(file: estimatesURL.path, message: "criterion \(criterion) differs from the refit of data.csv (\(fit.criterion)): the directory was changed after it was written")
            }
            return FittedModel(kind: kind, engine: engine, formula: formula, family: family, priors: priors,
                               factors: factors, dataName: dataName, data: table, design: design,
                               settings: nil, draws: nil, mixedModelFit: fit)
        }
    }

    /// `table` with factor `column` coded against `levels` (the fitted order), whatever order and
    /// type reading the CSV gave it.
    static func recoded(_ table: DataTable, column name: String, levels: [String], file: String) throws -> DataTable {
        guard let index = table.columnNames.firstIndex(of: name) else {
            throw FitDirectoryError(file: file, message: "data.csv has no column '\(name)'")
        }
        var position: [String: Int32] = [:]
        for (k, level) in levels.enumerated() { position[level] = Int32(k) }
        let labels: [String?]
        switch table.columns[index] {
        case .numeric(let values): labels = values.map { $0.isNaN ? nil : RCollation.label(of: $0) }
        case .factor(let old, let codes): labels = codes.map { $0 < 0 ? nil : old[Int($0)] }
        }
        var codes = [Int32](repeating: -1, count: labels.count)
        for (row, label) in labels.enumerated() {
            guard let label else { continue }
            guard let code = position[label] else {
                throw FitDirectoryError(file: file, message: "data.csv column '\(name)' has level '\(label)', which fit.json does not list")
            }
            codes[row] = code
        }
        var copy = table
        copy.columns[index] = .factor(levels: levels, codes: codes)
        return copy
    }
}
