import Foundation

/// One chain read from a CmdStan CSV file (written by this tool, CmdStan or rstan).
public struct CmdStanChain: Sendable {
    public var path: String
    /// Variable names of all columns, in summary form (`theta[1]`, `r_Subject[308,Intercept]`).
    public var variableNames: [String]
    /// The CSV column names as written (`theta.1`, `r_Subject.1.1`).
    public var columnNames: [String]
    /// `key = value` settings of the comment block by their last name component
    /// (`max_depth`, `num_warmup`, `save_warmup`, `seed`, `id`, …; rstan's `key=value` too).
    public var settings: [String: String]
    /// Warm-up rows found in the file and dropped.
    public var warmupRowCount: Int
    public var stepSize: Double?
    public var inverseMetricDiagonal: [Double]
    /// The maximum tree depth (`max_depth`, rstan `max_treedepth`), 10 when not recorded.
    public var maxTreeDepth: Int
    /// The reason recorded by `CmdStanCSVWriter.finishInterrupted`, if any.
    public var interruption: String?
    /// Post-warm-up draws, iteration-major over `variableNames`.
    public var values: [Double]
    public var drawCount: Int { variableNames.isEmpty ? 0 : values.count / variableNames.count }
}

/// Chains merged from several files: model variables (with `lp__` first, as `stansummary` lists
/// it) and the other sampler columns (`accept_stat__`, `treedepth__`, `divergent__`, `energy__`, …).
public struct SampledChains: Sendable {
    public var parameters: Draws
    public var samplerStatistics: Draws
    /// Per-file information (values emptied).
    public var chains: [CmdStanChain]
    public var warnings: [String]
}

/// Reads CmdStan-format CSV files, one chain per file, as `stansummary` does: comment lines start
/// with `#`; warm-up rows (present when `save_warmup` was set) are the rows before
/// `# Adaptation terminated` — or, without that line, the first ⌈num_warmup / thin⌉ rows — and are
/// dropped.
public enum CmdStanCSVReader {
    /// Reads one chain. A last line cut short (a killed run) is dropped with a warning.
    public static func readChain(url: URL) throws -> (chain: CmdStanChain, warnings: [String]) {
        try readChain(lines: TextLines(contentsOf: url), file: url.path)
    }

    /// Reads one chain from the bytes of a CmdStan CSV file; `file` names it in messages.
    public static func readChain(bytes: [UInt8], file: String) throws -> (chain: CmdStanChain, warnings: [String]) {
        try readChain(lines: TextLines(bytes: bytes), file: file)
    }

    static func readChain(lines: TextLines, file: String) throws -> (chain: CmdStanChain, warnings: [String]) {
        var settings: [String: String] = [:]
        var indexNames: [CmdStanColumnNames.IndexName] = []
        var header: [String]?
        var warnings: [String] = []
        var rows: [Double] = []
        var rowCount = 0
        var rowsBeforeAdaptation: Int?
        var stepSize: Double?
        var metric: [Double] = []
        var expectMetric = false
        var interruption: String?
        var row: [Double] = []
        let lastLine = lines.ranges.count - 1
        for line in 0..<lines.ranges.count {
            if lines.isComment(line) {
                let text = String(lines.text(line).dropFirst())
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if expectMetric {
                    expectMetric = false
                    metric = trimmed.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                    continue
                }
                if trimmed.hasPrefix("Adaptation terminated") {
                    rowsBeforeAdaptation = rowCount
                } else if trimmed.hasPrefix("Step size") {
                    stepSize = trimmed.split(separator: "=").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                } else if trimmed.hasPrefix("Diagonal elements of inverse mass matrix") {
                    expectMetric = true
                } else if trimmed.hasPrefix("Interrupted:") {
                    interruption = String(trimmed.dropFirst("Interrupted:".count)).trimmingCharacters(in: .whitespaces)
                } else if let index = CmdStanColumnNames.parseComment(text) {
                    indexNames.append(index)
                } else if header == nil, let equals = trimmed.firstIndex(of: "=") {
                    let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
                    var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    if let paren = value.range(of: " (Default)") { value.removeSubrange(paren) }
                    if !key.isEmpty, !key.contains(" ") { settings[key] = value }
                }
                continue
            }
            if lines.isBlank(line) { continue }
            guard let names = header else {
                header = splitHeaderFields(lines.text(line))
                try requireDistinctColumnNames(header!, file: file)
                row = [Double](repeating: 0, count: header!.count)
                continue
            }
            let truncated = line == lastLine && lines.lastLineUnterminated
            let fields = lines.fieldCount(line)
            if fields != names.count {
                if truncated && fields < names.count {
                    warnings.append("\(file):\(line + 1): incomplete last line dropped (interrupted run?)")
                    continue
                }
                throw DrawsFileError.wrongFieldCount(file: file, line: line + 1, expected: names.count, found: fields)
            }
            if let bad = row.withUnsafeMutableBufferPointer({ lines.parseNumbers(line, into: $0) }) {
                if truncated {
                    warnings.append("\(file):\(line + 1): incomplete last line dropped (interrupted run?)")
                    continue
                }
                throw DrawsFileError.nonNumeric(file: file, line: line + 1, column: bad.field + 1,
                                                columnName: names[bad.field], text: bad.text)
            }
            rows.append(contentsOf: row)
            rowCount += 1
        }
        guard let columns = header else { throw DrawsFileError.noHeader(file: file) }
        let warmupRows: Int
        if let before = rowsBeforeAdaptation {
            warmupRows = before
        } else if isTrue(settings["save_warmup"]),
                  let warmup = Int(settings["num_warmup"] ?? settings["warmup"] ?? "") {
            let thin = max(Int(settings["thin"] ?? "1") ?? 1, 1)
            warmupRows = min(rowCount, (warmup + thin - 1) / thin)
        } else {
            warmupRows = 0
        }
        if let interruption {
            warnings.append("\(file): the run was interrupted (\(interruption)); using its \(rowCount - warmupRows) complete draws")
        }
        let maxDepth = Int(settings["max_depth"] ?? settings["max_treedepth"] ?? "") ?? 10
        let chain = CmdStanChain(
            path: file, variableNames: CmdStanColumnNames.variableNames(for: columns, indexNames: indexNames),
            columnNames: columns, settings: settings, warmupRowCount: warmupRows, stepSize: stepSize,
            inverseMetricDiagonal: metric, maxTreeDepth: maxDepth, interruption: interruption,
            values: Array(rows[(warmupRows * columns.count)...]))
        return (chain, warnings)
    }

