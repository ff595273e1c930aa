import MultilevelMath

/// A grouping factor of a random-effect term: its name as brms writes it (`Subject`,
/// `batch:cask` for the inner factor of `(1 | batch/cask)`), its level labels in R's sort order
/// (nested and interaction levels written `A_a`, brms' convention) and the level of every row.
public struct GroupingFactor: Sendable, Equatable {
    /// Name used in parameter names (`sd_<name>__Intercept`, `r_<name>[level,term]`).
    public var name: String
    /// Level labels, index = level number.
    public var levels: [String]
    /// Level number (0-based) of every used row.
    public var levelIndex: [Int]

    public init(name: String, levels: [String], levelIndex: [Int]) {
        self.name = name
        self.levels = levels
        self.levelIndex = levelIndex
    }

    /// Number of levels L.
    public var levelCount: Int { levels.count }
}

/// One random-effect term `(expr | g)`: a grouping factor and the q model-matrix columns of `expr`
/// (Zᵢ in the lme4 paper, kept as a block: level index per row plus q values per row, never as a
/// dense n × Lq matrix). `(x || g)` has already been split into one term per column.
public struct RandomEffectTerm: Sendable, Equatable {
    /// The grouping factor.
    public var grouping: GroupingFactor
    /// Column names as R prints them: `(Intercept)`, `Days`, `period2`.
    public var columnNames: [String]
    /// Row-major n × q values: `values[row * q + k]` is column k of row `row`.
    public var values: [Double]
    /// The term as written in the formula, for messages and summaries (`(Days | Subject)`).
    public var text: String
    /// brms' ID of `(x |ID| g)`: terms sharing it are correlated across a bf() formula's parts.
    public var correlationID: String?
    /// brms' monotonic group-level effects `(mo(x) | g)`: for each of the term's last
    /// `monotonic.count` columns, the index in `ModelDesign.monotonic` of the population-level
    /// `mo(x)` it varies. Such a column holds the row's category k (0…D), and its value in Z is
    /// mo(ζ, k) = D · Σ_{i ≤ k} ζ_i with the population-level effect's simplex ζ (brms'
    /// `(bsp + r_g) * mo(simo, x)`; Bürkner & Charpentier 2020, eq. 2), so it is known per draw,
    /// not as data. Empty for an ordinary term.
    public var monotonic: [Int] = []

    public init(grouping: GroupingFactor, columnNames: [String], values: [Double], text: String, correlationID: String? = nil) {
        self.grouping = grouping
        self.columnNames = columnNames
        self.values = values
        self.text = text
        self.correlationID = correlationID
    }

    /// Number of columns q.
    public var columnCount: Int { columnNames.count }
    /// Number of its columns that are not monotonic (the first ones).
    public var regularColumnCount: Int { columnNames.count - monotonic.count }

    /// Column names as brms writes them in parameter names: `(Intercept)` becomes `Intercept`.
    public var brmsColumnNames: [String] { columnNames.map(brmsName(ofColumn:)) }
}

/// brms' spelling of a model-matrix column name in parameter names: `(Intercept)` → `Intercept`;
/// other names as brms' `rename` writes them: spaces, brackets, commas and quotes dropped, `+ - * /
/// ^ =` written `P M MU D E EQ` (`poly(Days, 2)1` → `polyDays21`, `I(x^2)` → `IxE2`, `sppEC-A` →
/// `sppECMA`); `:` and `.` are kept (`age:SexFemale`, `temperature.L`).
public func brmsName(ofColumn column: String) -> String {
    if column == "(Intercept)" { return "Intercept" }
    // brms:::rename: drop spaces, brackets, commas and quotes; + - * / ^ = become P M MU D E EQ.
    var result = ""
    for character in column {
        switch character {
        case " ", "(", ")", "[", "]", ",", "\"", "'", "?": continue
        case "+": result += "P"
        case "-": result += "M"
        case "*": result += "MU"
        case "/": result += "D"
        case "^": result += "E"
        case "=": result += "EQ"
        default: result.append(character)
        }
    }
    return result
}

/// The columns of one term in full indicator coding: R's names and column-major values.
public struct TermIndicatorColumns: Sendable, Equatable {
    public var names: [String]
    public var values: [[Double]]

    public init(names: [String], values: [[Double]]) {
        self.names = names
        self.values = values
    }
}

