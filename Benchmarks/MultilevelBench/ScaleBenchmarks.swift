import Foundation
import Multilevel

/// Benchmark jobs at scale (issue 9): the 1,000,000-row, 1,000-group `y ~ x + (x | g)` model with
/// lmer and with the joint and marginal NUTS samplers (4 × (1000 + 1000)), and sleepstudy-shaped
/// whole fits reporting bulk-ESS of b_x per CPU-second (Stan: ~1,370 bulk-ESS of b_Days in
/// ~13.4 CPU-s, i.e. ~100 per CPU-s). CPU time is the process's user + system time over the job.
enum ScaleBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "scale-lmer-1M", dataSize: "1,000,000 rows, 1,000 groups, y ~ x + (x | g)",
                     reference: "issue 9 target ≤ 2 s, ≤ 1 GB") {
            let design = ModelBenchmarks.simulatedDesign(rows: 1_000_000, groups: 1_000, seed: 2024)
            return {
                let clock = CPUClock()
                let fit = try LinearMixedModel(design: design).fit(method: .reml, options: .init(conditionalVariances: false))
                return String(format: "REML %.1f, %d evaluations; %.2f CPU-s", fit.criterion, fit.evaluations, clock.seconds)
            }
        },
        fitJob(name: "scale-fit-1M-joint", rows: 1_000_000, groups: 1_000, marginal: false,
               reference: "issue 9 target ≤ 20 s, R-hat < 1.01, ≤ 1 GB"),
        fitJob(name: "scale-fit-1M-marginal", rows: 1_000_000, groups: 1_000, marginal: true,
               reference: "issue 9 target ≤ 20 s, R-hat < 1.01, ≤ 1 GB"),
        fitJob(name: "scale-fit-sleepstudy-joint", rows: 180, groups: 18, marginal: false,
               reference: "Stan ~1,370 bulk-ESS b_Days in ~13.4 CPU-s (~100 /CPU-s)"),
        fitJob(name: "scale-fit-sleepstudy-marginal", rows: 180, groups: 18, marginal: true,
               reference: "Stan ~1,370 bulk-ESS b_Days in ~13.4 CPU-s (~100 /CPU-s)"),
    ]

    /// A whole NUTS fit, 4 chains × (1000 + 1000), joint or marginal; the note gives the worst
    /// R-hat, bulk-ESS of b_x and sd_g__x, CPU seconds and bulk-ESS of b_x per CPU-second.
    static func fitJob(name: String, rows: Int, groups: Int, marginal: Bool, reference: String) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "\(rows) rows, \(groups) groups, (x | g), 4 × (1000 + 1000)",
                     reference: reference) {
            let design = ModelBenchmarks.simulatedDesign(rows: rows, groups: groups, seed: 2024)
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1)
            return {
                let clock = CPUClock()
                let fit = marginal ? try BayesianFit.runMarginal(design: design, settings: settings)
                                   : try BayesianFit.run(design: design, family: .gaussian, settings: settings)
                let cpu = clock.seconds
                let summary = summarize(draws: fit.draws)
                let worstRhat = summary.variables.filter { !$0.name.hasSuffix("__") }.map(\.rhat)
                    .filter { $0.isFinite }.max() ?? .nan
                let ess = summary["b_x"]?.essBulk ?? .nan
                let divergences = fit.chainSummaries.reduce(0) { $0 + $1.divergences }
                return String(format: "max R-hat %.3f; bulk-ESS b_x %.0f, sd_g__x %.0f; %d divergences; %.1f CPU-s; %.0f ESS/CPU-s",
                              worstRhat, ess, summary["sd_g__x"]?.essBulk ?? .nan, divergences, cpu, ess / cpu)
            }
        }
    }
}

/// User + system CPU time of this process since creation.
struct CPUClock {
    private let start = CPUClock.now()

    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    var seconds: Double { CPUClock.now() - start }
}
