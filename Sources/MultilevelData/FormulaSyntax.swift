/// Tokens and the syntax tree of a formula, before any term algebra (see `Formula.parse`).
///
/// Operator precedence is R's (highest first): `^`; unary `-`/`+`; `:`; `%in%`; `*` and `/`;
/// binary `+` and `-`; `|` and `||` (only inside parentheses, or after the response for brms'
/// `y | trials(n)`); `~`.

/// A node of the syntax tree. `column` is the 1-based character position of the node's first
/// character (of the operator for binary nodes).
public indirect enum FormulaNode: Sendable, Equatable {
    case name(String, column: Int)
    case number(Double, column: Int)
    case call(String, arguments: [FormulaNode], column: Int)
    case binary(String, FormulaNode, FormulaNode, column: Int)
    case negate(FormulaNode, column: Int)
    case parenthesized(FormulaNode, column: Int)
    /// `(left | right)` or `(left || right)`, or brms' `(left |ID| right)` with `id`; column of
    /// the opening parenthesis.
    case bar(FormulaNode, FormulaNode, double: Bool, id: String?, column: Int)

    /// 1-based column of the node (for binary nodes: of the left operand's start).
    public var column: Int {
        switch self {
        case .name(_, let c), .number(_, let c), .call(_, _, let c), .negate(_, let c),
             .parenthesized(_, let c), .bar(_, _, _, _, let c): return c
        case .binary(_, let left, _, _): return left.column
        }
    }

    /// The node as R's `deparse` writes it: spaces around `+`, `-`, `*`, `|`, none around `/`,
    /// `^`, `:` (`I(x^2)`, `I(x - 3)`, `log(x + 1)`, `a:b`).
    public var deparsed: String {
        switch self {
        case .name(let n, _): return n
        case .number(let v, _): return RCollation.label(of: v)
        case .call(let f, let arguments, _): return f + "(" + arguments.map(\.deparsed).joined(separator: ", ") + ")"
        case .binary(let op, let l, let r, _):
            let spaced = op == "+" || op == "-" || op == "*" || op == "%in%" || op == "="
            return l.deparsed + (spaced ? " \(op) " : op) + r.deparsed
        case .negate(let e, _): return "-" + e.deparsed
        case .parenthesized(let e, _): return "(" + e.deparsed + ")"
        case .bar(let l, let r, let double, let id, _):
            return "(" + l.deparsed + (id.map { " |\($0)| " } ?? (double ? " || " : " | ")) + r.deparsed + ")"
        }
    }
}

/// A lexical token with its 1-based column.
struct FormulaToken: Equatable {
    enum Kind: Equatable {
        case name(String)
        case number(Double)
        case symbol(String)   // ~ + - * / : ^ ( ) , = | || %in%
        case end
    }
    var kind: Kind
    var column: Int

    var display: String {
        switch kind {
        case .name(let n): return "'\(n)'"
        case .number(let v): return "'\(RCollation.label(of: v))'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "the end of the formula"
        }
    }
}

/// Splits formula text into tokens.
enum FormulaLexer {
    static func tokens(_ text: String) throws -> [FormulaToken] {
        let chars = Array(text)
        var result: [FormulaToken] = []
        var i = 0
        func isNameStart(_ c: Character) -> Bool { c.isLetter || c == "." || c == "_" }
        func isNameChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "." || c == "_" }
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c.isWhitespace { i += 1; continue }
            if c.isASCII, c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].isNumber || chars[j] == "." { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isASCII, chars[k].isNumber {
                        while k < chars.count, chars[k].isASCII, chars[k].isNumber { k += 1 }
                        j = k
                    }
                }
                let literal = String(chars[i..<j])
                guard let value = Double(literal) else {
                    throw FormulaError(column: column, message: "'\(literal)' is not a number")
                }
                result.append(FormulaToken(kind: .number(value), column: column))
                i = j
                continue
            }
            if isNameStart(c) {
                var j = i
                while j < chars.count, isNameChar(chars[j]) { j += 1 }
                result.append(FormulaToken(kind: .name(String(chars[i..<j])), column: column))
                i = j
                continue
            }
            if c == "`" {
                guard let close = chars[(i + 1)...].firstIndex(of: "`") else {
                    throw FormulaError(column: column, message: "expected '`' to close the name quoted at column \(column)")
                }
                result.append(FormulaToken(kind: .name(String(chars[(i + 1)..<close])), column: column))
                i = close + 1
                continue
            }
            if c == "|" {
                if i + 1 < chars.count, chars[i + 1] == "|" {
                    result.append(FormulaToken(kind: .symbol("||"), column: column)); i += 2
                } else {
                    result.append(FormulaToken(kind: .symbol("|"), column: column)); i += 1
                }
                continue
            }
            if c == "%" {
                if i + 3 < chars.count, String(chars[i...(i + 3)]) == "%in%" {
                    result.append(FormulaToken(kind: .symbol("%in%"), column: column)); i += 4
                    continue
                }
                throw FormulaError(column: column, message: "unknown operator starting with '%' (only %in% is supported)")
            }
            if "~+-*/:^(),=".contains(c) {
                result.append(FormulaToken(kind: .symbol(String(c)), column: column))
                i += 1
                continue
            }
            throw FormulaError(column: column, message: "unexpected character '\(c)'")
        }
        result.append(FormulaToken(kind: .end, column: chars.count + 1))
        return result
    }
}

