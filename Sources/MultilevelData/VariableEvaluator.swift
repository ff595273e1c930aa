import Foundation

/// Evaluates formula expressions (`Days`, `log(x)`, `I(x^2)`, `factor(herd)`, `poly(x, 2)`,
/// `scale(x)`, `C(f, sum)`) on the rows a model uses, as R's `model.frame` does.
///
/// When fitting, the parameters of stateful terms (the polynomial basis, the centre and scale)
/// and the levels of every factor are recorded in `parameters`, keyed by the variable's label;
/// given recorded parameters (`reusing`), the same terms are evaluated on new rows with them, and
/// factor values are coded by the recorded levels (R's `predict(newdata)` / `predvars`).
struct VariableEvaluator {
    /// The table restricted to the used rows (forced factors already applied).
    let table: DataTable
    /// Parameters recorded while fitting (or given, when `reusing`).
    private(set) var parameters: [String: VariableParameters]
    /// Whether `parameters` come from a fit and are applied rather than recorded.
    let reusing: Bool

    init(table: DataTable, reusing parameters: [String: VariableParameters]? = nil) {
        self.table = table
        self.parameters = parameters ?? [:]
        self.reusing = parameters != nil
    }

    var rowCount: Int { table.rowCount }

    /// Evaluates a predictor variable, recording (or applying) its parameters under its label.
    mutating func evaluateVariable(_ node: FormulaNode) throws -> EvaluatedVariable {
        let label = node.deparsed
        if let (transform, argument) = try TermTransform.parse(node) {
            switch transform {
            case .polynomial(let degree, let raw):
                let x = try numeric(argument)
                if raw {
                    return .matrix(suffixes: (1...degree).map(String.init),
                                   columns: (1...degree).map { k in x.map { pow($0, Double(k)) } })
                }
                if reusing {
                    guard case .polynomial(let basis)? = parameters[label] else { throw missingParameters(label) }
                    return .matrix(suffixes: (1...degree).map(String.init), columns: basis.basis(at: x))
                }
                let basis: OrthogonalPolynomial, columns: [[Double]]
                do { (basis, columns) = try OrthogonalPolynomial.fit(x, degree: degree) } catch let error as DesignError {
                    throw FormulaError(column: node.column, message: error.message)
                }
                parameters[label] = .polynomial(basis)
                return .matrix(suffixes: (1...degree).map(String.init), columns: columns)
            case .standardization(let centering, let scaling):
                let x = try numeric(argument)
                let standardization: Standardization
                if reusing {
                    guard case .standardization(let kept)? = parameters[label] else { throw missingParameters(label) }
                    standardization = kept
                } else {
                    standardization = Standardization.fit(x, centering: centering, scaling: scaling)
                    parameters[label] = .standardization(standardization)
                }
                return .numeric(standardization.apply(x))
            case .contrast:
                return try recordingLevels(label, try evaluate(argument))
            }
        }
        return try recordingLevels(label, try evaluate(node))
    }

    /// Records a factor's levels when fitting; codes new rows by the recorded levels when reusing.
    private mutating func recordingLevels(_ label: String, _ value: EvaluatedVariable) throws -> EvaluatedVariable {
        guard case .factor(let levels, let codes) = value else { return value }
        guard reusing else {
            parameters[label] = .factorLevels(levels)
            return value
        }
        guard case .factorLevels(let fitted)? = parameters[label] else { throw missingParameters(label) }
        var position: [String: Int32] = [:]
        for (k, level) in fitted.enumerated() { position[level] = Int32(k) }
        let mapped = levels.map { position[$0] }
        var newCodes = [Int32](repeating: -1, count: codes.count)
        for (row, code) in codes.enumerated() where code >= 0 {
            guard let fittedCode = mapped[Int(code)] else {
                let line = row < table.sourceLines.count ? ":\(table.sourceLines[row])" : ""
                throw DesignError("\(table.fileName)\(line): '\(levels[Int(code)])' is not a level of '\(label)' in the fitted data (levels: \(fitted.prefix(6).joined(separator: ", "))\(fitted.count > 6 ? ", ..." : ""))")
            }
            newCodes[row] = fittedCode
        }
        return .factor(levels: fitted, codes: newCodes)
    }

    private func missingParameters(_ label: String) -> DesignError {
        DesignError("internal: no fitted parameters for '\(label)'")
    }

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
            case .matrix: throw FormulaError(column: node.column, message: "\(function)() needs one column")
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
            if TermTransform.names.contains(function) {
                throw FormulaError(column: column, message: "\(function)() must stand alone as a term (not inside another function or arithmetic)")
            }
            throw FormulaError(column: column, message: "unknown function '\(function)'")
        case .bar(_, _, _, _, let column):
            throw FormulaError(column: column, message: "a random term cannot be evaluated as a number")
        }
    }
}
