import Foundation
import MultilevelMath

/// The design of new rows for a fitted model (what brms' `prepare_predictions(newdata = …)` and
/// lme4's `predict(newdata = …)` build): population-level columns X in the fit's column order and
/// coding (factor levels as fitted, the same reference level), and for each group-level term the
/// Z values and the fitted level of each row (nil for a level the fit has not seen).
public struct NewDataDesign: Sendable {
    /// One group-level term of the fit evaluated on the new rows.
    public struct Term: Sendable {
        /// Index of the term in the fitted design's `randomTerms`.
        public var fittedIndex: Int
        /// Row-major Z values, `values[row * q + k]`, for the fitted term's q columns.
        public var values: [Double]
        /// Per row, the level index in the fitted grouping factor, or nil for a new level.
        public var levels: [Int?]
        /// Per row, the level's label (as the design writes it, `A_a` for nested groups).
        public var labels: [String]
        /// Which of the term's columns enter the prediction (`re_formula` may keep a subset).
        public var included: [Bool]
    }

    public var rowCount: Int
    /// m × p, the fitted design's columns.
    public var fixedEffects: DenseMatrix
    /// The group-level terms kept by `re_formula` (all of them by default, none for `NA`).
    public var terms: [Term]
    /// Trials per row (binomial), when the response has them.
    public var trials: [Double]?
    /// The formula's `offset()` terms per row, added to η; nil without offsets.
    public var offset: [Double]?
    /// 1-based line of the new-data file of each row.
    public var sourceLines: [Int]
    /// Per monotonic effect of the fit (`ModelDesign.monotonic`), each row's category, counted as
    /// the fit counted them (from the fitted rows' smallest value, within the fitted range).
    public var monotonicCategories: [[Int]] = []
    /// `trunc(lb, ub)` of a truncated fit: each new row's bounds (nil for a bound the fit lacks),
    /// taken from the new data as brms takes them from `newdata`.
    public var truncationLower: [Double]?
    public var truncationUpper: [Double]?
    /// Per monotonic effect of the fit, the product of its covariates on each row (`x` of
    /// `mo(edu):x`; empty for a plain `mo(edu)`, a factor of 1).
    public var monotonicCovariates: [[Double]] = []

    /// Which group-level terms a prediction includes, brms' `re_formula` / lme4's `re.form`.
    public enum GroupTerms: Sendable, Equatable {
        /// The fitted formula's terms (`NULL`, the default).
        case all
        /// None: the population level (`NA`, `~ 0`).
        case none
        /// The terms of a formula such as `~ (1 | Subject)`: for each, the fitted term of the same
        /// grouping factor with only the columns named.
        case subset(String)
    }

