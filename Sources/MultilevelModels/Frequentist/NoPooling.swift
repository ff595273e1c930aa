import MultilevelData
import MultilevelMath

/// No pooling: a separate line per group, `lm(y ~ x * g − 1)` fitted in its per-group
/// parameterisation `lm(y ~ g / x − 1)` (the same fit): every fixed-effect column is interacted with
/// the grouping factor of the first random-effect term, one residual variance is shared.
public struct NoPoolingFit: Sendable {
    /// Grouping factor name and level labels.
    public var group: String
    public var levels: [String]
    /// Fixed-effect column names as brms writes them (`Intercept`, `Days`).
    public var termNames: [String]
    /// `perGroup[level][term]`: estimate, SE and interval; nil when aliased (R's NA).
    public var perGroup: [[NamedEstimate?]]
    /// The underlying least-squares fit (coefficients named `Subject308`, `Subject308:Days` as R).
    public var leastSquares: LeastSquaresFit
}

/// Fits the no-pooling model of a mixed-model design.
public func noPoolingFit(_ design: ModelDesign, level: Double = 0.95) throws -> NoPoolingFit {
    try checkResponse(design, family: .gaussian)
    guard let term = design.randomTerms.first else {
        throw MixedModelError("--pooling none needs a grouping factor: add a term such as (1 | group) to the formula")
    }
    let grouping = term.grouping
    let n = design.rowCount
    let p = design.fixedEffectCount
    let levelCount = grouping.levelCount
    var x = DenseMatrix(rows: n, columns: levelCount * p)
    var names: [String] = []
    for j in 0..<p {
        for level in 0..<levelCount {
            let column = design.fixedEffectNames[j]
            let prefix = grouping.name + grouping.levels[level]
            names.append(column == "(Intercept)" ? prefix : "\(prefix):\(column)")
        }
    }
    for r in 0..<n {
        let level = grouping.levelIndex[r]
        for j in 0..<p { x[r, j * levelCount + level] = design.fixedEffects[r, j] }
    }
    let fit = try ordinaryLeastSquares(response: design.response, design: x, names: names, level: level)
    let byName = Dictionary(uniqueKeysWithValues: fit.coefficients.map { ($0.name, $0) })
    let perGroup = (0..<levelCount).map { level in (0..<p).map { j in byName[names[j * levelCount + level]] } }
    return NoPoolingFit(group: grouping.name, levels: grouping.levels,
                        termNames: design.fixedEffectNames.map(brmsName(ofColumn:)), perGroup: perGroup, leastSquares: fit)
}
