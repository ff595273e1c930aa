/// Why a draws file (CmdStan CSV or a posterior "draws" CSV) could not be read. Each description
/// is one line naming the file and, where it applies, the line and column.
public enum DrawsFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    /// A file being written that could not be (a full disk: "No space left on device").
    case unwritable(file: String, reason: String)
    /// Files that come from different runs (model, seed or run id differ in their comments).
    case mixedRuns(firstFile: String, otherFile: String, detail: String)
    /// Column names a merge cannot tell apart (duplicated or empty).
    case ambiguousColumn(file: String, column: Int, detail: String)
    case noHeader(file: String)
    case missingColumn(file: String, column: String)
    case headersDiffer(firstFile: String, otherFile: String, detail: String)
    case nonNumeric(file: String, line: Int, column: Int, columnName: String, text: String)
    case wrongFieldCount(file: String, line: Int, expected: Int, found: Int)
    case noDraws(file: String)
    case unequalChains(file: String, detail: String)
    case noFiles

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read: \(reason)"
        case let .unwritable(file, reason): return "\(file): cannot write: \(reason)"
        case let .mixedRuns(first, other, detail):
            return "\(other) and \(first) come from different runs (\(detail)); give --allow-mixed to merge them anyway"
        case let .ambiguousColumn(file, column, detail): return "\(file): column \(column): \(detail)"
        case let .noHeader(file): return "\(file): no header line (is this a CmdStan or draws CSV file?)"
        case let .missingColumn(file, column): return "\(file): no column '\(column)'"
        case let .headersDiffer(first, other, detail):
            return "\(other): its columns differ from \(first)'s (\(detail)); chains to merge must have the same variables"
        case let .nonNumeric(file, line, column, name, text):
            return "\(file):\(line): column \(column) ('\(name)'): '\(text)' is not a number"
        case let .wrongFieldCount(file, line, expected, found):
            return "\(file):\(line): \(found) fields, expected \(expected)"
        case let .noDraws(file): return "\(file): no draws"
        case let .unequalChains(file, detail): return "\(file): \(detail)"
        case .noFiles: return "no files given"
        }
    }
}