    /// Builds the design of `newData` for the model `formula` fitted on `fittedData` (the rows the
    /// fit used, with its factors) giving `fitted`. Every column the formula refers to must be in
    /// `newData` except the response (which is not used); factor values of population-level terms
    /// must be levels the fit saw; a grouping level the fit has not seen needs `allowNewLevels`.
    /// Errors are one line naming the file, the line, the column and the value.
    public static func build(formula: Formula, fitted: ModelDesign, fittedData: DataTable, factors: [String],
                             newData: DataTable, groupTerms: GroupTerms = .all,
                             allowNewLevels: Bool = false) throws -> NewDataDesign {
        let file = newData.fileName
        let responseColumns = responseColumnNames(formula)
        var groupingColumns = Set<String>()
        for term in formula.randomTerms { groupingColumns.formUnion(term.groupingVariables) }
        let m = newData.rowCount
        guard m > 0 else { throw DesignError("\(file): no rows") }

        // Columns of the combined table: the fitted rows, then the new rows coded the fitted way.
        var combinedColumns: [DataColumn] = []
        for (name, fittedColumn) in zip(fittedData.columnNames, fittedData.columns) {
            guard let column = newData.column(named: name) else {
                // The response, and at the population level (re.form = NA) a grouping factor,
                // are not used: lme4 and brms do not ask for them.
                if responseColumns.contains(name)
                    || (groupTerms == .none && groupingColumns.contains(name) && !isPopulationVariable(name, formula: formula)) {
                    combinedColumns.append(padded(fittedColumn, count: m))
                    continue
                }
                throw DesignError("\(file): missing column '\(name)' (the model's formula uses it)"
                                  + nearestColumnsHint(for: name, columns: newData.columnNames))
            }
            if responseColumns.contains(name) {
                combinedColumns.append(padded(fittedColumn, count: m))
                continue
            }
            for row in 0..<m where column.isMissing(row) {
                throw DesignError("\(file):\(newData.sourceLines[row]): column '\(name)' is missing (NA); predictions need a value")
            }
            switch fittedColumn {
            case .numeric(let old):
                guard case .numeric(let new) = column else {
                    let value: String
                    if case .factor(let levels, let codes) = column { value = levels[Int(codes[0])] } else { value = "" }
                    throw DesignError("\(file):\(newData.sourceLines[0]): column '\(name)' is numeric in the fit but has value '\(abbreviatedForMessage(value))' here")
                }
                combinedColumns.append(.numeric(old + new))
            case .factor(var levels, let oldCodes):
                var position: [String: Int32] = [:]
                for (k, level) in levels.enumerated() { position[level] = Int32(k) }
                var codes = oldCodes
                for row in 0..<m {
                    let label: String
                    switch column {
                    case .numeric(let values): label = RCollation.label(of: values[row])
                    case .factor(let newLevels, let newCodes): label = newLevels[Int(newCodes[row])]
                    }
                    if let code = position[label] {
                        codes.append(code)
                        continue
                    }
                    guard groupingColumns.contains(name), !isPopulationVariable(name, formula: formula) else {
                        let shown = levels.prefix(6).map { "'\(abbreviatedForMessage($0))'" }.joined(separator: ", ") + (levels.count > 6 ? ", …" : "")
                        throw DesignError("\(file):\(newData.sourceLines[row]): column '\(name)' has level '\(abbreviatedForMessage(label))', which the fit did not see (levels \(shown))")
                    }
                    guard allowNewLevels || groupTerms == .none else {
                        throw DesignError("\(file):\(newData.sourceLines[row]): level '\(abbreviatedForMessage(label))' of grouping factor '\(name)' is not in the fit; give --allow-new-levels to predict for new levels")
                    }
                    position[label] = Int32(levels.count)
                    codes.append(Int32(levels.count))
                    levels.append(label)
                }
                combinedColumns.append(.factor(levels: levels, codes: codes))
            }
        }
        let n = fittedData.rowCount
        let combinedTable = DataTable(fileName: file, columnNames: fittedData.columnNames, columns: combinedColumns,
                                      sourceLines: fittedData.sourceLines + newData.sourceLines)
        // The addition terms (se(), cens(), weights(), trunc()) describe the observed responses;
        // new rows need not have them.
        var rowFormula = formula
        rowFormula.additions = ResponseAdditions()
        let combined = try ModelDesign.build(formula: rowFormula, table: combinedTable,
                                             options: fitted.recipe?.options ?? DesignOptions(factors: factors))
        guard combined.rowCount == n + m else {
            throw DesignError("\(file): internal: the new rows' design has \(combined.rowCount - n) rows, expected \(m)")
        }

        // X in the fitted column order.
        var fixed = DenseMatrix(rows: m, columns: fitted.fixedEffectCount)
        let combinedNames = combined.fixedEffectNames + combined.droppedFixedEffectNames
        for (j, name) in fitted.fixedEffectNames.enumerated() {
            guard let k = combined.fixedEffectNames.firstIndex(of: name) else {
                if combinedNames.contains(name) { continue }   // aliased in the combined rows: all zero there
                throw DesignError("\(file): internal: population-level column '\(name)' is not in the new rows' design")
            }
            for i in 0..<m { fixed[i, j] = combined.fixedEffects[n + i, k] }
        }
        if let extra = combined.fixedEffectNames.first(where: { !fitted.fixedEffectNames.contains($0) && !fitted.droppedFixedEffectNames.contains($0) }) {
            let k = combined.fixedEffectNames.firstIndex(of: extra)!
            let row = (0..<m).first { combined.fixedEffects[n + $0, k] != 0 } ?? 0
            throw DesignError("\(file):\(newData.sourceLines[row]): population-level column '\(extra)' comes from a value the fit did not see")
        }
        // Variables with fitted parameters (poly() bases, scale() centres and scales) are evaluated
        // with the fit's parameters, as R's predict() does with the model frame's predvars: the
        // combined rows above would give a basis of fitted and new rows together.
        // (A recipe that cannot rebuild the columns — a forced factor whose new rows lack the
        // reference level — leaves the combined rows' X, which codes them against the fitted rows.)
        if let recipe = fitted.recipe, recipe.fixedEffectNames == fitted.fixedEffectNames,
           let x = try? recipe.fixedEffects(newData: newData), x.rows == m {
            fixed = x
        }

        // Group-level terms, matched to the fitted terms by position (the same formula).
        var terms: [Term] = []
        let selection = try selectedColumns(groupTerms, fitted: fitted)
        for (t, fittedTerm) in fitted.randomTerms.enumerated() {
            let included = selection[t]
            guard included.contains(true) else { continue }
            let term = combined.randomTerms[t]
            let q = fittedTerm.columnCount
            var position: [String: Int] = [:]
            for (k, level) in fittedTerm.grouping.levels.enumerated() { position[level] = k }
            var levels: [Int?] = [], labels: [String] = []
            for i in 0..<m {
                let label = term.grouping.levels[term.grouping.levelIndex[n + i]]
                let level = position[label]
                if level == nil, !allowNewLevels {
                    throw DesignError("\(file):\(newData.sourceLines[i]): level '\(abbreviatedForMessage(label))' of grouping factor '\(fittedTerm.grouping.name)' is not in the fit; give --allow-new-levels to predict for new levels")
                }
                levels.append(level)
                labels.append(label)
            }
            var values = [Double](repeating: 0, count: m * q)
            for i in 0..<m { for k in 0..<q { values[i * q + k] = term.values[(n + i) * q + k] } }
            terms.append(Term(fittedIndex: t, values: values, levels: levels, labels: labels, included: included))
        }
        var design = NewDataDesign(rowCount: m, fixedEffects: fixed, terms: terms,
                                   trials: combined.trials.map { Array($0[n...]) }, sourceLines: newData.sourceLines)
        design.offset = combined.offset.map { Array($0[n...]) }
        // trunc(lb, ub): a number, or a numeric column of the new data.
        func bounds(_ node: FormulaNode?, _ name: String) throws -> [Double]? {
            guard let node else { return nil }
            switch node {
            case .number(let value, _):
                return [Double](repeating: value, count: m)
            case .negate(.number(let value, _), _):
                return [Double](repeating: -value, count: m)
            case .name(let column, _):
                guard case .numeric(let values)? = newData.column(named: column) else {
                    throw DesignError("\(file): trunc(\(name) = \(column)): the new data need the numeric column '\(column)' (the rows' truncation bound)")
                }
                if let row = values.firstIndex(where: \.isNaN) {
                    throw DesignError("\(file):\(newData.sourceLines[row]): trunc(\(name) = \(column)) is missing; every row needs its bound")
                }
                return values
            default:
                throw DesignError("\(file): trunc(\(name) = \(node.deparsed)): predictions take a number or a column as a truncation bound")
            }
        }
        design.truncationLower = try bounds(formula.additions.truncationLower, "lb")
        design.truncationUpper = try bounds(formula.additions.truncationUpper, "ub")
        if let lower = design.truncationLower, let upper = design.truncationUpper,
           let row = (0..<m).first(where: { lower[$0] > upper[$0] }) {
            throw DesignError("\(file):\(newData.sourceLines[row]): truncation bounds [\(RCollation.label(of: lower[row])), \(RCollation.label(of: upper[row]))] are empty: trunc() needs lb ≤ ub")
        }
        design.monotonicCategories = try fitted.monotonic.map { effect in
            guard case .numeric(let values)? = newData.column(named: effect.variable) else {
                throw DesignError("\(file): column '\(effect.variable)' of \(effect.text) must be numeric (whole numbers)")
            }
            return try effect.categories(of: values, lines: newData.sourceLines, fileName: file)
        }
        design.monotonicCovariates = try fitted.monotonic.map { effect in
            var product: [Double] = []
            for (k, covariate) in effect.covariates.enumerated() {
                if k < effect.covariateLevels.count, let level = effect.covariateLevels[k] {
                    // The indicator of a factor's level (`fb` of mo(edu):f): the row's label must be
                    // a level the fit saw.
                    let source = effect.covariateSources[k]
                    let fittedLevels: [String]
                    if case .factor(let levels, _)? = fittedData.column(named: source) { fittedLevels = levels } else { fittedLevels = [] }
                    let labels: [String]
                    switch newData.column(named: source) {
                    case .factor(let levels, let codes)?: labels = codes.map { $0 >= 0 ? levels[Int($0)] : "NA" }
                    case .numeric(let values)?: labels = values.map { RCollation.label(of: $0) }
                    case nil: throw DesignError("\(file): the new data need column '\(source)' of \(effect.text)")
                    }
                    if let row = labels.firstIndex(where: { !fittedLevels.contains($0) }) {
                        throw DesignError("\(file):\(newData.sourceLines[row]): level '\(abbreviatedForMessage(labels[row]))' of factor '\(source)' in \(effect.text) is not in the fit")
                    }
                    let values = labels.map { $0 == level ? 1.0 : 0.0 }
                    product = product.isEmpty ? values : zip(product, values).map(*)
                    continue
                }
                let name = covariate
                guard case .numeric(let values)? = newData.column(named: name) else {
                    throw DesignError("\(file): column '\(name)' of \(effect.text) must be numeric")
                }
                if let row = values.firstIndex(where: { !$0.isFinite }) {
                    let line = row < newData.sourceLines.count ? ":\(newData.sourceLines[row])" : ""
                    throw DesignError("\(file)\(line): '\(name)' of \(effect.text) is \(RCollation.label(of: values[row])); values must be finite")
                }
                product = product.isEmpty ? values : zip(product, values).map(*)
            }
            return product
        }
        return design
    }

