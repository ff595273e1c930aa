import MultilevelMath

extension ModelDesign {
    /// Builds the design of `formula` on `table` as lme4's `lFormula` / brms' `make_standata` do:
    /// 1. every referenced column must exist (else the error names the nearest columns);
    /// 2. `factors` are turned into factors; rows with a missing value in any used column are
    ///    dropped (`droppedRowCount`, `missingValueColumns`), unused factor levels dropped;
    /// 3. the response (numeric; `trials(n)`; `cbind(s, f)`; a two-level factor → 0/1);
    /// 4. X with treatment contrasts, R's names and order (`ModelMatrix`), aliased columns found
    ///    by `PivotedQR` (tolerance 1e-7) and dropped as lme4 does;
    /// 5. each random term as a block (`RandomEffectTerm`); `(x || g)` split into one term per
    ///    column; nested `a/b` and interaction `a:b` groups with levels written `A_a`.
    public static func build(formula: Formula, table: DataTable, factors: [String] = []) throws -> ModelDesign {
        try build(formula: formula, table: table, options: DesignOptions(factors: factors))
    }

    /// `build(formula:table:factors:)` with contrasts and reference levels (`DesignOptions`); the
    /// design keeps its `recipe` for new data.
    public static func build(formula: Formula, table: DataTable, options: DesignOptions) throws -> ModelDesign {
        let factors = options.factors
        // 1. Columns.
        let referenced = formula.referencedColumns
        for (name, column) in referenced where table.column(named: name) == nil {
            throw FormulaError(column: column, message: unknownColumnMessage(name, table.columnNames))
        }
        var working = table
        for name in factors {
            guard table.column(named: name) != nil else {
                throw DesignError("factor: unknown column '\(name)'" + nearestColumnsHint(for: name, columns: table.columnNames))
            }
            working = working.forcingFactor(name)
        }
        for (name, level) in options.references.sorted(by: { $0.key < $1.key }) {
            working = try working.relevelled(name, reference: level)
        }
        for (name, levels) in options.ordered.sorted(by: { $0.key < $1.key }) {
            guard case .single = formula.response, formula.response.variable.label == name else {
                throw DesignError("ordered: '\(name)' is not the response '\(formula.response.variable.label)'; an order of levels is for an ordinal response (family cumulative)")
            }
            working = try working.ordering(name, levels: levels)
        }

        // 2. Complete cases over the used columns.
        let usedNames = referenced.map(\.name)
        var keep = [Bool](repeating: true, count: table.rowCount)
        var missingColumns: [String] = []
        for name in usedNames {
            guard let column = working.column(named: name) else { continue }
            var any = false
            for row in 0..<table.rowCount where column.isMissing(row) { keep[row] = false; any = true }
            if any { missingColumns.append(name) }
        }
        let rows = keep.indices.filter { keep[$0] }
        let dropped = table.rowCount - rows.count
        guard !rows.isEmpty else {
            throw DesignError("\(table.fileName): no rows left after dropping \(dropped) rows with missing values in \(missingColumns.joined(separator: ", "))")
        }
        let used = working.subset(rows: rows, columns: usedNames)
        var evaluator = VariableEvaluator(table: used)
        let contrasts = options.contrasts(for: formula)
        let n = used.rowCount

        // 3. Response.
        let response = formula.response
        var responseValues: [Double]
        var responseLevels: [String]?
        var trials: [Double]?
        switch try evaluator.evaluate(response.variable.node) {
        case .numeric(let values):
            responseValues = values
        case .matrix:
            throw FormulaError(column: response.variable.node.column, message: "the response must be one column")
        case .factor(let levels, let codes):
            if case .single = response, levels.count == 2 {
                responseValues = codes.map { Double($0) }
                responseLevels = levels
            } else {
                let shown = levels.prefix(3).map { abbreviatedForMessage($0) }.joined(separator: ", ") + (levels.count > 3 ? ", ..." : "")
                let message = "response '\(response.variable.label)' is not numeric: it is a factor with \(levels.count) level\(levels.count == 1 ? "" : "s") (\(shown)); only a two-level factor can be a (0/1) response"
                // Name the first row that brings a third level, as the family checks name rows.
                var seen = Set<Int32>()
                if let row = codes.indices.first(where: { seen.insert(codes[$0]).inserted && seen.count == 3 }),
                   levels.indices.contains(Int(codes[row])), row < used.sourceLines.count {
                    throw DesignError("\(table.fileName):\(used.sourceLines[row]): \(message); this is the first row with a third level, '\(abbreviatedForMessage(levels[Int(codes[row])]))'")
                }
                throw DesignError(message)
            }
        }
        switch response {
        case .single: break
        case .trials(_, let node):
            trials = try evaluator.numeric(node)
        case .cbind(_, let failures):
            trials = zip(responseValues, try evaluator.numeric(failures)).map(+)
        }
        try requireFinite(responseValues, what: "the response '\(response.variable.label)'", lines: used.sourceLines, table: table)
        // An ordered response's categories are the levels that occur, renumbered 1…K in order
        // (R's model frame drops unused levels; brms' cumulative then has K − 1 thresholds).
        var orderedResponseLevels: [String]?
        if case .single = response, let levels = options.ordered[response.variable.label] {
            let occurring = Array(Set(responseValues)).sorted()
            var category: [Double: Double] = [:]
            for (k, position) in occurring.enumerated() { category[position] = Double(k + 1) }
            responseValues = responseValues.map { category[$0] ?? $0 }
            orderedResponseLevels = occurring.map { levels[Int($0) - 1] }
        }
        if let trials { try requireFinite(trials, what: "the number of trials", lines: used.sourceLines, table: table) }

        let offset = try offsetValues(formula, evaluator: evaluator, lines: used.sourceLines, table: table)
        let additions = try RowAdditions.evaluate(formula.additions, response: responseValues, evaluator: evaluator,
                                                  lines: used.sourceLines, fileName: table.fileName)

        let monotonic = try formula.monotonic.flatMap { specification -> [MonotonicEffect] in
            switch try evaluator.evaluate(.name(specification.variable, column: specification.variableColumn)) {
            case .numeric(let values):
                let effect = try MonotonicEffect.evaluate(specification, values: values, lines: used.sourceLines,
                                                          fileName: table.fileName)
                return try monotonicCovariates(specification, effect: effect, formula: formula, evaluator: evaluator,
                                               contrasts: contrasts, lines: used.sourceLines, table: table)
            case .factor(let levels, _):
                let shown = levels.prefix(3).map { abbreviatedForMessage($0) }.joined(separator: ", ") + (levels.count > 3 ? ", ..." : "")
                throw FormulaError(column: specification.variableColumn, message: "\(specification.text): '\(specification.variable)' is a factor (\(shown)); mo() needs its categories as whole numbers 0, 1, …, D in the data (a CSV file has no ordered factors)")
            case .matrix:
                throw FormulaError(column: specification.variableColumn, message: "\(specification.text): '\(specification.variable)' must be one column")
            }
        }

        // 4. Fixed effects.
        var variables: [String: EvaluatedVariable] = [:]
        func evaluateTerms(_ list: TermList) throws {
            for term in list.terms { for v in term.variables where variables[v.label] == nil {
                variables[v.label] = try evaluator.evaluateVariable(v.node)
            } }
        }
        try evaluateTerms(formula.fixed)
        let fixedColumns = try ModelMatrix.build(formula.fixed, variables: variables, contrasts: contrasts, rowCount: n)
        for (name, values) in zip(fixedColumns.names, fixedColumns.values) {
            try requireFinite(values, what: "column '\(name)' of the fixed effects", lines: used.sourceLines, table: table)
        }
        var names = fixedColumns.names
        var assignment = fixedColumns.assignment
        var elements = fixedColumns.values.flatMap { $0 }
        var droppedNames: [String] = []
        if !names.isEmpty {
            let qr = PivotedQR(DenseMatrix(rows: n, columns: names.count, columnMajor: elements))
            if qr.rank < names.count {
                let kept = Array(qr.pivot[..<qr.rank])
                droppedNames = qr.aliasedColumns.map { names[$0] }
                elements = kept.flatMap { fixedColumns.values[$0] }
                names = kept.map { names[$0] }
                assignment = kept.map { assignment[$0] }
            }
        }

        // 5. Random effects.
        var terms: [RandomEffectTerm] = []
        for specification in formula.randomTerms {
            try evaluateTerms(specification.effects)
            let grouping = try groupingFactor(specification, used: used, evaluator: evaluator)
            var columns = try ModelMatrix.build(specification.effects, variables: variables, contrasts: contrasts, rowCount: n)
            // (mo(x) | g): one more column per mo(x), after the others (brms orders a term's special
            // effects last), holding the row's category; the posterior multiplies its effect by the
            // population-level mo(x)'s transform mo(ζ, x) (`RandomEffectTerm.monotonic`).
            var monotonicIndices: [Int] = []
            for term in specification.monotonic {
                guard let m = monotonic.firstIndex(where: { $0.variable == term.variable && $0.covariates.isEmpty }) else { continue }
                monotonicIndices.append(m)
                columns.names.append(term.text)
                columns.values.append(monotonic[m].categories.map(Double.init))
            }
            guard !columns.names.isEmpty else {
                throw FormulaError(column: specification.column, message: "random term \(specification.text) has no columns (nothing left of '|')")
            }
            for (name, values) in zip(columns.names, columns.values) {
                try requireFinite(values, what: "column '\(name)' of \(specification.text)", lines: used.sourceLines, table: table)
            }
            if specification.correlated {
                var term = RandomEffectTerm(grouping: grouping, columnNames: columns.names,
                                            values: rowMajor(columns.values, rows: n), text: specification.text,
                                            correlationID: specification.id)
                term.monotonic = monotonicIndices
                terms.append(term)
            } else {
                let regularCount = columns.names.count - monotonicIndices.count
                for (k, (name, values)) in zip(columns.names, columns.values).enumerated() {
                    let text = name == "(Intercept)" ? "(1 | \(grouping.name))" : "(0 + \(name) | \(grouping.name))"
                    var term = RandomEffectTerm(grouping: grouping, columnNames: [name], values: values, text: text)
                    if k >= regularCount { term.monotonic = [monotonicIndices[k - regularCount]] }
                    terms.append(term)
                }
            }
        }

        var design = ModelDesign(
            formulaText: formula.text, responseName: response.variable.label, response: responseValues,
            trials: trials, responseLevels: responseLevels,
            fixedEffects: DenseMatrix(rows: n, columns: names.count, columnMajor: elements),
            fixedEffectNames: names, droppedFixedEffectNames: droppedNames, randomTerms: terms,
            sourceLines: used.sourceLines, droppedRowCount: dropped)
        design.missingValueColumns = missingColumns
        design.orderedResponseLevels = orderedResponseLevels
        design.offset = offset
        design.additions = additions
        design.monotonic = monotonic
        design.fixedTermLabels = formula.fixed.terms.map(\.label)
        design.fixedEffectAssignment = assignment
        design.fixedTermVariables = formula.fixed.terms.map { $0.variables.map(\.label) }
        design.fixedFactorVariables = Set(variables.compactMap { label, value in
            if case .factor = value { return label } else { return nil }
        })
        design.fullIndicatorColumns = try formula.fixed.terms.map { term in
            let columns = try ModelMatrix.build(TermList(hasIntercept: false, terms: [term]), variables: variables, rowCount: n)
            return TermIndicatorColumns(names: columns.names, values: columns.values)
        }
        design.dataFileName = table.fileName
        design.recipe = DesignRecipe(formula: formula, options: options, parameters: evaluator.parameters,
                                     fixedEffectNames: names)
        return design
    }

