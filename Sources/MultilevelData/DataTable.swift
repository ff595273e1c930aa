import Foundation

/// One column of a `DataTable`: numbers (missing = NaN) or a factor (level codes into `levels`,
/// missing = -1).
public enum DataColumn: Sendable, Equatable {
    /// Numeric values; a missing value (`NA`, empty, `NaN`) is `Double.nan`.
    case numeric([Double])
    /// Factor: `levels` in R's sort order (see `RCollation`), `codes[row]` a 0-based index into
    /// `levels` or -1 when missing.
    case factor(levels: [String], codes: [Int32])

    /// Number of rows.
    public var count: Int {
        switch self {
        case .numeric(let values): return values.count
        case .factor(_, let codes): return codes.count
        }
    }

    /// Whether row `row` is missing.
    public func isMissing(_ row: Int) -> Bool {
        switch self {
        case .numeric(let values): return values[row].isNaN
        case .factor(_, let codes): return codes[row] < 0
        }
    }

    /// Whether the column is a factor.
    public var isFactor: Bool {
        if case .factor = self { return true }
        return false
    }
}

/// A data table read from CSV: named, typed columns of equal length, with the 1-based line of the
/// data file on which each row starts (for messages naming a row).
///
/// Typing follows DESIGN §2: a column is numeric when every non-missing, unquoted value parses as
/// a number; otherwise it is a factor whose levels are sorted as R sorts strings (`RCollation`).
public struct DataTable: Sendable {
    /// The file name used in messages.
    public var fileName: String
    /// Column names in file order.
    public var columnNames: [String]
    /// Columns, parallel to `columnNames`.
    public var columns: [DataColumn]
    /// 1-based line on which each row starts in the file.
    public var sourceLines: [Int]
    /// Notices about how columns were typed, by column name: a column that is numbers but for a
    /// few values is a factor, and the notice names the first such value and its line.
    public var typeNotices: [String: String] = [:]

    public init(fileName: String, columnNames: [String], columns: [DataColumn], sourceLines: [Int]) {
        self.fileName = fileName
        self.columnNames = columnNames
        self.columns = columns
        self.sourceLines = sourceLines
    }

    /// Number of rows.
    public var rowCount: Int { sourceLines.count }

    /// The column called `name`, if any.
    public func column(named name: String) -> DataColumn? {
        columnNames.firstIndex(of: name).map { columns[$0] }
    }

    /// Reads a CSV file (RFC 4180, header row, UTF-8 with or without BOM, `NA`/empty = missing).
    /// Errors name the file and, where there is one, the line.
    public static func read(contentsOf url: URL, options: CSVOptions = CSVOptions()) throws -> DataTable {
        let name = url.relativePath
        let data: Data
        do { data = try InputFile.read(path: url.path) } catch let failure as InputFile.Failure {
            throw CSVError(fileName: name, message: failure.description)
        }
        return try read(data: data, fileName: name, options: options)
    }

    /// Reads CSV bytes (for example standard input, `--data -`); `fileName` is used in messages.
    public static func read(data: Data, fileName: String, options: CSVOptions = CSVOptions()) throws -> DataTable {
        try data.withUnsafeBytes { raw in
            try CSVReader.parse(UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                    count: raw.count), fileName: fileName, options: options)
        }
    }

    /// Parses CSV text held in memory; `fileName` is used in messages.
    public init(csv text: String, fileName: String = "<string>", options: CSVOptions = CSVOptions()) throws {
        var bytes = Array(text.utf8)
        self = try bytes.withUnsafeMutableBufferPointer { buffer in
            try CSVReader.parse(UnsafeBufferPointer(buffer), fileName: fileName, options: options)
        }
    }
}

/// How to split a data file: the field separator (`,`, `;` or tab; nil: detected from the header
/// line) and the decimal mark (nil: `,` when the separator is `;`, as Excel writes European CSV,
/// else `.`), as R's `read.csv2` / `read.delim` and their `sep` / `dec` arguments.
public struct CSVOptions: Sendable, Equatable {
    public var separator: UInt8?
    public var decimal: UInt8?

    public init(separator: UInt8? = nil, decimal: UInt8? = nil) {
        self.separator = separator
        self.decimal = decimal
    }
}
