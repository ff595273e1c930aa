/// The common frame of every plot: a document with the title at the top, the legend below it, and
/// the remaining content area inside the given margins (room for tick labels and axis titles).
struct PlotCanvas {
    var document: SVGDocument
    /// Where panels go.
    let content: PlotRect

    static let titleSize = 15.0

    init(width: Double, height: Double, title: String, subtitle: String? = nil, legend: [LegendEntry],
         margins: (left: Double, right: Double, bottom: Double) = (70, 20, 50)) {
        var document = SVGDocument(width: width, height: height, title: title)
        var top = 10.0
        document.text(title, x: width / 2, y: top + PlotCanvas.titleSize, size: PlotCanvas.titleSize, anchor: .middle, bold: true)
        top += PlotCanvas.titleSize + 8
        if let subtitle {
            document.text(subtitle, x: width / 2, y: top + 11, size: 11, anchor: .middle, color: "#555555")
            top += 18
        }
        if !legend.isEmpty {
            top += Legend.draw(legend, into: &document, x: margins.left, y: top, maxWidth: width - margins.left - margins.right) + 6
        } else {
            top += 6
        }
        self.document = document
        content = PlotRect(x: margins.left, y: top, width: width - margins.left - margins.right,
                           height: max(40, height - top - margins.bottom))
    }
}

/// A method's fitted curve over x (an estimate line) with an optional interval band around it — the
/// unit from which the fit plots are built. Callers compute the numbers: an OLS line and its
/// confidence band, a REML line with a bootstrap band, a posterior median line with a credible band.
public struct FittedCurve: Sendable {
    public var method: String
    public var x: [Double]
    public var estimate: [Double]
    public var lower: [Double]?
    public var upper: [Double]?
    public var color: String
    public var dash: [Double]?

    public init(method: String, x: [Double], estimate: [Double], lower: [Double]? = nil, upper: [Double]? = nil,
                color: String, dash: [Double]? = nil) {
        self.method = method
        self.x = x
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.color = color
        self.dash = dash
    }

    var line: LineSeries { LineSeries(label: method, x: x, y: estimate, color: color, dash: dash) }

    var band: BandSeries? {
        guard let lower, let upper else { return nil }
        return BandSeries(label: method, x: x, lower: lower, upper: upper, color: color, opacity: 0.18)
    }

    var legendEntry: LegendEntry {
        LegendEntry(label: method, swatch: band != nil ? .lineWithBand(color: color, dash: dash) : .line(color: color, dash: dash))
    }

    /// Every y value the curve draws.
    var yValues: [Double] { estimate + (lower ?? []) + (upper ?? []) }
}
