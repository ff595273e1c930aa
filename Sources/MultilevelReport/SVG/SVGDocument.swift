import Foundation

/// Paint of one SVG shape: stroke and fill colours (any CSS colour), widths, opacities and a dash
/// pattern. Nil properties are not written (SVG defaults apply: black fill, no stroke).
public struct SVGStyle: Sendable, Equatable {
    public var stroke: String?
    public var strokeWidth: Double?
    public var strokeOpacity: Double?
    public var fill: String?
    public var fillOpacity: Double?
    /// Dash and gap lengths (`stroke-dasharray`).
    public var dash: [Double]?

    public init(stroke: String? = nil, strokeWidth: Double? = nil, strokeOpacity: Double? = nil,
                fill: String? = nil, fillOpacity: Double? = nil, dash: [Double]? = nil) {
        self.stroke = stroke
        self.strokeWidth = strokeWidth
        self.strokeOpacity = strokeOpacity
        self.fill = fill
        self.fillOpacity = fillOpacity
        self.dash = dash
    }

    /// A stroked line without fill.
    public static func line(_ color: String, width: Double = 1.5, opacity: Double? = nil, dash: [Double]? = nil) -> SVGStyle {
        SVGStyle(stroke: color, strokeWidth: width, strokeOpacity: opacity, fill: "none", dash: dash)
    }

    /// A filled shape without stroke.
    public static func filled(_ color: String, opacity: Double? = nil) -> SVGStyle {
        SVGStyle(fill: color, fillOpacity: opacity)
    }

    var attributes: String {
        var out = ""
        if let fill { out += " fill=\"\(xmlEscaped(fill))\"" }
        if let fillOpacity { out += " fill-opacity=\"\(svgNumber(fillOpacity))\"" }
        if let stroke { out += " stroke=\"\(xmlEscaped(stroke))\"" }
        if let strokeWidth { out += " stroke-width=\"\(svgNumber(strokeWidth))\"" }
        if let strokeOpacity { out += " stroke-opacity=\"\(svgNumber(strokeOpacity))\"" }
        if let dash, !dash.isEmpty { out += " stroke-dasharray=\"\(dash.map(svgNumber).joined(separator: " "))\"" }
        return out
    }
}

/// Horizontal alignment of text at its anchor point (`text-anchor`).
public enum SVGTextAnchor: String, Sendable {
    case start, middle, end
}