/// Recursive-descent parser over `FormulaLexer` tokens producing `FormulaNode`s.
struct FormulaParser {
    private var tokens: [FormulaToken]
    private var index = 0
    private var depth = 0
    /// Deeper nesting than this is rejected rather than risking the stack.
    static let maximumDepth = 200

    init(tokens: [FormulaToken]) { self.tokens = tokens }

    var current: FormulaToken { tokens[index] }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }

    /// Parses `response ~ predictors`; returns (response, addition after `|`, right-hand side).
    mutating func parseFormula() throws -> (response: FormulaNode, addition: FormulaNode?, rhs: FormulaNode) {
        if current.kind == .end { throw FormulaError(column: nil, message: "empty formula") }
        if isSymbol("~") {
            throw FormulaError(column: current.column, message: "expected a response before '~' (e.g. 'y ~ x')")
        }
        let response = try parseSum()
        var addition: FormulaNode?
        if isSymbol("|") {
            advance()
            addition = try parseSum()
        }
        guard isSymbol("~") else {
            if current.kind == .end {
                throw FormulaError(column: current.column, message: "expected '~' between the response and the predictors")
            }
            throw FormulaError(column: current.column, message: "expected '~' or an operator, found \(current.display)")
        }
        advance()
        if current.kind == .end {
            throw FormulaError(column: current.column, message: "expected predictors after '~' (use 1 for an intercept only)")
        }
        let rhs = try parseSum()
        switch current.kind {
        case .end: break
        case .symbol("|"), .symbol("||"):
            throw FormulaError(column: current.column,
                               message: "'\(isSymbol("|") ? "|" : "||")' outside parentheses: write random terms as (x | g)")
        case .symbol("~"):
            throw FormulaError(column: current.column, message: "a formula has only one '~'")
        case .symbol(")"):
            throw FormulaError(column: current.column, message: "')' without a matching '('")
        default:
            throw FormulaError(column: current.column, message: "expected an operator (+, -, *, :, /) before \(current.display)")
        }
        return (response, addition, rhs)
    }

    private mutating func enter() throws {
        depth += 1
        if depth > FormulaParser.maximumDepth {
            throw FormulaError(column: current.column, message: "formula nested too deeply")
        }
    }

    mutating func parseSum() throws -> FormulaNode {
        try enter(); defer { depth -= 1 }
        var left = try parseProduct()
        while isSymbol("+") || isSymbol("-") {
            guard case .symbol(let op) = current.kind else { break }
            let column = current.column
            advance()
            let right = try parseProduct()
            left = .binary(op, left, right, column: column)
        }
        return left
    }

    mutating func parseProduct() throws -> FormulaNode {
        var left = try parseIn()
        while isSymbol("*") || isSymbol("/") {
            guard case .symbol(let op) = current.kind else { break }
            let column = current.column
            advance()
            let right = try parseIn()
            left = .binary(op, left, right, column: column)
        }
        return left
    }

    mutating func parseIn() throws -> FormulaNode {
        var left = try parseColon()
        while isSymbol("%in%") {
            let column = current.column
            advance()
            left = .binary("%in%", left, try parseColon(), column: column)
        }
        return left
    }

    mutating func parseColon() throws -> FormulaNode {
        var left = try parseUnary()
        while isSymbol(":") {
            let column = current.column
            advance()
            left = .binary(":", left, try parseUnary(), column: column)
        }
        return left
    }

    mutating func parseUnary() throws -> FormulaNode {
        try enter(); defer { depth -= 1 }
        if isSymbol("-") {
            let column = current.column
            advance()
            return .negate(try parseUnary(), column: column)
        }
        if isSymbol("+") {
            advance()
            return try parseUnary()
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> FormulaNode {
        let base = try parsePrimary()
        if isSymbol("^") {
            let column = current.column
            advance()
            return .binary("^", base, try parseUnary(), column: column)
        }
        return base
    }

    mutating func parsePrimary() throws -> FormulaNode {
        let token = current
        switch token.kind {
        case .name(let name):
            advance()
            guard isSymbol("(") else { return .name(name, column: token.column) }
            let open = current.column
            advance()
            var arguments: [FormulaNode] = []
            if !isSymbol(")") {
                while true {
                    arguments.append(try parseArgument())
                    if isSymbol(",") { advance(); continue }
                    break
                }
            }
            guard isSymbol(")") else { throw expectedClose(open) }
            advance()
            return .call(name, arguments: arguments, column: token.column)
        case .number(let value):
            advance()
            return .number(value, column: token.column)
        case .symbol("("):
            advance()
            if isSymbol(")") { throw FormulaError(column: current.column, message: "empty parentheses") }
            let inner = try parseSum()
            if isSymbol("|") || isSymbol("||") {
                let double = isSymbol("||")
                let barColumn = current.column
                advance()
                if isSymbol(")") || current.kind == .end {
                    throw FormulaError(column: current.column,
                                       message: "expected a grouping factor after '\(double ? "||" : "|")' at column \(barColumn)")
                }
                var grouping = try parseSum()
                var id: String?
                if isSymbol("|") || isSymbol("||") {
                    // brms' (x |ID| g): terms with the same ID are correlated across a bf() formula's parts.
                    let label: String
                    switch grouping {
                    case .name(let name, _): label = name
                    case .number(let value, _): label = RCollation.label(of: value)
                    default:
                        throw FormulaError(column: grouping.column, message: "expected an ID (a name) between the bars of brms' (x |ID| g)")
                    }
                    guard !double, isSymbol("|") else {
                        throw FormulaError(column: current.column, message: "brms' ID syntax is (x |\(label)| g), with single bars")
                    }
                    let idColumn = current.column
                    advance()
                    if isSymbol(")") || current.kind == .end {
                        throw FormulaError(column: current.column, message: "expected a grouping factor after '|\(label)|' at column \(idColumn)")
                    }
                    id = label
                    grouping = try parseSum()
                }
                guard isSymbol(")") else { throw expectedClose(token.column) }
                advance()
                return .bar(inner, grouping, double: double, id: id, column: token.column)
            }
            guard isSymbol(")") else { throw expectedClose(token.column) }
            advance()
            return .parenthesized(inner, column: token.column)
        case .end:
            throw FormulaError(column: token.column, message: "unexpected end of formula: expected a variable, number or '('")
        case .symbol(let s):
            throw FormulaError(column: token.column, message: "unexpected '\(s)': expected a variable, number or '('")
        }
    }

    /// One argument of a call: an expression, or `name = expression` (`raw = TRUE`,
    /// `scale = FALSE`), kept as a binary `=` node whose left side is the name.
    private mutating func parseArgument() throws -> FormulaNode {
        if case .name(let name) = current.kind, index + 1 < tokens.count, tokens[index + 1].kind == .symbol("=") {
            let nameColumn = current.column
            advance()
            let column = current.column
            advance()
            return .binary("=", .name(name, column: nameColumn), try parseSum(), column: column)
        }
        return try parseSum()
    }

    private func expectedClose(_ open: Int) -> FormulaError {
        let found = current.kind == .end ? "" : ", found \(current.display)"
        return FormulaError(column: current.column, message: "expected ')' to close '(' opened at column \(open)\(found)")
    }
}
