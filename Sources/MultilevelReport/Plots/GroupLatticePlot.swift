/// One panel of a per-group lattice: a group's data and its fitted curves (no pooling, partial
/// pooling, Bayesian, …).
public struct GroupPanel: Sendable {
    public var label: String
    public var dataX: [Double]
    public var dataY: [Double]
    public var curves: [FittedCurve]

    public init(label: String, dataX: [Double], dataY: [Double], curves: [FittedCurve]) {
        self.label = label
        self.dataX = dataX
        self.dataY = dataY
        self.curves = curves
    }
}

/// One panel per group as small multiples with shared axes (lme4's and brms' per-subject plots of
/// sleepstudy): data points and a line per method in each panel, bands where given, one legend.
public struct GroupLatticePlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var panels: [GroupPanel]
    /// Panels per row (near-square when nil).
    public var columns: Int?
    /// At most this many panels are drawn; with more groups, `shownPanels` picks them across the
    /// range of group sizes.
    public var maxPanels: Int

    public init(title: String, xLabel: String, yLabel: String, panels: [GroupPanel], columns: Int? = nil,
                maxPanels: Int = 30) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.panels = panels
        self.columns = columns
        self.maxPanels = maxPanels
    }

    /// The panels drawn: all of them when there are at most `maxPanels`; else `maxPanels` groups
    /// evenly spaced over the groups ranked by size (rows), always the smallest and the largest —
    /// small groups, which pooling moves most, and large ones, which it hardly moves (as Gelman &
    /// Hill's Figure 12.4 picks counties from Lac Qui Parle to St Louis) — in their original order.
    public var shownPanels: [GroupPanel] {
        let m = max(1, maxPanels)
        guard panels.count > m else { return panels }
        let ranked = panels.indices.sorted { (panels[$0].dataX.count, $0) < (panels[$1].dataX.count, $1) }
        let picked = m == 1 ? [ranked[0]]
            : (0..<m).map { ranked[Int((Double($0) * Double(panels.count - 1) / Double(m - 1)).rounded())] }
        return Set(picked).sorted().map { panels[$0] }
    }

    /// The SVG text; the height grows with the number of panel rows.
    public func svg(width: Double = 900, panelHeight: Double = 150) -> String {
        let panels = shownPanels
        var methods: [FittedCurve] = []
        for panel in panels { for curve in panel.curves where !methods.contains(where: { $0.method == curve.method }) { methods.append(curve) } }
        let legend = [LegendEntry(label: "data", swatch: .point(color: PlotPalette.data, hollow: true))] + methods.map(\.legendEntry)
        let columnCount = max(1, min(columns ?? Int(Double(max(1, panels.count)).squareRoot().rounded(.up)), max(1, panels.count)))
        let rowCount = (max(1, panels.count) + columnCount - 1) / columnCount
        let legendHeight = Legend.height(legend, maxWidth: width - 90)
        let height = 40 + legendHeight + 16 + Double(rowCount) * panelHeight + 60
        let subtitle = panels.count < self.panels.count
            ? "\(panels.count) of \(self.panels.count) groups, chosen evenly over the groups ranked by size" : nil
        var canvas = PlotCanvas(width: width, height: height + (subtitle == nil ? 0 : 18), title: title, subtitle: subtitle,
                                legend: legend, margins: (70, 20, 55))
        // Columns wide apart enough that the end tick labels of neighbouring panels do not touch.
        let layout = LatticeLayout(count: panels.count, area: canvas.content, columns: columnCount, gap: 14)
        let xRange = finiteExtent(panels.map(\.dataX) + panels.flatMap { $0.curves.map(\.x) }) ?? 0...1
        let yRange = finiteExtent(panels.map(\.dataY) + panels.flatMap { $0.curves.map(\.yValues) }) ?? 0...1
        for (k, group) in panels.enumerated() {
            layout.drawStrip(k, label: group.label, into: &canvas.document)
            let panel = CartesianPanel(area: layout.panel(k), xRange: xRange, yRange: yRange, xTickCount: 4, yTickCount: 4)
            panel.drawFrame(into: &canvas.document)
            panel.draw(bands: group.curves.compactMap(\.band), lines: group.curves.map(\.line),
                       points: [PointSeries(label: "data", x: group.dataX, y: group.dataY, color: PlotPalette.data,
                                            radius: 2, opacity: 0.8, hollow: true)],
                       into: &canvas.document)
            panel.drawAxes(into: &canvas.document, xTickLabels: layout.isBottomOfColumn(k), yTickLabels: layout.isFirstColumn(k),
                           fontSize: 9)
        }
        let area = canvas.content
        canvas.document.text(xLabel, x: area.x + area.width / 2, y: area.bottom + 36, size: 12, anchor: .middle)
        canvas.document.text(yLabel, x: 18, y: area.y + area.height / 2, size: 12, anchor: .middle, rotation: -90)
        return canvas.document.rendered
    }
}
