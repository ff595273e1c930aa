import Foundation
import Multilevel

/// Benchmark jobs of the families area (issue 6): Laplace fits as glmer does them — a cbpp-shaped
/// binomial model and a 100,000-row Bernoulli model with 5,000 groups — and NUTS on the
/// 100,000-row Bernoulli model with a continuous predictor (no identical rows to merge), 4 chains
/// × (1000 + 1000), whose target is ≤ 60 s. Data are simulated with fixed seeds.
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
        BenchmarkJob(name: "nuts-bernoulli-100k-continuous", dataSize: "100,000 rows, 5,000 groups, x continuous, 4 × (1000 + 1000)",
                     reference: "issue 6 target ≤ 60 s") {
            let design = ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7)
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1)
            return {
                let fit = try BayesianFit.run(design: design, family: .bernoulli, settings: settings)
                let summary = summarize(draws: fit.draws)
                return String(format: "b_x bulk-ESS %.0f, sd bulk-ESS %.0f", summary["b_x"]?.essBulk ?? .nan,
                              summary["sd_g__Intercept"]?.essBulk ?? .nan)
            }
        },
    ]

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
