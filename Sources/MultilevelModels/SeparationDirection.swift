import MultilevelData
import MultilevelMath

/// A direction of recession of the unpenalised likelihood in the population-level coefficients:
/// a θ ≠ 0 along which the log-likelihood never decreases and, for some row, increases, so that
/// the maximum-likelihood estimate is infinite and a flat prior leaves the posterior improper.
///
/// For a bernoulli or binomial model (Albert & Anderson 1984) such a θ separates the outcomes:
/// xᵢᵀθ ≥ 0 for rows with a success, ≤ 0 for rows with a failure (= 0 for binomial rows with both),
/// with some row strict; the separation is complete when a θ makes every row strict. For a poisson,
/// negbinomial or zero-inflated count model (log link) it sends the rate of zero counts to 0:
/// xᵢᵀθ ≤ 0 for zero counts, = 0 for positive counts (a factor level whose counts are all 0).
/// Found by Konis' (2007) linear programme `BoxedConeProgram` over every linear combination of the
/// columns, as R's `detectseparation::detect_separation` does: separation exists when
/// max Σᵢ x̃ᵢᵀθ over the cone is > 0 (x̃ᵢ the row signed by its outcome); a column's coefficient
/// diverges when θⱼ ≠ 0 for some direction of the cone (max ±θⱼ > 0), which assumes the columns are
/// linearly independent (the design has already dropped aliased ones).
public struct SeparationDirection: Sendable, Equatable {
    /// Indices of the population-level columns whose coefficients diverge, ascending.
    public var divergentColumns: [Int]
    /// True when some direction is strict for every row (complete separation); bernoulli and
    /// binomial only.
    public var complete: Bool
    /// One direction of recession, in the units of the design's columns.
    public var direction: [Double]
}

/// The families whose likelihood can run off along a direction of the population-level
/// coefficients for the reasons `SeparationDirection` describes.
func separationKind(of family: Family) -> SeparationKind? {
    switch family.kind {
    case .bernoulli, .binomial: return .outcomes
    case .poisson, .negativeBinomial, .zeroInflatedPoisson, .zeroInflatedNegativeBinomial:
        return family.link == .log ? .zeroCounts : nil
    default: return nil
    }
}

/// What a direction of recession separates: failures from successes, or zero counts from positive.
enum SeparationKind { case outcomes, zeroCounts }

/// The direction of recession of `design`'s likelihood under `family`, or nil when there is none
/// (or the family has no such directions, or the linear programme did not finish).
public func separationDirection(_ design: ModelDesign, family: Family) -> SeparationDirection? {
    guard let kind = separationKind(of: family) else { return nil }
    let n = design.rowCount, p = design.fixedEffects.columns
    guard p > 0, n > 0 else { return nil }
    // Column scales, so that tolerances mean the same for every column (θⱼ rescales, its sign not).
    var scale = [Double](repeating: 0, count: p)
    for i in 0..<n {
        for j in 0..<p { scale[j] = max(scale[j], abs(design.fixedEffects[i, j])) }
    }
    for j in 0..<p where !(scale[j] > 0 && scale[j].isFinite) { scale[j] = 1 }
    // The signed rows x̃, each scaled to largest entry 1; then sorted so that repeated rows
    // (a design of factors has few distinct ones) are kept once, without a hash set of arrays.
    var signed: [Double] = []
    var row = [Double](repeating: 0, count: p)
    func add(_ sign: Double) {
        var largest = 0.0
        for j in 0..<p {
            guard row[j].isFinite else { return }
            largest = max(largest, abs(row[j]))
        }
        guard largest > 0 else { return }
        for j in 0..<p { signed.append(sign * row[j] / largest) }
    }
    for i in 0..<n {
        let y = design.response[i]
        guard y.isFinite else { continue }
        for j in 0..<p { row[j] = design.fixedEffects[i, j] / scale[j] }
        switch kind {
        case .outcomes:
            let size = design.trials?[i] ?? 1
            guard size > 0 else { continue }
            if y > 0 { add(1) }
            if y < size { add(-1) }
        case .zeroCounts:
            add(-1)
            if y > 0 { add(1) }
        }
    }
    let order = (0..<(signed.count / p)).sorted { a, b in
        for j in 0..<p where signed[a * p + j] != signed[b * p + j] { return signed[a * p + j] < signed[b * p + j] }
        return false
    }
    var rows: [Double] = []
    var previous = -1
    for k in order {
        if previous >= 0, (0..<p).allSatisfy({ signed[k * p + $0] == signed[previous * p + $0] }) { continue }
        rows += signed[(k * p)..<(k * p + p)]
        previous = k
    }
    signed = []
    guard !rows.isEmpty else { return nil }
    let program = BoxedConeProgram(constraints: rows, columnCount: p)
    var total = [Double](repeating: 0, count: p)
    for k in 0..<program.rowCount {
        for j in 0..<p { total[j] += rows[k * p + j] }
    }
    let threshold = 1e-7
    guard let first = program.maximise(total), first.value > threshold else { return nil }
    var divergent = Set((0..<p).filter { abs(first.theta[$0]) > 1e-6 })
    if p <= 64 {
        for j in 0..<p where !divergent.contains(j) {
            for sign in [1.0, -1.0] {
                var unit = [Double](repeating: 0, count: p)
                unit[j] = sign
                if let result = program.maximise(unit), result.value > threshold {
                    divergent.insert(j)
                    break
                }
            }
        }
    }
    var complete = false
    if kind == .outcomes {
        // Complete: maximise t subject to x̃ᵢᵀθ − t ≥ 0 for every row (t boxed like θ).
        var augmented: [Double] = []
        augmented.reserveCapacity(program.rowCount * (p + 1))
        for k in 0..<program.rowCount { augmented += rows[(k * p)..<(k * p + p)] + [-1] }
        var objective = [Double](repeating: 0, count: p + 1)
        objective[p] = 1
        if let result = BoxedConeProgram(constraints: augmented, columnCount: p + 1).maximise(objective) {
            complete = result.value > threshold
        }
    }
    return SeparationDirection(divergentColumns: divergent.sorted(), complete: complete,
                               direction: (0..<p).map { first.theta[$0] / scale[$0] })
}
