import Foundation
import Multilevel

/// `multilevel describe`: Print the parsed model: response, family, rows used, fixed-effect columns, random terms.
struct DescribeCommand: Command {
    let name = "describe"
    let summary = "Print the parsed model: response, family, rows used, fixed-effect columns, random terms."
    let usage = "MODEL [options]"
    let discussion = """
    Reads the model file (or --formula and --data), the CSV, and builds the design without fitting:
    the response, the family, how many rows are used and how many were dropped for missing values,
    the fixed-effect columns (as R's model.matrix names them) and, for each random term, its
    grouping factor, number of levels and observations per level (min / median / max).
    """
    var options: [OptionSpec] { ModelOptions.specs }

    func run(_ arguments: ParsedArguments) throws -> Int32 {
        let model = try loadModel(arguments)
        writeStandardOutput(DescribeCommand.render(model))
        return 0
    }

    static func render(_ model: LoadedModel) -> String {
        let design = model.design
        var text = ""
        if let url = model.modelFileURL { text += "Model:        \(url.relativePath)\n" }
        text += "Formula:      \(design.formulaText)\n"
        text += "Family:       \(model.family)\n"
        text += "Data:         \(model.table.fileName) (\(model.table.rowCount) rows, \(model.table.columnNames.count) columns)\n"
        text += "Observations: \(design.rowCount) used, \(design.droppedRowCount) dropped"
        if !design.missingValueColumns.isEmpty { text += " (missing values in \(design.missingValueColumns.joined(separator: ", ")))" }
        text += "\n"
        var response = "Response:     \(design.responseName)"
        if let levels = design.responseLevels { response += " (factor: \(levels[0]) = 0, \(levels[1]) = 1)" }
        if design.trials != nil { response += " (binomial trials given)" }
        text += response + "\n"

        text += "\nFixed effects (\(design.fixedEffectCount) column\(design.fixedEffectCount == 1 ? "" : "s")):\n"
        for name in design.fixedEffectNames { text += "  \(name)\n" }
        if !design.droppedFixedEffectNames.isEmpty {
            text += "  dropped as aliased: \(design.droppedFixedEffectNames.joined(separator: ", "))\n"
        }

        text += "\nRandom effects (\(design.randomTerms.count) term\(design.randomTerms.count == 1 ? "" : "s")):\n"
        if design.randomTerms.isEmpty { text += "  none\n" }
        var rows: [[String]] = [["term", "group", "levels", "obs/level min", "median", "max", "columns"]]
        for term in design.randomTerms {
            var counts = [Int](repeating: 0, count: term.grouping.levelCount)
            for level in term.grouping.levelIndex { counts[level] += 1 }
            counts.sort()
            let median: String
            if counts.count % 2 == 1 { median = String(counts[counts.count / 2]) } else {
                let m = Double(counts[counts.count / 2 - 1] + counts[counts.count / 2]) / 2
                median = m == m.rounded() ? String(Int(m)) : String(m)
            }
            rows.append([term.text, term.grouping.name, String(term.grouping.levelCount),
                         String(counts.first ?? 0), median, String(counts.last ?? 0),
                         term.columnNames.joined(separator: ", ")])
        }
        if !design.randomTerms.isEmpty {
            let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { c, cell -> String in
                    c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                }
                text += "  " + cells.joined(separator: "  ") + "\n"
            }
        }
        return text
    }
}
