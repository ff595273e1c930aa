import Foundation
import Multilevel

/// Benchmark jobs of the families area (issue 6): Laplace fits as glmer does them — a cbpp-shaped
/// binomial model and a 100,000-row Bernoulli model with 5,000 groups — and NUTS on the
/// 100,000-row Bernoulli model with a continuous predictor (no identical rows to merge), 4 chains
/// × (1000 + 1000), whose target is ≤ 60 s. Data are simulated with fixed seeds.
///
/// Measured on the shared 2-core machine under load 12–15 (so CPU seconds, not wall time): one
/// gradient of the continuous 100k-row model costs 1.1–1.35 ms CPU (4.2 ms before the blocked,
/// column-major row pass); the row pass is ~89% of a NUTS run's profile. NUTS on it adapts to a
/// step size of 0.19 with tree depth 5 (31 gradients) on every sampling iteration, the inverse
/// metric matching the posterior scales (b 1.0e-4, Intercept 2.8e-4, log sd 2.1e-4, z 0.15–0.21):
/// ≈ 31,000 sampling gradients per chain plus a deeper warm-up (on a 10,000-row, 500-group
/// analogue the warm-up takes 1.3 times the sampling's gradients). Full run of
/// `nuts-bernoulli-100k-continuous` under that load: 471 CPU s (3,202 s wall, not meaningful),
/// 0 divergences, b_x bulk-ESS 8,653 (R-hat 1.001), sd bulk-ESS 1,563 (R-hat 1.003); of
/// `nuts-bernoulli-100k` (merged to 10,000 cells): 108 CPU s, b_x bulk-ESS 8,708, sd 1,347.
///
/// With the level-ordered row pass (0.52–0.64 ms per gradient) and the automatic rule centring g
/// (information ratio 4.05), on a quiet machine: 93–99 s wall, 181–195 CPU s, tree depth 5 at step
/// 0.17–0.19, chain 1 warm-up 28–34 s against 15.5–18.3 s of sampling, b_x bulk-ESS 6,808, sd
/// bulk-ESS 3,608 (non-centred: 1,563). Centring doubles the sd's ESS but not the step size (the
/// 5,000 effects set it); the warm-up is the next lever (a gradient-initialised metric cut its
/// gradients by 59% in a trial not yet merged).
///
/// Then two changes for the wall time. The four chains run at once on the two cores
/// (`ChainScheduling.width`: up to two chains per core) instead of two rounds of two, so
/// the run takes about its CPU time / 2 rather than the sum of each round's longer chain (with the
/// faster warm-up of another branch a quiet run had taken 78.6 s wall for 132 CPU s that way). And
/// this shape's row pass runs in one loop (`PosteriorColumns.fusedBernoulliPass`): 32.7
/// instructions per row against 38.3, a gradient 3.89 against 4.45 million instructions
/// (callgrind, −12.6%). Under load 10–13 on the shared machine, run side by side with the code
/// before both changes (same load): 201.8 CPU s (192.5 s in an earlier run under the same kind of
/// load), 617 s wall, step 0.160–0.179, tree depth 5, b_x bulk-ESS 6,050, sd bulk-ESS 2,790, R-hat
/// ≤ 1.001; before: 192.6 CPU s, 972 s wall (fewer threads, so a smaller share of the loaded
/// machine), step 0.170–0.185, b_x 6,808, sd 3,608. CPU seconds under that load vary by ±5% and
/// the two runs' warm-ups differ (the fused sums round differently, so the chains differ); the
/// instruction counts are the reliable figure and a quiet run has still to give the wall time.
///
/// Quiet run with all of it merged (the gradient-initialised warm-up included), 2026-11-21: 77.3 s
/// wall, 152.4 CPU s (0.54 ms per gradient in `gradient-bernoulli-100k-continuous`), 28,032
/// warm-up and 31,000 sampling gradients per chain, tree depth 5 at step 0.16–0.19, b_x bulk-ESS
/// 6,398, sd bulk-ESS 2,811, R-hat 1.000, 0 divergences. Still over the 60 s target: the gradients
/// alone cost ≈ 128 CPU s; the rest is the non-centred prior and the sampler's vector work.
///
/// Then the row pass in AVX2 + FMA (`fusedBernoulliPassAVX2`: four rows at a time, the exponential
/// by a polynomial in Estrin's scheme; a perf profile had put 82.7% of the job's CPU in the row
/// pass) and the sampler's and posterior's passes around it fused (instructions outside the row
/// pass −45% on a 10,000-row analogue, draws bit-identical). Quiet full-table run, 2026-11-21:
/// 36.9 s wall, 73.1 CPU s, the same draws as with the portable pass up to rounding (step
/// 0.180–0.198, tree depth 5, b_x bulk-ESS 6,948, sd 3,708, R-hat ≤ 1.002, 0 divergences); an
/// hour earlier, at a busy moment of the virtual machine, 42.5 s and 83.8 CPU s.
enum FamilyBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "glmer-cbpp", dataSize: "56 rows, 15 herds, trials(size) ~ period + (1 | herd)",
                     reference: "lme4 ~0.09 s (cbpp)") {
            let design = cbppShaped(seed: 3)
            return {
                let fit = try GeneralizedLinearMixedModel(design: design, family: .binomial).fit()
                return String(format: "deviance %.3f, %d evaluations", -2 * fit.logLikelihood, fit.evaluations)
            }
        },
        BenchmarkJob(name: "glmer-bernoulli-100k", dataSize: "100,000 rows, 5,000 groups, y ~ x + (1 | g), x continuous",
                     reference: "") {
            let design = ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7)
            return {
                let fit = try GeneralizedLinearMixedModel(design: design, family: .bernoulli).fit(conditionalVariances: false)
                return String(format: "sd %.3f, %d evaluations", fit.varianceComponents[0].standardDeviations[0], fit.evaluations)
            }
        },
        BenchmarkJob(name: "glmer-verbagg", dataSize: "7,584 rows, 316 × 24 crossed, r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)",
                     reference: "glmer 3.02 CPU-s per fit (median of 5, load 6, 2026-12-08; 4.45 at load 2 on 2026-12-07; scripts/references/glmer_verbagg_timing.R)") {
            let design = try AdaptationBenchmarks.modelsDesign("verbagg.csv", "r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item)")
            // One untimed fit first, so the timed ones measure warm code.
            _ = try GeneralizedLinearMixedModel(design: design, family: .bernoulli).fit()
            return {
                var seconds: [Double] = []
                var note = ""
                for _ in 0..<5 {
                    let cpuStart = SamplingBenchmarks.processCPUSeconds()
                    let fit = try GeneralizedLinearMixedModel(design: design, family: .bernoulli).fit()
                    seconds.append(SamplingBenchmarks.processCPUSeconds() - cpuStart)
                    note = String(format: "logLik %.6f, %d evaluations", fit.logLikelihood, fit.evaluations)
                }
                seconds.sort()
                return note + String(format: "; 5 fits, CPU-s per fit median %.3f (%.3f–%.3f)", seconds[2], seconds[0], seconds[4])
            }
        },
        BenchmarkJob(name: "nuts-bernoulli-100k-continuous", dataSize: "100,000 rows, 5,000 groups, x continuous, 4 × (1000 + 1000)",
                     reference: "issue 6 target ≤ 60 s") {
            let design = ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7)
            var settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1)
            // MULTILEVEL_BENCH_CORES=N runs N chains at once instead of the default two per core.
            settings.cores = ProcessInfo.processInfo.environment["MULTILEVEL_BENCH_CORES"].flatMap { Int($0) }
            return {
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                let fit = try BayesianFit.run(design: design, family: .bernoulli, settings: settings)
                return nutsNote(fit, cpuSeconds: SamplingBenchmarks.processCPUSeconds() - cpuStart)
            }
        },
    ]

    /// The note of a NUTS job on the Bernoulli model: CPU seconds (user + system, all threads),
    /// the sampling phase's gradients per chain (Σ n_leapfrog__ / chains), mean tree depth, step
    /// size, divergences, the warm-up and sampling seconds of chain 1, and bulk-ESS and R-hat of
    /// b_x and the group SD. Only those columns are summarised, so the timed work is the fit.
    static func nutsNote(_ fit: BayesianFit, cpuSeconds: Double) -> String {
        let draws = fit.draws.selecting(["stepsize__", "treedepth__", "n_leapfrog__", "b_x", "sd_g__Intercept"])
        let summary = summarize(draws: draws)
        let chains = Double(draws.chainCount)
        let all = { (name: String) in (draws.values(of: name) ?? []).flatMap { $0 } }
        let leapfrogs = all("n_leapfrog__").reduce(0, +)
        let depths = all("treedepth__")
        let steps = (draws.values(of: "stepsize__") ?? []).compactMap(\.first)
        let divergences = fit.chainSummaries.reduce(0) { $0 + $1.divergences }
        let first = fit.chainSummaries.first
        return String(format: "CPU %.1f s; %.0f gradients/chain sampling, mean treedepth %.2f, step %@, "
                      + "%d divergent; chain 1 warm-up %.1f s, sampling %.1f s; "
                      + "b_x bulk-ESS %.0f R-hat %.3f, sd bulk-ESS %.0f R-hat %.3f",
                      cpuSeconds, leapfrogs / chains, depths.reduce(0, +) / Double(max(1, depths.count)),
                      steps.map { String(format: "%.3f", $0) }.joined(separator: "/"), divergences,
                      first?.warmupSeconds ?? .nan, first?.samplingSeconds ?? .nan,
                      summary["b_x"]?.essBulk ?? .nan, summary["b_x"]?.rhat ?? .nan,
                      summary["sd_g__Intercept"]?.essBulk ?? .nan, summary["sd_g__Intercept"]?.rhat ?? .nan)
    }

    /// cbpp's shape: 15 herds observed in up to 4 periods (56 rows), herd sizes 2–34, incidence
    /// binomial with logit −1.4 − period effect + herd effect (SD 0.64).
    static func cbppShaped(seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let periodEffects = [0, -0.99, -1.13, -1.58]
        var rows: [(herd: Int, period: Int)] = []
        for herd in 0..<15 { for period in 0..<4 where !(herd % 4 == 1 && period == 3 && rows.count < 52) { rows.append((herd, period)) } }
        rows = Array(rows.prefix(56))
        let herdEffects = (0..<15).map { _ in 0.64 * rng.nextNormal() }
        var x = DenseMatrix(rows: rows.count, columns: 4)
        var successes: [Double] = [], trials: [Double] = []
        for (i, row) in rows.enumerated() {
            x[i, 0] = 1
            if row.period > 0 { x[i, row.period] = 1 }
            let size = Double(2 + Int(rng.nextUniform() * 33))
            let p = 1 / (1 + exp(-(-1.4 + periodEffects[row.period] + herdEffects[row.herd])))
            var count = 0.0
            for _ in 0..<Int(size) where rng.nextUniform() < p { count += 1 }
            successes.append(count)
            trials.append(size)
        }
        let herd = GroupingFactor(name: "herd", levels: (1...15).map(String.init), levelIndex: rows.map(\.herd))
        return ModelDesign(formulaText: "incidence | trials(size) ~ period + (1 | herd)", responseName: "incidence",
                           response: successes, trials: trials, responseLevels: nil, fixedEffects: x,
                           fixedEffectNames: ["(Intercept)", "period2", "period3", "period4"], droppedFixedEffectNames: [],
                           randomTerms: [RandomEffectTerm(grouping: herd, columnNames: ["(Intercept)"],
                                                          values: [Double](repeating: 1, count: rows.count), text: "(1 | herd)")],
                           sourceLines: Array(2..<(rows.count + 2)), droppedRowCount: 0)
    }
}
