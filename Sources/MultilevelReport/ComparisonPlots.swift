import Foundation
import MultilevelData
import MultilevelModels
import MultilevelSampling

/// The SVG plots of `multilevel compare` (file name → SVG text): the frequentist plots of
/// `FrequentistPlotInputs` with the Bayesian curves added, the interval forest of the four methods,
/// and trace and density plots of the population-level parameters.
public enum ComparisonPlots {
    /// Pooled draws of one variable, chain after chain.
    static func pooled(_ draws: Draws, _ name: String) -> [Double]? {
        draws.values(of: name).map { $0.flatMap { $0 } }
    }

    /// The Bayesian median line and credible band of a + b·x over `grid`. The line is dashed: it
    /// usually lies on the REML line, which shows through the gaps.
    static func bayesianCurve(intercepts: [Double], slopes: [Double], grid: [Double], level: Double) -> FittedCurve {
        let band = straightLineQuantileBand(intercepts: intercepts, slopes: slopes, grid: grid, level: level)
        return FittedCurve(method: "Bayesian (NUTS) median + \(Int((level * 100).rounded()))% credible band", x: grid,
                           estimate: band.median, lower: band.lower, upper: band.upper, color: PlotPalette.bayesian,
                           dash: [3, 3])
    }

    /// Trace and density plots of the population-level parameters of a Bayesian fit.
    public static func posteriorPlots(draws: Draws, variables: [String], title: String) -> [(file: String, svg: String)] {
        [("trace.svg", TracePlot(title: "Trace: \(title)", draws: draws, variables: variables).svg()),
         ("density.svg", DensityPlot(title: "Posterior densities: \(title)", draws: draws, variables: variables).svg())]
    }

    /// The posterior predictive checks `fit --plots` writes (brms' `pp_check`): pp_check.svg, the
    /// density of y over those of `overlayDraws` replicated data sets taken evenly through the
    /// draws, and pp_check_stat.svg, the histogram of mean(y_rep) over every draw against mean(y).
    /// `replicates` is y_rep draw-major (`replicates[s * n + i]`, `PosteriorPredictive.replicates`).
    public static func posteriorPredictiveChecks(response: [Double], replicates: [Double], title: String,
                                                 overlayDraws: Int = 50) -> [(file: String, svg: String)] {
        let n = response.count
        let draws = n > 0 ? replicates.count / n : 0
        let chosen = (0..<min(overlayDraws, draws)).map { $0 * draws / min(overlayDraws, draws) }
        let overlay = PosteriorPredictiveDensityOverlay(title: "Posterior predictive check: \(title)", response: response,
                                                        replicates: chosen.map { Array(replicates[($0 * n)..<(($0 + 1) * n)]) })
        let statistic = PosteriorPredictiveStatistic(title: "Posterior predictive check of the mean: \(title)",
                                                     response: response, replicates: replicates)
        return [("pp_check.svg", overlay.svg()), ("pp_check_stat.svg", statistic.svg())]
    }

    /// The plots `compare --plots` writes, and those it cannot draw for this model with the reason.
    public struct PlotFiles {
        public var plots: [(file: String, svg: String)]
        public var skipped: [(file: String, reason: String)]
    }

