/// A parsed model formula in lme4/brms syntax: response, fixed-effect terms (expanded and ordered
/// as R's `terms()` orders them) and random-effect terms.
///
/// ```
/// let f = try Formula.parse("Reaction ~ Days + (Days | Subject)")
/// f.fixed.terms.map(\.label)          // ["Days"]
/// f.randomTerms[0].groupingName       // "Subject"
/// ```
public struct Formula: Sendable, Equatable {
    /// The formula as written.
    public var text: String
    /// The response (`y`, `y | trials(n)`, `cbind(s, f)`).
    public var response: FormulaResponse
    /// The fixed-effect part.
    public var fixed: TermList
    /// Random-effect terms in formula order: `(x | a/b)` already expanded into groups `a` and
    /// `a:b`; `(x || g)` kept as one specification with `correlated == false` (the design splits
    /// it into one term per column).
    public var randomTerms: [RandomTermSpecification]
    /// The arguments of `offset(...)` terms: numeric expressions added to the linear predictor
    /// with coefficient 1 (lme4 and brms alike); several offsets add up.
    public var offsets: [FormulaNode] = []
    /// brms' monotonic effects `mo(x)` of the population-level part, alone or interacted with
    /// numeric columns (`mo(x):z`), in R's term order (`MonotonicEffect`); not columns of X.
    public var monotonic: [MonotonicSpecification] = []
    /// brms' addition terms `se()`, `cens()`, `weights()`, `trunc()` (`trials()` is part of
    /// `response`).
    public var additions = ResponseAdditions()

    /// Longest formula accepted, in tokens (names, numbers, operators). Parsing, term expansion
    /// and labels recurse along the formula; the bound keeps that recursion far from the stack
    /// limit whatever the input.
    public static let maximumTokens = 4000

    /// Parses formula text. Errors carry the 1-based column and what was expected, e.g.
    /// `formula error at column 27: expected ')' to close '(' opened at column 18`.
    public static func parse(_ text: String) throws -> Formula {
        let tokens = try FormulaLexer.tokens(text)
        guard tokens.count <= maximumTokens else {
            throw FormulaError(column: tokens[maximumTokens].column,
                               message: "formula too long (more than \(maximumTokens) symbols)")
        }
        var parser = FormulaParser(tokens: tokens)
        let (responseNode, addition, rhs) = try parser.parseFormula()
        let split = try addition.map(ResponseAdditions.split)
        let response = try FormulaResponse(node: responseNode, trials: split?.trials,
                                           hasAddition: addition != nil, additionColumn: addition?.column)
        var algebra = TermAlgebra(firstVariables: response.variableLabels)
        let fixed = try algebra.termList(of: rhs, allowRandom: true)
        var formula = Formula(text: text, response: response, fixed: fixed, randomTerms: algebra.randomTerms)
        formula.offsets = algebra.offsets
        // R orders terms by degree, ties in order of appearance (`mo(edu)` before `mo(edu):x`).
        formula.monotonic = algebra.monotonic.enumerated()
            .sorted { ($0.element.covariates.count, $0.offset) < ($1.element.covariates.count, $1.offset) }.map(\.element)
        formula.additions = split?.additions ?? ResponseAdditions()
        try formula.checkResponseNotPredictor()
        try formula.checkGroupLevelMonotonic()
        return formula
    }

    /// The response's columns may not appear on the right-hand side.
    private func checkResponseNotPredictor() throws {
        let responseNames = Set(response.variable.node.referencedNames.map(\.0))
        for node in fixed.terms.flatMap({ $0.variables.map(\.node) }) + offsets + additions.dataNodes + monotonicNodes {
            if let (name, column) = node.referencedNames.first(where: { responseNames.contains($0.0) }) {
                throw FormulaError(column: column, message: "the response '\(name)' cannot also be a predictor")
            }
        }
        for random in randomTerms {
            let inEffects = random.effects.terms.flatMap { $0.variables.flatMap(\.node.referencedNames) }
            let inGroups = Array(zip(random.groupingVariables, random.groupingColumns))
            if let (name, column) = (inEffects + inGroups).first(where: { responseNames.contains($0.0) }) {
                throw FormulaError(column: column, message: "the response '\(name)' cannot appear in a random term")
            }
        }
    }

