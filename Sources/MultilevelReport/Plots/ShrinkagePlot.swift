import Foundation

/// One group's estimates for a shrinkage plot: no pooling (its own least-squares fit) and partial
/// pooling (the mixed model's conditional mode plus the population estimate), with its size.
public struct ShrinkageGroup: Sendable {
    public var label: String
    public var size: Int
    /// One coordinate (e.g. the intercept) or two (intercept and slope).
    public var noPooling: [Double]
    public var partialPooling: [Double]

    public init(label: String, size: Int, noPooling: [Double], partialPooling: [Double]) {
        self.label = label
        self.size = size
        self.noPooling = noPooling
        self.partialPooling = partialPooling
    }
}

/// The shrinkage plot: an arrow per group from its no-pooling estimate to its partial-pooling
/// estimate, point areas proportional to group size. With two coordinates (intercept, slope) the
/// arrows move in the plane towards the population estimate (the plot of Bates' lme4 course and
/// Gelman & Hill 2006, §12.4); with one they run from a "no pooling" column to a "partial pooling"
/// column, the population estimate drawn as a horizontal line.
public struct ShrinkagePlot: Sendable {
    public var title: String
    /// Names of the coordinates (`Intercept`, `Days`).
    public var coordinateNames: [String]
    public var groups: [ShrinkageGroup]
    /// The population-level estimate in the same coordinates, if known.
    public var population: [Double]?

    public init(title: String, coordinateNames: [String], groups: [ShrinkageGroup], population: [Double]? = nil) {
        self.title = title
        self.coordinateNames = coordinateNames
        self.groups = groups
        self.population = population
    }

    /// Point radius for a group of `size` rows: area ∝ size, the largest group at radius 7.
    func radius(_ size: Int) -> Double {
        let largest = Double(groups.map(\.size).max() ?? 1)
        return max(1.8, 7 * (Double(max(size, 0)) / max(largest, 1)).squareRoot())
    }

    public func svg(width: Double = 720, height: Double = 560) -> String {
        coordinateNames.count >= 2 ? planeSVG(width: width, height: height) : columnsSVG(width: width, height: height)
    }

    private var legend: [LegendEntry] {
        var entries = [LegendEntry(label: "no pooling", swatch: .point(color: PlotPalette.noPooling, hollow: false)),
                       LegendEntry(label: "partial pooling", swatch: .point(color: PlotPalette.partialPooling, hollow: false))]
        if population != nil {
            entries.append(LegendEntry(label: "population estimate", swatch: coordinateNames.count >= 2
                ? .point(color: PlotPalette.population, hollow: false) : .line(color: PlotPalette.population, dash: [5, 3])))
        }
        return entries
    }

    private func planeSVG(width: Double, height: Double) -> String {
        var canvas = PlotCanvas(width: width, height: height, title: title,
                                subtitle: "arrows from each group's own fit to its mixed-model estimate; point area ∝ group size",
                                legend: legend)
        let xs = groups.flatMap { [$0.noPooling[0], $0.partialPooling[0]] } + (population.map { [$0[0]] } ?? [])
        let ys = groups.flatMap { [$0.noPooling[1], $0.partialPooling[1]] } + (population.map { [$0[1]] } ?? [])
        let panel = CartesianPanel(area: canvas.content, xRange: finiteExtent([xs]) ?? 0...1, yRange: finiteExtent([ys]) ?? 0...1)
        panel.drawFrame(into: &canvas.document)
        canvas.document.beginClippedGroup(x: panel.area.x, y: panel.area.y, width: panel.area.width, height: panel.area.height)
        for group in groups {
            let start = panel.point(group.noPooling[0], group.noPooling[1])
            let end = panel.point(group.partialPooling[0], group.partialPooling[1])
            // From the edge of one point to the edge of the other, so the head stays visible.
            let dx = end.x - start.x, dy = end.y - start.y
            let length = (dx * dx + dy * dy).squareRoot()
            let r = radius(group.size)
            guard length > 2 * r + 2 else { continue }
            canvas.document.arrow(from: (start.x + dx / length * r, start.y + dy / length * r),
                                  to: (end.x - dx / length * (r + 1), end.y - dy / length * (r + 1)),
                                  color: "#666666", width: 1, headLength: 7)
        }
        for group in groups {
            let start = panel.point(group.noPooling[0], group.noPooling[1])
            let end = panel.point(group.partialPooling[0], group.partialPooling[1])
            canvas.document.circle(cx: start.x, cy: start.y, r: radius(group.size), style: .filled(PlotPalette.noPooling, opacity: 0.75))
            canvas.document.circle(cx: end.x, cy: end.y, r: radius(group.size), style: .filled(PlotPalette.partialPooling, opacity: 0.75))
        }
        if let population {
            let p = panel.point(population[0], population[1])
            canvas.document.polygon([(p.x, p.y - 7), (p.x + 7, p.y), (p.x, p.y + 7), (p.x - 7, p.y)],
                                    style: SVGStyle(stroke: "white", strokeWidth: 1, fill: PlotPalette.population))
        }
        canvas.document.endGroup()
        panel.drawAxes(into: &canvas.document, xLabel: coordinateNames[0], yLabel: coordinateNames[1])
        return canvas.document.rendered
    }

    private func columnsSVG(width: Double, height: Double) -> String {
        var canvas = PlotCanvas(width: width, height: height, title: title,
                                subtitle: "each group's own estimate (left) and its mixed-model estimate (right); point area ∝ group size",
                                legend: legend)
        let ys = groups.flatMap { [$0.noPooling[0], $0.partialPooling[0]] } + (population ?? [])
        let panel = CartesianPanel(area: canvas.content, xRange: -0.25...1.25, yRange: finiteExtent([ys]) ?? 0...1)
        panel.drawFrame(into: &canvas.document, grid: false)
        for value in panel.visible(panel.yTicks, panel.y) {
            let py = panel.y.position(value)
            canvas.document.line(x1: panel.area.x, y1: py, x2: panel.area.right, y2: py, style: .line("#e0e0e0", width: 1))
        }
        canvas.document.beginClippedGroup(x: panel.area.x, y: panel.area.y, width: panel.area.width, height: panel.area.height)
        if let population {
            let py = panel.y.position(population[0])
            canvas.document.line(x1: panel.area.x, y1: py, x2: panel.area.right, y2: py, style: .line(PlotPalette.population, width: 1.5, dash: [5, 3]))
        }
        for group in groups {
            let start = panel.point(0, group.noPooling[0]), end = panel.point(1, group.partialPooling[0])
            canvas.document.arrow(from: (start.x + radius(group.size), start.y), to: (end.x - radius(group.size), end.y),
                                  color: "#999999", width: 0.8, headLength: 6)
        }
        for group in groups {
            let start = panel.point(0, group.noPooling[0]), end = panel.point(1, group.partialPooling[0])
            canvas.document.circle(cx: start.x, cy: start.y, r: radius(group.size), style: .filled(PlotPalette.noPooling, opacity: 0.7))
            canvas.document.circle(cx: end.x, cy: end.y, r: radius(group.size), style: .filled(PlotPalette.partialPooling, opacity: 0.7))
        }
        canvas.document.endGroup()
        panel.drawAxes(into: &canvas.document, yLabel: coordinateNames.first, xTickLabels: false)
        for (k, label) in ["no pooling", "partial pooling"].enumerated() {
            canvas.document.text(label, x: panel.x.position(Double(k)), y: panel.area.bottom + 18, size: 12, anchor: .middle)
        }
        return canvas.document.rendered
    }
}
