import Foundation
import MultilevelData

/// Reads chains from CmdStan CSV files (one chain per file) or posterior "draws" CSV files (a
/// `.chain` column; one or more chains per file), telling them apart by their header, and merges
/// them — chains run as separate processes are combined by passing all their files. All files must
/// be of the same kind and have the same columns.
public enum DrawsFileReader {
    public enum Format: Sendable, Equatable {
        case cmdStan
        case posteriorDraws
    }

    /// The format of `url`, from its first line that is neither a comment nor blank. Only the
    /// head of the file is read, in blocks of 64 KiB until that line is complete.
    public static func format(of url: URL) throws -> Format {
        func unreadable(_ error: Error) -> DrawsFileError {
            DrawsFileError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        do { try InputFile.requireRegularFile(path: url.path) } catch let failure as InputFile.Failure {
            throw DrawsFileError.unreadable(file: url.path, reason: failure.description)
        }
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch { throw unreadable(error) }
        defer { try? handle.close() }
        var head: [UInt8] = []
        while true {
            let block: Data
            do { block = try handle.read(upToCount: 1 << 16) ?? Data() } catch { throw unreadable(error) }
            head.append(contentsOf: block)
            let atEnd = block.isEmpty
            let lines = TextLines(bytes: head)
            // Only complete lines, unless the whole file has been read.
            let complete = lines.ranges.count - (lines.lastLineUnterminated && !atEnd ? 1 : 0)
            if let header = (0..<complete).first(where: { !lines.isComment($0) && !lines.isBlank($0) }) {
                let names = splitHeaderFields(lines.text(header))
                return names.contains(".chain") || names.contains("chain") ? .posteriorDraws : .cmdStan
            }
            if atEnd { throw DrawsFileError.noHeader(file: url.path) }
        }
    }

    /// Reads and merges `urls`; CmdStan files of different runs only with `allowMixed`.
    public static func read(urls: [URL], allowMixed: Bool = false) throws -> SampledChains {
        guard let first = urls.first else { throw DrawsFileError.noFiles }
        let kind = try format(of: first)
        if kind == .cmdStan {
            for url in urls.dropFirst() where try format(of: url) != .cmdStan {
                throw DrawsFileError.headersDiffer(firstFile: first.path, otherFile: url.path,
                                                   detail: "a draws CSV with a .chain column, not a CmdStan CSV")
            }
            return try CmdStanCSVReader.read(urls: urls, allowMixed: allowMixed)
        }
        var names: [String]?
        var chains: [[Double]] = []
        var paths: [String] = []
        var warnings: [String] = []
        for url in urls {
            let (draws, w) = try PosteriorDrawsCSVReader.read(url: url)
            warnings += w
            if let names, names != draws.variableNames {
                throw DrawsFileError.headersDiffer(firstFile: first.path, otherFile: url.path,
                                                   detail: CmdStanCSVReader.describeDifference(names, draws.variableNames))
            }
            if let length = chains.first?.count, draws.chains.contains(where: { $0.count != length }) {
                throw DrawsFileError.unequalChains(file: url.path, detail: "its chains have a different number of draws from \(first.path)'s")
            }
            names = draws.variableNames
            chains += draws.chains
            paths += draws.chains.map { _ in url.path }
        }
        let all = Draws(variableNames: names ?? [], chains: chains)
        let perChain = (0..<all.chainCount).map { c in
            CmdStanChain(path: paths[c], variableNames: all.variableNames, columnNames: all.variableNames, settings: [:],
                         warmupRowCount: 0, stepSize: nil, inverseMetricDiagonal: [], maxTreeDepth: 10,
                         interruption: nil, values: all.chains[c])
        }
        return CmdStanCSVReader.merge(perChain, warnings: warnings)
    }
}