    /// A group-level `mo(x)` needs the population-level `mo(x)` whose coefficient it varies and
    /// whose simplex it shares (brms: "Special group-level terms require corresponding
    /// population-level terms").
    private func checkGroupLevelMonotonic() throws {
        for random in randomTerms {
            for term in random.monotonic where !monotonic.contains(where: { $0.variable == term.variable && $0.covariates.isEmpty }) {
                throw FormulaError(column: term.column, message: "the group-level mo(\(term.variable)) of \(random.text) needs the population-level term mo(\(term.variable)) too (brms varies its coefficient by group and shares its simplex): add + mo(\(term.variable))")
            }
        }
    }

    /// The columns of the `mo()` terms as formula nodes.
    var monotonicNodes: [FormulaNode] {
        monotonic.flatMap { term in
            [.name(term.variable, column: term.variableColumn)]
                + zip(term.covariates, term.covariateColumns).map { .name($0.0, column: $0.1) }
        }
    }

    /// Every column name the formula refers to, with the 1-based column of its first mention, in
    /// order of appearance.
    public var referencedColumns: [(name: String, column: Int)] {
        var seen = Set<String>()
        var result: [(String, Int)] = []
        func add(_ node: FormulaNode) {
            for (name, column) in node.referencedNames where !seen.contains(name) {
                seen.insert(name)
                result.append((name, column))
            }
        }
        response.nodes.forEach(add)
        additions.dataNodes.forEach(add)
        for term in fixed.terms { term.variables.forEach { add($0.node) } }
        offsets.forEach(add)
        monotonicNodes.forEach(add)
        for random in randomTerms {
            for term in random.effects.terms { term.variables.forEach { add($0.node) } }
            for (name, column) in zip(random.groupingVariables, random.groupingColumns) {
                add(.name(name, column: column))
            }
        }
        return result
    }
}

/// A predictor "variable" in R's sense: a column (`Days`) or an expression of columns (`log(x)`,
/// `I(x^2)`, `factor(herd)`), identified by its deparsed label, which is also the prefix of its
/// model-matrix column names.
public struct FormulaVariable: Sendable, Hashable {
    /// R's label (`I(x^2)`, `factor(period)`); model-matrix columns are named from it.
    public var label: String
    /// The expression.
    public var node: FormulaNode

    public init(node: FormulaNode) {
        self.node = node
        self.label = node.deparsed
    }

    public static func == (a: FormulaVariable, b: FormulaVariable) -> Bool { a.label == b.label }
    public func hash(into hasher: inout Hasher) { hasher.combine(label) }
}

/// A term: one variable or an interaction of several (`x:f`), variables in order of first
/// appearance in the formula (as R orders them).
public struct FormulaTerm: Sendable, Equatable {
    public var variables: [FormulaVariable]
    /// `x`, `x:f`, as R's `attr(terms, "term.labels")`.
    public var label: String { variables.map(\.label).joined(separator: ":") }
    /// Number of variables (R's term order).
    public var degree: Int { variables.count }
}

/// The terms of one model matrix (the fixed part, or the left of `|` in a random term).
public struct TermList: Sendable, Equatable {
    /// Whether the model matrix has an `(Intercept)` column (removed by `0`, `-1`).
    public var hasIntercept: Bool
    /// Terms sorted by degree, ties in order of appearance (R's `terms(keep.order = FALSE)`).
    public var terms: [FormulaTerm]
}

