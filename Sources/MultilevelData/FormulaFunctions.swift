import Foundation

/// Functions a formula may apply to columns, and the arithmetic allowed inside their arguments
/// (`log(x + 1)`, `I(x^2)`, `I(x - 3)`).
enum FormulaFunctions {
    /// Numeric functions of one argument.
    static let numeric: [String: (Double) -> Double] = [
        "log": { Foundation.log($0) }, "exp": { Foundation.exp($0) }, "sqrt": { $0.squareRoot() },
        "abs": { Swift.abs($0) }, "log2": { Foundation.log2($0) }, "log10": { Foundation.log10($0) },
        "log1p": { Foundation.log1p($0) }, "expm1": { Foundation.expm1($0) },
    ]
    /// Functions that make a factor.
    static let factor: Set<String> = ["factor", "as.factor"]
    /// `I(...)`: arithmetic as written.
    static let identity = "I"

    static var allNames: [String] { (Array(numeric.keys) + Array(factor) + [identity] + Array(TermTransform.names)).sorted() }

    /// Checks that `node` is arithmetic over columns and numbers with known functions; errors name
    /// the column of the offending part.
    static func checkArithmetic(_ node: FormulaNode) throws {
        switch node {
        case .name, .number: return
        case .parenthesized(let inner, _), .negate(let inner, _): try checkArithmetic(inner)
        case .binary(let op, let l, let r, let column):
            guard ["+", "-", "*", "/", "^"].contains(op) else {
                throw FormulaError(column: column, message: "operator '\(op)' cannot be used inside a function; use +, -, *, /, ^")
            }
            try checkArithmetic(l)
            try checkArithmetic(r)
        case .call(let function, _, let column) where TermTransform.names.contains(function) || function == "offset" || function == "mo":
            throw FormulaError(column: column, message: "\(function)() must stand alone as a term (not inside another function or arithmetic)")
        case .call(let function, let arguments, let column):
            guard numeric[function] != nil || factor.contains(function) || function == identity else {
                let near = nearestNames(to: function, in: allNames)
                let hint = near.isEmpty ? "known functions: \(allNames.joined(separator: ", "))" : "did you mean \(near.joined(separator: ", "))?"
                throw FormulaError(column: column, message: "unknown function '\(function)'; \(hint)")
            }
            guard arguments.count == 1 else {
                throw FormulaError(column: column, message: "\(function)() takes one argument, got \(arguments.count)")
            }
            try checkArithmetic(arguments[0])
        case .bar(_, _, _, _, let column):
            throw FormulaError(column: column, message: "a random term (x | g) cannot be inside a function")
        }
    }
}
