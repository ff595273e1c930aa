import MultilevelMath

/// What a fitted variable needs to be evaluated again on other rows: the orthogonal polynomial
/// basis of `poly(x, k)`, the centre and scale of `scale(x)`, the levels of a factor.
public enum VariableParameters: Sendable, Equatable {
    case polynomial(OrthogonalPolynomial)
    case standardization(Standardization)
    case factorLevels([String])
}

/// How factors are coded and which columns are factors, as given by the model file or flags:
/// `factor: x`, `contrasts: recipe = sum` (or `contrasts: sum` for every factor), `reference:
/// temperature = 185`.
public struct DesignOptions: Sendable, Equatable {
    /// Numeric columns to treat as factors.
    public var factors: [String]
    /// Contrasts by column name (or variable label such as `factor(x)`).
    public var contrasts: [String: ContrastKind]
    /// Contrasts for every factor not named in `contrasts` (treatment when nil).
    public var defaultContrast: ContrastKind?
    /// Reference (first) level by column name (R's `relevel`).
    public var references: [String: String]
    /// The order of an ordinal response's levels by column name (R's `ordered(y, levels = …)`).
    public var ordered: [String: [String]]

    public init(factors: [String] = [], contrasts: [String: ContrastKind] = [:], defaultContrast: ContrastKind? = nil,
                references: [String: String] = [:], ordered: [String: [String]] = [:]) {
        self.factors = factors
        self.contrasts = contrasts
        self.defaultContrast = defaultContrast
        self.references = references
        self.ordered = ordered
    }

    /// The contrasts of a factor variable: its `C(f, kind)`, else the setting for its label or
    /// for the one column it is made of, else the default, else treatment.
    func contrast(for variable: FormulaVariable) -> ContrastKind {
        if case .contrast(let kind)? = (try? TermTransform.parse(variable.node))??.0 { return kind }
        if let kind = contrasts[variable.label] { return kind }
        let columns = Set(variable.node.referencedNames.map(\.0))
        if columns.count == 1, let kind = contrasts[columns.first!] { return kind }
        return defaultContrast ?? .treatment
    }

    /// Contrasts for every factor variable of the formula's terms, by label.
    func contrasts(for formula: Formula) -> [String: ContrastKind] {
        var result: [String: ContrastKind] = [:]
        let lists = [formula.fixed] + formula.randomTerms.map(\.effects)
        for list in lists { for term in list.terms { for v in term.variables { result[v.label] = contrast(for: v) } } }
        return result
    }
}

/// Everything needed to rebuild the design's X (and the group-level columns) for new rows, as R's
/// `predict(newdata)` does with the model frame's `predvars` and the contrasts: the formula, the
/// factor and contrast options, the fitted parameters of every variable (polynomial bases,
/// centres and scales, factor levels) and the columns kept after the rank check.
public struct DesignRecipe: Sendable {
    /// The parsed formula.
    public var formula: Formula
    /// Factor columns, contrasts and reference levels as fitted.
    public var options: DesignOptions
    /// Fitted parameters by variable label (`poly(Days, 2)`, `scale(x)`, `recipe`).
    public var parameters: [String: VariableParameters]
    /// X's column names after aliased columns were dropped.
    public var fixedEffectNames: [String]

    /// X for the rows of `table` (n × p, columns as fitted), with the 1-based source lines of
    /// the rows. Every predictor column must be present and non-missing; a factor value must be
    /// one of the fitted levels. Errors name the file and line.
    public func fixedEffects(newData table: DataTable) throws -> DenseMatrix {
        let (used, evaluatorParameters) = try prepared(table, nodes: formula.fixed.terms.flatMap { $0.variables.map(\.node) })
        var evaluator = VariableEvaluator(table: used, reusing: evaluatorParameters)
        var variables: [String: EvaluatedVariable] = [:]
        for term in formula.fixed.terms { for v in term.variables where variables[v.label] == nil {
            variables[v.label] = try evaluator.evaluateVariable(v.node)
        } }
        let columns = try ModelMatrix.build(formula.fixed, variables: variables, contrasts: options.contrasts(for: formula),
                                            rowCount: used.rowCount)
        var position: [String: Int] = [:]
        for (k, name) in columns.names.enumerated() { position[name] = k }
        var elements: [Double] = []
        elements.reserveCapacity(used.rowCount * fixedEffectNames.count)
        for name in fixedEffectNames {
            guard let k = position[name] else { throw DesignError("new data: cannot rebuild column '\(name)'") }
            elements += columns.values[k]
        }
        return DenseMatrix(rows: used.rowCount, columns: fixedEffectNames.count, columnMajor: elements)
    }

