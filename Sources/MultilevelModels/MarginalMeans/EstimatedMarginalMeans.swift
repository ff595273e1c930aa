import Foundation

/// emmeans' estimated marginal means (Searle, Speed & Milliken 1980, "population marginal means";
/// Lenth's emmeans package) and their pairwise contrasts, for lmer and Bayesian fits.
///
/// The reference grid crosses every level of every factor of the population-level formula, with
/// each numeric predictor at its mean over the rows fitted (emmeans' `ref_grid` defaults). Each
/// grid row's model-matrix row x comes from the fitted design recipe (poly, scale and contrast
/// parameters of the fit). The marginal mean of a cell of the `specs` factors (within a cell of
/// the `by` factors) is lᵀβ with l the equally weighted average of the x of the grid rows in that
/// cell; a pairwise contrast is the difference of two such l, every pair i < j within a `by` cell
/// ("A - B", as `pairs()` writes it; levels that read as numbers are prefixed with the factor's
/// name).
///
/// lmer fits (`lmer.df` as emmeans names it): Kenward–Roger, SE from the adjusted covariance Φ_A
/// and df from pbkrtest's `Lb_ddf`; Satterthwaite, SE from Var(β̂) and lmerTest's df; asymptotic,
/// SE from Var(β̂) and z. Intervals are 95%; t ratio and two-sided p test lᵀβ = 0. For contrasts,
/// `tukey` refers |t|·√2 to the studentized range with k = the number of means in the `by` cell
/// and widens the interval to ± qtukey(0.95, k, df)/√2 · SE; `holm` adjusts the p-values by
/// Holm's step-down (Holm 1979) and, as emmeans does, the intervals by Bonferroni.
///
/// Bayesian fits (emmeans on a brmsfit): the same lᵀβ evaluated at every posterior draw of β, the
/// linear predictor scale, summarised by the median and the 95% highest posterior density interval
/// (coda's `HPDinterval`: the shortest interval holding round(0.95 n) + 1 of the n sorted draws).
public struct EstimatedMarginalMeans: Sendable {
    /// emmeans' `lmer.df`.
    public enum DegreesOfFreedomMethod: String, Sendable, CaseIterable {
        case kenwardRoger = "kenward-roger", satterthwaite, asymptotic
    }

    /// emmeans' `adjust` for the pairwise contrasts.
    public enum Adjustment: String, Sendable, CaseIterable { case none, tukey, holm }

    /// One mean or contrast.
    public struct Row: Sendable {
        /// Means: the level of each `specs` factor; contrasts: one label ("A - B").
        public var labels: [String]
        /// The level of each `by` factor.
        public var byLevels: [String]
        /// The linear function l (over the fit's population-level coefficients).
        public var linearFunction: [Double]
        /// lᵀβ̂ (Bayesian: the posterior median of lᵀβ).
        public var estimate: Double
        /// Frequentist: √(lᵀVl); Bayesian: the posterior standard deviation.
        public var standardError: Double
        /// Frequentist: the df (+∞ for asymptotic); Bayesian: nil.
        public var degreesOfFreedom: Double?
        /// 95% limits: confidence (frequentist, adjusted for contrasts as asked) or HPD (Bayesian).
        public var lower: Double
        public var upper: Double
        /// Frequentist: t (or z) ratio and its two-sided p-value (adjusted for contrasts as asked).
        public var statistic: Double?
        public var pValue: Double?
    }

    public var specs: [String]
    public var by: [String]
    /// The factors the means are averaged over (emmeans' "Results are averaged over the levels of").
    public var averagedOver: [String]
    /// The numeric predictors and the value they are held at.
    public var covariates: [(name: String, value: Double)]
    /// Whether these are posterior summaries (Bayesian fit) rather than frequentist estimates.
    public var bayesian: Bool
    public var degreesOfFreedomMethod: DegreesOfFreedomMethod?
    public var adjustment: Adjustment
    public var means: [Row]
    public var contrasts: [Row]
    /// The level of the intervals.
    public var level: Double { 0.95 }
}

extension EstimatedMarginalMeans {
    /// Checks `specs` and `by` against the grid's factors.
    static func validate(specs: [String], by: [String], grid: ReferenceGrid) throws {
        guard !specs.isEmpty else { throw MarginalMeansError("--specs: name at least one factor of the model (\(grid.factorNames.joined(separator: ", ")))") }
        for name in specs + by where !grid.factorNames.contains(name) {
            let known = grid.factorNames.isEmpty ? "the model has no population-level factors" : "factors: \(grid.factorNames.joined(separator: ", "))"
            throw MarginalMeansError("--specs/--by '\(name)': not a factor of the population-level formula (\(known))")
        }
        let all = specs + by
        if let repeated = all.indices.first(where: { all[..<$0].contains(all[$0]) }) {
            throw MarginalMeansError("--specs/--by: factor '\(all[repeated])' is named twice")
        }
    }

