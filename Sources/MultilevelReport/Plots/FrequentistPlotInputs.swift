import Foundation
import MultilevelData
import MultilevelMath
import MultilevelModels

/// Plot inputs computed from the frequentist fits of a design — what `multilevel compare` draws
/// before it adds its Bayesian curves (append to `curves`, or to each `GroupPanel`'s curves, by
/// label). The fit plots need a design whose fixed part is an intercept and one predictor.
public enum FrequentistPlotInputs {
    /// The predictor of a design with fixed effects `(Intercept)` + one column, else nil.
    public static func singlePredictor(_ design: ModelDesign) -> (name: String, values: [Double])? {
        guard design.fixedEffectNames.count == 2, design.hasIntercept else { return nil }
        return (design.fixedEffectNames[1], design.fixedEffects.column(1))
    }

    /// The OLS line with its pointwise t confidence band for the mean, from Cov(β̂) = σ̂²(XᵀX)⁻¹.
    public static func completePoolingCurve(design: ModelDesign, fit: LeastSquaresFit, grid: [Double],
                                            level: Double = 0.95) throws -> FittedCurve {
        let inverse = try design.fixedEffects.crossProduct.choleskyLower().inverseFromCholeskyFactor
        let s2 = fit.sigma * fit.sigma
        let q = StudentTDistribution(degreesOfFreedom: Double(fit.residualDegreesOfFreedom)).quantile((1 + level) / 2)
        let band = straightLineBand(intercept: fit.coefficients[0].estimate, slope: fit.coefficients[1].estimate,
                                    covariance: (s2 * inverse[0, 0], s2 * inverse[0, 1], s2 * inverse[1, 1]),
                                    quantile: q, grid: grid)
        return FittedCurve(method: "complete pooling (OLS)", x: grid, estimate: band.estimate, lower: band.lower,
                           upper: band.upper, color: PlotPalette.completePooling, dash: [6, 4])
    }

    /// The mixed model's population line β̂₀ + β̂₁x; with a bootstrap, its pointwise percentile band
    /// from the replicates of (b_Intercept, b_<predictor>).
    public static func mixedModelCurve(fit: LinearMixedModelFit, bootstrap: BootstrapResult?, grid: [Double],
                                       level: Double = 0.95) -> FittedCurve {
        let b = fit.fixedEffects
        var curve = FittedCurve(method: "partial pooling (\(fit.method.rawValue))", x: grid, estimate: grid.map { b[0] + b[1] * $0 },
                                color: PlotPalette.partialPooling)
        if let bootstrap, let intercepts = bootstrap.replicateValues(of: "b_Intercept"),
           let slopes = bootstrap.replicateValues(of: "b_" + brmsName(ofColumn: fit.fixedEffectNames[1])) {
            let band = straightLineQuantileBand(intercepts: intercepts, slopes: slopes, grid: grid, level: level)
            curve.lower = band.lower
            curve.upper = band.upper
            curve.method += " + \(bootstrap.scheme.name) bootstrap band"
        }
        return curve
    }

    /// Data, OLS and mixed-model lines (with a bootstrap band when given) against the predictor.
    public static func populationFitPlot(design: ModelDesign, completePooling: LeastSquaresFit?, fit: LinearMixedModelFit,
                                         bootstrap: BootstrapResult?, level: Double = 0.95) throws -> PopulationFitPlot? {
        guard let predictor = singlePredictor(design), let range = finiteExtent([predictor.values]) else { return nil }
        let grid = evenlySpaced(from: range.lowerBound, to: range.upperBound, count: 60)
        var curves: [FittedCurve] = []
        if let completePooling { curves.append(try completePoolingCurve(design: design, fit: completePooling, grid: grid, level: level)) }
        curves.append(mixedModelCurve(fit: fit, bootstrap: bootstrap, grid: grid, level: level))
        return PopulationFitPlot(title: "Population-level fit: \(design.formulaText)", xLabel: predictor.name,
                                 yLabel: design.responseName, dataX: predictor.values, dataY: design.response, curves: curves)
    }

