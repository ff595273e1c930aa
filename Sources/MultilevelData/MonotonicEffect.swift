/// `mo(x)` in a formula: brms' monotonic effect of an ordinal predictor (Bürkner & Charpentier
/// 2020, *Modelling monotonic effects of ordinal predictors in Bayesian regression models*, Br. J.
/// Math. Stat. Psychol. 73(3), eq. 2). A term of the population-level part only; the column it
/// names and where it stands in the formula.
public struct MonotonicSpecification: Sendable, Equatable {
    /// The predictor's column (`edu`).
    public var variable: String
    /// 1-based formula column of `mo(`.
    public var column: Int
    /// 1-based formula column of the predictor's name.
    public var variableColumn: Int

    public init(variable: String, column: Int, variableColumn: Int) {
        self.variable = variable
        self.column = column
        self.variableColumn = variableColumn
    }

    /// The term as written: `mo(edu)`.
    public var text: String { "mo(\(variable))" }
}

/// A monotonic effect in a design: the predictor's category (0…D) on every used row. Its
/// contribution to the linear predictor is
///
///     mo(x) = bsp · D · Σ_{i ≤ x} ζ_i,    ζ ∈ D-simplex,
///
/// so bsp is the expected difference between the highest and the lowest category and ζ_i the
/// share of it between categories i − 1 and i (Bürkner & Charpentier 2020, eq. 2). Equivalently
/// Σ_{i=1..D} (bsp · D · ζ_i) · [x ≥ i]: D indicator columns whose coefficients the simplex ties
/// together, which is how the posterior evaluates it.
public struct MonotonicEffect: Sendable, Equatable {
    /// The predictor's column (`edu`).
    public var variable: String
    /// Category of each used row, 0…`categoryCount`.
    public var categories: [Int]
    /// D, the number of steps (the highest category).
    public var categoryCount: Int
    /// The value subtracted from the column to give category 0 (brms counts a numeric
    /// predictor's categories from its smallest value).
    public var minimum: Double

    public init(variable: String, categories: [Int], categoryCount: Int, minimum: Double) {
        self.variable = variable
        self.categories = categories
        self.categoryCount = categoryCount
        self.minimum = minimum
    }

    /// brms' name of the term in parameter names: `moedu` (`bsp_moedu`, `simo_moedu1[k]`).
    public var name: String { "mo" + brmsName(ofColumn: variable) }
    /// The coefficient's brms name: `bsp_moedu`.
    public var coefficientName: String { "bsp_\(name)" }
    /// The simplex's brms name without index: `simo_moedu1` (the 1 counts the variables of the
    /// term; a term of one variable has one simplex).
    public var simplexName: String { "simo_\(name)1" }
    /// The term as written: `mo(edu)`.
    public var text: String { "mo(\(variable))" }

    /// Categories of `values` (a numeric column's values on the used rows): value − `minimum`, which
    /// must be a whole number in 0…`categoryCount`. Throws naming the file, line and column of the
    /// first value that is not (`lines` are the rows' 1-based lines in `fileName`).
    public func categories(of values: [Double], lines: [Int], fileName: String) throws -> [Int] {
        var result = [Int](repeating: 0, count: values.count)
        for (row, value) in values.enumerated() {
            let shifted = value - minimum
            guard value.isFinite, shifted == shifted.rounded(), shifted >= 0, shifted <= Double(categoryCount) else {
                let line = row < lines.count ? ":\(lines[row])" : ""
                throw DesignError("\(fileName)\(line): \(text): '\(variable)' is \(RCollation.label(of: value)); the fitted categories are the whole numbers \(RCollation.label(of: minimum)) to \(RCollation.label(of: minimum + Double(categoryCount)))")
            }
            result[row] = Int(shifted)
        }
        return result
    }

    /// The monotonic effect of the numeric `values` of `specification`'s column on the used rows
    /// (brms' rule: whole numbers, counted from their smallest value, D = max − min ≥ 1). Throws
    /// naming the file, line and column of a value that is not a whole number.
    static func evaluate(_ specification: MonotonicSpecification, values: [Double], lines: [Int],
                         fileName: String) throws -> MonotonicEffect {
        let text = specification.text
        for (row, value) in values.enumerated() where !(value.isFinite && value == value.rounded()) || abs(value) > 1e9 {
            let line = row < lines.count ? ":\(lines[row])" : ""
            throw DesignError("\(fileName)\(line): \(text): '\(specification.variable)' is \(RCollation.label(of: value)); mo() needs an ordinal predictor: whole numbers 0, 1, …, D (or an ordered factor)")
        }
        let minimum = values.min() ?? 0
        let maximum = values.max() ?? 0
        guard maximum > minimum else {
            throw DesignError("\(text): '\(specification.variable)' takes the single value \(RCollation.label(of: minimum)) on the rows used; a monotonic effect needs at least two categories")
        }
        let categoryCount = Int(maximum - minimum)
        guard categoryCount <= 1000 else {
            throw DesignError("\(text): '\(specification.variable)' spans \(categoryCount + 1) categories (\(RCollation.label(of: minimum)) to \(RCollation.label(of: maximum))); mo() is for ordinal predictors with a few categories")
        }
        return MonotonicEffect(variable: specification.variable, categories: values.map { Int($0 - minimum) },
                               categoryCount: categoryCount, minimum: minimum)
    }
}
