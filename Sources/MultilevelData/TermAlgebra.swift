/// R's formula term algebra (Chambers & Hastie 1992, *Statistical Models in S*, ch. 2; R's
/// `terms.formula`): `a + b` union, `a - b` removal, `a:b` interaction, `a * b = a + b + a:b`,
/// `a / b = a + a:b` (all of a's variables with b), `(a + b)^k` interactions up to order k,
/// `b %in% a = b:a`; `1`/`0`/`-1` set or remove the intercept. Terms are sets of variables;
/// the final list is ordered by degree, ties in order of appearance.
struct TermAlgebra {
    /// Variable labels in order of first appearance (the response first), which orders the
    /// variables inside an interaction as R does.
    private var variableOrder: [String: Int] = [:]
    /// The variable at each position of `variableOrder`, as first written.
    private var variableAt: [Int: FormulaVariable] = [:]
    /// Random-effect terms collected from the right-hand side.
    private(set) var randomTerms: [RandomTermSpecification] = []
    /// `offset(x)` expressions of the fixed part (R keeps them out of the term labels).
    private(set) var offsets: [FormulaNode] = []
    /// `mo(x)` terms of the fixed part (brms' monotonic effects, kept out of the model matrix).
    private(set) var monotonic: [MonotonicSpecification] = []

    init(firstVariables: [String]) {
        for label in firstVariables where variableOrder[label] == nil { variableOrder[label] = variableOrder.count }
    }

    /// A term during expansion: the positions in `variableOrder` of its variables, ascending and
    /// each once — which is also its identity as a set of variables (`variableAt` gives the
    /// variables back when the expansion is done).
    private typealias Term = [Int]

    /// The terms of `node` with R's intercept rules (intercept present unless removed).
    mutating func termList(of node: FormulaNode, allowRandom: Bool) throws -> TermList {
        var intercept = true
        let terms = try expand(node, intercept: &intercept, deleting: false, allowRandom: allowRandom)
        let ordered = terms.enumerated().sorted { ($0.element.count, $0.offset) < ($1.element.count, $1.offset) }
        return TermList(hasIntercept: intercept, terms: ordered.map { term in
            FormulaTerm(variables: term.element.compactMap { variableAt[$0] })
        })
    }

    /// The position of `variable` in `variableOrder` (a new one at the end for a new label).
    private mutating func register(_ variable: FormulaVariable) -> Int {
        let position = variableOrder[variable.label] ?? variableOrder.count
        variableOrder[variable.label] = position
        if variableAt[position] == nil { variableAt[position] = variable }
        return position
    }

