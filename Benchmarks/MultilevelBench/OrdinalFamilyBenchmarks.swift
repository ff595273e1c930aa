import Foundation
import Multilevel

/// brms' ordinal `cumulative("logit")` family on brms' inhaler crossover trial
/// (`rating ~ treat + period + carry + (1 | subject)`, 572 ratings of 286 subjects;
/// models/inhaler.csv) with brms' run length (4 chains × (1000 warm-up + 5000 draws)): CPU seconds
/// and bulk-ESS per CPU-second of the slowest-mixing reported parameter, next to brms 2.18's
/// sampling seconds on the same data and run length (reference/v2/brms_cumulative_inhaler.json:
/// 74.9 s summed over chains, 21.9 s warm-up, without its ~60 s compilation).
/// First run (2026-12-07, shared 2-core machine at load ~10): CPU 34.6 s (wall 107.6 s); lowest
/// bulk-ESS 3474 (sd_subject__Intercept), 100 per CPU-second, 0 divergent; brms' lowest bulk-ESS
/// was 2766 over 96.8 s of warm-up and sampling.
enum OrdinalFamilyBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "nuts-cumulative-inhaler", dataSize: "572 rows, 286 subjects, cumulative, 4 × (1000 + 5000)",
                     reference: "brms 74.9 s sampling") {
            let design = try AdaptationBenchmarks.modelsDesign("inhaler.csv", "rating ~ treat + period + carry + (1 | subject)")
            let settings = SamplerSettings(iterations: 6000, warmup: 1000, chains: 4, seed: 20261121)
            return {
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                let fit = try BayesianFit.run(design: design, family: .cumulative, settings: settings)
                let cpu = SamplingBenchmarks.processCPUSeconds() - cpuStart
                let names = fit.draws.variableNames.filter { $0.hasPrefix("b_") || $0.hasPrefix("sd_") }
                let summary = summarize(draws: fit.draws.selecting(names))
                let slowest = names.min { summary[$0]!.essBulk < summary[$1]!.essBulk }!
                let ess = summary[slowest]!.essBulk
                return String(format: "CPU %.1f s; lowest bulk-ESS %.0f (%@), %.0f per CPU-second; %d divergent",
                              cpu, ess, slowest, ess / cpu, fit.chainSummaries.reduce(0) { $0 + $1.divergences })
            }
        },
    ]
}
