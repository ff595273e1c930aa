/// `mo(x)` in a formula: brms' monotonic effect of an ordinal predictor (Bürkner & Charpentier
/// 2020, *Modelling monotonic effects of ordinal predictors in Bayesian regression models*, Br. J.
/// Math. Stat. Psychol. 73(3), eq. 2). A term of the population-level part only; the column it
/// names and where it stands in the formula. In an interaction with columns (`mo(edu):x`, brms'
/// special-effects covariates `Csp`) the term is bsp · mo(simo, edu) · x, with its own bsp and
/// simplex; a factor among them gives one such term per column of its coding (`mo(edu):f` →
/// `moedu:fb`, `moedu:fc`, `MonotonicEffect.covariateLevels`).
public struct MonotonicSpecification: Sendable, Equatable {
    /// The predictor's column (`edu`).
    public var variable: String
    /// 1-based formula column of `mo(`.
    public var column: Int
    /// 1-based formula column of the predictor's name.
    public var variableColumn: Int
    /// The numeric columns the effect is multiplied by (`x` of `mo(edu):x`), in R's term-label
    /// order; empty for a plain `mo(edu)`.
    public var covariates: [String] = []
    /// 1-based formula columns of the covariates' names.
    public var covariateColumns: [Int] = []
    /// Where `mo(edu)` stands among the term's variables in R's label order (`x:mo(edu)` → 1).
    public var monotonicPosition = 0

    public init(variable: String, column: Int, variableColumn: Int) {
        self.variable = variable
        self.column = column
        self.variableColumn = variableColumn
    }

    /// The term as R labels it: `mo(edu)`, `mo(edu):x`.
    public var text: String {
        var parts = covariates
        parts.insert("mo(\(variable))", at: min(monotonicPosition, parts.count))
        return parts.joined(separator: ":")
    }
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
    /// The numeric columns of an interaction `mo(edu):x` (`MonotonicSpecification.covariates`);
    /// empty for a plain `mo(edu)`.
    public var covariates: [String] = []
    /// Where `mo(edu)` stands among the term's variables (`MonotonicSpecification.monotonicPosition`).
    public var monotonicPosition = 0
    /// The product of the covariates on every used row (brms' `Csp`); empty without covariates
    /// (a factor of 1 on every row).
    public var covariateValues: [Double] = []
    /// For each covariate, the data column it comes from and, for the indicator column of a
    /// factor's level (`fb` of `mo(edu):f`), that level; nil for a numeric column (then the
    /// column is the covariate's name). Empty when every covariate is a numeric column.
    public var covariateSources: [String] = []
    public var covariateLevels: [String?] = []

    public init(variable: String, categories: [Int], categoryCount: Int, minimum: Double) {
        self.variable = variable
        self.categories = categories
        self.categoryCount = categoryCount
        self.minimum = minimum
    }

    /// The covariates' product on used row `i` (1 for a plain `mo(x)`).
    @inline(__always)
    public func covariate(_ i: Int) -> Double { covariateValues.isEmpty ? 1 : covariateValues[i] }

    /// brms' name of the term in parameter names: `moedu` (`bsp_moedu`, `simo_moedu1[k]`), and for
    /// an interaction the term label with `mo(edu)` written `moedu`: `moedu:x` (`bsp_moedu:x`,
    /// `simo_moedu:x1[k]`).
    public var name: String {
        var parts = covariates.map(brmsName(ofColumn:))
        parts.insert("mo" + brmsName(ofColumn: variable), at: min(monotonicPosition, parts.count))
        return parts.joined(separator: ":")
    }
    /// The coefficient's brms name: `bsp_moedu`.
    public var coefficientName: String { "bsp_\(name)" }
    /// The simplex's brms name without index: `simo_moedu1` (the 1 counts the variables of the
    /// term; a term of one variable has one simplex).
    public var simplexName: String { "simo_\(name)1" }
    /// The term as R labels it: `mo(edu)`, `mo(edu):x`.
    public var text: String {
        var parts = covariates
        parts.insert("mo(\(variable))", at: min(monotonicPosition, parts.count))
        return parts.joined(separator: ":")
    }

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
        var effect = MonotonicEffect(variable: specification.variable, categories: values.map { Int($0 - minimum) },
                                     categoryCount: categoryCount, minimum: minimum)
        effect.covariates = specification.covariates
        effect.monotonicPosition = specification.monotonicPosition
        return effect
    }
}
