import MultilevelData
import MultilevelMath

/// No pooling of exactly what the mixed model pools (one rule for `lmer --pooling none`, `compare`
/// and the plots): every column of the first random-effect term gets one coefficient per level of
/// its grouping factor — a fixed-effect column that also varies by it, and a column that is only in
/// the term (sleepstudy's `(Days + I(Days^2) + I(Days^3) | Subject)` beside `Reaction ~ Days`:
/// `lm(Reaction ~ Subject + Subject:Days + Subject:I(Days^2) + Subject:I(Days^3) - 1)`) — the other
/// fixed-effect columns one common coefficient, with one residual variance shared. For `y ~ x + (1 | g)` that is Gelman & Hill's (2006, §12.2)
/// no-pooling regression `lm(y ~ x + g − 1)` (county intercepts, one floor slope in the radon
/// example); for `y ~ x + (x | g)` the separate lines `lm(y ~ g + g:x − 1)`, i.e. `lm(y ~ x * g − 1)`
/// in its per-group parameterisation. A group's no-pooling estimate then answers the question its
/// partial-pooling estimate answers, so the two can be set side by side.
public struct NoPoolingFit: Sendable {
    /// Grouping factor name and level labels.
    public var group: String
    public var levels: [String]
    /// The least-squares model as an R formula (`Reaction ~ Subject + Subject:Days - 1`).
    public var formula: String
    /// Column names as brms writes them (`Intercept`, `Days`): the fixed-effect columns in the
    /// design's order, then the term's columns that are not fixed effects (`IDaysE2`).
    public var termNames: [String]
    /// `perGroup[level][term]`: estimate, SE and interval; nil when aliased (R's NA). For a common
    /// column, the common coefficient (the same for every level), so that a group's line can be drawn.
    /// The first `fixedEffectCount` entries follow the design's fixed-effect columns.
    public var perGroup: [[NamedEstimate?]]
    /// The underlying least-squares fit (coefficients named `Subject308`, `Subject308:Days` as R).
    public var leastSquares: LeastSquaresFit
}

/// Fits the no-pooling model of a mixed-model design (see `NoPoolingFit`). Throws when the design
/// has no random-effect term.
public func noPoolingFit(_ design: ModelDesign, level: Double = 0.95) throws -> NoPoolingFit {
    try checkResponse(design, family: .gaussian)
    guard let term = design.randomTerms.first else {
        throw MixedModelError("--pooling none needs a grouping factor: add a term such as (1 | group) to the formula")
    }
    let grouping = term.grouping
    let p = design.fixedEffectCount
    // The term's columns that are not fixed effects follow the fixed ones (values from the term).
    let termOnly = term.columnNames.indices.filter { !design.fixedEffectNames.contains(term.columnNames[$0]) }
    let columns = design.fixedEffectNames + termOnly.map { term.columnNames[$0] }
    let varying = columns.map { term.columnNames.contains($0) }
    let levelCount = grouping.levelCount
    // Column layout: per column j, `levelCount` columns when it varies, else one.
    var firstColumn: [Int] = []
    var names: [String] = []
    for (j, column) in columns.enumerated() {
        firstColumn.append(names.count)
        if varying[j] {
            for level in 0..<levelCount {
                let prefix = grouping.name + grouping.levels[level]
                names.append(column == "(Intercept)" ? prefix : "\(prefix):\(column)")
            }
        } else {
            names.append(column)
        }
    }
    var x = DenseMatrix(rows: design.rowCount, columns: names.count)
    let q = term.columnCount
    for r in 0..<design.rowCount {
        let level = grouping.levelIndex[r]
        for j in 0..<p { x[r, firstColumn[j] + (varying[j] ? level : 0)] = design.fixedEffects[r, j] }
        for (a, k) in termOnly.enumerated() { x[r, firstColumn[p + a] + level] = term.values[r * q + k] }
    }
    let fit = try ordinaryLeastSquares(response: design.response, design: x, names: names, level: level)
    let byName = Dictionary(uniqueKeysWithValues: fit.coefficients.map { ($0.name, $0) })
    let perGroup = (0..<levelCount).map { level in
        columns.indices.map { j in byName[names[firstColumn[j] + (varying[j] ? level : 0)]] }
    }
    // The R formula: common columns, then g (a varying intercept), then g:x for each varying x.
    let interceptVaries = zip(columns, varying).contains { $0 == "(Intercept)" && $1 }
    var parts = columns.indices.filter { !varying[$0] && columns[$0] != "(Intercept)" }.map { columns[$0] }
    if interceptVaries { parts.append(grouping.name) }
    parts += columns.indices.filter { varying[$0] && columns[$0] != "(Intercept)" }.map { "\(grouping.name):\(columns[$0])" }
    let formula = design.responseName + " ~ " + parts.joined(separator: " + ")
        + (interceptVaries || !design.hasIntercept ? " - 1" : "")
    return NoPoolingFit(group: grouping.name, levels: grouping.levels, formula: formula,
                        termNames: columns.map(brmsName(ofColumn:)), perGroup: perGroup, leastSquares: fit)
}