    /// The term x:y of two terms: their positions merged (no sort, no lookup).
    private func product(_ x: Term, _ y: Term) -> Term {
        var term: Term = []
        term.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if j == y.count || (i < x.count && x[i] < y[j]) {
                term.append(x[i]); i += 1
            } else if i == x.count || y[j] < x[i] {
                term.append(y[j]); j += 1
            } else {
                term.append(x[i]); i += 1; j += 1
            }
        }
        return term
    }

    private func union(_ a: [Term], _ b: [Term]) -> [Term] {
        var result = a
        var keys = Set(a)
        for t in b where keys.insert(t).inserted { result.append(t) }
        return result
    }

    /// Most terms one interaction may expand to: a chain of k factors joined by `*` has 2^k − 1
    /// terms, so an unbounded chain would hang the parser (found by fuzzing); R would build a model
    /// matrix no data set could fill anyway.
    static let maximumInteractionTerms = 4096

    /// Most product terms all the interactions of one formula may form together (random terms
    /// included). A chain that repeats its variables (`a*b*…*l*a*b*…`) stays under
    /// `maximumInteractionTerms` at every step while forming thousands of products per step, so
    /// the bound on each interaction alone still let a 4 KB formula keep the parser busy for
    /// seconds (found by fuzzing); no model a data set can fit comes near this total.
    static let maximumFormedTerms = 65_536
    /// Product terms formed so far by `interaction`.
    private var formedTerms = 0

    /// The terms x:y for x in `a`, y in `b`, without duplicates (one key set for the whole product);
    /// throws when the product would exceed `maximumInteractionTerms`, or the formula's products
    /// in all `maximumFormedTerms`, naming the operator's column.
    private mutating func interaction(_ a: [Term], _ b: [Term], column: Int) throws -> [Term] {
        guard a.count * b.count <= TermAlgebra.maximumInteractionTerms else {
            throw FormulaError(column: column, message: "this interaction expands to \(a.count * b.count) terms, more than the \(TermAlgebra.maximumInteractionTerms) supported; write the terms you need explicitly")
        }
        formedTerms += a.count * b.count
        guard formedTerms <= TermAlgebra.maximumFormedTerms else {
            throw FormulaError(column: column, message: "the interactions up to here form more than \(TermAlgebra.maximumFormedTerms) terms in all; write the terms you need explicitly")
        }
        var result: [Term] = []
        var keys = Set<[Int]>()
        for x in a {
            for y in b {
                let term = product(x, y)
                if keys.insert(term).inserted { result.append(term) }
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
            return [[register(FormulaVariable(node: node))]]
        case .call(let function, _, let column):
            if function == "cbind" {
                throw FormulaError(column: column, message: "cbind() can only be the response (left of '~')")
            }
            if function == "offset" {
                guard allowRandom, !deleting, case .call(_, let arguments, _) = node, arguments.count == 1 else {
                    throw FormulaError(column: column, message: "offset() takes one numeric expression and can only be added (+) to the population-level part of the formula")
                }
                try FormulaFunctions.checkArithmetic(arguments[0])
                offsets.append(arguments[0])
                return []
            }
            if function == "mo" {
                guard allowRandom, !deleting else {
                    throw FormulaError(column: column, message: TermAlgebra.monotonicPlacement)
                }
                try addMonotonic([node])
                return []
            }
            if try TermTransform.parse(node) == nil { try FormulaFunctions.checkArithmetic(node) }
            return [[register(FormulaVariable(node: node))]]
        case .parenthesized(let inner, _):
            return try expand(inner, intercept: &intercept, deleting: deleting, allowRandom: allowRandom)
        case .negate(let inner, _):
            _ = try expand(inner, intercept: &intercept, deleting: !deleting, allowRandom: false)
            return []
        case .bar(let left, let right, let double, let id, let column):
            guard allowRandom, !deleting else {
                throw FormulaError(column: column, message: "a random term (x | g) can only be added (+) to the formula, not used inside another term")
            }
            try addRandomTerm(left: left, grouping: right, double: double, id: id, column: column)
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
                var keys = Set(result)
                for (spineOp, operand) in spine.reversed() {
                    if spineOp == "+" {
                        let b = try expand(operand, intercept: &intercept, deleting: deleting, allowRandom: allowRandom)
                        for t in b where keys.insert(t).inserted { result.append(t) }
                    } else {
                        let removed = Set(try expand(operand, intercept: &intercept, deleting: !deleting, allowRandom: false))
                        result.removeAll { removed.contains($0) }
                        keys.subtract(removed)
                    }
                }
                return result
            case ":", "%in%":
                if op == ":", allowRandom, !deleting, let operands = try monotonicChain(node, op: ":") {
                    try addMonotonic(operands)
                    return []
                }
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                return try interaction(a, b, column: column)
            case "*":
                if allowRandom, !deleting, let operands = try monotonicChain(node, op: "*") {
                    // a * b * …: every non-empty subset of the operands, mo() ones as monotonic terms.
                    var result: [Term] = []
                    for mask in 1..<(1 << operands.count) {
                        let subset = operands.indices.filter { mask & (1 << $0) != 0 }.map { operands[$0] }
                        if subset.contains(where: TermAlgebra.isMonotonicCall) {
                            try addMonotonic(subset)
                        } else {
                            let term = Array(Set(subset.map { register(FormulaVariable(node: $0)) })).sorted()
                            if !result.contains(term) { result.append(term) }
                        }
                    }
                    return result
                }
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                return union(union(a, b), try interaction(a, b, column: column))
            case "/":
                let a = try expandInteractionOperand(left, intercept: &intercept)
                let b = try expandInteractionOperand(right, intercept: &intercept)
                let all = Array(Set(a.joined())).sorted()
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
        case .bar(_, _, _, _, let column):
            throw FormulaError(column: column, message: "a random term (x | g) cannot be part of an interaction")
        default:
            return try expand(node, intercept: &intercept, deleting: false, allowRandom: false)
        }
    }

    /// Where mo() may stand, for the error naming a misplaced one.
    static let monotonicPlacement = "mo() can only be added (+) to the population-level part of the formula, alone or in an interaction with columns (mo(x):z, mo(x)*f), or on its own to a group-level term ((mo(x) | g)); not inside another function, in a group-level interaction or after '-'"

    /// Whether `node` is a call `mo(…)` (parentheses around it removed).
    static func isMonotonicCall(_ node: FormulaNode) -> Bool {
        switch node {
        case .call("mo", _, _): return true
        case .parenthesized(let inner, _): return isMonotonicCall(inner)
        default: return false
        }
    }

    /// Most operands of an interaction with mo() (`mo(x)*a*b*c` has 15 terms).
    static let maximumMonotonicOperands = 4

    /// The operands of a chain `a:b:…` (or `a*b*…`) joined by `op` when one of them is `mo(x)`,
    /// parentheses removed; nil when none is. Each operand must be `mo(name)` or a column name, and
    /// only one a mo() (brms' product of two monotonic transforms is not supported).
    private func monotonicChain(_ node: FormulaNode, op: String) throws -> [FormulaNode]? {
        var operands: [FormulaNode] = []
        var pending = [node]
        while let next = pending.popLast() {
            switch next {
            case .parenthesized(let inner, _): pending.append(inner)
            case .binary(let innerOp, let l, let r, _) where innerOp == op: pending.append(r); pending.append(l)
            default: operands.append(next)
            }
        }
        let calls = operands.filter(TermAlgebra.isMonotonicCall)
        guard !calls.isEmpty else { return nil }
        if calls.count > 1 {
            throw FormulaError(column: calls[1].column, message: "a product of monotonic effects (mo(x):mo(z)) is not supported yet; interact mo(x) with columns only (mo(x):z, mo(x):f)")
        }
        guard operands.count <= TermAlgebra.maximumMonotonicOperands else {
            throw FormulaError(column: operands[TermAlgebra.maximumMonotonicOperands].column, message: "an interaction with mo() takes at most \(TermAlgebra.maximumMonotonicOperands) operands")
        }
        for operand in operands where !TermAlgebra.isMonotonicCall(operand) {
            guard case .name(let name, _) = operand, name != "." else {
                throw FormulaError(column: operand.column, message: "in an interaction with mo(), the other operands must be column names (numeric predictors or factors), not '\(operand.deparsed)'")
            }
        }
        return operands
    }

    /// Records the monotonic term of `operands` (one `mo(x)` and numeric column names): its
    /// variables in R's label order (first appearance in the formula), once per set of variables.
    private mutating func addMonotonic(_ operands: [FormulaNode]) throws {
        var monotonicNode: FormulaNode?
        for operand in operands where TermAlgebra.isMonotonicCall(operand) {
            var inner = operand
            while case .parenthesized(let unwrapped, _) = inner { inner = unwrapped }
            monotonicNode = inner
        }
        guard case .call(_, let arguments, let column)? = monotonicNode else { return }
        guard arguments.count == 1, case .name(let name, let nameColumn) = arguments[0] else {
            throw FormulaError(column: column, message: "mo() takes one column: mo(x), with x an ordinal predictor (whole numbers 0, 1, …, D)")
        }
        let label = "mo(\(name))"
        var ranked: [(position: Int, name: String, column: Int, isMonotonic: Bool)] = []
        for operand in operands {
            if TermAlgebra.isMonotonicCall(operand) {
                if variableOrder[label] == nil { variableOrder[label] = variableOrder.count }
                ranked.append((variableOrder[label]!, name, nameColumn, true))
            } else if case .name(let covariate, let covariateColumn) = operand {
                if covariate == name {
                    throw FormulaError(column: covariateColumn, message: "'\(name)' cannot be interacted with its own monotonic effect mo(\(name))")
                }
                if ranked.contains(where: { $0.name == covariate && !$0.isMonotonic }) { continue }
                ranked.append((register(FormulaVariable(node: operand)), covariate, covariateColumn, false))
            }
        }
        ranked.sort { $0.position < $1.position }
        var specification = MonotonicSpecification(variable: name, column: column, variableColumn: nameColumn)
        specification.covariates = ranked.filter { !$0.isMonotonic }.map(\.name)
        specification.covariateColumns = ranked.filter { !$0.isMonotonic }.map(\.column)
        specification.monotonicPosition = ranked.firstIndex(where: \.isMonotonic) ?? 0
        if !monotonic.contains(where: { $0.variable == name && Set($0.covariates) == Set(specification.covariates) }) {
            monotonic.append(specification)
        }
    }

    private mutating func addRandomTerm(left: FormulaNode, grouping: FormulaNode, double: Bool, id: String?, column: Int) throws {
        var inner = TermAlgebra(firstVariables: [])
        inner.variableOrder = variableOrder
        inner.variableAt = variableAt
        inner.formedTerms = formedTerms
        let (rest, monotonicCalls) = TermAlgebra.splitMonotonic(left)
        let effects = try inner.termList(of: rest, allowRandom: false)
        formedTerms = inner.formedTerms
        var monotonicEffects: [MonotonicSpecification] = []
        for call in monotonicCalls {
            guard case .call(_, let arguments, let callColumn) = call, arguments.count == 1,
                  case .name(let name, let nameColumn) = arguments[0] else {
                throw FormulaError(column: call.column, message: "mo() takes one column: mo(x), with x an ordinal predictor (whole numbers 0, 1, …, D)")
            }
            if !monotonicEffects.contains(where: { $0.variable == name }) {
                monotonicEffects.append(MonotonicSpecification(variable: name, column: callColumn, variableColumn: nameColumn))
            }
        }
        let groups = try groupingVariables(grouping)
        var seenNames = Set<String>()
        for group in groups {
            var names: [String] = []
            var columns: [Int] = []
            for (name, c) in group where !names.contains(name) { names.append(name); columns.append(c) }
            guard seenNames.insert(names.joined(separator: ":")).inserted else { continue }
            randomTerms.append(RandomTermSpecification(effects: effects, groupingVariables: names,
                                                       groupingColumns: columns, correlated: !double,
                                                       column: column, effectsText: left.deparsed, id: id,
                                                       monotonic: monotonicEffects))
        }
    }

    /// The left of a bar without its summands `mo(x)` (brms' monotonic group-level effects,
    /// `(mo(x) | g)`), and those calls (parentheses removed). The rest keeps R's intercept rules:
    /// `1 + …` in front, so `(mo(x) | g)` has an intercept and `(0 + mo(x) | g)` none. A mo()
    /// anywhere else (in an interaction, after '-') stays in the rest and is refused there.
    static func splitMonotonic(_ node: FormulaNode) -> (rest: FormulaNode, calls: [FormulaNode]) {
        var spine: [(op: String, node: FormulaNode)] = []
        var leftmost = node
        while case .binary(let op, let l, let r, _) = leftmost, op == "+" || op == "-" {
            spine.append((op, r))
            leftmost = l
        }
        spine.append(("+", leftmost))
        var calls: [FormulaNode] = []
        var rest: FormulaNode = .number(1, column: node.column)
        for (op, operand) in spine.reversed() {
            if op == "+", isMonotonicCall(operand) {
                var inner = operand
                while case .parenthesized(let unwrapped, _) = inner { inner = unwrapped }
                calls.append(inner)
            } else {
                rest = .binary(op, rest, operand, column: operand.column)
            }
        }
        return calls.isEmpty ? (node, []) : (rest, calls)
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
