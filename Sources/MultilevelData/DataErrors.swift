/// Errors of the data layer. Each prints as one line that names the place: the file and line of a
/// CSV or model file, or the 1-based column of a formula.

/// A CSV file that cannot be read as a table.
public struct CSVError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file name as given (or `<string>` for in-memory text).
    public var fileName: String
    /// 1-based line the problem is on, when there is one.
    public var line: Int?
    /// What is wrong.
    public var message: String

    public init(fileName: String, line: Int? = nil, message: String) {
        self.fileName = fileName
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(fileName):\(line): \(message)" }
        return "\(fileName): \(message)"
    }
}

/// A formula that does not parse, or that does not fit the data. `column` is 1-based, counted in
/// characters of the formula text.
public struct FormulaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// 1-based character position in the formula, or nil when the error concerns the whole formula.
    public var column: Int?
    /// What is wrong and what was expected.
    public var message: String

    public init(column: Int?, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "formula error at column \(column): \(message)" }
        return "formula error: \(message)"
    }
}

/// A model that cannot be built from a valid formula and table (a grouping factor with one level,
/// a non-numeric response, non-finite values, no rows left).
public struct DesignError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A model file (`key: value` lines) or a model setting with a bad key or value.
public struct ModelFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where: `sleep.model:4`, or `--chains` for a command-line option.
    public var location: String
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
