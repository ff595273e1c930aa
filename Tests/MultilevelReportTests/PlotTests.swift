import XCTest
import Foundation
import MultilevelData
import MultilevelMath
import MultilevelModels
import MultilevelSampling
@testable import MultilevelReport

/// Every plot kind built from real fits (sleepstudy, radon) and simulated draws: well-formed XML
/// with the expected marks. Set MULTILEVEL_PLOT_DIR to keep the SVG files (to render and look at).
final class PlotTests: XCTestCase {
    static func design(_ fixture: String, _ formula: String) throws -> ModelDesign {
        let url = try XCTUnwrap(Bundle.module.url(forResource: fixture, withExtension: "csv", subdirectory: "Fixtures"))
        return try ModelDesign.build(formula: Formula.parse(formula), table: DataTable.read(contentsOf: url))
    }

    func keep(_ svg: String, _ name: String) {
        guard let directory = ProcessInfo.processInfo.environment["MULTILEVEL_PLOT_DIR"] else { return }
        try? svg.write(toFile: directory + "/" + name + ".svg", atomically: true, encoding: .utf8)
    }

    func count(_ name: String, in elements: [String]) -> Int { elements.filter { $0 == name }.count }

    func testSleepstudyFrequentistPlots() throws {
        let design = try Self.design("plot_sleepstudy", "Reaction ~ Days + (Days | Subject)")
        let model = try LinearMixedModel(design: design)
        let fit = try model.fit()
        let ols = try completePoolingFit(design)
        let none = try noPoolingFit(design)
        let bootstrap = try MixedModelBootstrap(model: model, fit: fit).run(scheme: .parametric, replicates: 100, seed: 1)

        let population = try XCTUnwrap(FrequentistPlotInputs.populationFitPlot(design: design, completePooling: ols, fit: fit, bootstrap: bootstrap))
        XCTAssertEqual(population.curves.count, 2)
        // The REML line passes through β̂ and its bootstrap band contains it.
        let curve = population.curves[1]
        XCTAssertEqual(curve.estimate[0], fit.fixedEffects[0], accuracy: 1e-9)
        XCTAssertLessThan(curve.lower![30], curve.estimate[30])
        XCTAssertGreaterThan(curve.upper![30], curve.estimate[30])
        var svg = population.svg()
        var elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("circle", in: elements), 180 + 1, "180 data points and the legend swatch")
        XCTAssertEqual(count("polygon", in: elements), 2, "OLS and bootstrap bands")
        keep(svg, "population")

