import Foundation
import XCTest
@testable import MultilevelSampling

/// Writes CmdStan CSVs with `CmdStanCSVWriter` for scripts/check-interchange.py, which loads them
/// with ArviZ and R. Runs only when MULTILEVEL_INTERCHANGE_DIR names an output directory
/// (`MULTILEVEL_INTERCHANGE_DIR=/tmp/x swift test --filter InterchangeExportTests`).
final class InterchangeExportTests: XCTestCase {
    static let parameterNames = [
        "b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days", "cor_Subject__Intercept__Days",
        "sigma", "r_Subject[308,Intercept]", "r_Subject[309,Intercept]", "r_Subject[310,Intercept]",
        "r_Subject[308,Days]", "r_Subject[309,Days]", "r_Subject[310,Days]",
    ]

    func testExportChainsForInterchangeCheck() throws {
        guard let path = ProcessInfo.processInfo.environment["MULTILEVEL_INTERCHANGE_DIR"] else {
            throw XCTSkip("set MULTILEVEL_INTERCHANGE_DIR to write the interchange check's chains")
        }
        let root = URL(fileURLWithPath: path)
        try writeRun(directory: root.appendingPathComponent("sampling"), chains: 4, warmup: 0, draws: 500, seed: 11)
        try writeRun(directory: root.appendingPathComponent("warmup"), chains: 2, warmup: 100, draws: 200, seed: 12)
        let manifest: [String: Any] = [
            "parameters": Self.parameterNames,
            "sampler_columns": CmdStanCSVWriter.nutsSamplerColumns,
            "sampling": ["chains": 4, "draws": 500, "warmup_saved": 0],
            "warmup": ["chains": 2, "draws": 200, "warmup_saved": 100],
        ]
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: root.appendingPathComponent("manifest.json"))
    }

    /// AR(1) draws around plausible sleepstudy values and NUTS-like sampler statistics.
    func writeRun(directory: URL, chains: Int, warmup: Int, draws: Int, seed: UInt64) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let centres: [Double] = [251.4, 10.5, 24.7, 5.9, 0.07, 25.6, 2.3, -40.4, -38.9, 9.2, -8.6, -5.4]
        let scales: [Double] = [7.4, 1.7, 6.2, 1.3, 0.3, 1.5, 13, 13, 13, 2.8, 2.8, 2.8]
        for c in 1...chains {
            var settings = CmdStanRunSettings(modelName: "sleepstudy_slopes", chainID: c, seed: seed,
                                              sampleCount: draws, warmupCount: warmup, saveWarmup: warmup > 0)
            settings.dataFile = "sleepstudy.csv"
            settings.extra = [("formula", "Reaction ~ Days + (Days | Subject)"), ("family", "gaussian")]
            let writer = try CmdStanCSVWriter(url: directory.appendingPathComponent("chain-\(c).csv"),
                                              settings: settings, parameterNames: Self.parameterNames)
            var g = SplitMix(state: seed &* 1000 &+ UInt64(c))
            var state = [Double](repeating: 0, count: centres.count)
            func row(_ i: Int) -> [Double] {
                for k in state.indices { state[k] = 0.5 * state[k] + 0.87 * (g.next() - 0.5) * 3.46 }
                let depth = 2 + Int(g.next() * 3)
                let lp = -870 - 5 * g.next()
                return [lp, g.next(), 0.3, Double(depth), Double((1 << depth) - 1), g.next() < 0.002 ? 1 : 0,
                        -lp + 6 * g.next()] + state.indices.map { centres[$0] + scales[$0] * state[$0] / 3 }
            }
            for i in 0..<warmup { try writer.append(row(i)) }
            try writer.writeAdaptation(stepSize: 0.3, inverseMetricDiagonal: scales.map { $0 * $0 / 100 })
            for i in 0..<draws { try writer.append(row(i)) }
            try writer.finish(warmupSeconds: 0.25, samplingSeconds: 0.5)
        }
    }
}
