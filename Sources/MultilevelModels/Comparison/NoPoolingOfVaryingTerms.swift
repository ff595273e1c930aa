import MultilevelData
import MultilevelMath

/// No pooling of exactly what the mixed model pools: the fixed-effect columns that also vary by
/// the first grouping factor get one coefficient per level, the others one common coefficient —
/// for `y ~ x + (1 | g)` Gelman & Hill's (2006, §12.2) no-pooling regression
/// `lm(y ~ x + factor(g) − 1)` (county intercepts, one floor slope in the radon example); for
/// `y ~ x + (x | g)` the separate lines `lm(y ~ g / x − 1)` of `noPoolingFit`. A group's
/// no-pooling estimate then answers the question its partial-pooling estimate answers, so the two
/// can be set side by side.
///
/// `perGroup[level][t]` holds, for a common column t, the common coefficient (the same for every
/// level), so that a group's line a_j + b·x can be drawn. Nil when the first term has no
/// fixed-effect column.
public func noPoolingOfVaryingTerms(_ design: ModelDesign, level: Double = 0.95) throws -> NoPoolingFit? {
    guard let term = design.randomTerms.first else { return nil }
    let grouping = term.grouping
    let p = design.fixedEffectCount
    let varying = (0..<p).map { term.columnNames.contains(design.fixedEffectNames[$0]) }
    guard varying.contains(true) else { return nil }
    if !varying.contains(false) { return try noPoolingFit(design, level: level) }

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
    return NoPoolingFit(group: grouping.name, levels: grouping.levels,
                        termNames: design.fixedEffectNames.map(brmsName(ofColumn:)), perGroup: perGroup, leastSquares: fit)
}
