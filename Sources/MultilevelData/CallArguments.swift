/// The arguments of a formula call split R's way: positional ones, then `name = value` ones
/// (`poly(x, 2, raw = TRUE)`, `trunc(lb = 0)`); a positional argument after a named one is an
/// error naming its formula column.
func splitCallArguments(_ function: String, _ arguments: [FormulaNode]) throws
    -> (positional: [FormulaNode], named: [(name: String, value: FormulaNode, column: Int)]) {
    var positional: [FormulaNode] = []
    var named: [(name: String, value: FormulaNode, column: Int)] = []
    for argument in arguments {
        if case .binary("=", .name(let name, let nameColumn), let value, _) = argument {
            named.append((name, value, nameColumn))
        } else {
            guard named.isEmpty else {
                throw FormulaError(column: argument.column, message: "\(function)(): a positional argument cannot follow a named one")
            }
            positional.append(argument)
        }
    }
    return (positional, named)
}
