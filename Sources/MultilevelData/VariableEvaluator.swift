import Foundation

/// Evaluates formula expressions (`Days`, `log(x)`, `I(x^2)`, `factor(herd)`) on the rows a model
/// uses, as R's `model.frame` does.
struct VariableEvaluator {
    /// The table restricted to the used rows (forced factors already applied).
    let table: DataTable

    var rowCount: Int { table.rowCount }

    func evaluate(_ node: FormulaNode) throws -> EvaluatedVariable {
        switch node {
        case .name(let name, let column):
            guard let data = table.column(named: name) else {
                throw FormulaError(column: column, message: "unknown variable '\(name)'")
            }
            switch data {
            case .numeric(let values): return .numeric(values)
            case .factor(let levels, let codes): return .factor(levels: levels, codes: codes)
            }
        case .call(let function, let arguments, _) where FormulaFunctions.factor.contains(function):
            switch try evaluate(arguments[0]) {
            case .factor(let levels, let codes): return .factor(levels: levels, codes: codes)
            case .numeric(let values): return VariableEvaluator.factor(fromNumbers: values)
            }
        default:
            return .numeric(try numeric(node))
        }
    }

    /// R's `factor()` of numbers: levels are the distinct values in numeric order, labelled as
    /// `as.character` writes them.
    static func factor(fromNumbers values: [Double]) -> EvaluatedVariable {
        let distinct = Array(Set(values)).sorted()
        var index: [Double: Int32] = [:]
        for (k, v) in distinct.enumerated() { index[v] = Int32(k) }
        return .factor(levels: distinct.map { RCollation.label(of: $0) }, codes: values.map { index[$0] ?? -1 })
    }

    func numeric(_ node: FormulaNode) throws -> [Double] {
        switch node {
        case .number(let v, _):
            return [Double](repeating: v, count: rowCount)
        case .name(let name, let column):
            guard let data = table.column(named: name) else {
                throw FormulaError(column: column, message: "unknown variable '\(name)'")
            }
            guard case .numeric(let values) = data else {
                throw FormulaError(column: column, message: "'\(name)' is a factor, not a number; arithmetic and functions such as log() need a numeric column")
            }
            return values
        case .parenthesized(let inner, _):
            return try numeric(inner)
        case .negate(let inner, _):
            return try numeric(inner).map { -$0 }
        case .binary(let op, let l, let r, let column):
            let a = try numeric(l), b = try numeric(r)
            switch op {
            case "+": return zip(a, b).map(+)
            case "-": return zip(a, b).map(-)
            case "*": return zip(a, b).map(*)
            case "/": return zip(a, b).map(/)
            case "^": return zip(a, b).map { pow($0, $1) }
            default: throw FormulaError(column: column, message: "operator '\(op)' is not arithmetic")
            }
        case .call(let function, let arguments, let column):
            if function == FormulaFunctions.identity { return try numeric(arguments[0]) }
            if let f = FormulaFunctions.numeric[function] { return try numeric(arguments[0]).map(f) }
            if FormulaFunctions.factor.contains(function) {
                throw FormulaError(column: column, message: "\(function)() makes a factor, which cannot be used in arithmetic")
            }
            throw FormulaError(column: column, message: "unknown function '\(function)'")
        case .bar(_, _, _, let column):
            throw FormulaError(column: column, message: "a random term cannot be evaluated as a number")
        }
    }
}
