/// The population-level fit against one predictor: the data as points and one curve per method
/// (an OLS line with its confidence band, the REML line with a bootstrap band, a Bayesian median
/// line with a credible band, …), in a single panel with a legend.
public struct PopulationFitPlot: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    /// Observed (x, y).
    public var dataX: [Double]
    public var dataY: [Double]
    public var curves: [FittedCurve]

    public init(title: String, xLabel: String, yLabel: String, dataX: [Double], dataY: [Double], curves: [FittedCurve]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.dataX = dataX
        self.dataY = dataY
        self.curves = curves
    }

    /// The SVG text.
    public func svg(width: Double = 760, height: Double = 520) -> String {
        let legend = [LegendEntry(label: "data", swatch: .point(color: PlotPalette.data, hollow: true))] + curves.map(\.legendEntry)
        var canvas = PlotCanvas(width: width, height: height, title: title, legend: legend)
        let xRange = finiteExtent([dataX] + curves.map(\.x)) ?? 0...1
        let yRange = finiteExtent([dataY] + curves.map(\.yValues)) ?? 0...1
        let panel = CartesianPanel(area: canvas.content, xRange: xRange, yRange: yRange)
        panel.drawFrame(into: &canvas.document)
        panel.draw(bands: curves.compactMap(\.band), lines: curves.map(\.line),
                   points: [PointSeries(label: "data", x: dataX, y: dataY, color: PlotPalette.data, radius: 2.5,
                                        opacity: 0.7, hollow: true)],
                   into: &canvas.document)
        panel.drawAxes(into: &canvas.document, xLabel: xLabel, yLabel: yLabel)
        return canvas.document.rendered
    }
}