    /// Every plot of a comparison: population fit, group lattice, shrinkage, estimates by size,
    /// interval forest, trace and density; the first four only where the model has what they draw.
    public static func all(_ c: ModelComparison) throws -> PlotFiles {
        let design = c.design
        let draws = c.bayes.draws
        let level = c.settings.level
        var files: [(file: String, svg: String)] = []
        var skipped: [(file: String, reason: String)] = []
        let predictor = FrequentistPlotInputs.singlePredictor(design)
        let slopeName = predictor.map { "b_" + brmsName(ofColumn: $0.name) }
        let lineReason = "it draws a line in one predictor and \(design.formulaText) has "
            + (design.hasIntercept ? "\(design.fixedEffectCount - 1) fixed-effect columns beside the intercept"
                                   : "no intercept")

        if var plot = try FrequentistPlotInputs.populationFitPlot(design: design, completePooling: c.completePooling,
                                                                  fit: c.restrictedFit, bootstrap: c.bootstrap, level: level),
           let slopeName, let grid = plot.curves.first?.x,
           let a = pooled(draws, "b_Intercept"), let b = pooled(draws, slopeName) {
            plot.curves.append(bayesianCurve(intercepts: a, slopes: b, grid: grid, level: level))
            files.append(("population_fit.svg", plot.svg()))
        } else {
            skipped.append(("population_fit.svg", predictor == nil ? lineReason : "the predictor has no finite range"))
        }
        if var lattice = FrequentistPlotInputs.groupLatticePlot(design: design, noPooling: c.noPooling, fit: c.restrictedFit),
           let slopeName, let grouping = design.randomTerms.first?.grouping,
           let a = pooled(draws, "b_Intercept"), let b = pooled(draws, slopeName) {
            let slopeTerm = brmsName(ofColumn: predictor!.name)
            for k in lattice.panels.indices {
                guard let level = grouping.levels.first(where: { "\(grouping.name) \($0)" == lattice.panels[k].label }),
                      let grid = lattice.panels[k].curves.first?.x else { continue }
                let ra = pooled(draws, "r_\(grouping.name)[\(level),Intercept]") ?? a.map { _ in 0 }
                let rb = pooled(draws, "r_\(grouping.name)[\(level),\(slopeTerm)]") ?? b.map { _ in 0 }
                lattice.panels[k].curves.append(bayesianCurve(intercepts: zip(a, ra).map { $0 + $1 },
                                                              slopes: zip(b, rb).map { $0 + $1 }, grid: grid, level: c.settings.level))
            }
            files.append(("group_lattice.svg", lattice.svg()))
        } else {
            skipped.append(("group_lattice.svg", predictor == nil ? lineReason : "a group has no rows or the predictor no finite range"))
        }
        if let noPooling = c.noPooling {
            if let plot = FrequentistPlotInputs.shrinkagePlot(design: design, noPooling: noPooling, fit: c.restrictedFit) {
                files.append(("shrinkage.svg", plot.svg()))
            } else {
                skipped.append(("shrinkage.svg", "a group's no-pooling estimate is not defined (no rows, or aliased)"))
            }
            if let plot = FrequentistPlotInputs.estimatesBySizePlot(design: design, noPooling: noPooling, fit: c.restrictedFit) {
                files.append(("estimates_by_size.svg", plot.svg()))
            } else {
                skipped.append(("estimates_by_size.svg", "it plots group intercepts and \(design.formulaText) has no intercept"))
            }
        } else {
            let reason = "there are no no-pooling estimates: the first random-effect term lets no fixed-effect column vary"
            skipped.append(("shrinkage.svg", reason))
            skipped.append(("estimates_by_size.svg", reason))
        }
        let estimates: (KeyPath<ParameterComparison, EstimateInterval?>) -> [NamedEstimate] = { path in
            c.parameters.compactMap { p in p[keyPath: path].map { NamedEstimate(name: p.name, estimate: $0.estimate, lower: $0.lower, upper: $0.upper) } }
        }
        let bayes = c.parameters.compactMap { p in
            p.bayes.map { NamedEstimate(name: p.name, estimate: $0.median, lower: $0.lower, upper: $0.upper) }
        }
        let forest = FrequentistPlotInputs.forestParameters([
            ("OLS", PlotPalette.completePooling, estimates(\.ordinaryLeastSquares)),
            ("REML, profile", PlotPalette.partialPooling, estimates(\.restrictedMaximumLikelihoodOptional)),
            ("bootstrap, percentile", PlotPalette.bootstrap, estimates(\.bootstrap)),
            ("Bayes, median [CrI]", PlotPalette.bayesian, bayes),
        ])
        files.append(("interval_forest.svg", IntervalForestPlot(title: "95% intervals by method: \(design.formulaText)",
                                                                parameters: forest).svg()))
        files += posteriorPlots(draws: draws, variables: c.parameterNames, title: design.formulaText)
        return PlotFiles(plots: files, skipped: skipped)
    }
}

extension ParameterComparison {
    var restrictedMaximumLikelihoodOptional: EstimateInterval? { restrictedMaximumLikelihood }
}