    /// The columns the response variable is computed from (`Reaction`; `incidence` of
    /// `incidence | trials(size)`): new rows need not have them.
    public static func responseColumnNames(_ formula: Formula) -> Set<String> {
        Set((formula.response.variable.node.referencedNames + formula.additions.dataNodes.flatMap(\.referencedNames)).map(\.0))
    }

    /// Whether `name` appears in a population-level term (a new level there has no coefficient).
    private static func isPopulationVariable(_ name: String, formula: Formula) -> Bool {
        formula.fixed.terms.contains { term in term.variables.contains { variable in variable.node.referencedNames.contains { $0.0 == name } } }
    }

    /// `column` with `count` more rows repeating its first value (a response the new rows need not have).
    private static func padded(_ column: DataColumn, count: Int) -> DataColumn {
        switch column {
        case .numeric(let values): return .numeric(values + [Double](repeating: values.first ?? 0, count: count))
        case .factor(let levels, let codes): return .factor(levels: levels, codes: codes + [Int32](repeating: codes.first ?? 0, count: count))
        }
    }

    /// Per fitted term, which of its columns `groupTerms` keeps.
    static func selectedColumns(_ groupTerms: GroupTerms, fitted: ModelDesign) throws -> [[Bool]] {
        switch groupTerms {
        case .all: return fitted.randomTerms.map { [Bool](repeating: true, count: $0.columnCount) }
        case .none: return fitted.randomTerms.map { [Bool](repeating: false, count: $0.columnCount) }
        case .subset(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let body = trimmed.hasPrefix("~") ? String(trimmed.dropFirst()) : trimmed
            let formula: Formula
            do { formula = try Formula.parse("re_formula__ ~ " + body) } catch let error as FormulaError {
                throw DesignError("--re-formula '\(text)': \(error.message)")
            }
            var result = fitted.randomTerms.map { [Bool](repeating: false, count: $0.columnCount) }
            for specification in formula.randomTerms {
                let matching = fitted.randomTerms.indices.filter { fitted.randomTerms[$0].grouping.name == specification.groupingName }
                guard !matching.isEmpty else {
                    let groups = Array(Set(fitted.randomTerms.map(\.grouping.name))).sorted().joined(separator: ", ")
                    throw DesignError("--re-formula '\(text)': the fit has no group-level term for '\(specification.groupingName)' (its groups: \(groups))")
                }
                let labels = specification.effects.terms.map(\.label)
                var found = Set<String>()
                for t in matching {
                    for (k, name) in fitted.randomTerms[t].columnNames.enumerated() {
                        if name == "(Intercept)" ? specification.effects.hasIntercept
                            : labels.contains(where: { name == $0 || name.hasPrefix($0) }) {
                            result[t][k] = true
                            found.insert(name == "(Intercept)" ? "1" : labels.first { name == $0 || name.hasPrefix($0) }!)
                        }
                    }
                }
                if let missing = labels.first(where: { !found.contains($0) }) {
                    throw DesignError("--re-formula '\(text)': '\(missing)' is not a group-level effect of '\(specification.groupingName)' in the fit")
                }
            }
            return result
        }
    }
}
