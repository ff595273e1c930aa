import Foundation
import Multilevel

/// Benchmark jobs of NUTS's warm-up (`DiagonalMetricAdaptation`, `WindowedAdaptation`): each runs
/// 4 chains × (1000 + 1000) with the warm-up draws kept and notes the CPU seconds (user + system,
/// all threads), the warm-up and sampling gradients per chain (Σ n_leapfrog__ / chains), the step
/// sizes after warm-up, the sampling phase's mean tree depth, the divergences of warm-up and of
/// sampling, and the smallest bulk-ESS over the parameters.
///
/// Measured (seed 1, shared 2-core machine; CPU seconds) with Stan's adaptation → ours (gradient-
/// initialised metric, early Fisher-divergence windows in the initial buffer; Stan's run is the
/// same code with those two switched off): warm-up gradients per chain, CPU seconds, step sizes
/// after warm-up, sampling tree depth, warm-up divergences (none while sampling, either way).
/// - sleepstudy joint NUTS: 82,456 → 42,451 (−49%), 0.90 → 0.61 CPU-s, step 0.16–0.20 both,
///   depth 4.95 both, 143 → 149;
/// - cbpp: 14,548 → 12,636 (−13%), 0.20 → 0.19 CPU-s, step 0.29–0.35 → 0.31–0.35, depth 3.80 →
///   3.73, 52 → 67;
/// - radon: 26,756 → 14,244 (−47%), 0.44 → 0.30 CPU-s, step 0.33–0.37 → 0.29–0.36, depth 3.97 →
///   3.99, 86 → 79;
/// - Poisson 2k: 18,740 → 14,772 (−21%), 1.35 → 1.11 CPU-s, step 0.26–0.31 → 0.22–0.31, depth 4,
///   160 → 150;
/// - Bernoulli 10k: 24,480 → 16,468 (−33%), 8.5 → 7.4 CPU-s, step 0.27–0.30 → 0.25–0.31, depth 4,
///   64 → 53;
/// - Bernoulli 100k (the `nuts-bernoulli-100k-continuous` model): 54,954 → 27,402 (−50%), 208 →
///   127 CPU-s (−39%), step 0.17–0.19 both, depth 5 both (31,000 sampling gradients), 71 → 58.
/// The sampling phase's step size and depth do not change: the last slow window, which sets
/// them, is Stan's. Depth 5 at step ≈ 0.18 on the 100k model (5,000 group effects) is also what
/// Stan's adaptation gives an independent 5,000-dimensional normal (step 0.16–0.22,
/// depth 4.5–5.0; 1,000 dimensions: 0.24–0.29, depth 4; 100: 0.43–0.47, depth 3.2), whose final
/// metric is off by 10–11% (sd) per coordinate after Stan's regularised 500-draw window. With
/// the exact metric held fixed and only the step size adapted (1000 dual-averaging iterations)
/// the same normal gets step 0.203, depth 5.00 at 5,000 dimensions and 0.30–0.31, depth 4 at
/// 1,000: the step follows leapfrog's d^(−1/4) scaling at the target acceptance, and a better
/// final metric would not take the 100k model below depth 5.
enum AdaptationBenchmarks {
    static let jobs: [BenchmarkJob] = [
        fitJob(name: "adapt-sleepstudy-joint", dataSize: "sleepstudy, Reaction ~ Days + (Days | Subject), gaussian, joint NUTS",
               family: .gaussian) { try modelsDesign("sleepstudy.csv", "Reaction ~ Days + (Days | Subject)") },
        fitJob(name: "adapt-cbpp", dataSize: "cbpp, incidence | trials(size) ~ period + (1 | herd), binomial",
               family: .binomial) { try modelsDesign("cbpp.csv", "incidence | trials(size) ~ period + (1 | herd)") },
        fitJob(name: "adapt-radon", dataSize: "radon, log_radon ~ floor + (1 | county), gaussian, joint NUTS",
               family: .gaussian) { try modelsDesign("radon.csv", "log_radon ~ floor + (1 | county)") },
        fitJob(name: "adapt-poisson-2k", dataSize: "2,000 rows, 100 groups, y ~ x + (1 | g), poisson", family: .poisson) {
            simulatedPoisson(rows: 2_000, groups: 100, seed: 11)
        },
        fitJob(name: "adapt-bernoulli-10k-continuous", dataSize: "10,000 rows, 500 groups, x continuous",
               family: .bernoulli) {
            ModelBenchmarks.simulatedBernoulli(rows: 10_000, groups: 500, continuous: true, seed: 7)
        },
        fitJob(name: "adapt-bernoulli-100k-continuous", dataSize: "100,000 rows, 5,000 groups, x continuous",
               family: .bernoulli) {
            ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7)
        },
    ]

    /// A design from the repository's `models/` folder.
    static func modelsDesign(_ file: String, _ formula: String) throws -> ModelDesign {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let table = try DataTable.read(contentsOf: root.appendingPathComponent("models/\(file)"))
        return try ModelDesign.build(formula: Formula.parse(formula), table: table)
    }

    /// y ~ Poisson(exp(0.5 + 0.3 x + u_g)), u_g ~ N(0, 0.5²), on the predictor and groups of
    /// `ModelBenchmarks.simulatedBernoulli` (x ~ N(0, 1), rows spread evenly over the groups).
    static func simulatedPoisson(rows: Int, groups: Int, seed: UInt64) -> ModelDesign {
        var design = ModelBenchmarks.simulatedBernoulli(rows: rows, groups: groups, continuous: true, seed: seed)
        var rng = Xoshiro256PlusPlus(seed: seed + 1)
        let effects = (0..<groups).map { _ in 0.5 * rng.nextNormal() }
        let levelIndex = design.randomTerms[0].grouping.levelIndex
        for i in 0..<rows {
            let rate = exp(0.5 + 0.3 * design.fixedEffects[i, 1] + effects[levelIndex[i]])
            var count = 0.0, product = rng.nextUniform()
            while product > exp(-rate) { count += 1; product *= rng.nextUniform() }
            design.response[i] = count
        }
        return design
    }

    static func fitJob(name: String, dataSize: String, family: Family,
                       design makeDesign: @escaping () throws -> ModelDesign) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: dataSize + ", 4 × (1000 + 1000)", reference: "") {
            let design = try makeDesign()
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1, saveWarmup: true)
            return {
                let clock = CPUClock()
                let fit = try BayesianFit.run(design: design, family: family, settings: settings)
                return note(fit, warmup: settings.warmup, cpuSeconds: clock.seconds)
            }
        }
    }

    /// The job's note (see the type); the ESS is over the sampling draws only.
    static func note(_ fit: BayesianFit, warmup: Int, cpuSeconds: Double) -> String {
        let draws = fit.draws
        let chains = draws.chainCount
        let leapfrogs = draws.values(of: "n_leapfrog__") ?? []
        let warmupGradients = leapfrogs.map { $0.prefix(warmup).reduce(0, +) }.reduce(0, +) / Double(chains)
        let samplingGradients = leapfrogs.map { $0.dropFirst(warmup).reduce(0, +) }.reduce(0, +) / Double(chains)
        let depths = (draws.values(of: "treedepth__") ?? []).flatMap { $0.dropFirst(warmup) }
        let steps = fit.chainSummaries.compactMap { $0.adaptation?.stepSize }
        let divergences = fit.chainSummaries.reduce(0) { $0 + $1.divergences }
        let warmupDivergences = fit.chainSummaries.reduce(0) { $0 + $1.warmupDivergences }
        let parameters = draws.variableNames.filter { !$0.hasSuffix("__") }
        var minimumESS = Double.infinity, worst = ""
        for name in parameters {
            guard let chainsOfName = draws.values(of: name) else { continue }
            let ess = bulkEffectiveSampleSize(ChainSequences(chains: chainsOfName.map { Array($0.dropFirst(warmup)) }))
            if ess < minimumESS { minimumESS = ess; worst = name }
        }
        return String(format: "CPU %.2f s; gradients/chain warm-up %.0f, sampling %.0f; mean treedepth %.2f; step %@; "
                      + "divergent %d warm-up, %d sampling; min bulk-ESS %.0f (%@)",
                      cpuSeconds, warmupGradients, samplingGradients, depths.reduce(0, +) / Double(max(1, depths.count)),
                      steps.map { String(format: "%.3f", $0) }.joined(separator: "/"), warmupDivergences, divergences,
                      minimumESS, worst)
    }
}
