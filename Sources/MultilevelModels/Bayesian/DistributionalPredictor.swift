import MultilevelData
import MultilevelMath

/// One linear predictor of a distributional model (brms' `bf(y ~ …, sigma ~ …)`): the mean's (μ)
/// or one auxiliary parameter's, with its own population-level and group-level terms:
///
///     η = Intercept + X_c b + Σ_t Z_t r_t (+ offset for μ),   r_t,j = diag(sd_t) L_t z_t,j,
///
/// X_c the non-intercept columns centred at their means (brms' `Xc`, `b_Intercept = Intercept −
/// x̄·b`), the group-level effects non-centred as brms writes them. Positions of its parameters
/// in the unconstrained vector are filled in by `DistributionalPosterior`.
struct DistributionalPredictor: Sendable {
    /// The predicted auxiliary parameter, nil for the mean.
    var parameter: AuxiliaryParameter?
    /// Whether it has an intercept.
    var hasIntercept: Bool
    /// brms names of the non-intercept columns (`Days`).
    var coefficientNames: [String]
    /// Means of the non-intercept columns.
    var columnMeans: [Double]
    /// Centred non-intercept columns, row-major n × p.
    var centredColumns: [Double]
    /// The offset of each row (μ only), nil without one.
    var offset: [Double]?
    /// Its group-level terms.
    var terms: [DistributionalTerm]
    /// Offset of the p coefficients b in the unconstrained vector.
    var coefficientOffset = 0
    /// Offset of the (centred) Intercept in the unconstrained vector (−1 without one).
    var interceptOffset = -1

    /// Number of non-intercept coefficients p.
    var coefficientCount: Int { coefficientNames.count }

    /// The prefix brms puts before a coefficient's name for this predictor: "" for μ, `sigma_` for
    /// sigma (`b_sigma_Days`, `sd_Subject__sigma_Intercept`).
    var namePrefix: String { parameter.map { $0.rawValue + "_" } ?? "" }

    init(parameter: AuxiliaryParameter?, design: ModelDesign) {
        self.parameter = parameter
        hasIntercept = design.hasIntercept
        let first = hasIntercept ? 1 : 0
        let p = design.fixedEffectCount - first
        let n = design.rowCount
        coefficientNames = design.fixedEffectNames.dropFirst(first).map(brmsName(ofColumn:))
        var means = [Double](repeating: 0, count: p)
        var centred = [Double](repeating: 0, count: n * p)
        for k in 0..<p {
            var sum = 0.0
            for i in 0..<n { sum += design.fixedEffects[i, first + k] }
            // brms centres only when the model has an intercept.
            means[k] = hasIntercept && n > 0 ? sum / Double(n) : 0
            for i in 0..<n { centred[i * p + k] = design.fixedEffects[i, first + k] - means[k] }
        }
        columnMeans = means
        centredColumns = centred
        offset = design.offset
        terms = design.randomTerms.map { DistributionalTerm(term: $0) }
    }
}

/// One group-level term of a `DistributionalPredictor`: q columns, one level per row, q standard
/// deviations, the Cholesky factor of its correlation matrix (q > 1) and the standardised
/// effects z (non-centred), with where they live in the unconstrained vector and in the scratch.
struct DistributionalTerm: Sendable {
    var columnCount: Int
    var levelCount: Int
    /// The level of each row.
    var levelIndex: [Int]
    /// Row-major n × q values of its columns.
    var values: [Double]
    /// The grouping factor's name and level labels, and the brms names of its columns.
    var groupName: String
    var levelNames: [String]
    var columnNames: [String]
    /// brms' `|ID|` of the term (`(1 |p| Subject)`), nil without one.
    var correlationID: String?
    /// Its correlation block (`DistributionalCorrelationBlock`) and its first column there.
    var block = 0, blockColumn = 0
    /// Offsets in the unconstrained vector: q log standard deviations; its block's correlation
    /// values and standardised effects (levelCount × the block's columns).
    var sdOffset = 0, correlationOffset = 0, zOffset = 0

    init(term: RandomEffectTerm) {
        columnCount = term.columnCount
        levelCount = term.grouping.levelCount
        levelIndex = term.grouping.levelIndex
        values = term.values
        groupName = term.grouping.name
        levelNames = term.grouping.levels
        columnNames = term.brmsColumnNames
        correlationID = term.correlationID
    }
}
