import Foundation

/// A rectangle in pixels (y down).
public struct PlotRect: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var right: Double { x + width }
    public var bottom: Double { y + height }
}

/// An affine map from a data interval onto a pixel interval (reversed for a y axis).
public struct LinearScale: Sendable, Equatable {
    public var domain: ClosedRange<Double>
    public var start: Double
    public var end: Double

    public init(domain: ClosedRange<Double>, start: Double, end: Double) {
        self.domain = domain
        self.start = start
        self.end = end
    }

    /// The pixel position of a data value.
    public func position(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return (start + end) / 2 }
        return start + (value - domain.lowerBound) / span * (end - start)
    }
}

/// The smallest and largest finite values of several arrays, nil when there are none.
public func finiteExtent(_ arrays: [[Double]]) -> ClosedRange<Double>? {
    var low = Double.infinity, high = -Double.infinity
    for array in arrays { for v in array where v.isFinite { low = min(low, v); high = max(high, v) } }
    return low <= high ? low...high : nil
}

/// One x–y panel of a plot: its pixel area, nice ticks covering the data ranges, the scales, and
/// drawing of the frame, grid, axes with tick labels and axis titles, and of series clipped to the
/// area.
public struct CartesianPanel: Sendable {
    public let area: PlotRect
    public let xTicks: NiceTicks
    public let yTicks: NiceTicks
    public let x: LinearScale
    public let y: LinearScale

    /// A panel showing `xRange` × `yRange` (widened to the enclosing ticks when `extendToTicks`,
    /// else padded by 4%).
    public init(area: PlotRect, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, xTickCount: Int = 6,
                yTickCount: Int = 5, extendToTicks: Bool = false) {
        self.area = area
        func padded(_ range: ClosedRange<Double>, _ ticks: NiceTicks) -> ClosedRange<Double> {
            if extendToTicks { return ticks.domain }
            let span = range.upperBound - range.lowerBound
            let pad = span > 0 ? 0.04 * span : ticks.spacing
            return (range.lowerBound - pad)...(range.upperBound + pad)
        }
        /// Loose labels can leave only one or two ticks inside a padded (not extended) axis; ask
        /// for more until at least three fall inside.
        func ticks(_ range: ClosedRange<Double>, count: Int) -> NiceTicks {
            var ticks = NiceTicks(minimum: range.lowerBound, maximum: range.upperBound, count: count)
            var wanted = count
            while !extendToTicks && wanted < count + 8 {
                let domain = padded(range, ticks)
                if ticks.values.filter({ domain.contains($0) }).count >= 3 { break }
                wanted += 2
                ticks = NiceTicks(minimum: range.lowerBound, maximum: range.upperBound, count: wanted)
            }
            return ticks
        }
        let xt = ticks(xRange, count: xTickCount), yt = ticks(yRange, count: yTickCount)
        let xDomain = padded(xRange, xt), yDomain = padded(yRange, yt)
        xTicks = xt
        yTicks = yt
        x = LinearScale(domain: xDomain, start: area.x, end: area.right)
        y = LinearScale(domain: yDomain, start: area.bottom, end: area.y)
    }

    /// The pixel position of a data point.
    public func point(_ dataX: Double, _ dataY: Double) -> (x: Double, y: Double) {
        (x.position(dataX), y.position(dataY))
    }

    /// Ticks inside the visible domain.
    func visible(_ ticks: NiceTicks, _ scale: LinearScale) -> [Double] {
        let tolerance = 1e-9 * (scale.domain.upperBound - scale.domain.lowerBound)
        return ticks.values.filter { $0 >= scale.domain.lowerBound - tolerance && $0 <= scale.domain.upperBound + tolerance }
    }

    /// Background, light grid lines at the ticks and the frame.
    public func drawFrame(into document: inout SVGDocument, grid: Bool = true) {
        document.rect(x: area.x, y: area.y, width: area.width, height: area.height, style: .filled("#f7f7f7"))
        if grid {
            for value in visible(xTicks, x) {
                let px = x.position(value)
                document.line(x1: px, y1: area.y, x2: px, y2: area.bottom, style: .line("#e0e0e0", width: 1))
            }
            for value in visible(yTicks, y) {
                let py = y.position(value)
                document.line(x1: area.x, y1: py, x2: area.right, y2: py, style: .line("#e0e0e0", width: 1))
            }
        }
        document.rect(x: area.x, y: area.y, width: area.width, height: area.height, style: .line("#888888", width: 1))
    }

