/// R's formula term algebra (Chambers & Hastie 1992, *Statistical Models in S*, ch. 2; R's
/// `terms.formula`): `a + b` union, `a - b` removal, `a:b` interaction, `a * b = a + b + a:b`,
/// `a / b = a + a:b` (all of a's variables with b), `(a + b)^k` interactions up to order k,
/// `b %in% a = b:a`; `1`/`0`/`-1` set or remove the intercept. Terms are sets of variables;
/// the final list is ordered by degree, ties in order of appearance.
struct TermAlgebra {
    /// Variable labels in order of first appearance (the response first), which orders the
    /// variables inside an interaction as R does.
    private var variableOrder: [String: Int] = [:]
    /// Random-effect terms collected from the right-hand side.
    private(set) var randomTerms: [RandomTermSpecification] = []

    init(firstVariables: [String]) {
        for label in firstVariables where variableOrder[label] == nil { variableOrder[label] = variableOrder.count }
    }

    /// A term during expansion: its variables (set semantics, kept in appearance order).
    private typealias Term = [FormulaVariable]

    /// The terms of `node` with R's intercept rules (intercept present unless removed).
    mutating func termList(of node: FormulaNode, allowRandom: Bool) throws -> TermList {
        var intercept = true
        let terms = try expand(node, intercept: &intercept, deleting: false, allowRandom: allowRandom)
        let ordered = terms.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }
        return TermList(hasIntercept: intercept, terms: ordered.map { FormulaTerm(variables: $0.element) })
    }

    private mutating func register(_ variable: FormulaVariable) {
        if variableOrder[variable.label] == nil { variableOrder[variable.label] = variableOrder.count }
    }

    private func normalised(_ term: Term) -> Term {
        var seen = Set<String>()
        return term.filter { seen.insert($0.label).inserted }
            .sorted { (variableOrder[$0.label] ?? 0) < (variableOrder[$1.label] ?? 0) }
    }

    /// Identity of a term as a set of variables.
    private func key(_ term: Term) -> String {
        term.map(\.label).sorted().joined(separator: "\u{1}")
    }

    private func union(_ a: [Term], _ b: [Term]) -> [Term] {
        var result = a
        var keys = Set(a.map(key))
        for t in b where keys.insert(key(t)).inserted { result.append(t) }
        return result
    }

    /// Most terms one interaction may expand to: a chain of k factors joined by `*` has 2^k − 1
    /// terms, so an unbounded chain would hang the parser (found by fuzzing); R would build a model
    /// matrix no data set could fill anyway.
    static let maximumInteractionTerms = 4096

    /// The terms x:y for x in `a`, y in `b`, without duplicates (one key set for the whole product);
    /// throws when the product would exceed `maximumInteractionTerms`, naming the operator's column.
    private func interaction(_ a: [Term], _ b: [Term], column: Int) throws -> [Term] {
        guard a.count * b.count <= TermAlgebra.maximumInteractionTerms else {
            throw FormulaError(column: column, message: "this interaction expands to \(a.count * b.count) terms, more than the \(TermAlgebra.maximumInteractionTerms) supported; write the terms you need explicitly")
        }
        var result: [Term] = []
        var keys = Set<String>()
        for x in a {
            for y in b {
                let term = normalised(x + y)
                if keys.insert(key(term)).inserted { result.append(term) }
            }
        }
        return result
    }

    private mutating func expand(_ node: FormulaNode, intercept: inout Bool, deleting: Bool,
                                 allowRandom: Bool) throws -> [Term] {
        switch node {
        case .number(let value, let column):
            if value == 1 { intercept = !deleting; return [] }
            if value == 0 { intercept = deleting; return [] }
            throw FormulaError(column: column, message: "unexpected number \(RCollation.label(of: value)): only 0, 1 and -1 (to set or remove the intercept) can stand alone")
        case .name(let name, let column):
            if name == "." { throw FormulaError(column: column, message: "'.' (all other columns) is not supported; name the predictors") }
            let variable = FormulaVariable(node: node)
            register(variable)
            return [[variable]]
        case .call(let function, _, let column):
            if function == "cbind" {
                throw FormulaError(column: column, message: "cbind() can only be the response (left of '~')")
            }
            try FormulaFunctions.checkArithmetic(node)
            let variable = FormulaVariable(node: node)
            register(variable)
            return [[variable]]
        case .parenthesized(let inner, _):
            return try expand(inner, intercept: &intercept, deleting: deleting, allowRandom: allowRandom)
        case .negate(let inner, _):
            _ = try expand(inner, intercept: &intercept, deleting: !deleting, allowRandom: false)
            return []
        case .bar(let left, let right, let double, let column):
            guard allowRandom, !deleting else {
                throw FormulaError(column: column, message: "a random term (x | g) can only be added (+) to the formula, not used inside another term")
            }
            try addRandomTerm(left: left, grouping: right, double: double, column: column)
            return []
        case .binary(let op, let left, let right, let column):
            switch op {
            case "+", "-":
                // Walk the left spine of a + b - c + ... iteratively (long sums stay cheap).
                var spine: [(String, FormulaNode)] = [(op, right)]
                var leftmost = left
                while case .binary(let innerOp, let l, let r, _) = leftmost, innerOp == "+" || innerOp == "-" {
                    spine.append((innerOp, r))
                    leftmost = l
                }
                var result = try expand(leftmost, intercept: &intercept, deleting: deleting, allowRandom: allowRandom)
                var keys = Set(result.map(key))
                for (spineOp, operand) in spine.reversed() {
                    if spineOp == "+" {
                        let b = try expand(operand, intercept: &intercept, deleting: deleting, allowRandom: allowRandom)
                        for t in b where keys.insert(key(t)).inserted { result.append(t) }
                    } else {
                        let removed = Set(try expand(operand, intercept: &intercept, deleting: !deleting, allowRandom: false).map(key))
                        result.removeAll { removed.contains(key($0)) }
                        keys.subtract(removed)
                    }
                }
                return result
            case ":", "%in%":
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                return try interaction(a, b, column: column)
            case "*":
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                return union(union(a, b), try interaction(a, b, column: column))
            case "/":
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                let all = normalised(a.flatMap { $0 })
                return union(a, try interaction([all], b, column: column))
            case "^":
                let a = try expandInteractionOperand(left, intercept: &intercept)
                guard case .number(let k, let kColumn) = right else {
                    throw FormulaError(column: right.column, message: "expected a whole number after '^' (as in (a + b)^2); use I(x^2) for a power of x")
                }
                guard k >= 1, k == k.rounded(), k <= 10 else {
                    throw FormulaError(column: kColumn, message: "expected a whole number from 1 to 10 after '^'")
                }
                var result = a
                var power = a
                if k >= 2 {
                    for _ in 2...Int(k) {
                        power = try interaction(power, a, column: column)
                        result = union(result, power)
                    }
                }
                return result
            default:
                throw FormulaError(column: column, message: "unexpected operator '\(op)'")
            }
        }
    }

    /// Operands of `:`, `*`, `/`, `^` may not be numbers or random terms.
    private mutating func expandInteractionOperand(_ node: FormulaNode, intercept: inout Bool) throws -> [Term] {
        switch node {
        case .number(_, let column):
            throw FormulaError(column: column, message: "a number cannot be part of an interaction; use I() for arithmetic")
        case .bar(_, _, _, let column):
            throw FormulaError(column: column, message: "a random term (x | g) cannot be part of an interaction")
        default:
            return try expand(node, intercept: &intercept, deleting: false, allowRandom: false)
        }
    }

    private mutating func addRandomTerm(left: FormulaNode, grouping: FormulaNode, double: Bool, column: Int) throws {
        var inner = TermAlgebra(firstVariables: [])
        inner.variableOrder = variableOrder
        let effects = try inner.termList(of: left, allowRandom: false)
        let groups = try groupingVariables(grouping)
        var seenNames = Set<String>()
        for group in groups {
            var names: [String] = []
            var columns: [Int] = []
            for (name, c) in group where !names.contains(name) { names.append(name); columns.append(c) }
            guard seenNames.insert(names.joined(separator: ":")).inserted else { continue }
            randomTerms.append(RandomTermSpecification(effects: effects, groupingVariables: names,
                                                       groupingColumns: columns, correlated: !double,
                                                       column: column, effectsText: left.deparsed))
        }
    }

    /// Expands the right of a bar: `g` → [[g]]; `a:b` → [[a, b]]; `a/b` → [[a], [a, b]].
    private func groupingVariables(_ node: FormulaNode) throws -> [[(String, Int)]] {
        switch node {
        case .name(let name, let column):
            return [[(name, column)]]
        case .parenthesized(let inner, _):
            return try groupingVariables(inner)
        case .binary(":", let l, let r, _):
            let a = try groupingVariables(l), b = try groupingVariables(r)
            return a.flatMap { x in b.map { x + $0 } }
        case .binary("/", let l, let r, _):
            let a = try groupingVariables(l), b = try groupingVariables(r)
            var all: [(String, Int)] = []
            for group in a { for v in group where !all.contains(where: { $0.0 == v.0 }) { all.append(v) } }
            return a + b.map { all + $0 }
        default:
            throw FormulaError(column: node.column,
                               message: "expected a grouping factor after '|': a column name, a:b (interaction) or a/b (nesting)")
        }
    }
}