    /// The rows of each level of the first grouping factor.
    static func rowsByLevel(_ grouping: GroupingFactor) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: grouping.levelCount)
        for (r, level) in grouping.levelIndex.enumerated() { rows[level].append(r) }
        return rows
    }

    /// Partial-pooling coefficients per level of the first grouping factor: β̂ₜ + b̂ⱼₜ for each
    /// fixed-effect column t (b̂ = 0 where the term has no such column).
    static func partialPoolingCoefficients(design: ModelDesign, fit: LinearMixedModelFit) -> [[Double]] {
        guard let grouping = design.randomTerms.first?.grouping else { return [] }
        var modes: [String: [String: Double]] = [:]
        for mode in conditionalModes(of: fit) where mode.group == grouping.name { modes[mode.level, default: [:]][mode.term] = mode.mode }
        return grouping.levels.map { level in
            fit.fixedEffectNames.enumerated().map { t, column in
                fit.fixedEffects[t] + (modes[level]?[brmsName(ofColumn: column)] ?? 0)
            }
        }
    }

    /// One panel per level of the first grouping factor: its data, its no-pooling line and its
    /// partial-pooling line.
    public static func groupLatticePlot(design: ModelDesign, noPooling: NoPoolingFit?, fit: LinearMixedModelFit) -> GroupLatticePlot? {
        guard let predictor = singlePredictor(design), let grouping = design.randomTerms.first?.grouping,
              let range = finiteExtent([predictor.values]) else { return nil }
        let grid = [range.lowerBound, range.upperBound]
        let partial = partialPoolingCoefficients(design: design, fit: fit)
        let rows = rowsByLevel(grouping)
        let panels = grouping.levels.enumerated().compactMap { level, label -> GroupPanel? in
            guard !rows[level].isEmpty else { return nil }
            var curves: [FittedCurve] = []
            if let estimates = noPooling?.perGroup[level], let a = estimates[0]?.estimate, let b = estimates[1]?.estimate {
                curves.append(FittedCurve(method: "no pooling", x: grid, estimate: grid.map { a + b * $0 },
                                          color: PlotPalette.noPooling, dash: [5, 3]))
            }
            let c = partial[level]
            curves.append(FittedCurve(method: "partial pooling (\(fit.method.rawValue))", x: grid, estimate: grid.map { c[0] + c[1] * $0 },
                                      color: PlotPalette.partialPooling))
            return GroupPanel(label: "\(grouping.name) \(label)", dataX: rows[level].map { predictor.values[$0] },
                              dataY: rows[level].map { design.response[$0] }, curves: curves)
        }
        return GroupLatticePlot(title: "By \(grouping.name): \(design.formulaText)", xLabel: predictor.name,
                                yLabel: design.responseName, panels: panels)
    }

    /// No-pooling vs partial-pooling estimates of the first grouping factor's coefficients that
    /// are also fixed effects (the intercept, and a slope when the term has one), at most two.
    public static func shrinkagePlot(design: ModelDesign, noPooling: NoPoolingFit, fit: LinearMixedModelFit) -> ShrinkagePlot? {
        guard let term = design.randomTerms.first else { return nil }
        let columns = term.columnNames.compactMap { fit.fixedEffectNames.firstIndex(of: $0) }.prefix(2)
        guard !columns.isEmpty else { return nil }
        let partial = partialPoolingCoefficients(design: design, fit: fit)
        let rows = rowsByLevel(term.grouping)
        let groups = term.grouping.levels.enumerated().compactMap { level, label -> ShrinkageGroup? in
            let own = columns.map { noPooling.perGroup[level][$0]?.estimate }
            guard !rows[level].isEmpty, own.allSatisfy({ $0 != nil }) else { return nil }
            return ShrinkageGroup(label: label, size: rows[level].count, noPooling: own.map { $0! },
                                  partialPooling: columns.map { partial[level][$0] })
        }
        return ShrinkagePlot(title: "Shrinkage by \(term.grouping.name): \(design.formulaText)",
                             coordinateNames: columns.map { brmsName(ofColumn: fit.fixedEffectNames[$0]) }, groups: groups,
                             population: columns.map { fit.fixedEffects[$0] })
    }

    /// Group intercepts ± SE against group size: no pooling beside partial pooling (conditional
    /// mode ± conditional SD), the population intercept as reference (Gelman & Hill, Fig. 12.1).
    public static func estimatesBySizePlot(design: ModelDesign, noPooling: NoPoolingFit, fit: LinearMixedModelFit) -> EstimatesBySizePlot? {
        guard let grouping = design.randomTerms.first?.grouping, design.hasIntercept else { return nil }
        let rows = rowsByLevel(grouping)
        var sds: [String: Double] = [:]
        for mode in conditionalModes(of: fit) where mode.group == grouping.name && mode.term == "Intercept" {
            sds[mode.level] = mode.conditionalSD ?? .nan
        }
        let partial = partialPoolingCoefficients(design: design, fit: fit)
        var own: [SizedEstimate] = [], pooled: [SizedEstimate] = []
        for (level, label) in grouping.levels.enumerated() where !rows[level].isEmpty {
            if let estimate = noPooling.perGroup[level][0] {
                own.append(SizedEstimate(label: label, size: rows[level].count, estimate: estimate.estimate,
                                         standardError: estimate.standardError ?? .nan))
            }
            pooled.append(SizedEstimate(label: label, size: rows[level].count, estimate: partial[level][0],
                                        standardError: sds[label] ?? .nan))
        }
        return EstimatesBySizePlot(title: "Intercepts by \(grouping.name) against its size: \(design.formulaText)",
                                   xLabel: "rows per \(grouping.name) (log scale, jittered)", yLabel: "intercept ± 1 SE",
                                   panels: [("no pooling", PlotPalette.noPooling, own),
                                            ("partial pooling (\(fit.method.rawValue))", PlotPalette.partialPooling, pooled)],
                                   population: fit.fixedEffects[0])
    }

    /// Forest-plot rows from several methods' estimates (parameters in first-seen order; a method
    /// contributes where it has an interval).
    public static func forestParameters(_ methods: [(method: String, color: String, estimates: [NamedEstimate])]) -> [ForestParameter] {
        var order: [String] = []
        var rows: [String: [MethodInterval]] = [:]
        for (method, color, estimates) in methods {
            for estimate in estimates {
                guard let lower = estimate.lower, let upper = estimate.upper else { continue }
                if rows[estimate.name] == nil { order.append(estimate.name) }
                rows[estimate.name, default: []].append(MethodInterval(method: method, estimate: estimate.estimate,
                                                                       lower: lower, upper: upper, color: color))
            }
        }
        return order.map { ForestParameter(name: $0, intervals: rows[$0]!) }
    }
}