    /// Tick marks and labels on the bottom and left sides, and the axis titles.
    public func drawAxes(into document: inout SVGDocument, xLabel: String? = nil, yLabel: String? = nil,
                         xTickLabels: Bool = true, yTickLabels: Bool = true, fontSize: Double = 11) {
        if xTickLabels {
            for value in visible(xTicks, x) {
                let px = x.position(value)
                document.line(x1: px, y1: area.bottom, x2: px, y2: area.bottom + 4, style: .line("#888888", width: 1))
                document.text(xTicks.label(value), x: px, y: area.bottom + 6 + fontSize, size: fontSize, anchor: .middle, color: "#444444")
            }
        }
        if yTickLabels {
            for value in visible(yTicks, y) {
                let py = y.position(value)
                document.line(x1: area.x - 4, y1: py, x2: area.x, y2: py, style: .line("#888888", width: 1))
                document.text(yTicks.label(value), x: area.x - 6, y: py + fontSize * 0.35, size: fontSize, anchor: .end, color: "#444444")
            }
        }
        if let xLabel {
            document.text(xLabel, x: area.x + area.width / 2, y: area.bottom + 2 * fontSize + 12, size: fontSize + 1, anchor: .middle)
        }
        if let yLabel {
            let px = area.x - yLabelOffset(fontSize: fontSize)
            document.text(yLabel, x: px, y: area.y + area.height / 2, size: fontSize + 1, anchor: .middle, rotation: -90)
        }
    }

    /// Horizontal distance from the panel's left edge to the y-axis title: past the widest label.
    func yLabelOffset(fontSize: Double) -> Double {
        let widest = visible(yTicks, y).map { Double(yTicks.label($0).count) }.max() ?? 1
        return 10 + widest * fontSize * 0.6 + fontSize * 0.6
    }

    /// Draws series clipped to the panel: bands first, then lines, then points.
    public func draw(bands: [BandSeries] = [], lines: [LineSeries] = [], points: [PointSeries] = [],
                     into document: inout SVGDocument) {
        document.beginClippedGroup(x: area.x, y: area.y, width: area.width, height: area.height)
        for band in bands { draw(band, into: &document) }
        for line in lines { draw(line, into: &document) }
        for series in points { draw(series, into: &document) }
        document.endGroup()
    }

    func draw(_ band: BandSeries, into document: inout SVGDocument) {
        let count = min(band.x.count, band.lower.count, band.upper.count)
        var upper: [(x: Double, y: Double)] = [], lower: [(x: Double, y: Double)] = []
        for i in 0..<count where band.x[i].isFinite && band.lower[i].isFinite && band.upper[i].isFinite {
            upper.append(point(band.x[i], band.upper[i]))
            lower.append(point(band.x[i], band.lower[i]))
        }
        document.polygon(upper + lower.reversed(), style: .filled(band.color, opacity: band.opacity))
    }

    func draw(_ line: LineSeries, into document: inout SVGDocument) {
        let count = min(line.x.count, line.y.count)
        document.polyline((0..<count).map { point(line.x[$0], line.y[$0]) },
                          style: .line(line.color, width: line.width, opacity: line.opacity, dash: line.dash))
    }

    func draw(_ series: PointSeries, into document: inout SVGDocument) {
        let count = min(series.x.count, series.y.count)
        let style = series.hollow
            ? SVGStyle(stroke: series.color, strokeWidth: 1.2, strokeOpacity: series.opacity, fill: "none")
            : SVGStyle(fill: series.color, fillOpacity: series.opacity)
        for i in 0..<count {
            let p = point(series.x[i], series.y[i])
            let r = series.radii.map { i < $0.count ? $0[i] : series.radius } ?? series.radius
            document.circle(cx: p.x, cy: p.y, r: r, style: style)
        }
    }
}