/// One `(effects | grouping)` term after `/` expansion.
public struct RandomTermSpecification: Sendable, Equatable {
    /// Terms left of the bar (the columns of Zᵢ).
    public var effects: TermList
    /// Grouping variables: `["Subject"]`, or `["a", "b"]` for the interaction `a:b`.
    public var groupingVariables: [String]
    /// 1-based formula columns of the grouping variables.
    public var groupingColumns: [Int]
    /// False for `||` (independent effects: the design makes one term per column).
    public var correlated: Bool
    /// 1-based column of the opening parenthesis.
    public var column: Int
    /// The left side as written, deparsed (`Days`, `0 + x`).
    public var effectsText: String
    /// brms' ID of `(x |ID| g)` (terms sharing it are correlated across a bf() formula's parts).
    public var id: String? = nil
    /// brms' monotonic group-level effects `(mo(x) | g)`: the plain `mo(x)` summands of the left
    /// side, kept out of `effects`; each varies the coefficient of the population-level `mo(x)`
    /// by level and shares its simplex (the term's last columns, `RandomEffectTerm.monotonic`).
    public var monotonic: [MonotonicSpecification] = []

    /// brms' group name: `Subject`, `a:b`.
    public var groupingName: String { groupingVariables.joined(separator: ":") }
    /// The term as text: `(Days | Subject)`, `(1 | a:b)`, `(x || g)`.
    public var text: String { "(\(effectsText) \(id.map { "|\($0)|" } ?? (correlated ? "|" : "||")) \(groupingName))" }
}

/// The left side of the formula.
public enum FormulaResponse: Sendable, Equatable {
    /// `y`, or an expression such as `log(y)`.
    case single(FormulaVariable)
    /// brms binomial: `successes | trials(n)`; `trials` is a column or a number.
    case trials(FormulaVariable, trials: FormulaNode)
    /// lme4 binomial: `cbind(successes, failures)`; failures may be an expression (`n - s`).
    case cbind(FormulaVariable, failures: FormulaNode)

    /// The response variable (successes for binomial forms).
    public var variable: FormulaVariable {
        switch self {
        case .single(let v), .trials(let v, _), .cbind(let v, _): return v
        }
    }

    var nodes: [FormulaNode] {
        switch self {
        case .single(let v): return [v.node]
        case .trials(let v, let n): return [v.node, n]
        case .cbind(let v, let f): return [v.node, f]
        }
    }

    var variableLabels: [String] { [variable.label] }

    init(node: FormulaNode, trials: FormulaNode?, hasAddition: Bool, additionColumn: Int?) throws {
        if case .call("cbind", let arguments, let column) = node {
            guard arguments.count == 2 else {
                throw FormulaError(column: column, message: "cbind() takes two arguments: cbind(successes, failures)")
            }
            if hasAddition {
                throw FormulaError(column: additionColumn, message: "cbind() response cannot have a '|' addition term")
            }
            try FormulaFunctions.checkArithmetic(arguments[0])
            try FormulaFunctions.checkArithmetic(arguments[1])
            self = .cbind(FormulaVariable(node: arguments[0]), failures: arguments[1])
            return
        }
        try FormulaFunctions.checkArithmetic(node)
        let variable = FormulaVariable(node: node)
        guard let trials else { self = .single(variable); return }
        self = .trials(variable, trials: trials)
    }
}

extension FormulaNode {
    /// Column names referred to (every `.name` leaf), with their columns, in order.
    public var referencedNames: [(String, Int)] {
        switch self {
        case .name(let n, let c): return [(n, c)]
        case .number: return []
        case .call(let function, let arguments, _):
            // poly(x, 2, raw = TRUE), scale(x, scale = FALSE), C(f, sum): only the first argument is data.
            if TermTransform.names.contains(function) { return arguments.first?.referencedNames ?? [] }
            return arguments.flatMap(\.referencedNames)
        case .binary("=", _, let r, _): return r.referencedNames
        case .binary(_, let l, let r, _), .bar(let l, let r, _, _, _): return l.referencedNames + r.referencedNames
        case .negate(let e, _), .parenthesized(let e, _): return e.referencedNames
        }
    }
}
