import Foundation
import Multilevel

/// The zero-inflated and hurdle count families on glmmTMB's Salamanders data
/// (`count ~ mined + spp + (1 | site)`, 644 rows, 23 sites; models/Salamanders.csv) with brms'
/// run length (4 chains × (1000 warm-up + 5000 draws)): CPU seconds and bulk-ESS per CPU-second
/// of the slowest-mixing reported parameter, next to brms 2.18's sampling seconds on the same
/// data and run length (reference/v2/brms_zip_salamanders.json and brms_hurdle_poisson_salamanders.json:
/// 105.0 and 50.8 s summed over chains, without its ~60 s compilation).
enum CountFamilyBenchmarks {
    static let jobs: [BenchmarkJob] = [
        job(name: "nuts-zip-salamanders", family: .zeroInflatedPoisson, reference: "brms 105.0 s sampling"),
        job(name: "nuts-hurdle-poisson-salamanders", family: .hurdlePoisson, reference: "brms 50.8 s sampling"),
    ]

    static func job(name: String, family: Family, reference: String) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "644 rows, 23 sites, \(family.name), 4 × (1000 + 5000)", reference: reference) {
            let design = try AdaptationBenchmarks.modelsDesign("Salamanders.csv", "count ~ mined + spp + (1 | site)")
            let settings = SamplerSettings(iterations: 6000, warmup: 1000, chains: 4, seed: 20261121)
            return {
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                let fit = try BayesianFit.run(design: design, family: family, settings: settings)
                let cpu = SamplingBenchmarks.processCPUSeconds() - cpuStart
                let names = fit.draws.variableNames.filter {
                    $0.hasPrefix("b_") || $0.hasPrefix("sd_") || $0 == "zi" || $0 == "hu"
                }
                let summary = summarize(draws: fit.draws.selecting(names))
                let slowest = names.min { summary[$0]!.essBulk < summary[$1]!.essBulk }!
                let ess = summary[slowest]!.essBulk
                return String(format: "CPU %.1f s; lowest bulk-ESS %.0f (%@), %.0f per CPU-second; %d divergent",
                              cpu, ess, slowest, ess / cpu, fit.chainSummaries.reduce(0) { $0 + $1.divergences })
            }
        }
    }
}
