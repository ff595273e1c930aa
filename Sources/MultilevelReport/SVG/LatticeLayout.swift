/// Small multiples (Tufte 1983; the lattice layout of Sarkar's `lattice`, after Cleveland's
/// trellis displays): `count` equally sized panels in rows and columns over an area, each with a
/// strip above it for its label; panels share axes, so tick labels go on the left column and the
/// bottom panel of each column only.
public struct LatticeLayout: Sendable {
    public let count: Int
    public let columns: Int
    public let rows: Int
    public let area: PlotRect
    public let gap: Double
    public let stripHeight: Double

    /// A layout of `count` panels; `columns` defaults to the near-square ⌈√count⌉.
    public init(count: Int, area: PlotRect, columns: Int? = nil, gap: Double = 6, stripHeight: Double = 16) {
        self.count = max(1, count)
        let c = max(1, min(columns ?? Int(Double(self.count).squareRoot().rounded(.up)), self.count))
        self.columns = c
        rows = (self.count + c - 1) / c
        self.area = area
        self.gap = gap
        self.stripHeight = stripHeight
    }

    var cellWidth: Double { (area.width - Double(columns - 1) * gap) / Double(columns) }
    var cellHeight: Double { (area.height - Double(rows - 1) * gap) / Double(rows) }

    /// The label strip of panel `index` (row-major from the top left).
    public func strip(_ index: Int) -> PlotRect {
        let (r, c) = (index / columns, index % columns)
        return PlotRect(x: area.x + Double(c) * (cellWidth + gap), y: area.y + Double(r) * (cellHeight + gap),
                        width: cellWidth, height: stripHeight)
    }

    /// The plotting area of panel `index`, below its strip.
    public func panel(_ index: Int) -> PlotRect {
        let s = strip(index)
        return PlotRect(x: s.x, y: s.y + stripHeight, width: cellWidth, height: cellHeight - stripHeight)
    }

    /// Whether panel `index` is in the first column (it shows y tick labels).
    public func isFirstColumn(_ index: Int) -> Bool { index % columns == 0 }

    /// Whether no panel lies below panel `index` (it shows x tick labels).
    public func isBottomOfColumn(_ index: Int) -> Bool { index + columns >= count }

    /// Draws the strip of panel `index` with its label, which is made to fit the strip: set smaller
    /// (down to 7 px) and then cut short with an ellipsis.
    public func drawStrip(_ index: Int, label: String, into document: inout SVGDocument, fontSize: Double = 10) {
        let s = strip(index)
        document.rect(x: s.x, y: s.y, width: s.width, height: s.height, style: SVGStyle(stroke: "#888888", strokeWidth: 1, fill: "#e3e8f0"))
        let fitted = LatticeLayout.fit(label, width: s.width - 6, fontSize: fontSize)
        document.text(fitted.text, x: s.x + s.width / 2, y: s.y + s.height / 2 + fitted.size * 0.35, size: fitted.size, anchor: .middle)
    }

    /// `text` at the largest size ≤ `fontSize` (and ≥ 7) whose estimated width (`Legend.textWidth`)
    /// fits `width`; if even 7 is too wide, the text is shortened and ends in "…".
    static func fit(_ text: String, width: Double, fontSize: Double) -> (text: String, size: Double) {
        let natural = Legend.textWidth(text, size: fontSize)
        guard natural > width else { return (text, fontSize) }
        let scaled = fontSize * width / natural
        if scaled >= 7 { return (text, scaled) }
        let keep = max(1, Int(width / Legend.textWidth("m", size: 7)) - 1)
        return (String(text.prefix(keep)) + "…", 7)
    }
}