/// Everything a fitting engine needs from data + formula: the response, the fixed-effects model
/// matrix X with R's column names, and the random-effect terms. Built by the data layer from a
/// `DataTable` and a parsed formula; consumed by REML/ML, Laplace, NUTS and Gibbs alike.
public struct ModelDesign: Sendable {
    /// The formula as the user wrote it.
    public var formulaText: String
    /// The response's name (`Reaction`; for `y | trials(n)` and `cbind(s, f)`, the successes).
    public var responseName: String
    /// The response y, one value per used row (binomial: the number of successes; a two-level
    /// factor response: 0 for the first level, 1 for the second).
    public var response: [Double]
    /// Binomial numbers of trials per row (`trials(n)`, or s + f for `cbind(s, f)`), else nil.
    public var trials: [Double]?
    /// The sum of the formula's `offset()` terms per row, added to the linear predictor with
    /// coefficient 1; nil without offsets.
    public var offset: [Double]?
    /// The values of brms' addition terms `se()`, `cens()`, `weights()`, `trunc()` per row; nil
    /// without any.
    public var additions: RowAdditions?
    /// brms' monotonic effects `mo(x)` (`MonotonicEffect`), formula order; empty without any.
    /// They are not columns of `fixedEffects`: only the Bayesian posterior fits them.
    public var monotonic: [MonotonicEffect] = []
    /// For a factor response, its two levels (first = failure), else nil.
    public var responseLevels: [String]?
    /// For a response given an order (`ordered: rating = low, mid, high`, R's `ordered()`): the
    /// levels that occur, in that order; the response holds their positions 1…K (R drops unused
    /// levels, so brms' categories are these). Nil otherwise.
    public var orderedResponseLevels: [String]?
    /// The fixed-effects model matrix X (n × p) after aliased columns were dropped.
    public var fixedEffects: DenseMatrix
    /// R's names of X's columns: `(Intercept)`, `Days`, `period2`, `age:SexFemale`.
    public var fixedEffectNames: [String]
    /// Names of columns dropped because they were aliased (rank deficiency), in R's order.
    public var droppedFixedEffectNames: [String]
    /// The random-effect terms in formula order (`||` already split).
    public var randomTerms: [RandomEffectTerm]
    /// 1-based line numbers, in the data file, of the rows used (for messages naming a row).
    public var sourceLines: [Int]
    /// Number of rows dropped for missing values in the columns the model uses.
    public var droppedRowCount: Int
    /// The columns (of those the model uses) that had missing values, in formula order.
    public var missingValueColumns: [String] = []
    /// The term list of the fixed part (R's order) that produced X, for engines that need the
    /// assignment of columns to terms.
    public var fixedTermLabels: [String] = []
    /// The term (index into `fixedTermLabels`) of each column of X; −1 for the intercept (R's
    /// `assign`, 0-based). Empty for designs built in code.
    public var fixedEffectAssignment: [Int] = []
    /// The variables of each fixed term (`["recipe", "temperature"]` for `recipe:temperature`).
    public var fixedTermVariables: [[String]] = []
    /// The variables of the fixed part that are factors.
    public var fixedFactorVariables: Set<String> = []
    /// Each fixed term's full indicator coding, R's `model.matrix(~ 0 + term)` (every level of
    /// every factor): what type III hypotheses are built from.
    public var fullIndicatorColumns: [TermIndicatorColumns] = []
    /// The data file's name as messages print it (`DataTable.fileName`), so that a message naming a
    /// row reads `sleep.csv line 12: …`; nil for designs built in code.
    public var dataFileName: String?
    /// What it takes to rebuild X for new rows (fitted polynomial bases, centres and scales,
    /// factor levels, contrasts); nil for designs built in code.
    public var recipe: DesignRecipe?

    public init(formulaText: String, responseName: String, response: [Double], trials: [Double]?,
                responseLevels: [String]?, fixedEffects: DenseMatrix, fixedEffectNames: [String],
                droppedFixedEffectNames: [String], randomTerms: [RandomEffectTerm],
                sourceLines: [Int], droppedRowCount: Int) {
        self.formulaText = formulaText
        self.responseName = responseName
        self.response = response
        self.trials = trials
        self.responseLevels = responseLevels
        self.fixedEffects = fixedEffects
        self.fixedEffectNames = fixedEffectNames
        self.droppedFixedEffectNames = droppedFixedEffectNames
        self.randomTerms = randomTerms
        self.sourceLines = sourceLines
        self.droppedRowCount = droppedRowCount
    }

    /// Number of used rows n.
    public var rowCount: Int { response.count }
    /// Number of fixed-effect columns p.
    public var fixedEffectCount: Int { fixedEffectNames.count }
    /// Whether X has an `(Intercept)` column (it is then column 0).
    public var hasIntercept: Bool { fixedEffectNames.first == "(Intercept)" }
}