    /// The summed `offset()` terms for the rows of `table` (nil when the formula has none).
    public func offset(newData table: DataTable) throws -> [Double]? {
        guard !formula.offsets.isEmpty else { return nil }
        let (used, _) = try prepared(table, nodes: formula.offsets)
        return try ModelDesign.offsetValues(formula, evaluator: VariableEvaluator(table: used), lines: used.sourceLines, table: table)
    }

    /// The table reduced to the columns `nodes` refer to, forced factors and reference levels
    /// applied, with a missing value rejected (naming its line).
    private func prepared(_ table: DataTable, nodes: [FormulaNode]) throws -> (DataTable, [String: VariableParameters]) {
        var names: [String] = []
        for node in nodes { for (name, column) in node.referencedNames where !names.contains(name) {
            guard table.column(named: name) != nil else {
                throw FormulaError(column: column, message: "new data: " + ModelDesign.unknownColumnMessage(name, table.columnNames))
            }
            names.append(name)
        } }
        var working = table
        for name in options.factors { working = working.forcingFactor(name) }
        for name in names {
            guard let column = working.column(named: name) else { continue }
            if let row = (0..<table.rowCount).first(where: { column.isMissing($0) }) {
                throw DesignError("\(table.fileName):\(table.sourceLines[row]): '\(name)' is missing; new data need every predictor")
            }
        }
        return (working.subset(rows: Array(0..<table.rowCount), columns: names), parameters)
    }
}

extension DesignRecipe {
    /// How each variable of the formula that is more than a column is coded, for `describe`:
    /// (`poly(Days, 2)`, `orthogonal polynomial of degree 2 (R's poly; alpha 4.5, 4.5; norm2 1, 180, 1485, 9504)`),
    /// (`scale(x)`, `centred at 4.5, divided by 2.88`), (`recipe`, `contr.sum over levels A, B, C`).
    /// Factors with treatment contrasts are listed only when a reference level was set.
    public var termCodings: [(label: String, coding: String)] {
        var result: [(String, String)] = []
        var seen = Set<String>()
        let contrasts = options.contrasts(for: formula)
        let lists = [formula.fixed] + formula.randomTerms.map(\.effects)
        func number(_ value: Double) -> String { String(format: "%.6g", value) }
        for list in lists { for term in list.terms { for variable in term.variables where seen.insert(variable.label).inserted {
            let label = variable.label
            if case .polynomial(_, true)? = (try? TermTransform.parse(variable.node))??.0 {
                result.append((label, "raw polynomial (x, x^2, ...)"))
                continue
            }
            switch parameters[label] {
            case .polynomial(let basis)?:
                result.append((label, "orthogonal polynomial of degree \(basis.degree) (R's poly; alpha \(basis.alpha.map(number).joined(separator: ", ")); norm2 \(basis.norm2.map(number).joined(separator: ", ")))"))
            case .standardization(let s)?:
                let parts = [s.center.map { "centred at \(number($0))" }, s.scale.map { "divided by \(number($0))" }].compactMap { $0 }
                result.append((label, parts.isEmpty ? "unchanged" : parts.joined(separator: ", ")))
            case .factorLevels(let levels)?:
                let kind = contrasts[label] ?? .treatment
                let columns = Set(variable.node.referencedNames.map(\.0))
                let relevelled = columns.contains { options.references[$0] != nil }
                if kind != .treatment || relevelled {
                    let shown = levels.prefix(8).joined(separator: ", ") + (levels.count > 8 ? ", ..." : "")
                    result.append((label, "\(kind.rName) over levels \(shown)\(kind == .treatment ? " (reference \(levels[0]))" : "")"))
                }
            case nil:
                break
            }
        } } }
        return result
    }
}
