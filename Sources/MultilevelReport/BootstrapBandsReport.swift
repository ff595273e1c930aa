import Foundation
import MultilevelData
import MultilevelModels

/// `multilevel bootstrap --bands` output: the percentile bands of the population-level fitted line
/// and of each group's fitted line (`BootstrapFittedBands`) as CSV tables (one row per point: the
/// group level, the fixed-effect columns other than the intercept, the fit's value and one column
/// per probability), as JSON, and as SVG plots against the first non-intercept column of X.
public enum BootstrapBandsReport {
    /// Column header of probability p: `q5`, `q50`, `q97.5`.
    static func label(_ p: Double) -> String { "q" + String(format: "%g", p * 100) }

    /// The fixed-effect columns shown beside each point (all but an intercept).
    static func predictorColumns(_ design: ModelDesign) -> [Int] {
        design.fixedEffectNames.indices.filter { design.fixedEffectNames[$0] != "(Intercept)" }
    }

    /// One CSV table of band points; `grouped` adds the level column named after the factor.
    public static func csv(_ points: [FittedBandPoint], bands: BootstrapFittedBands, design: ModelDesign,
                           groupingFactor: String? = nil) -> String {
        let columns = predictorColumns(design)
        var header: [String] = []
        if let groupingFactor { header.append(groupingFactor) }
        header += columns.map { design.fixedEffectNames[$0] } + ["estimate"] + bands.probabilities.map(label)
        var out = header.map { "\"\($0.replacingOccurrences(of: "\"", with: "\"\""))\"" }.joined(separator: ",") + "\n"
        for point in points {
            var fields: [String] = []
            if groupingFactor != nil { fields.append("\"\((point.level ?? "").replacingOccurrences(of: "\"", with: "\"\""))\"") }
            fields += columns.map { number(design.fixedEffects[point.row, $0]) }
            fields += ([point.estimate] + point.quantiles).map(number)
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// The text printed after the parameter table: the population band in full, and a note on where
    /// the groups' bands went (they are one row per data point).
    public static func text(_ bands: BootstrapFittedBands, design: ModelDesign) -> String {
        let columns = predictorColumns(design)
        let probabilityHeaders = bands.probabilities.map { LmerSummary.percentLabel($0) }
        var table = columns.map { (design.fixedEffectNames[$0], [String]()) } + [("Estimate", [String]())]
            + probabilityHeaders.map { ($0, [String]()) }
        for point in bands.population {
            for (k, column) in columns.enumerated() { table[k].1.append(String(format: "%g", design.fixedEffects[point.row, column])) }
            let formatted = BootstrapReport.rowFormat([point.estimate] + point.quantiles, digits: 5)
            for (k, text) in formatted.enumerated() { table[columns.count + k].1.append(text) }
        }
        var out = "\nPercentile bands of the population-level fitted line (pointwise, \(bands.population.count) distinct rows of X):\n"
        out += LmerSummary.coefficientTable(rowNames: bands.population.map { _ in "" }, columns: table)
        if let factor = bands.groupingFactor {
            let levels = Set(bands.groups.compactMap(\.level)).count
            out += "Bands of the \(levels) \(factor) lines (\(bands.groups.count) points): in the JSON and with --output\n"
        } else {
            out += "No bands of the groups' lines: only the parametric bootstrap keeps the original groups\n"
        }
        return out
    }

    /// {probabilities, population: [{row, <columns>, estimate, quantiles}], grouping_factor,
    /// groups: [{level, row, …}]}; rows 1-based as in the data.
    public static func json(_ bands: BootstrapFittedBands, design: ModelDesign) -> JSONValue {
        let columns = predictorColumns(design)
        func point(_ p: FittedBandPoint) -> JSONValue {
            var pairs: [(String, JSONValue)] = []
            if let level = p.level { pairs.append(("level", .string(level))) }
            pairs.append(("row", .integer(p.row + 1)))
            pairs += columns.map { (design.fixedEffectNames[$0], .number(design.fixedEffects[p.row, $0])) }
            pairs += [("estimate", .optionalNumber(p.estimate)), ("quantiles", .array(p.quantiles.map { .optionalNumber($0) })),
                      ("replicates", .integer(p.replicates))]
            return .object(pairs)
        }
        return .object([
            ("probabilities", .array(bands.probabilities.map { .number($0) })),
            ("population", .array(bands.population.map(point))),
            ("grouping_factor", bands.groupingFactor.map { .string($0) } ?? .null),
            ("groups", .array(bands.groups.map(point))),
        ])
    }

    /// The x coordinate of a point: the first non-intercept column of X (the row number without one).
    static func xValue(_ row: Int, design: ModelDesign) -> Double {
        predictorColumns(design).first.map { design.fixedEffects[row, $0] } ?? Double(row + 1)
    }

    /// Curves through band points sorted by x: the median (or middle probability) as the line, the
    /// outermost probabilities as the band.
    static func curve(_ points: [FittedBandPoint], bands: BootstrapFittedBands, design: ModelDesign,
                      color: String) -> FittedCurve {
        let sorted = points.sorted { xValue($0.row, design: design) < xValue($1.row, design: design) }
        let middle = bands.probabilities.indices.min { abs(bands.probabilities[$0] - 0.5) < abs(bands.probabilities[$1] - 0.5) } ?? 0
        let low = bands.probabilities.indices.min { bands.probabilities[$0] < bands.probabilities[$1] } ?? 0
        let high = bands.probabilities.indices.max { bands.probabilities[$0] < bands.probabilities[$1] } ?? 0
        let name = "bootstrap \(label(bands.probabilities[middle])) [\(label(bands.probabilities[low])), \(label(bands.probabilities[high]))]"
        return FittedCurve(method: name, x: sorted.map { xValue($0.row, design: design) },
                           estimate: sorted.map { $0.quantiles[middle] },
                           lower: sorted.map { $0.quantiles[low] }, upper: sorted.map { $0.quantiles[high] }, color: color)
    }

    /// The population band over the data, and the groups' bands one panel per level.
    public static func plots(_ bands: BootstrapFittedBands, design: ModelDesign) -> (population: String, groups: String?) {
        let xName = predictorColumns(design).first.map { design.fixedEffectNames[$0] } ?? "row"
        let dataX = (0..<design.rowCount).map { xValue($0, design: design) }
        let population = PopulationFitPlot(
            title: "Population-level fitted line: bootstrap percentile band", xLabel: xName, yLabel: design.responseName,
            dataX: dataX, dataY: design.response,
            curves: [curve(bands.population, bands: bands, design: design, color: PlotPalette.bootstrap)]).svg()
        guard let factor = bands.groupingFactor, let term = design.randomTerms.first else { return (population, nil) }
        var byLevel: [String: [FittedBandPoint]] = [:]
        for point in bands.groups { byLevel[point.level ?? "", default: []].append(point) }
        let panels = term.grouping.levels.enumerated().compactMap { index, level -> GroupPanel? in
            guard let points = byLevel[level] else { return nil }
            let rows = (0..<design.rowCount).filter { term.grouping.levelIndex[$0] == index }
            return GroupPanel(label: "\(factor) \(level)", dataX: rows.map { dataX[$0] }, dataY: rows.map { design.response[$0] },
                              curves: [curve(points, bands: bands, design: design, color: PlotPalette.partialPooling)])
        }
        let groups = GroupLatticePlot(title: "Each \(factor)'s fitted line: bootstrap percentile bands", xLabel: xName,
                                      yLabel: design.responseName, panels: panels).svg()
        return (population, groups)
    }

    static func number(_ value: Double) -> String { value.isFinite ? String(format: "%.10g", value) : "NA" }
}