    /// emmeans(m, specs, by = by, lmer.df = …) for an lmer fit and, with `pairwise`, pairs(…,
    /// adjust = adjustment), with `inference` made for the df method wanted.
    public static func frequentist(grid: ReferenceGrid, specs: [String], by: [String] = [], pairwise: Bool = false,
                                   adjustment: Adjustment = .tukey, inference: LinearFunctionInference) throws -> EstimatedMarginalMeans {
        try validate(specs: specs, by: by, grid: grid)
        let cells = grid.cells(specs: specs, by: by)
        let pairs = pairwise ? Self.pairs(cells) : []
        let raw = pairs.map { inference.row(labels: [$0.label], byLevels: $0.byLevels, l: $0.l) }
        return EstimatedMarginalMeans(specs: specs, by: by, averagedOver: grid.factorNames.filter { !(specs + by).contains($0) },
                                      covariates: grid.covariates, bayesian: false, degreesOfFreedomMethod: inference.method,
                                      adjustment: pairwise ? adjustment : .none,
                                      means: cells.map { inference.row(labels: $0.levels, byLevels: $0.byLevels, l: $0.l) },
                                      contrasts: inference.adjust(raw, familySizes: pairs.map(\.size), adjustment: adjustment))
    }

    /// emmeans on a Bayesian fit: the posterior of the same linear functions, `beta` holding one
    /// draw of the population-level coefficients per row (in the design's column order).
    public static func bayesian(grid: ReferenceGrid, specs: [String], by: [String] = [], pairwise: Bool = false,
                                beta: [[Double]]) throws -> EstimatedMarginalMeans {
        try validate(specs: specs, by: by, grid: grid)
        let cells = grid.cells(specs: specs, by: by)
        let pairs = pairwise ? Self.pairs(cells) : []
        return EstimatedMarginalMeans(specs: specs, by: by, averagedOver: grid.factorNames.filter { !(specs + by).contains($0) },
                                      covariates: grid.covariates, bayesian: true, degreesOfFreedomMethod: nil, adjustment: .none,
                                      means: cells.map { posteriorRow(labels: $0.levels, byLevels: $0.byLevels, l: $0.l, beta: beta) },
                                      contrasts: pairs.map { posteriorRow(labels: [$0.label], byLevels: $0.byLevels, l: $0.l, beta: beta) })
    }

    /// Every pair i < j of means within each `by` cell, labelled as emmeans' `pairs()`; `size` is
    /// the number of means in the cell (Tukey's k).
    static func pairs(_ cells: [ReferenceGrid.Cell]) -> [(label: String, byLevels: [String], l: [Double], size: Int)] {
        var groups: [[String]: [ReferenceGrid.Cell]] = [:]
        var order: [[String]] = []
        for cell in cells {
            if groups[cell.byLevels] == nil { order.append(cell.byLevels) }
            groups[cell.byLevels, default: []].append(cell)
        }
        var result: [(String, [String], [Double], Int)] = []
        for key in order {
            let members = groups[key]!
            for i in members.indices { for j in members.indices where j > i {
                let l = zip(members[i].l, members[j].l).map { $0 - $1 }
                result.append(("\(members[i].label) - \(members[j].label)", key, l, members.count))
            } }
        }
        return result
    }

    /// The posterior of lᵀβ: median, SD and the 95% HPD interval.
    static func posteriorRow(labels: [String], byLevels: [String], l: [Double], beta: [[Double]]) -> Row {
        let values = beta.map { b in zip(l, b).reduce(0) { $0 + $1.0 * $1.1 } }
        let sorted = values.sorted()
        let n = sorted.count
        let median = n == 0 ? .nan : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
        let mean = values.reduce(0, +) / Double(max(n, 1))
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(n - 1, 1))).squareRoot()
        let (lower, upper) = highestPosteriorDensityInterval(sorted: sorted, probability: 0.95)
        return Row(labels: labels, byLevels: byLevels, linearFunction: l, estimate: median, standardError: sd,
                   degreesOfFreedom: nil, lower: lower, upper: upper, statistic: nil, pValue: nil)
    }
}

/// Marginal means that cannot be computed as asked: one line.
public struct MarginalMeansError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The shortest interval [x₍ᵢ₎, x₍ᵢ₊g₎] over the sorted draws, g = max(1, min(n − 1, round(p n)))
/// (R's round, half to even), the first when several are equally short — coda's `HPDinterval`,
/// which emmeans uses for Bayesian summaries (Chen & Shao 1999, J. Comput. Graph. Statist. 8, 69–92).
public func highestPosteriorDensityInterval(sorted: [Double], probability: Double) -> (lower: Double, upper: Double) {
    let n = sorted.count
    guard n >= 2 else { return (sorted.first ?? .nan, sorted.first ?? .nan) }
    let gap = max(1, min(n - 1, Int((probability * Double(n)).rounded(.toNearestOrEven))))
    var best = 0
    for i in 0..<(n - gap) where sorted[i + gap] - sorted[i] < sorted[best + gap] - sorted[best] { best = i }
    return (sorted[best], sorted[best + gap])
}
