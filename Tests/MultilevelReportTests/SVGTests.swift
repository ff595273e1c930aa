import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MultilevelReport

/// Parses `text` as XML (Foundation's XMLParser, FoundationXML on Linux) and returns the element
/// names in document order; fails the test when the text is not well-formed. XMLParser can return
/// true while recording an error (an unclosed element), so both are checked.
@discardableResult
func assertWellFormedSVG(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var depth = 0
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            elements.append(elementName)
            depth += 1
        }
        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            depth -= 1
        }
    }
    let parser = XMLParser(data: Data(text.utf8))
    let collector = Collector()
    parser.delegate = collector
    let ok = parser.parse()
    XCTAssertTrue(ok && parser.parserError == nil, "not well-formed XML: \(String(describing: parser.parserError))", file: file, line: line)
    XCTAssertEqual(collector.depth, 0, "unbalanced elements", file: file, line: line)
    XCTAssertEqual(collector.elements.first, "svg", file: file, line: line)
    return collector.elements
}

final class SVGDocumentTests: XCTestCase {
    func testNumbersAreCompact() {
        XCTAssertEqual(svgNumber(1.5), "1.5")
        XCTAssertEqual(svgNumber(2.000001), "2")
        XCTAssertEqual(svgNumber(-0.001), "0")
        XCTAssertEqual(svgNumber(-12.345), "-12.35")
        XCTAssertEqual(svgNumber(100), "100")
        XCTAssertEqual(svgNumber(0.1), "0.1")
        XCTAssertEqual(svgNumber(.nan), "0")
    }

    func testPointListCoordinatesHaveOneDecimal() {
        XCTAssertEqual(svgCoordinate(12.345), "12.3")
        XCTAssertEqual(svgCoordinate(12.96), "13")
        XCTAssertEqual(svgCoordinate(-0.26), "-0.3")
        XCTAssertEqual(svgCoordinate(-0.04), "0")
        XCTAssertEqual(svgCoordinate(-3.06), "-3.1")
        XCTAssertEqual(svgCoordinate(7), "7")
        XCTAssertEqual(svgCoordinate(.infinity), "0")
        var document = SVGDocument(width: 10, height: 10)
        document.polyline([(1.234, 5.678), (2.06, -0.01)], style: .line("red"))
        XCTAssertTrue(document.rendered.contains("points=\"1.2,5.7 2.1,0\""), document.rendered)
    }

    func testTextIsEscaped() {
        XCTAssertEqual(xmlEscaped("a < b & \"c\" > 'd'"), "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        XCTAssertEqual(xmlEscaped("bell\u{7}"), "bell")
        var document = SVGDocument(width: 100, height: 50, title: "cor_<g>__a&b")
        document.text("Reaction ~ Days + (Days | Subject) & <x>", x: 5, y: 20)
        let text = document.rendered
        XCTAssertTrue(text.contains("&lt;x&gt;"))
        assertWellFormedSVG(text)
    }

    func testEveryShapeIsWellFormedAndGroupsAreClosed() {
        var document = SVGDocument(width: 200, height: 100)
        document.beginClippedGroup(x: 10, y: 10, width: 100, height: 50)
        document.line(x1: 0, y1: 0, x2: 10, y2: 10, style: .line("red", dash: [4, 2]))
        document.polyline([(0, 0), (1, .nan), (2, 2), (3, 3)], style: .line("#123456"))
        document.polygon([(0, 0), (10, 0), (5, 5)], style: .filled("blue", opacity: 0.3))
        document.circle(cx: 5, cy: 5, r: 2, style: .filled("green"))
        document.arrow(from: (0, 0), to: (30, 40), color: "black")
        document.arrow(from: (1, 1), to: (1, 1), color: "black")
        document.beginGroup(label: "panel 1 / b_Days")
        document.text("rotated", x: 20, y: 50, anchor: .middle, bold: true, rotation: -90)
        let elements = assertWellFormedSVG(document.rendered)
        XCTAssertEqual(elements.filter { $0 == "clipPath" }.count, 1)
        XCTAssertEqual(elements.filter { $0 == "polyline" }.count, 1, "a NaN point splits the line; a 1-point piece is dropped")
        XCTAssertEqual(elements.filter { $0 == "polygon" }.count, 2, "one polygon and one arrow head; no zero-length arrow")
        XCTAssertEqual(elements.filter { $0 == "g" }.count, 2)
    }
}

final class NiceTicksTests: XCTestCase {
    func testHeckbertNiceNumbers() {
        XCTAssertEqual(NiceTicks.niceNumber(15.9, round: false), 20)
        XCTAssertEqual(NiceTicks.niceNumber(4.5, round: true), 5)
        XCTAssertEqual(NiceTicks.niceNumber(2.5, round: true), 2)
        XCTAssertEqual(NiceTicks.niceNumber(0.032, round: true), 0.05, accuracy: 1e-15)
        XCTAssertEqual(NiceTicks.niceNumber(0.0149, round: true), 0.01, accuracy: 1e-15)
        XCTAssertEqual(NiceTicks.niceNumber(1, round: false), 1)
        XCTAssertEqual(NiceTicks.niceNumber(7.2, round: true), 10)
    }