/// A small SVG 1.1 document builder: shapes are appended in drawing order (later on top), every
/// coordinate in user units (pixels) with y pointing down, numbers written compactly
/// (`svgNumber`) and text escaped (`xmlEscaped`), so the output is well-formed XML any browser or
/// `rsvg-convert` renders.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    private var body: String = ""
    private var definitions: String = ""
    private var nextIdentifier = 0
    private var openGroups = 0

    /// An empty document of the given size with a white background; `title` becomes the
    /// document's `<title>` (shown by browsers as a tooltip and read by screen readers).
    public init(width: Double, height: Double, title: String? = nil) {
        self.width = width
        self.height = height
        if let title { body += "<title>\(xmlEscaped(title))</title>\n" }
        rect(x: 0, y: 0, width: width, height: height, style: .filled("white"))
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, style: SVGStyle) {
        body += "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" y2=\"\(svgNumber(y2))\"\(style.attributes)/>\n"
    }

    /// An open path through `points`; non-finite points split it into separate pieces.
    public mutating func polyline(_ points: [(x: Double, y: Double)], style: SVGStyle) {
        var piece: [(x: Double, y: Double)] = []
        func flush() {
            if piece.count >= 2 {
                body += "<polyline points=\"\(pointList(piece))\"\(style.attributes)/>\n"
            }
            piece.removeAll()
        }
        for point in points {
            if point.x.isFinite && point.y.isFinite { piece.append(point) } else { flush() }
        }
        flush()
    }

    /// A closed polygon (non-finite points are skipped).
    public mutating func polygon(_ points: [(x: Double, y: Double)], style: SVGStyle) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard finite.count >= 3 else { return }
        body += "<polygon points=\"\(pointList(finite))\"\(style.attributes)/>\n"
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, style: SVGStyle) {
        guard cx.isFinite, cy.isFinite, r.isFinite else { return }
        body += "<circle cx=\"\(svgNumber(cx))\" cy=\"\(svgNumber(cy))\" r=\"\(svgNumber(r))\"\(style.attributes)/>\n"
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, style: SVGStyle) {
        body += "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(max(0, width)))\" height=\"\(svgNumber(max(0, height)))\"\(style.attributes)/>\n"
    }

    /// Text with its baseline at y; `rotation` in degrees about the anchor point (−90 reads upwards).
    public mutating func text(_ content: String, x: Double, y: Double, size: Double = 12, anchor: SVGTextAnchor = .start,
                              color: String = "#222", bold: Bool = false, rotation: Double? = nil) {
        var attributes = "x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" font-size=\"\(svgNumber(size))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if color != "#222" { attributes += " fill=\"\(xmlEscaped(color))\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if let rotation { attributes += " transform=\"rotate(\(svgNumber(rotation)) \(svgNumber(x)) \(svgNumber(y)))\"" }
        body += "<text \(attributes)>\(xmlEscaped(content))</text>\n"
    }

    /// A line from one point to another with a filled triangular head at the end; nothing for a
    /// zero-length arrow.
    public mutating func arrow(from start: (x: Double, y: Double), to end: (x: Double, y: Double), color: String,
                               width: Double = 1, headLength: Double = 6) {
        let dx = end.x - start.x, dy = end.y - start.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 1e-9, length.isFinite else { return }
        let ux = dx / length, uy = dy / length
        let head = min(headLength, 0.6 * length)
        let base = (x: end.x - head * ux, y: end.y - head * uy)
        line(x1: start.x, y1: start.y, x2: base.x, y2: base.y, style: .line(color, width: width))
        let half = head * 0.45
        polygon([end, (base.x - half * uy, base.y + half * ux), (base.x + half * uy, base.y - half * ux)],
                style: .filled(color))
    }

    /// Opens a group whose content is clipped to a rectangle (a plot panel); close with `endGroup`.
    public mutating func beginClippedGroup(x: Double, y: Double, width: Double, height: Double) {
        nextIdentifier += 1
        let id = "clip\(nextIdentifier)"
        definitions += "<clipPath id=\"\(id)\"><rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\"/></clipPath>\n"
        body += "<g clip-path=\"url(#\(id))\">\n"
        openGroups += 1
    }

    /// Opens a plain group (for structure, e.g. one panel); close with `endGroup`.
    public mutating func beginGroup(label: String? = nil) {
        body += label.map { "<g id=\"\(xmlEscaped(identifier(from: $0)))\">\n" } ?? "<g>\n"
        openGroups += 1
    }

    public mutating func endGroup() {
        guard openGroups > 0 else { return }
        body += "</g>\n"
        openGroups -= 1
    }

    /// The document's text (any groups left open are closed).
    public var rendered: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        if !definitions.isEmpty { out += "<defs>\n" + definitions + "</defs>\n" }
        out += body
        out += String(repeating: "</g>\n", count: openGroups)
        out += "</svg>\n"
        return out
    }

    /// Points of a polyline or polygon to a tenth of a pixel (`svgCoordinate`): long traces and
    /// densities are most of a plot's bytes, and a twentieth of a pixel is below what any renderer shows.
    private func pointList(_ points: [(x: Double, y: Double)]) -> String {
        points.map { svgCoordinate($0.x) + "," + svgCoordinate($0.y) }.joined(separator: " ")
    }

    private func identifier(from label: String) -> String {
        let allowed = label.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return "g-" + String(allowed)
    }
}

/// A coordinate or length for SVG: at most two decimals (a hundredth of a pixel), trailing zeros
/// and a trailing point dropped, `-0` written `0`; non-finite values as `0` (callers skip them
/// where it matters).
public func svgNumber(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let rounded = (x * 100).rounded() / 100
    if rounded == 0 { return "0" }
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// A coordinate of a point list: as `svgNumber` but to one decimal (a tenth of a pixel).
public func svgCoordinate(_ x: Double) -> String {
    guard x.isFinite else { return "0" }
    let tenths = (x * 10).rounded()
    if tenths == 0 { return "0" }
    guard abs(tenths) < 1e15 else { return svgNumber(x) }
    let whole = Int64(tenths)
    let digit = abs(whole % 10)
    let integer = whole / 10
    if digit == 0 { return String(integer) }
    return (whole < 0 && integer == 0 ? "-0" : String(integer)) + "." + String(digit)
}

/// Text escaped for XML character data and attribute values: & < > " ' as entities, and control
/// characters other than tab and newline dropped (XML 1.0 forbids them).
public func xmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default:
            if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" { continue }
            if scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
