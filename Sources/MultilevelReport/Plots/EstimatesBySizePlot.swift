import Foundation

/// One group's estimate ± standard error under one method.
public struct SizedEstimate: Sendable {
    public var label: String
    public var size: Int
    public var estimate: Double
    public var standardError: Double

    public init(label: String, size: Int, estimate: Double, standardError: Double) {
        self.label = label
        self.size = size
        self.estimate = estimate
        self.standardError = standardError
    }
}

/// Group estimates ± 1 SE against group size on a log scale, one panel per method side by side,
/// with the population estimate as a horizontal line — Gelman & Hill (2006), Figure 12.1 (radon:
/// county intercepts, no pooling beside multilevel): small groups scatter widely without pooling
/// and are pulled to the mean with it.
public struct EstimatesBySizePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// (method name, colour, estimates) per panel.
    public var panels: [(method: String, color: String, estimates: [SizedEstimate])]
    public var population: Double?

    public init(title: String, xLabel: String, yLabel: String,
                panels: [(method: String, color: String, estimates: [SizedEstimate])], population: Double? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.panels = panels
        self.population = population
    }

    /// A deterministic jitter in ±0.04 decades from the group's position, so equal sizes do not overlap.
    static func jitter(_ index: Int) -> Double {
        let golden = 0.618_033_988_749_895
        let fraction = (Double(index) * golden).truncatingRemainder(dividingBy: 1)
        return (fraction - 0.5) * 0.08
    }

    public func svg(width: Double = 900, height: Double = 480) -> String {
        let legend = population.map { _ in [LegendEntry(label: "population estimate", swatch: .line(color: PlotPalette.population, dash: [5, 3]))] } ?? []
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend, margins: (70, 20, 55))
        let all = panels.flatMap(\.estimates)
        let logSizes = all.map { log10(Double(max(1, $0.size))) }
        // At least 0.8 decades wide, so groups of (nearly) equal size still get 1-2-5 ticks around them.
        let xRange = (finiteExtent([logSizes]).map { extent -> ClosedRange<Double> in
            let half = max(0.4, (extent.upperBound - extent.lowerBound) / 2 + 0.1)
            let middle = (extent.lowerBound + extent.upperBound) / 2
            return (middle - half)...(middle + half)
        }) ?? 0...1
        let ys = all.flatMap { [$0.estimate - $0.standardError, $0.estimate + $0.standardError] } + (population.map { [$0] } ?? [])
        let yRange = finiteExtent([ys]) ?? 0...1
        let layout = LatticeLayout(count: panels.count, area: canvas.content, columns: panels.count, gap: 14, stripHeight: 18)
        for (k, entry) in panels.enumerated() {
            layout.drawStrip(k, label: entry.method, into: &canvas.document, fontSize: 11)
            let panel = CartesianPanel(area: layout.panel(k), xRange: xRange, yRange: yRange)
            panel.drawFrame(into: &canvas.document, grid: false)
            let decadeTicks = EstimatesBySizePlot.logTicks(panel.x.domain)
            for tick in decadeTicks {
                let px = panel.x.position(log10(tick))
                canvas.document.line(x1: px, y1: panel.area.y, x2: px, y2: panel.area.bottom, style: .line("#e0e0e0", width: 1))
                canvas.document.line(x1: px, y1: panel.area.bottom, x2: px, y2: panel.area.bottom + 4, style: .line("#888888", width: 1))
                canvas.document.text(String(format: "%g", tick), x: px, y: panel.area.bottom + 16, size: 10, anchor: .middle, color: "#444444")
            }
            canvas.document.beginClippedGroup(x: panel.area.x, y: panel.area.y, width: panel.area.width, height: panel.area.height)
            if let population {
                let py = panel.y.position(population)
                canvas.document.line(x1: panel.area.x, y1: py, x2: panel.area.right, y2: py,
                                     style: .line(PlotPalette.population, width: 1.5, dash: [5, 3]))
            }
            for (i, estimate) in entry.estimates.enumerated() {
                let lx = log10(Double(max(1, estimate.size))) + EstimatesBySizePlot.jitter(i)
                let top = panel.point(lx, estimate.estimate + estimate.standardError)
                let bottom = panel.point(lx, estimate.estimate - estimate.standardError)
                canvas.document.line(x1: top.x, y1: top.y, x2: bottom.x, y2: bottom.y, style: .line(entry.color, width: 1, opacity: 0.6))
                let p = panel.point(lx, estimate.estimate)
                canvas.document.circle(cx: p.x, cy: p.y, r: 2.2, style: .filled(entry.color))
            }
            canvas.document.endGroup()
            panel.drawAxes(into: &canvas.document, yLabel: k == 0 ? yLabel : nil, xTickLabels: false, yTickLabels: k == 0, fontSize: 10)
        }
        let area = canvas.content
        canvas.document.text(xLabel, x: area.x + area.width / 2, y: area.bottom + 38, size: 12, anchor: .middle)
        return canvas.document.rendered
    }

    /// 1-2-5 ticks (in data units) whose log10 lies within `domain`.
    static func logTicks(_ domain: ClosedRange<Double>) -> [Double] {
        var ticks: [Double] = []
        var decade = pow(10, domain.lowerBound.rounded(.down))
        while log10(decade) <= domain.upperBound {
            for m in [1.0, 2, 5] {
                let value = m * decade
                if log10(value) >= domain.lowerBound && log10(value) <= domain.upperBound { ticks.append(value) }
            }
            decade *= 10
        }
        return ticks
    }
}