    /// Notices to show the user (stderr): rows dropped for missing values, aliased columns dropped.
    public var notices: [String] {
        var result: [String] = []
        if droppedRowCount > 0 {
            result.append("dropped \(droppedRowCount) row\(droppedRowCount == 1 ? "" : "s") with missing values in \(missingValueColumns.joined(separator: ", ")); \(rowCount) rows used")
        }
        let k = droppedFixedEffectNames.count
        if k > 0 {
            result.append("fixed-effect model matrix is rank deficient so dropping \(k) \(k == 1 ? "column / coefficient" : "columns / coefficients") (\(droppedFixedEffectNames.joined(separator: ", ")))")
        }
        return result
    }

    /// The sum of the `offset()` terms on the used rows (nil without any): numeric and finite.
    static func offsetValues(_ formula: Formula, evaluator: VariableEvaluator, lines: [Int], table: DataTable) throws -> [Double]? {
        var total: [Double]?
        for node in formula.offsets {
            if case .factor = try evaluator.evaluate(node) {
                throw FormulaError(column: node.column, message: "offset(\(node.deparsed)): '\(node.deparsed)' is a factor; an offset must be numeric (for example log(exposure))")
            }
            let values = try evaluator.numeric(node)
            try requireFinite(values, what: "offset(\(node.deparsed))", lines: lines, table: table)
            total = total.map { zip($0, values).map(+) } ?? values
        }
        return total
    }

