import Foundation
import Multilevel

/// Benchmark jobs of the diagnostics area (see BenchmarkJob).
enum DiagnosticsBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "diagnose-summary-4x100k-100", dataSize: "4 chains × 100,000 draws × 100 variables",
                     reference: "",
                     prepare: {
                         let draws = simulatedChains(chains: 4, draws: 100_000, variables: 100, seed: 20261121)
                         return {
                             let cpuStart = DiagnosticsBenchmarks.processCPUSeconds()
                             let summary = summarize(draws: draws)
                             let report = DiagnosticsReport(summary: summary, checks: nil, files: [], readingWarnings: [])
                             _ = report.json().serialized()
                             let worst = summary.variables.map(\.rhat).max() ?? .nan
                             return String(format: "CPU %.2f s; max R-hat %.4f, min bulk-ESS %.0f",
                                           DiagnosticsBenchmarks.processCPUSeconds() - cpuStart, worst,
                                           summary.variables.map(\.essBulk).min() ?? .nan)
                         }
                     }),
        BenchmarkJob(name: "diagnose-files-4x10k-100", dataSize: "4 CmdStan CSVs × 10,000 draws × 100 variables",
                     reference: "",
                     prepare: {
                         let draws = simulatedChains(chains: 4, draws: 10_000, variables: 100, seed: 7)
                         let directory = FileManager.default.temporaryDirectory
                             .appendingPathComponent("multilevel-bench-diagnose-\(getpid())")
                         try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                         var urls: [URL] = []
                         for c in 0..<draws.chainCount {
                             let url = directory.appendingPathComponent("chain-\(c + 1).csv")
                             let settings = CmdStanRunSettings(modelName: "bench", chainID: c + 1, seed: 7,
                                                               sampleCount: draws.drawsPerChain, warmupCount: 0)
                             let writer = try CmdStanCSVWriter(url: url, settings: settings,
                                                               parameterNames: draws.variableNames, samplerColumns: ["lp__"])
                             try writer.writeAdaptation(stepSize: 0.5, inverseMetricDiagonal: [Double](repeating: 1, count: draws.variableCount))
                             var row = [Double](repeating: 0, count: draws.variableCount + 1)
                             for i in 0..<draws.drawsPerChain {
                                 row[0] = -Double(i % 17)
                                 for v in 0..<draws.variableCount { row[v + 1] = draws.chains[c][i * draws.variableCount + v] }
                                 try writer.append(row)
                             }
                             try writer.finish(warmupSeconds: 0, samplingSeconds: 0)
                             urls.append(url)
                         }
                         return {
                             defer { try? FileManager.default.removeItem(at: directory) }
                             let chains = try DrawsFileReader.read(urls: urls)
                             let summary = summarize(draws: chains.parameters)
                             return "\(summary.variables.count) variables"
                         }
                     }),
    ]

    /// User + system CPU time of this process so far (the figure that does not depend on other
    /// processes sharing the cores).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Draws from AR(1) chains x_t = φ x_{t−1} + √(1 − φ²) ε_t, with φ from 0 to 0.9 across the
    /// variables (the autocorrelations of typical NUTS output and worse), each variable shifted
    /// and scaled differently.
    static func simulatedChains(chains: Int, draws: Int, variables: Int, seed: UInt64) -> Draws {
        let out = (0..<chains).map { c -> [Double] in
            var g = Xoshiro256PlusPlus.stream(seed: seed, index: c)
            var state = (0..<variables).map { _ in g.nextNormal() }
            var values = [Double](repeating: 0, count: draws * variables)
            for i in 0..<draws {
                for v in 0..<variables {
                    let phi = 0.9 * Double(v) / Double(max(variables - 1, 1))
                    state[v] = phi * state[v] + (1 - phi * phi).squareRoot() * g.nextNormal()
                    values[i * variables + v] = Double(v) + (1 + Double(v % 7)) * state[v]
                }
            }
            return values
        }
        return Draws(variableNames: (0..<variables).map { "x[\($0 + 1)]" }, chains: out)
    }
}
