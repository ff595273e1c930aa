/// brms' addition terms after `|` on the left of `~` other than `trials()`: known standard errors
/// `se(s)` / `se(s, sigma = TRUE)`, censoring `cens(c)` / `cens(c, y2)`, prior weights
/// `weights(w)` and truncation `trunc(lb = …, ub = …)`, joined with `+`
/// (`time | cens(censored) + weights(w) ~ …`). Each argument is a column or an expression of
/// columns; `trunc` bounds may also be numbers.
public struct ResponseAdditions: Sendable, Equatable {
    /// `se(s)`: each row's known standard deviation of the response around η.
    public var standardError: FormulaNode?
    /// `se(s, sigma = TRUE)`: the residual SD σ is estimated as well (total SD √(σ² + s²)).
    public var standardErrorWithSigma = false
    /// `cens(c)`: the censoring code of each row.
    public var censoring: FormulaNode?
    /// `cens(c, y2)`: the upper end of interval-censored rows.
    public var censoringUpper: FormulaNode?
    /// `weights(w)`: each row's log-likelihood is multiplied by w.
    public var weights: FormulaNode?
    /// `trunc(lb = …)`, `trunc(ub = …)`: the response is truncated to [lb, ub].
    public var truncationLower: FormulaNode?
    public var truncationUpper: FormulaNode?
    /// 1-based formula column of each addition term, by name (for messages).
    public var columns: [String: Int] = [:]

    public init() {}

    /// Whether there is any addition term.
    public var isEmpty: Bool {
        standardError == nil && censoring == nil && weights == nil && truncationLower == nil && truncationUpper == nil
    }

    /// The data-bearing expressions (no `sigma = TRUE`, no argument names).
    var dataNodes: [FormulaNode] {
        [standardError, censoring, censoringUpper, weights, truncationLower, truncationUpper].compactMap { $0 }
    }

    /// The terms as brms writes them, for `describe`: `se(sei)`, `cens(censored)`, `weights(w)`,
    /// `trunc(lb = 0, ub = 4)`.
    public var labels: [String] {
        var result: [String] = []
        if let node = standardError { result.append("se(\(node.deparsed)\(standardErrorWithSigma ? ", sigma = TRUE" : ""))") }
        if let node = censoring { result.append("cens(\(node.deparsed)\(censoringUpper.map { ", " + $0.deparsed } ?? ""))") }
        if let node = weights { result.append("weights(\(node.deparsed))") }
        if truncationLower != nil || truncationUpper != nil {
            let parts = [truncationLower.map { "lb = " + $0.deparsed }, truncationUpper.map { "ub = " + $0.deparsed }]
            result.append("trunc(\(parts.compactMap { $0 }.joined(separator: ", ")))")
        }
        return result
    }

    /// Splits the addition part after `|` into `trials(n)` (returned) and the other terms (into
    /// `self`). Errors name the formula column of the offending term or argument.
    static func split(_ addition: FormulaNode) throws -> (trials: FormulaNode?, additions: ResponseAdditions) {
        var calls: [FormulaNode] = []
        func collect(_ node: FormulaNode) throws {
            switch node {
            case .binary("+", let left, let right, _): try collect(left); try collect(right)
            case .call: calls.append(node)
            default:
                throw FormulaError(column: node.column, message: "expected an addition term such as trials(n), se(s), cens(c), weights(w) or trunc(lb = 0) after '|'")
            }
        }
        try collect(addition)
        var trials: FormulaNode?
        var result = ResponseAdditions()
        for call in calls {
            guard case .call(let function, let arguments, let column) = call else { continue }
            if result.columns[function] != nil || (function == "trials" && trials != nil) {
                throw FormulaError(column: column, message: "\(function)() is given twice")
            }
            result.columns[function] = column
            let split = try splitCallArguments(function, arguments)
            var positional = split.positional
            let named = split.named
            for argument in positional { try FormulaFunctions.checkArithmetic(argument) }
            for argument in named { try FormulaFunctions.checkArithmetic(argument.value) }
            func unknown(_ argument: (name: String, value: FormulaNode, column: Int), _ known: String) -> FormulaError {
                FormulaError(column: argument.column, message: "\(function)(): unknown argument '\(argument.name)' (known: \(known))")
            }
            switch function {
            case "trials":
                guard arguments.count == 1, named.isEmpty else {
                    throw FormulaError(column: column, message: "trials() takes one argument, a column or a number")
                }
                trials = positional[0]
            case "se":
                for argument in named {
                    guard argument.name == "sigma" else { throw unknown(argument, "sigma") }
                    guard case .name(let value, _) = argument.value, ["TRUE", "FALSE", "T", "F"].contains(value) else {
                        throw FormulaError(column: argument.value.column, message: "se(): 'sigma' must be TRUE or FALSE")
                    }
                    result.standardErrorWithSigma = value == "TRUE" || value == "T"
                }
                guard positional.count == 1 else {
                    throw FormulaError(column: column, message: "se() takes one column of standard errors: se(s) or se(s, sigma = TRUE)")
                }
                result.standardError = positional[0]
            case "cens":
                for argument in named {
                    guard argument.name == "y2" else { throw unknown(argument, "y2") }
                    positional.append(argument.value)
                }
                guard (1...2).contains(positional.count) else {
                    throw FormulaError(column: column, message: "cens() takes the censoring column and, for interval censoring, the upper end: cens(c) or cens(c, y2)")
                }
                result.censoring = positional[0]
                result.censoringUpper = positional.count == 2 ? positional[1] : nil
            case "weights":
                guard positional.count == 1, named.isEmpty else {
                    throw FormulaError(column: column, message: "weights() takes one column of prior weights: weights(w)")
                }
                result.weights = positional[0]
            case "trunc":
                var lower: FormulaNode?, upper: FormulaNode?
                for (k, node) in positional.enumerated() {
                    guard k < 2 else { throw FormulaError(column: node.column, message: "trunc() takes trunc(lb = …, ub = …)") }
                    if k == 0 { lower = node } else { upper = node }
                }
                for argument in named {
                    switch argument.name {
                    case "lb": lower = argument.value
                    case "ub": upper = argument.value
                    default: throw unknown(argument, "lb, ub")
                    }
                }
                guard lower != nil || upper != nil else {
                    throw FormulaError(column: column, message: "trunc() needs a bound: trunc(lb = 0), trunc(ub = 10) or trunc(lb = 0, ub = 10)")
                }
                result.truncationLower = lower
                result.truncationUpper = upper
            default:
                throw FormulaError(column: column, message: "unsupported addition term '\(function)()': supported are trials(), se(), cens(), weights() and trunc()")
            }
        }
        if result.standardError != nil, result.censoring != nil || result.truncationLower != nil || result.truncationUpper != nil {
            throw FormulaError(column: result.columns["se"], message: "se() cannot be combined with cens() or trunc() (brms neither)")
        }
        return (trials, result)
    }
}
