import XCTest
import Foundation
import MultilevelData
import MultilevelModels
@testable import MultilevelReport

/// The writers of `bootstrap --bands` (`BootstrapBandsReport`): the CSV tables parsed back
/// (header, one row per band point, the X column, the fit's value and the quantiles the bands
/// hold, quoting of levels, NA for a missing value) and the SVG plots parsed as XML (one band
/// polygon and one median line per curve, a panel per group, every data point drawn), from a
/// parametric bootstrap of sleepstudy (Days | Subject).
final class BootstrapBandsReportTests: XCTestCase {
    private static func bands() throws -> (BootstrapFittedBands, ModelDesign, LinearMixedModelFit) {
        let design = try PlotTests.design("plot_sleepstudy", "Reaction ~ Days + (Days | Subject)")
        let model = try LinearMixedModel(design: design)
        let fit = try model.fit()
        let result = try MixedModelBootstrap(model: model, fit: fit).run(scheme: .parametric, replicates: 40, seed: 7,
                                                                                   recordFittedValues: true)
        return (BootstrapFittedBands(result: result, design: design, fit: fit, probabilities: [0.05, 0.5, 0.95]), design, fit)
    }

    /// Splits a CSV line on commas outside double quotes and unquotes the fields.
    private func fields(_ line: Substring) -> [String] {
        var result: [String] = [], current = "", quoted = false
        var characters = Array(line)[...]
        while let c = characters.popFirst() {
            if c == "\"" {
                if quoted, characters.first == "\"" { current.append("\""); characters.removeFirst() } else { quoted.toggle() }
            } else if c == "," && !quoted {
                result.append(current); current = ""
            } else {
                current.append(c)
            }
        }
        result.append(current)
        return result
    }

    func testPopulationAndGroupCSV() throws {
        let (bands, design, fit) = try Self.bands()
        let population = BootstrapBandsReport.csv(bands.population, bands: bands, design: design)
        var lines = population.split(separator: "\n")
        XCTAssertEqual(lines.first.map(fields), ["Days", "estimate", "q5", "q50", "q95"])
        XCTAssertEqual(lines.count, 1 + 10, "one row per distinct Days value")
        for (k, line) in lines.dropFirst().enumerated() {
            let values = fields(line).map { Double($0)! }
            XCTAssertEqual(values.count, 5)
            XCTAssertEqual(values[0], Double(k), "Days in order of first appearance")
            XCTAssertEqual(values[1], fit.fixedEffects[0] + fit.fixedEffects[1] * values[0], accuracy: 1e-7)
            for (q, expected) in bands.population[k].quantiles.enumerated() {
                XCTAssertEqual(values[2 + q], expected, accuracy: 1e-8 * abs(expected))
            }
            XCTAssertLessThanOrEqual(values[2], values[3])
            XCTAssertLessThanOrEqual(values[3], values[4])
        }

        let groups = BootstrapBandsReport.csv(bands.groups, bands: bands, design: design, groupingFactor: "Subject")
        lines = groups.split(separator: "\n")
        XCTAssertEqual(lines.first.map(fields), ["Subject", "Days", "estimate", "q5", "q50", "q95"])
        XCTAssertEqual(lines.count, 1 + 180, "one row per subject and day")
        var rowsPerSubject: [String: Int] = [:]
        for line in lines.dropFirst() {
            XCTAssertTrue(line.hasPrefix("\""), "the level is quoted: \(line)")
            let values = fields(line)
            XCTAssertEqual(values.count, 6)
            rowsPerSubject[values[0], default: 0] += 1
            let quantiles = values[3...].map { Double($0)! }
            XCTAssertEqual(quantiles, quantiles.sorted())
        }
        XCTAssertEqual(rowsPerSubject.count, 18)
        XCTAssertTrue(rowsPerSubject.values.allSatisfy { $0 == 10 })
    }

    /// A level with a quote and a comma stays one field; a missing value is written NA.
    func testQuotingAndMissingValues() throws {
        let (bands, design, _) = try Self.bands()
        var point = try XCTUnwrap(bands.groups.first)
        point.level = "a \"b\", c"
        point.quantiles[1] = .nan
        let csv = BootstrapBandsReport.csv([point], bands: bands, design: design, groupingFactor: "Subject")
        let row = fields(csv.split(separator: "\n")[1])
        XCTAssertEqual(row.count, 6)
        XCTAssertEqual(row[0], "a \"b\", c")
        XCTAssertEqual(row[4], "NA")
    }

    func testPlots() throws {
        let (bands, design, _) = try Self.bands()
        let plots = BootstrapBandsReport.plots(bands, design: design)
        var elements = assertWellFormedSVG(plots.population)
        XCTAssertEqual(elements.filter { $0 == "polygon" }.count, 1, "one percentile band")
        XCTAssertGreaterThanOrEqual(elements.filter { $0 == "polyline" }.count, 1, "the median line")
        XCTAssertEqual(elements.filter { $0 == "circle" }.count, 180 + 1, "180 data points and the legend swatch")
        let groups = try XCTUnwrap(plots.groups)
        elements = assertWellFormedSVG(groups)
        XCTAssertEqual(elements.filter { $0 == "clipPath" }.count, 18, "a panel per subject")
        XCTAssertEqual(elements.filter { $0 == "polygon" }.count, 18, "a band per subject")
        XCTAssertEqual(elements.filter { $0 == "polyline" }.count, 18, "a median line per subject")
        XCTAssertTrue(groups.contains("Subject 308"))
    }
}