        let lattice = try XCTUnwrap(FrequentistPlotInputs.groupLatticePlot(design: design, noPooling: none, fit: fit))
        XCTAssertEqual(lattice.panels.count, 18)
        XCTAssertEqual(lattice.panels[0].label, "Subject 308")
        svg = lattice.svg()
        elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("polyline", in: elements), 36, "two lines per panel")
        XCTAssertEqual(count("clipPath", in: elements), 18)
        keep(svg, "groups")

        let shrinkage = try XCTUnwrap(FrequentistPlotInputs.shrinkagePlot(design: design, noPooling: none, fit: fit))
        XCTAssertEqual(shrinkage.coordinateNames, ["Intercept", "Days"])
        // Partial pooling shrinks the spread of the group estimates in each coordinate, and the
        // partial-pooling coefficients average to the population estimate (conditional modes sum to
        // about zero in a balanced design).
        for k in 0..<2 {
            func spread(_ values: [Double]) -> Double {
                let mean = values.reduce(0, +) / Double(values.count)
                return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            }
            XCTAssertLessThan(spread(shrinkage.groups.map { $0.partialPooling[k] }), spread(shrinkage.groups.map { $0.noPooling[k] }))
            let mean = shrinkage.groups.map { $0.partialPooling[k] }.reduce(0, +) / 18
            XCTAssertEqual(mean, fit.fixedEffects[k], accuracy: 1e-3 * abs(fit.fixedEffects[k]))
        }
        svg = shrinkage.svg()
        elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("circle", in: elements), 36 + 3, "two points per group and three legend swatches")
        keep(svg, "shrinkage")

        let intercepts = try Self.design("plot_sleepstudy", "Reaction ~ Days + (1 | Subject)")
        let interceptFit = try LinearMixedModel(design: intercepts).fit()
        let oneDimensional = try XCTUnwrap(FrequentistPlotInputs.shrinkagePlot(design: intercepts, noPooling: noPoolingFit(intercepts),
                                                                                fit: interceptFit))
        XCTAssertEqual(oneDimensional.coordinateNames, ["Intercept"])
        svg = oneDimensional.svg()
        assertWellFormedSVG(svg)
        keep(svg, "shrinkage_intercepts")

        let forest = FrequentistPlotInputs.forestParameters([
            ("OLS", PlotPalette.completePooling, ols.coefficients.map { var e = $0; e.name = "b_" + brmsName(ofColumn: e.name); return e }),
            ("REML (Wald)", PlotPalette.partialPooling, waldIntervals(fit)),
            ("bootstrap", PlotPalette.bootstrap, bootstrap.summaries().map {
                NamedEstimate(name: $0.name, estimate: $0.estimate, lower: $0.percentile.lower, upper: $0.percentile.upper)
            }),
        ])
        XCTAssertEqual(forest.map(\.name), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                                            "cor_Subject__Intercept__Days", "sigma"])
        XCTAssertEqual(forest[0].intervals.count, 3)
        XCTAssertEqual(forest[2].intervals.count, 1)
        svg = IntervalForestPlot(title: "Intervals by method", parameters: forest).svg()
        elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("circle", in: elements), 3 + 3 + 3 + 4, "one dot per interval and one legend swatch per method")
        keep(svg, "intervals")
    }

    func testRadonEstimatesBySize() throws {
        let design = try Self.design("plot_radon", "log_radon ~ floor + (1 | county)")
        let fit = try LinearMixedModel(design: design).fit()
        let plot = try XCTUnwrap(FrequentistPlotInputs.estimatesBySizePlot(design: design, noPooling: noPoolingFit(design), fit: fit))
        XCTAssertEqual(plot.panels[1].estimates.count, 85)
        // Multilevel SEs are below the no-pooling ones for the smallest counties.
        let smallest = plot.panels[1].estimates.min { $0.size < $1.size }!
        let own = plot.panels[0].estimates.first { $0.label == smallest.label }
        if let own, own.standardError.isFinite { XCTAssertLessThan(smallest.standardError, own.standardError) }
        let svg = plot.svg()
        assertWellFormedSVG(svg)
        keep(svg, "radon_by_size")
        XCTAssertEqual(EstimatesBySizePlot.logTicks(0...2), [1, 2, 5, 10, 20, 50, 100])
    }

    /// With more groups than `maxPanels`, the lattice shows groups spread over the ranked sizes:
    /// the smallest and the largest always, in the original order, and says so in a subtitle.
    func testLatticeOfManyGroupsShowsASelectionAcrossSizes() throws {
        let panels = (0..<85).map { k in
            GroupPanel(label: "g\(k)", dataX: [Double](repeating: 0, count: 1 + (k * 37) % 85), dataY: [Double](repeating: 1, count: 1 + (k * 37) % 85),
                       curves: [FittedCurve(method: "line", x: [0, 1], estimate: [1, 2], color: "red")])
        }
        let plot = GroupLatticePlot(title: "many", xLabel: "x", yLabel: "y", panels: panels, maxPanels: 12)
        let shown = plot.shownPanels
        XCTAssertEqual(shown.count, 12)
        let sizes = shown.map(\.dataX.count)
        XCTAssertTrue(sizes.contains(1) && sizes.contains(85), "\(sizes)")
        let order = shown.map { Int($0.label.dropFirst())! }
        XCTAssertEqual(order, order.sorted())
        XCTAssertEqual(Set(sizes.sorted().enumerated().map { $0.element - ($0.offset * 84 / 11 + 1) }.map { abs($0) <= 1 }), [true],
                       "evenly spaced ranks: \(sizes.sorted())")
        let svg = plot.svg()
        let elements = assertWellFormedSVG(svg)
        XCTAssertEqual(elements.filter { $0 == "clipPath" }.count, 12)
        XCTAssertTrue(svg.contains("12 of 85 groups"))
        XCTAssertEqual(GroupLatticePlot(title: "few", xLabel: "x", yLabel: "y", panels: Array(panels.prefix(5))).shownPanels.count, 5)
    }

    /// Four AR(1) chains of three variables; the third chain of `mu` is shifted (a stuck chain).
    static func simulatedDraws() -> Draws {
        var generator = Xoshiro256PlusPlus(seed: 9)
        let names = ["mu", "sd_g__Intercept", "cor_g__Intercept__x"]
        let chains = (0..<4).map { chain -> [Double] in
            var state = [0.0, 0.0, 0.0]
            var values: [Double] = []
            for _ in 0..<800 {
                for v in 0..<3 { state[v] = 0.7 * state[v] + 0.71 * generator.nextNormal() }
                values += [state[0] + (chain == 2 ? 1.5 : 0), exp(0.3 * state[1]) * 20, tanh(0.4 * state[2])]
            }
            return values
        }
        return Draws(variableNames: names, chains: chains)
    }

    func testTraceAndDensityPlots() {
        let draws = Self.simulatedDraws()
        var svg = TracePlot(title: "Trace", draws: draws, maxPointsPerChain: 400).svg()
        var elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("polyline", in: elements), 12, "a line per chain and variable")
        XCTAssertTrue(svg.contains(">sd_g__Intercept<"))
        keep(svg, "trace")
        svg = DensityPlot(title: "Posterior densities", draws: draws).svg()
        elements = assertWellFormedSVG(svg)
        XCTAssertEqual(count("polygon", in: elements), 3, "one pooled density per variable")
        XCTAssertEqual(count("polyline", in: elements), 3 * 5, "4 chain densities and a median line per variable")
        keep(svg, "density")
        XCTAssertEqual(TracePlot(title: "none", draws: draws, variables: ["missing"]).variables, [])
    }

    func testKernelDensity() throws {
        // bw.nrd0(1:10): sd = √(55/6) = 3.0276504 < IQR/1.34 = 4.5/1.34, so 0.9 · 3.0276504 · 10^(−1/5) = 1.7192864.
        XCTAssertEqual(KernelDensity.silvermanBandwidth(sorted: (1...10).map(Double.init)), 1.7192864, accuracy: 1e-6)
        XCTAssertEqual(KernelDensity.silvermanBandwidth(sorted: [2, 2, 2]), 0.9 * 2 * pow(3, -0.2), accuracy: 1e-12)
        var generator = Xoshiro256PlusPlus(seed: 4)
        let sample = (0..<4000).map { _ in generator.nextNormal() }
        let estimate = try XCTUnwrap(KernelDensity(sample))
        // Integrates to 1 (trapezoid rule) and is close to φ at the mode.
        var integral = 0.0
        for i in 1..<estimate.x.count {
            integral += 0.5 * (estimate.density[i] + estimate.density[i - 1]) * (estimate.x[i] - estimate.x[i - 1])
        }
        XCTAssertEqual(integral, 1, accuracy: 1e-3)
        let peak = estimate.density[estimate.x.indices.min { abs(estimate.x[$0]) < abs(estimate.x[$1]) }!]
        XCTAssertEqual(peak, 1 / (2 * Double.pi).squareRoot(), accuracy: 0.03)
        XCTAssertNil(KernelDensity([1, .nan]))
    }

    func testLineBands() {
        let band = straightLineBand(intercept: 1, slope: 2, covariance: (4, -1, 1), quantile: 2, grid: [0, 1, 3])
        XCTAssertEqual(band.estimate, [1, 3, 7])
        XCTAssertEqual(band.upper[1], 3 + 2 * (4 - 2 + 1.0).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(band.lower[2], 7 - 2 * (4 - 6 + 9.0).squareRoot(), accuracy: 1e-12)
        // Quantile band: lines through (0, a) with slopes 0…10 — at x = 1 the quantiles are a + q(slopes).
        let slopes = (0...10).map(Double.init)
        let quantileBand = straightLineQuantileBand(intercepts: slopes.map { _ in 5 }, slopes: slopes + [.nan],
                                                    grid: [0, 1], level: 0.8)
        XCTAssertEqual(quantileBand.median, [5, 10])
        XCTAssertEqual(quantileBand.lower[1], 6, accuracy: 1e-12)
        XCTAssertEqual(quantileBand.upper[1], 14, accuracy: 1e-12)
        XCTAssertEqual(evenlySpaced(from: 0, to: 1, count: 3), [0, 0.5, 1])
    }
}
