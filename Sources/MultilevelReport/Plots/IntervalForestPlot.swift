/// One method's estimate and interval for a parameter (OLS [CI], REML [profile CI], bootstrap
/// [percentile], Bayesian median [CrI], …).
public struct MethodInterval: Sendable {
    public var method: String
    public var estimate: Double
    public var lower: Double
    public var upper: Double
    public var color: String

    public init(method: String, estimate: Double, lower: Double, upper: Double, color: String) {
        self.method = method
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.color = color
    }
}

/// A parameter and its intervals by method.
public struct ForestParameter: Sendable {
    public var name: String
    public var intervals: [MethodInterval]

    public init(name: String, intervals: [MethodInterval]) {
        self.name = name
        self.intervals = intervals
    }
}

/// The interval comparison (a forest plot): one panel per parameter, each on its own scale, with a
/// row per method — the point estimate as a dot and the interval as a horizontal bar — so that the
/// methods' intervals for one parameter can be compared at a glance.
public struct IntervalForestPlot: Sendable {
    public var title: String
    public var parameters: [ForestParameter]

    public init(title: String, parameters: [ForestParameter]) {
        self.title = title
        self.parameters = parameters
    }

    public func svg(width: Double = 760) -> String {
        var methods: [MethodInterval] = []
        for parameter in parameters {
            for interval in parameter.intervals where !methods.contains(where: { $0.method == interval.method }) { methods.append(interval) }
        }
        let legend = methods.map { LegendEntry(label: $0.method, swatch: .point(color: $0.color, hollow: false)) }
        let rowHeight = 16.0, panelGap = 44.0, strip = 18.0
        let labelWidth = max(90, (methods.map { Legend.textWidth($0.method, size: 11) }.max() ?? 60) + 20)
        let panelHeights = parameters.map { Double(max(1, $0.intervals.count)) * rowHeight + 10 }
        let legendHeight = Legend.height(legend, maxWidth: width - labelWidth - 20)
        // Strips and panels, the gaps between panels, and room for the last panel's tick labels.
        let height = 40 + legendHeight + 10 + panelHeights.reduce(0, +) + Double(parameters.count) * strip
            + Double(max(0, parameters.count - 1)) * panelGap + 30
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend, margins: (labelWidth, 20, 10))
        var top = canvas.content.y
        for (k, parameter) in parameters.enumerated() {
            let stripRect = PlotRect(x: canvas.content.x, y: top, width: canvas.content.width, height: strip)
            canvas.document.rect(x: stripRect.x, y: stripRect.y, width: stripRect.width, height: stripRect.height,
                                 style: SVGStyle(stroke: "#888888", strokeWidth: 1, fill: "#e3e8f0"))
            canvas.document.text(parameter.name, x: stripRect.x + 6, y: stripRect.y + 13, size: 11, bold: true)
            let area = PlotRect(x: canvas.content.x, y: top + strip, width: canvas.content.width, height: panelHeights[k])
            let values = parameter.intervals.flatMap { [$0.estimate, $0.lower, $0.upper] }
            let count = parameter.intervals.count
            let panel = CartesianPanel(area: area, xRange: finiteExtent([values]) ?? 0...1, yRange: 0...Double(max(1, count)),
                                       xTickCount: 6)
            panel.drawFrame(into: &canvas.document, grid: false)
            for value in panel.visible(panel.xTicks, panel.x) {
                let px = panel.x.position(value)
                canvas.document.line(x1: px, y1: area.y, x2: px, y2: area.bottom, style: .line("#e0e0e0", width: 1))
            }
            for (row, interval) in parameter.intervals.enumerated() {
                let y = area.y + 5 + (Double(row) + 0.5) * rowHeight
                canvas.document.text(interval.method, x: area.x - 8, y: y + 4, size: 11, anchor: .end)
                if interval.lower.isFinite && interval.upper.isFinite {
                    canvas.document.line(x1: panel.x.position(interval.lower), y1: y, x2: panel.x.position(interval.upper), y2: y,
                                         style: .line(interval.color, width: 2.5))
                }
                canvas.document.circle(cx: panel.x.position(interval.estimate), cy: y, r: 4,
                                       style: SVGStyle(stroke: "white", strokeWidth: 1, fill: interval.color))
            }
            panel.drawAxes(into: &canvas.document, yTickLabels: false, fontSize: 10)
            top += strip + panelHeights[k] + panelGap
        }
        return canvas.document.rendered
    }
}
