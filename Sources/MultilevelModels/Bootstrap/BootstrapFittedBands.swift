import MultilevelData
import MultilevelSampling

/// One point of a fitted line and its bootstrap band: the fit's value there and the type-7
/// quantiles (R's `quantile` default) of the replicates' values at the requested probabilities.
public struct FittedBandPoint: Sendable {
    /// A data row (0-based) at which the line is evaluated: the first row with these X values
    /// (population line) or with this group level and these X values (a group's line).
    public var row: Int
    /// The group's level (group lines only).
    public var level: String?
    /// The original fit's value: xᵀβ̂ (population) or xᵀβ̂ + zᵀb̂ (group).
    public var estimate: Double
    /// The replicate quantiles, one per probability of `BootstrapFittedBands.probabilities`.
    public var quantiles: [Double]
    /// Replicates with a finite value (failed refits are left out).
    public var replicates: Int
}

/// Percentile bands of fitted lines from bootstrap replicates — the course workflow of drawing the
/// 5/50/95% band of the population line and of each subject's line from `bootMer` refits
/// (`bootMer(fit, function(f) predict(f, re.form = NA))` and `… predict(f)`): at each distinct row
/// of X, the quantiles over replicates of xᵀβ̂*, and (parametric bootstrap) at each row of each
/// level of the first grouping factor, the quantiles of the conditional fit xᵀβ̂* + zᵀb̂*.
/// Pointwise bands (Davison & Hinkley 1997, §5.2's percentile method at each point), not
/// simultaneous ones.
public struct BootstrapFittedBands: Sendable {
    public var probabilities: [Double]
    /// The population line at each distinct X row, in order of first appearance.
    public var population: [FittedBandPoint]
    /// The grouping factor of the group lines (the model's first random-effect term), nil when the
    /// scheme does not keep the original groups (group and row resampling).
    public var groupingFactor: String?
    /// Each group's line at its distinct X rows, by level then row.
    public var groups: [FittedBandPoint]

    /// The bands of `result` (whose values begin with β̂* in X's column order, as
    /// `populationParameterValues` lists them) for the design and fit it was run on.
    public init(result: BootstrapResult, design: ModelDesign, fit: LinearMixedModelFit, probabilities: [Double]) {
        self.probabilities = probabilities
        let n = design.rowCount, p = design.fixedEffectCount
        let x = design.fixedEffects
        let r = result.replicateCount
        // Distinct X rows (with the offset, which is part of the population line).
        var seen: [[Double]: Int] = [:]
        var distinct: [Int] = []
        for i in 0..<n {
            var key = (0..<p).map { x[i, $0] }
            if let offset = design.offset { key.append(offset[i]) }
            if seen[key] == nil { seen[key] = i; distinct.append(i) }
        }
        var values = [Double](repeating: 0, count: r)
        population = distinct.map { i in
            let offset = design.offset?[i] ?? 0
            var estimate = offset
            for j in 0..<p { estimate += x[i, j] * fit.fixedEffects[j] }
            for replicate in 0..<r {
                var sum = offset
                for j in 0..<p { sum += x[i, j] * result.values[replicate * result.parameterCount + j] }
                values[replicate] = sum
            }
            return Self.point(row: i, level: nil, estimate: estimate, values: values, probabilities: probabilities)
        }
        guard result.conditionalFittedValues.count == r * n, let term = design.randomTerms.first else {
            groupingFactor = nil
            groups = []
            return
        }
        groupingFactor = term.grouping.name
        // Rows by level (stable), one point per distinct (level, X row).
        let ordered = (0..<n).sorted { (term.grouping.levelIndex[$0], $0) < (term.grouping.levelIndex[$1], $1) }
        var groupSeen = Set<[Double]>()
        var points: [FittedBandPoint] = []
        for i in ordered {
            var key = [Double(term.grouping.levelIndex[i])] + (0..<p).map { x[i, $0] }
            if let offset = design.offset { key.append(offset[i]) }
            guard groupSeen.insert(key).inserted else { continue }
            for replicate in 0..<r { values[replicate] = result.conditionalFittedValues[replicate * n + i] }
            points.append(Self.point(row: i, level: term.grouping.levels[term.grouping.levelIndex[i]],
                                     estimate: fit.fittedValues[i], values: values, probabilities: probabilities))
        }
        groups = points
    }

    private static func point(row: Int, level: String?, estimate: Double, values: [Double],
                              probabilities: [Double]) -> FittedBandPoint {
        let sorted = values.filter(\.isFinite).sorted()
        let quantiles = probabilities.map { sorted.isEmpty ? Double.nan : quantileType7(sorted, probability: $0) }
        return FittedBandPoint(row: row, level: level, estimate: estimate, quantiles: quantiles, replicates: sorted.count)
    }
}

/// xᵀβ + zᵀb (+ offset) at every row of `design`, with b the conditional modes per term in
/// fitting order (`terms`, level-major as `PenalizedLeastSquaresSolution` gives them).
func conditionalFittedValues(design: ModelDesign, fixedEffects: [Double], terms: [RandomEffectTerm],
                             modes: [[Double]]) -> [Double] {
    var fitted = design.fixedEffects.multiplied(by: fixedEffects)
    if let offset = design.offset { for r in fitted.indices { fitted[r] += offset[r] } }
    for (k, term) in terms.enumerated() {
        let q = term.columnCount
        for r in fitted.indices {
            let level = term.grouping.levelIndex[r]
            for j in 0..<q { fitted[r] += term.values[r * q + j] * modes[k][level * q + j] }
        }
    }
    return fitted
}
