import Foundation

/// The test-statistic check of a posterior predictive check — brms' `pp_check(fit, type = "stat",
/// stat = "mean")`, bayesplot's `ppc_stat` (Gelman, Meng & Stern 1996, *Posterior predictive
/// assessment of model fitness via realized discrepancies*, Statistica Sinica 6): the histogram of
/// T(y_rep) = mean(y_rep) over every posterior draw, with T(y) = mean(y) as a vertical line, and the
/// posterior predictive p-value P(T(y_rep) ≥ T(y)).
public struct PosteriorPredictiveStatistic: Sendable {
    public var title: String
    /// T(y).
    public var observed: Double
    /// T(y_rep) per draw.
    public var replicated: [Double]
    /// Histogram bin edges (bins + 1, equal width, covering T(y_rep) and T(y)) and counts per bin.
    public var edges: [Double]
    public var counts: [Int]
    /// The share of draws with T(y_rep) ≥ T(y).
    public var pValue: Double

    /// The check of the mean: `response` is y, `replicates` y_rep draw-major (`replicates[s * n + i]`,
    /// as `PosteriorPredictive.replicates`), `bins` bars (bayesplot's default 30).
    public init(title: String, response: [Double], replicates: [Double], bins: Int = 30) {
        self.title = title
        let n = response.count
        let observed = response.reduce(0, +) / Double(max(n, 1))
        self.observed = observed
        let draws = n > 0 ? replicates.count / n : 0
        var means = [Double](repeating: 0, count: draws)
        for s in 0..<draws {
            var sum = 0.0
            for i in 0..<n { sum += replicates[s * n + i] }
            means[s] = sum / Double(n)
        }
        replicated = means
        let finite = means.filter(\.isFinite)
        pValue = finite.isEmpty ? .nan : Double(finite.filter { $0 >= observed }.count) / Double(finite.count)
        let bins = max(1, bins)
        var low = min(finite.min() ?? observed, observed), high = max(finite.max() ?? observed, observed)
        if !(high > low) { low -= 0.5; high += 0.5 }
        let width = (high - low) / Double(bins)
        let edges = (0...bins).map { low + Double($0) * width }
        self.edges = edges
        var counts = [Int](repeating: 0, count: bins)
        for value in finite {
            // Bins are [edge k, edge k+1) except the last, which is closed; the division's rounding
            // is corrected against the edges themselves.
            var k = min(bins - 1, max(0, Int(((value - low) / width).rounded(.down))))
            while k + 1 < bins && value >= edges[k + 1] { k += 1 }
            while k > 0 && value < edges[k] { k -= 1 }
            counts[k] += 1
        }
        self.counts = counts
    }

    public func svg(width: Double = 760, height: Double = 460) -> String {
        let legend = [LegendEntry(label: "T(y_rep) = mean(y_rep), \(replicated.count) draws", swatch: .band(color: "#6baed6")),
                      LegendEntry(label: "T(y) = mean(y)", swatch: .line(color: "#08306b", dash: nil))]
        let subtitle = "P(T(y_rep) ≥ T(y)) = " + String(format: "%.3f", pValue)
        var canvas = PlotCanvas(width: width, height: height, title: title, subtitle: subtitle, legend: legend, margins: (70, 20, 50))
        let top = Double(counts.max() ?? 1)
        let panel = CartesianPanel(area: canvas.content, xRange: edges.first!...edges.last!, yRange: 0...max(1, top),
                                   xTickCount: 6, yTickCount: 4)
        panel.drawFrame(into: &canvas.document)
        canvas.document.beginClippedGroup(x: panel.area.x, y: panel.area.y, width: panel.area.width, height: panel.area.height)
        for (k, count) in counts.enumerated() where count > 0 {
            let (x0, y0) = panel.point(edges[k], Double(count))
            let (x1, y1) = panel.point(edges[k + 1], 0)
            canvas.document.rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0,
                                 style: SVGStyle(stroke: "#ffffff", strokeWidth: 0.5, fill: "#6baed6"))
        }
        canvas.document.endGroup()
        panel.draw(lines: [LineSeries(label: "T(y)", x: [observed, observed], y: [0, max(1, top)], color: "#08306b", width: 2.2)],
                   into: &canvas.document)
        panel.drawAxes(into: &canvas.document, xLabel: "mean", yLabel: "draws")
        return canvas.document.rendered
    }
}