    func testLooseLabels() {
        // Heckbert's example style: range 0–1, five ticks.
        let unit = NiceTicks(minimum: 0, maximum: 1, count: 5)
        XCTAssertEqual(unit.values.map { ($0 * 10).rounded() / 10 }, [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(unit.fractionDigits, 1)
        XCTAssertEqual(unit.values.map(unit.label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // Range −3.7 to 12.2: range rounds up to 20, spacing 5; ticks enclose the data.
        let mixed = NiceTicks(minimum: -3.7, maximum: 12.2, count: 5)
        XCTAssertEqual(mixed.values, [-5, 0, 5, 10, 15])
        XCTAssertEqual(mixed.label(-5), "-5")
        // Sleepstudy reaction times: range 272 rounds up to 500, 500/4 = 125 rounds to 100.
        let reaction = NiceTicks(minimum: 194.3322, maximum: 466.3535, count: 5)
        XCTAssertEqual(reaction.values, [100, 200, 300, 400, 500])
        XCTAssertEqual(reaction.spacing, 100)
        XCTAssertEqual(NiceTicks(minimum: 194.3322, maximum: 466.3535, count: 10).values, [150, 200, 250, 300, 350, 400, 450, 500])
        // Small values: spacing 0.001, three decimals, no "-0.000".
        let small = NiceTicks(minimum: -0.0042, maximum: 0.0031, count: 6)
        XCTAssertEqual(small.spacing, 0.002, accuracy: 1e-15)
        XCTAssertEqual(small.fractionDigits, 3)
        XCTAssertTrue(small.values.map(small.label).contains("0.000"))
        XCTAssertFalse(small.values.map(small.label).contains("-0.000"))
        // Degenerate and non-finite ranges still give ascending ticks around the value.
        let constant = NiceTicks(minimum: 3, maximum: 3)
        XCTAssertLessThan(constant.values.first!, 3)
        XCTAssertGreaterThan(constant.values.last!, 3)
        XCTAssertEqual(NiceTicks(minimum: .nan, maximum: 1).values.first, 0)
        for (low, high) in [(0.0, 1e-9), (1e9, 1e9 + 7), (-250.0, -249.0), (0.999, 1.001)] {
            let ticks = NiceTicks(minimum: low, maximum: high, count: 5)
            XCTAssertLessThanOrEqual(ticks.values.first!, low)
            XCTAssertGreaterThanOrEqual(ticks.values.last!, high)
            XCTAssertTrue((2...12).contains(ticks.values.count), "\(low)…\(high): \(ticks.values)")
        }
    }

    func testLatticeLayout() {
        let layout = LatticeLayout(count: 18, area: PlotRect(x: 0, y: 0, width: 500, height: 400), columns: 5, gap: 5, stripHeight: 10)
        XCTAssertEqual(layout.rows, 4)
        XCTAssertTrue(layout.isFirstColumn(5))
        XCTAssertFalse(layout.isFirstColumn(6))
        XCTAssertTrue(layout.isBottomOfColumn(13), "panel 13 has no panel below it (18 panels)")
        XCTAssertFalse(layout.isBottomOfColumn(12))
        XCTAssertEqual(layout.panel(6).x, layout.strip(6).x)
        XCTAssertEqual(layout.panel(19 - 1).bottom, 400, accuracy: 1e-9)
        XCTAssertEqual(layout.strip(4).right, 500, accuracy: 1e-9)
    }

    /// Strip labels shrink to fit, down to 7 px, then end in an ellipsis.
    func testStripLabelsFitTheirStrip() {
        XCTAssertEqual(LatticeLayout.fit("Subject 308", width: 200, fontSize: 10).size, 10)
        let shrunk = LatticeLayout.fit("county YELLOWMEDICINE", width: 100, fontSize: 10)
        XCTAssertEqual(shrunk.text, "county YELLOWMEDICINE")
        XCTAssertLessThanOrEqual(Legend.textWidth(shrunk.text, size: shrunk.size), 100 + 1e-9)
        XCTAssertGreaterThanOrEqual(shrunk.size, 7)
        let cut = LatticeLayout.fit("county YELLOWMEDICINE", width: 60, fontSize: 10)
        XCTAssertEqual(cut.size, 7)
        XCTAssertTrue(cut.text.hasSuffix("…"))
        XCTAssertLessThanOrEqual(Legend.textWidth(cut.text, size: 7), 60)
    }
}