    /// The terms of a monotonic interaction (brms' `Csp`): `effect` with the product of its
    /// covariates on the used rows (empty for a plain `mo(x)`). Numeric covariates must be finite
    /// (else one line naming the row). A factor covariate f gives one term per column of its
    /// treatment coding, R's `model.matrix` rule for f in the term (Chambers & Hastie 1992, p. 38):
    /// levels 2…K when the term without f is also a monotonic term of the formula (`mo(edu) * f` →
    /// `mo(edu):fb`, `mo(edu):fc`, as brms 2.18 codes it), else all K levels; several factors give
    /// the columns of their product, the first varying fastest.
    static func monotonicCovariates(_ specification: MonotonicSpecification, effect: MonotonicEffect, formula: Formula,
                                    evaluator: VariableEvaluator, contrasts: [String: ContrastKind], lines: [Int],
                                    table: DataTable) throws -> [MonotonicEffect] {
        // Per covariate, its columns: (name, level or nil, values).
        var columnsPerCovariate: [[(name: String, level: String?, values: [Double])]] = []
        for (name, column) in zip(specification.covariates, specification.covariateColumns) {
            switch try evaluator.evaluate(.name(name, column: column)) {
            case .numeric(let values):
                try requireFinite(values, what: "'\(name)' of \(specification.text)", lines: lines, table: table)
                columnsPerCovariate.append([(name: name, level: nil, values: values)])
            case .factor(let levels, let codes):
                var columns: [(name: String, level: String?, values: [Double])] = []
                if let kind = contrasts[name], kind != .treatment {
                    throw FormulaError(column: column, message: "\(specification.text): factor '\(name)' has \(kind.rawValue) contrasts; an interaction with mo() takes treatment coding only")
                }
                let occurring = Set(codes.filter { $0 >= 0 })
                let used = levels.indices.filter { occurring.contains(Int32($0)) }
                let rest = Set(specification.covariates.filter { $0 != name })
                let reduced = formula.monotonic.contains { $0.variable == specification.variable && Set($0.covariates) == rest }
                for k in reduced ? Array(used.dropFirst()) : used {
                    let indicator: [Double] = codes.map { $0 == Int32(k) ? 1.0 : 0.0 }
                    columns.append((name: name + levels[k], level: Optional(levels[k]), values: indicator))
                }
                columnsPerCovariate.append(columns)
            case .matrix:
                throw FormulaError(column: column, message: "\(specification.text): '\(name)' must be one column")
            }
        }
        guard !columnsPerCovariate.isEmpty else { return [effect] }
        // The product of the covariates' columns, the first covariate varying fastest (R's order).
        var combinations: [[(name: String, level: String?, values: [Double])]] = [[]]
        for columns in columnsPerCovariate {
            var next: [[(name: String, level: String?, values: [Double])]] = []
            for column in columns { for combination in combinations { next.append(combination + [column]) } }
            combinations = next
        }
        return combinations.map { combination in
            var term = effect
            term.covariates = combination.map(\.name)
            term.covariateValues = combination.dropFirst().reduce(combination[0].values) { zip($0, $1.values).map(*) }
            if combination.contains(where: { $0.level != nil }) {
                term.covariateSources = specification.covariates
                term.covariateLevels = combination.map(\.level)
            }
            return term
        }
    }

