import XCTest
import Foundation
import MultilevelMath
@testable import MultilevelReport

/// pp_check plots (issue 17, `fit --plots`): the density overlay of y and 50 replicated data sets,
/// and the histogram of mean(y_rep) against mean(y). Well-formed SVG with one line per density,
/// densities that integrate to 1, and histogram counts, edges and p-value against their direct
/// computation.
final class PosteriorPredictiveCheckPlotTests: XCTestCase {
    private func sample(_ count: Int, mean: Double, sd: Double, generator: inout Xoshiro256PlusPlus) -> [Double] {
        (0..<count).map { _ in mean + sd * generator.nextNormal() }
    }

    /// ∫ f̂ by the trapezoid rule over the estimate's grid.
    private func integral(_ estimate: KernelDensity) -> Double {
        var sum = 0.0
        for i in 1..<estimate.x.count {
            sum += 0.5 * (estimate.density[i] + estimate.density[i - 1]) * (estimate.x[i] - estimate.x[i - 1])
        }
        return sum
    }

    /// The KDE's grid runs from min − 3h to max + 3h, so each kernel keeps at least 1 − Φ(−3) of its
    /// mass on one side and all of it on the other: the integral lies in [1 − Φ(−3), 1] up to the
    /// trapezoid rule's error (~1e-5 on 256 points).
    func testDensityOverlay() throws {
        var generator = Xoshiro256PlusPlus(seed: 11)
        let y = sample(180, mean: 300, sd: 50, generator: &generator)
        let replicates = (0..<50).map { _ in sample(180, mean: 300, sd: 50, generator: &generator) }
        let plot = PosteriorPredictiveDensityOverlay(title: "pp_check", response: y, replicates: replicates)
        let observed = try XCTUnwrap(plot.observed)
        XCTAssertEqual(plot.replicated.count, 50)
        let lowerBound = 1 - NormalDistribution.cdf(-3) - 1e-4
        for estimate in [observed] + plot.replicated {
            let mass = integral(estimate)
            XCTAssertGreaterThanOrEqual(mass, lowerBound)
            XCTAssertLessThanOrEqual(mass, 1 + 1e-4)
        }
        // y's density is the R density() of y: the bandwidth is bw.nrd0(y).
        XCTAssertEqual(observed.bandwidth, KernelDensity.silvermanBandwidth(sorted: y.sorted()), accuracy: 1e-12)
        let svg = plot.svg()
        let elements = assertWellFormedSVG(svg)
        XCTAssertEqual(elements.filter { $0 == "polyline" }.count, 51, "one line per y_rep and one for y")
        XCTAssertTrue(svg.contains(">y_rep (50 draws)<"), svg)
    }

    func testStatisticHistogram() throws {
        var generator = Xoshiro256PlusPlus(seed: 12)
        let n = 40, draws = 1000
        let y = sample(n, mean: 10, sd: 2, generator: &generator)
        let replicates = sample(n * draws, mean: 10, sd: 2, generator: &generator)
        let plot = PosteriorPredictiveStatistic(title: "pp_check stat", response: y, replicates: replicates)
        XCTAssertEqual(plot.counts.count, 30)
        XCTAssertEqual(plot.edges.count, 31)
        XCTAssertEqual(plot.counts.reduce(0, +), draws, "every draw in one bar")
        XCTAssertEqual(plot.observed, y.reduce(0, +) / Double(n), accuracy: 1e-12)
        // Each draw's mean, its bar, and the p-value, counted directly.
        var expectedCounts = [Int](repeating: 0, count: 30)
        var above = 0
        for s in 0..<draws {
            let mean = replicates[(s * n)..<((s + 1) * n)].reduce(0, +) / Double(n)
            XCTAssertEqual(plot.replicated[s], mean, accuracy: 1e-12)
            let bar = try XCTUnwrap(plot.edges.indices.dropLast().last { plot.edges[$0] <= mean })
            expectedCounts[min(bar, 29)] += 1
            if mean >= plot.observed { above += 1 }
        }
        XCTAssertEqual(plot.counts, expectedCounts)
        XCTAssertEqual(plot.pValue, Double(above) / Double(draws))
        XCTAssertLessThanOrEqual(plot.edges.first!, min(plot.replicated.min()!, plot.observed))
        XCTAssertGreaterThanOrEqual(plot.edges.last!, max(plot.replicated.max()!, plot.observed))
        let svg = plot.svg()
        let elements = assertWellFormedSVG(svg)
        XCTAssertGreaterThanOrEqual(elements.filter { $0 == "rect" }.count, plot.counts.filter { $0 > 0 }.count)
        XCTAssertEqual(elements.filter { $0 == "polyline" }.count, 1, "the line of T(y)")
        // A statistic outside the replicates' range widens the histogram to show it.
        let shifted = PosteriorPredictiveStatistic(title: "far", response: y.map { $0 + 100 }, replicates: replicates, bins: 10)
        XCTAssertEqual(shifted.pValue, 0)
        XCTAssertGreaterThanOrEqual(shifted.edges.last!, shifted.observed)
        XCTAssertEqual(shifted.counts.reduce(0, +), draws)
    }
}