    static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return value == "1" || value == "true"
    }

    /// The comment-block settings that identify a run: files that differ in any of them come from
    /// different runs (`run_id` is written by `multilevel fit`; CmdStan's files have model and seed).
    static let runKeys = ["model", "seed", "run_id"]

    /// Reads one chain per file and merges them. Files whose columns differ are an error naming
    /// both; so are files from different runs (`runKeys`) unless `allowMixed`; chains of different
    /// lengths are cut to the shortest, with a warning.
    public static func read(urls: [URL], allowMixed: Bool = false) throws -> SampledChains {
        guard !urls.isEmpty else { throw DrawsFileError.noFiles }
        var chains: [CmdStanChain] = []
        var warnings: [String] = []
        for url in urls {
            let (chain, w) = try readChain(url: url)
            warnings += w
            if let first = chains.first, first.columnNames != chain.columnNames {
                throw DrawsFileError.headersDiffer(firstFile: first.path, otherFile: chain.path,
                                                   detail: describeDifference(first.columnNames, chain.columnNames))
            }
            if chain.drawCount == 0 { throw DrawsFileError.noDraws(file: chain.path) }
            if !allowMixed, let first = chains.first,
               let key = runKeys.first(where: { first.settings[$0] != chain.settings[$0] }) {
                throw DrawsFileError.mixedRuns(firstFile: first.path, otherFile: chain.path,
                                               detail: "\(key) '\(chain.settings[key] ?? "none")' against '\(first.settings[key] ?? "none")'")
            }
            chains.append(chain)
        }
        return merge(chains, warnings: warnings)
    }

    static func describeDifference(_ a: [String], _ b: [String]) -> String {
        if a.count != b.count { return "\(a.count) columns against \(b.count)" }
        let i = a.indices.first { a[$0] != b[$0] } ?? 0
        return "column \(i + 1) is '\(a[i])' against '\(b[i])'"
    }

    /// Splits the columns of `chains` into parameters (lp__ and model variables) and sampler
    /// statistics (other names ending in `__`).
    static func merge(_ chains: [CmdStanChain], warnings: [String]) -> SampledChains {
        var warnings = warnings
        let names = chains[0].variableNames
        let width = names.count
        let length = chains.map(\.drawCount).min() ?? 0
        if chains.contains(where: { $0.drawCount != length }) {
            warnings.append("chains have different numbers of draws (\(chains.map { String($0.drawCount) }.joined(separator: ", "))); using the first \(length) of each")
        }
        let isSampler = names.map { $0.hasSuffix("__") && $0 != "lp__" }
        let parameterColumns = names.indices.filter { !isSampler[$0] }
        let samplerColumns = names.indices.filter { isSampler[$0] }
        func extract(_ columns: [Int]) -> Draws {
            Draws(variableNames: columns.map { names[$0] }, chains: chains.map { chain in
                var out = [Double]()
                out.reserveCapacity(length * columns.count)
                chain.values.withUnsafeBufferPointer { v in
                    for i in 0..<length {
                        for c in columns { out.append(v[i * width + c]) }
                    }
                }
                return out
            })
        }
        let info = chains.map { chain -> CmdStanChain in
            var c = chain
            c.values = []
            return c
        }
        return SampledChains(parameters: extract(parameterColumns), samplerStatistics: extract(samplerColumns),
                             chains: info, warnings: warnings)
    }
}
