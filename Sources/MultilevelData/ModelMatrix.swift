/// A variable of a formula evaluated on the used rows: numbers or a factor.
public enum EvaluatedVariable: Sendable, Equatable {
    case numeric([Double])
    /// Levels in R's order (unused levels dropped) and a 0-based level code per row.
    case factor(levels: [String], codes: [Int32])
    /// Several numeric columns named by the variable's label and a suffix (`poly(Days, 2)` gives
    /// columns `poly(Days, 2)1` and `poly(Days, 2)2`).
    case matrix(suffixes: [String], columns: [[Double]])
}

/// Model-matrix columns for a term list, with R's `model.matrix` names and order; a factor coded
/// by contrasts uses its `ContrastKind` (treatment unless set: the first level is the reference).
///
/// Coding of a factor inside a term follows R's `TermCode` heuristic (Chambers & Hastie 1992,
/// p. 38): a factor f in term T is coded by contrasts (levels 2..K) when T without f is empty or
/// is contained in a term that comes before T; otherwise by indicators of all K levels. Without
/// an intercept, the first factor of the first term that has one is coded by indicators (R's
/// `model.matrix`: `~ f - 1` gives `fA`, `fB`, `fC`). Columns of an interaction vary the first
/// variable fastest; names join the parts with `:` (`x:fB`, `fB:gC`).
enum ModelMatrix {
    struct Columns {
        var names: [String] = []
        /// Column-major values, one array per column.
        var values: [[Double]] = []
        /// The term (index into the list's terms) of each column; −1 for the intercept (R's
        /// `assign` attribute, 0-based).
        var assignment: [Int] = []
    }

    static func build(_ list: TermList, variables: [String: EvaluatedVariable], contrasts kinds: [String: ContrastKind] = [:],
                      rowCount: Int) throws -> Columns {
        var result = Columns()
        if list.hasIntercept {
            result.names.append("(Intercept)")
            result.values.append([Double](repeating: 1, count: rowCount))
            result.assignment.append(-1)
        }
        let terms = list.terms.map { $0.variables.map(\.label) }
        // Coding: true = contrasts, false = indicators (R's factor pattern 1 / 2).
        var contrasts: [[Bool]] = terms.enumerated().map { index, term in
            term.map { label in
                let rest = Set(term.filter { $0 != label })
                if rest.isEmpty { return true }
                return terms[..<index].contains { rest.isSubset(of: Set($0)) }
            }
        }
        if !list.hasIntercept {
            search: for (t, term) in terms.enumerated() {
                for (v, label) in term.enumerated() {
                    if case .factor = variables[label] { contrasts[t][v] = false; break search }
                }
            }
        }
        try checkSize(terms, contrasts: contrasts, variables: variables, rowCount: rowCount,
                      intercept: list.hasIntercept)
        for (t, term) in terms.enumerated() {
            // Columns of each variable in the term.
            var parts: [Columns] = []
            for (v, label) in term.enumerated() {
                guard let variable = variables[label] else {
                    throw DesignError("internal: variable '\(label)' was not evaluated")
                }
                var part = Columns()
                switch variable {
                case .numeric(let values):
                    part.names = [label]
                    part.values = [values]
                case .matrix(let suffixes, let columns):
                    part.names = suffixes.map { label + $0 }
                    part.values = columns
                case .factor(let levels, let codes):
                    guard levels.count >= 2 else {
                        throw DesignError("factor '\(label)' has only one level (\(levels.first.map { "'\($0)'" } ?? "none")) in the rows used; a factor predictor needs at least 2")
                    }
                    if contrasts[t][v] {
                        let kind = kinds[label] ?? .treatment
                        part.names = kind.suffixes(levels: levels).map { label + $0 }
                        part.values = kind.matrix(levelCount: levels.count).map { coding in
                            codes.map { $0 < 0 ? .nan : coding[Int($0)] }
                        }
                    } else {
                        for level in levels.indices {
                            part.names.append(label + levels[level])
                            let code = Int32(level)
                            part.values.append(codes.map { $0 == code ? 1 : 0 })
                        }
                    }
                }
                parts.append(part)
            }
            // Product, first variable varying fastest.
            var product = Columns(names: [""], values: [[Double](repeating: 1, count: rowCount)])
            for (index, part) in parts.enumerated() {
                var next = Columns()
                for (name, values) in zip(part.names, part.values) {
                    for (previousName, previousValues) in zip(product.names, product.values) {
                        next.names.append(index == 0 ? name : previousName + ":" + name)
                        next.values.append(index == 0 ? values : zip(previousValues, values).map(*))
                    }
                }
                product = next
            }
            result.names += product.names
            result.values += product.values
            result.assignment += [Int](repeating: t, count: product.names.count)
        }
        return result
    }

    /// The most values (rows × columns) a model matrix may hold: 2²⁷ doubles, 1 GiB.
    static let maximumValues = 1 << 27

    /// Refuses, before any column is built, a matrix of more than `maximumValues` values (an
    /// interaction of many factors, `a*b*c*d*e*f` over 10-level factors: 10⁶ columns; an id column
    /// used as a population-level factor: as many columns as rows), naming the term with the most
    /// columns.
    private static func checkSize(_ terms: [[String]], contrasts: [[Bool]], variables: [String: EvaluatedVariable],
                                  rowCount: Int, intercept: Bool) throws {
        var total = intercept ? 1 : 0
        var largest = (columns: 0, term: 0)
        for (t, term) in terms.enumerated() {
            var columns = 1
            for (v, label) in term.enumerated() {
                if case .factor(let levels, _)? = variables[label] {
                    let count = contrasts[t][v] ? max(levels.count - 1, 1) : levels.count
                    let (product, overflow) = columns.multipliedReportingOverflow(by: count)
                    columns = overflow ? Int.max / 4 : min(product, Int.max / 4)
                }
            }
            total = min(total + columns, Int.max / 4)
            if columns > largest.columns { largest = (columns, t) }
        }
        let (values, overflow) = total.multipliedReportingOverflow(by: max(rowCount, 1))
        guard overflow || values > maximumValues else { return }
        let name = terms[largest.term].joined(separator: ":")
        throw DesignError("the model matrix would have \(total) columns × \(rowCount) rows, more than the \(maximumValues) values supported; term '\(abbreviatedForMessage(name, limit: 120))' alone gives \(largest.columns) columns (a factor with many levels, or an interaction of factors: use it as a grouping factor, (1 | \(abbreviatedForMessage(terms[largest.term].first ?? name, limit: 60))), instead)")
    }
}
