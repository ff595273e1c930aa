import Foundation
import Multilevel

/// Benchmark jobs of the data area (see BenchmarkJob).
enum DataBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "csv-read-1m", dataSize: "1,000,000 rows x 5 columns (3 numeric, 2 factors), 45 MB",
                     reference: "R 4.2 read.csv: 4.8 s CPU here (same shape, 34 MB)", prepare: prepareCSVRead),
        BenchmarkJob(name: "design-1m", dataSize: "1,000,000 rows, y ~ x * f + (x | g), 1000 groups",
                     reference: "R 4.2 model.matrix(y ~ x * f) alone: 0.1 s CPU here", prepare: prepareDesign),
    ]

    /// Writes a simulated CSV (seeded) to a temporary file: y and x numeric, g a quoted factor with
    /// 1000 levels, k an integer, f a quoted factor with 3 levels.
    static func simulatedCSV(rows: Int) throws -> URL {
        var rng = Xoshiro256PlusPlus(seed: 2026)
        var text = "\"y\",\"x\",\"g\",\"k\",\"f\"\n"
        text.reserveCapacity(rows * 48)
        let fLevels = ["low", "Mid", "high"]
        for _ in 0..<rows {
            let x = rng.nextNormal()
            let g = Int(rng.nextUniform() * 1000)
            let y = 10 + 2 * x + rng.nextNormal()
            let k = Int(rng.nextUniform() * 7)
            let f = fLevels[Int(rng.nextUniform() * 3)]
            text += String(format: "%.6f,%.6f,\"g%d\",%d,\"%@\"\n", y, x, g, k, f)
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("multilevel-bench-\(rows).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func prepareCSVRead() throws -> () throws -> String {
        let url = try simulatedCSV(rows: 1_000_000)
        return {
            let table = try DataTable.read(contentsOf: url)
            try? FileManager.default.removeItem(at: url)
            return "\(table.rowCount) rows, \(table.columnNames.count) columns"
        }
    }

    static func prepareDesign() throws -> () throws -> String {
        let url = try simulatedCSV(rows: 1_000_000)
        let table = try DataTable.read(contentsOf: url)
        try? FileManager.default.removeItem(at: url)
        let formula = try Formula.parse("y ~ x * f + (x | g)")
        return {
            let design = try ModelDesign.build(formula: formula, table: table)
            return "p = \(design.fixedEffectCount), \(design.randomTerms[0].grouping.levelCount) groups"
        }
    }
}
