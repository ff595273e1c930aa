import Foundation

/// Reads a long "draws" CSV as R's posterior package writes it (`write.csv(as_draws_df(x))`):
/// a header with `.chain` and `.iteration` (or `chain` and `iteration`) and one column per
/// variable, one row per draw; an optional `.draw` column is ignored. Rows may come in any order;
/// each chain's draws are ordered by iteration. A last line cut short (a killed run) is dropped
/// with a warning.
public enum PosteriorDrawsCSVReader {
    /// The draws in `url`, with warnings about dropped lines.
    public static func read(url: URL) throws -> (draws: Draws, warnings: [String]) {
        try read(lines: TextLines(contentsOf: url), file: url.path)
    }

    /// The draws in the bytes of a draws CSV; `file` names it in messages.
    public static func read(bytes: [UInt8], file: String) throws -> (draws: Draws, warnings: [String]) {
        try read(lines: TextLines(bytes: bytes), file: file)
    }

    static func read(lines: TextLines, file: String) throws -> (draws: Draws, warnings: [String]) {
        guard let headerLine = (0..<lines.ranges.count).first(where: { !lines.isBlank($0) }) else {
            throw DrawsFileError.noHeader(file: file)
        }
        let names = splitHeaderFields(lines.text(headerLine))
        try requireDistinctColumnNames(names, file: file)
        guard let chainColumn = names.firstIndex(of: ".chain") ?? names.firstIndex(of: "chain") else {
            throw DrawsFileError.missingColumn(file: file, column: ".chain")
        }
        let iterationColumn = names.firstIndex(of: ".iteration") ?? names.firstIndex(of: "iteration")
        let drawColumn = names.firstIndex(of: ".draw") ?? names.firstIndex(of: "draw")
        let special = Set([chainColumn, iterationColumn, drawColumn].compactMap { $0 })
        let variableColumns = names.indices.filter { !special.contains($0) }
        var warnings: [String] = []
        var rows: [(chain: Int, iteration: Int, order: Int, values: [Double])] = []
        var row = [Double](repeating: 0, count: names.count)
        let lastLine = lines.ranges.count - 1
        for line in (headerLine + 1)..<lines.ranges.count where !lines.isBlank(line) {
            let fields = lines.fieldCount(line)
            if fields != names.count {
                if line == lastLine && lines.lastLineUnterminated && fields < names.count {
                    warnings.append("\(file):\(line + 1): incomplete last line dropped (interrupted run?)")
                    continue
                }
                throw DrawsFileError.wrongFieldCount(file: file, line: line + 1, expected: names.count, found: fields)
            }
            if let bad = row.withUnsafeMutableBufferPointer({ lines.parseNumbers(line, into: $0) }) {
                if line == lastLine && lines.lastLineUnterminated {
                    warnings.append("\(file):\(line + 1): incomplete last line dropped (interrupted run?)")
                    continue
                }
                throw DrawsFileError.nonNumeric(file: file, line: line + 1, column: bad.field + 1,
                                                columnName: names[bad.field], text: bad.text)
            }
            let chain = row[chainColumn], iteration = iterationColumn.map { row[$0] } ?? Double(rows.count)
            // Chain and iteration numbers become Ints: beyond ±2⁵³ (where doubles stop being whole
            // numbers) they are not counts, and the conversion would trap.
            let largestIndex = 9_007_199_254_740_992.0
            guard chain.isFinite, chain == chain.rounded(), abs(chain) <= largestIndex else {
                throw DrawsFileError.nonNumeric(file: file, line: line + 1, column: chainColumn + 1,
                                                columnName: names[chainColumn], text: "\(chain)")
            }
            if let column = iterationColumn, iteration.isFinite, abs(iteration) > largestIndex {
                throw DrawsFileError.nonNumeric(file: file, line: line + 1, column: column + 1,
                                                columnName: names[column], text: "\(iteration)")
            }
            rows.append((Int(chain), Int(iteration.isFinite ? iteration : 0), rows.count,
                         variableColumns.map { row[$0] }))
        }
        guard !rows.isEmpty else { throw DrawsFileError.noDraws(file: file) }
        rows.sort { ($0.chain, $0.iteration, $0.order) < ($1.chain, $1.iteration, $1.order) }
        var chains: [[Double]] = []
        var chainIDs: [Int] = []
        for r in rows {
            if chainIDs.last != r.chain {
                chainIDs.append(r.chain)
                chains.append([])
            }
            chains[chains.count - 1].append(contentsOf: r.values)
        }
        let lengths = Set(chains.map(\.count))
        if lengths.count > 1 {
            let counts = zip(chainIDs, chains).map { "chain \($0): \($1.count / max(variableColumns.count, 1))" }
            throw DrawsFileError.unequalChains(file: file, detail: "chains have different numbers of draws (\(counts.joined(separator: ", ")))")
        }
        return (Draws(variableNames: variableColumns.map { names[$0] }, chains: chains), warnings)
    }
}
