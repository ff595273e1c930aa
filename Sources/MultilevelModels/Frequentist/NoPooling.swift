import MultilevelData
import MultilevelMath

/// No pooling of exactly what the mixed model pools (one rule for `lmer --pooling none`, `compare`
/// and the plots): the fixed-effect columns that also vary by the first random-effect term's
/// grouping factor get one coefficient per level, the others one common coefficient, with one
/// residual variance shared. For `y ~ x + (1 | g)` that is Gelman & Hill's (2006, §12.2)
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
    /// Fixed-effect column names as brms writes them (`Intercept`, `Days`).
    public var termNames: [String]
    /// `perGroup[level][term]`: estimate, SE and interval; nil when aliased (R's NA). For a common
    /// column, the common coefficient (the same for every level), so that a group's line can be drawn.
    public var perGroup: [[NamedEstimate?]]
    /// The underlying least-squares fit (coefficients named `Subject308`, `Subject308:Days` as R).
    public var leastSquares: LeastSquaresFit
}

/// Fits the no-pooling model of a mixed-model design (see `NoPoolingFit`). Throws when the design
/// has no random-effect term, or when no fixed-effect column varies by the first term's factor.
public func noPoolingFit(_ design: ModelDesign, level: Double = 0.95) throws -> NoPoolingFit {
    try checkResponse(design, family: .gaussian)
    guard let term = design.randomTerms.first else {
        throw MixedModelError("--pooling none needs a grouping factor: add a term such as (1 | group) to the formula")
    }
    let grouping = term.grouping
    let p = design.fixedEffectCount
    let varying = (0..<p).map { term.columnNames.contains(design.fixedEffectNames[$0]) }
    guard varying.contains(true) else {
        throw MixedModelError("no pooling needs a fixed-effect column that varies by \(grouping.name); \(term.text) has none")
    }
    let levelCount = grouping.levelCount
    // Column layout: per fixed column j, `levelCount` columns when it varies, else one.
    var firstColumn: [Int] = []
    var names: [String] = []
    for j in 0..<p {
        firstColumn.append(names.count)
        let column = design.fixedEffectNames[j]
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
    for r in 0..<design.rowCount {
        let level = grouping.levelIndex[r]
        for j in 0..<p { x[r, firstColumn[j] + (varying[j] ? level : 0)] = design.fixedEffects[r, j] }
    }
    let fit = try ordinaryLeastSquares(response: design.response, design: x, names: names, level: level)
    let byName = Dictionary(uniqueKeysWithValues: fit.coefficients.map { ($0.name, $0) })
    let perGroup = (0..<levelCount).map { level in
        (0..<p).map { j in byName[names[firstColumn[j] + (varying[j] ? level : 0)]] }
    }
    // The R formula: common columns, then g (a varying intercept), then g:x for each varying x.
    let columns = design.fixedEffectNames
    let interceptVaries = zip(columns, varying).contains { $0 == "(Intercept)" && $1 }
    var parts = (0..<p).filter { !varying[$0] && columns[$0] != "(Intercept)" }.map { columns[$0] }
    if interceptVaries { parts.append(grouping.name) }
    parts += (0..<p).filter { varying[$0] && columns[$0] != "(Intercept)" }.map { "\(grouping.name):\(columns[$0])" }
    let formula = design.responseName + " ~ " + parts.joined(separator: " + ")
        + (interceptVaries || !design.hasIntercept ? " - 1" : "")
    return NoPoolingFit(group: grouping.name, levels: grouping.levels, formula: formula,
                        termNames: columns.map(brmsName(ofColumn:)), perGroup: perGroup, leastSquares: fit)
}