    private static func rowMajor(_ columns: [[Double]], rows: Int) -> [Double] {
        let q = columns.count
        var values = [Double](repeating: 0, count: rows * q)
        for (k, column) in columns.enumerated() { for i in 0..<rows { values[i * q + k] = column[i] } }
        return values
    }

    private static func requireFinite(_ values: [Double], what: String, lines: [Int], table: DataTable) throws {
        if let row = values.firstIndex(where: { !$0.isFinite }) {
            throw DesignError("\(table.fileName):\(lines[row]): \(what) is \(RCollation.label(of: values[row])); values must be finite")
        }
    }

    private static func groupingFactor(_ specification: RandomTermSpecification, used: DataTable,
                                       evaluator: VariableEvaluator) throws -> GroupingFactor {
        var parts: [(levels: [String], codes: [Int32])] = []
        for (name, column) in zip(specification.groupingVariables, specification.groupingColumns) {
            switch try evaluator.evaluate(.name(name, column: column)) {
            case .factor(let levels, let codes): parts.append((levels, codes))
            case .numeric(let values):
                guard case .factor(let levels, let codes) = VariableEvaluator.factor(fromNumbers: values) else { continue }
                parts.append((levels, codes))
            case .matrix:
                throw FormulaError(column: column, message: "a grouping factor must be one column")
            }
        }
        let n = used.rowCount
        var levels: [String]
        var index: [Int]
        if parts.count == 1 {
            levels = parts[0].levels
            index = parts[0].codes.map { Int($0) }
        } else {
            var labels = [String](repeating: "", count: n)
            for row in 0..<n {
                labels[row] = parts.map { $0.levels[Int($0.codes[row])] }.joined(separator: "_")
            }
            levels = RCollation.sorted(Array(Set(labels)))
            var position: [String: Int] = [:]
            for (k, label) in levels.enumerated() { position[label] = k }
            index = labels.map { position[$0] ?? 0 }
        }
        let name = specification.groupingName
        guard levels.count >= 2 else {
            throw DesignError("grouping factor '\(name)' of \(specification.text) has only \(levels.count) level\(levels.count == 1 ? "" : "s") in the \(n) rows used; a random effect needs at least 2")
        }
        return GroupingFactor(name: name, levels: levels, levelIndex: index)
    }

    static func unknownColumnMessage(_ name: String, _ columns: [String]) -> String {
        "unknown variable '\(name)'" + nearestColumnsHint(for: name, columns: columns)
    }
}
