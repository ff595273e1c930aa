/// One entry of a plot legend: a label and the swatch that stands for it.
public struct LegendEntry: Sendable {
    public enum Swatch: Sendable {
        case line(color: String, dash: [Double]?)
        /// A line (dashed when `dash` is set) over a light band: an estimate with its interval.
        case lineWithBand(color: String, dash: [Double]? = nil)
        case band(color: String)
        case point(color: String, hollow: Bool)
    }

    public var label: String
    public var swatch: Swatch

    public init(label: String, swatch: Swatch) {
        self.label = label
        self.swatch = swatch
    }
}

/// A legend laid out in rows: entries left to right, wrapping at `maxWidth`.
public enum Legend {
    static let swatchWidth = 22.0

    /// Approximate width of `text` at `size` (Helvetica averages about 0.55 em per character).
    public static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.56
    }

    /// The height the legend takes at this width.
    public static func height(_ entries: [LegendEntry], maxWidth: Double, fontSize: Double = 11) -> Double {
        Double(rows(entries, maxWidth: maxWidth, fontSize: fontSize).count) * (fontSize + 8)
    }

    static func rows(_ entries: [LegendEntry], maxWidth: Double, fontSize: Double) -> [[(entry: LegendEntry, width: Double)]] {
        var rows: [[(entry: LegendEntry, width: Double)]] = []
        var current: [(entry: LegendEntry, width: Double)] = []
        var used = 0.0
        for entry in entries {
            let width = swatchWidth + 6 + textWidth(entry.label, size: fontSize) + 16
            if !current.isEmpty && used + width > maxWidth {
                rows.append(current)
                current = []
                used = 0
            }
            current.append((entry, width))
            used += width
        }
        if !current.isEmpty { rows.append(current) }
        return rows
    }

    /// Draws the legend with its top-left corner at (x, y); returns the height used.
    @discardableResult
    public static func draw(_ entries: [LegendEntry], into document: inout SVGDocument, x: Double, y: Double,
                            maxWidth: Double, fontSize: Double = 11) -> Double {
        let rowHeight = fontSize + 8
        for (r, row) in rows(entries, maxWidth: maxWidth, fontSize: fontSize).enumerated() {
            var px = x
            let middle = y + Double(r) * rowHeight + rowHeight / 2
            for (entry, width) in row {
                switch entry.swatch {
                case .line(let color, let dash):
                    document.line(x1: px, y1: middle, x2: px + swatchWidth, y2: middle, style: .line(color, width: 2, dash: dash))
                case .lineWithBand(let color, let dash):
                    document.rect(x: px, y: middle - 5, width: swatchWidth, height: 10, style: .filled(color, opacity: 0.2))
                    document.line(x1: px, y1: middle, x2: px + swatchWidth, y2: middle, style: .line(color, width: 2, dash: dash))
                case .band(let color):
                    document.rect(x: px, y: middle - 5, width: swatchWidth, height: 10, style: .filled(color, opacity: 0.3))
                case .point(let color, let hollow):
                    document.circle(cx: px + swatchWidth / 2, cy: middle, r: 3.5,
                                    style: hollow ? .line(color, width: 1.2) : .filled(color))
                }
                document.text(entry.label, x: px + swatchWidth + 6, y: middle + fontSize * 0.35, size: fontSize)
                px += width
            }
        }
        return Double(rows(entries, maxWidth: maxWidth, fontSize: fontSize).count) * rowHeight
    }
}
