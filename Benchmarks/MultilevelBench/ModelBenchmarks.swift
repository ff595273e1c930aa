import Foundation
import Multilevel

/// Benchmark jobs of the model area (see BenchmarkJob): the cost of one log-posterior gradient.
/// The gaussian posterior reads the data through per-group sufficient statistics, so its cost
/// depends on the number of groups, not rows: compare `gradient-gaussian-10k` with
/// `gradient-gaussian-1M` (same 1,000 groups), and with `gradient-gaussian-1M-rowpass`, the same
/// model evaluated row by row.
enum ModelBenchmarks {
    static let jobs: [BenchmarkJob] = [
        gradientJob(name: "gradient-sleepstudy", rows: 180, groups: 18, evaluations: 200_000,
                    sufficient: true, reference: ""),
        gradientJob(name: "gradient-gaussian-10k", rows: 10_000, groups: 1_000, evaluations: 20_000,
                    sufficient: true, reference: ""),
        gradientJob(name: "gradient-gaussian-1M", rows: 1_000_000, groups: 1_000, evaluations: 20_000,
                    sufficient: true, reference: ""),
        gradientJob(name: "gradient-gaussian-1M-rowpass", rows: 1_000_000, groups: 1_000, evaluations: 100,
                    sufficient: false, reference: ""),
        bernoulliGradientJob(),
        BenchmarkJob(name: "nuts-sleepstudy-slopes", dataSize: "180 rows, 18 groups, (x | g), 4 × (1000 + 1000)",
                     reference: "brms ~70 s (65 s compiling); Stan b_Days bulk-ESS ~1,370 in ~13.4 CPU-s") {
            let design = simulatedDesign(rows: 180, groups: 18, seed: 2024)
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1)
            return {
                let fit = try BayesianFit.run(design: design, family: .gaussian, settings: settings)
                let summary = summarize(draws: fit.draws)
                let divergences = fit.chainSummaries.reduce(0) { $0 + $1.divergences }
                return String(format: "b_x bulk-ESS %.0f, %d divergences", summary["b_x"]?.essBulk ?? .nan, divergences)
            }
        },
        BenchmarkJob(name: "nuts-bernoulli-100k", dataSize: "100,000 rows, 5,000 groups, y ~ x + (1 | g), x binary",
                     reference: "issue 6 target ≤ 60 s") {
            let design = simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: false, seed: 7)
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 1)
            return {
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                let fit = try BayesianFit.run(design: design, family: .bernoulli, settings: settings)
                return "merged to \(fit.posterior.mergedRowCount) rows; "
                    + FamilyBenchmarks.nutsNote(fit, cpuSeconds: SamplingBenchmarks.processCPUSeconds() - cpuStart)
            }
        },
    ]

    /// One gradient of a 100,000-row, 5,000-group Bernoulli model with a continuous predictor
    /// (no rows to merge: the row pass's cost). Measured under load on the shared 2-core machine
    /// (same load, alternating runs): 550–660 µs CPU per gradient against 1,380–1,430 µs before the
    /// level-ordered chunks and the two-rows-at-a-time table exponential; callgrind: the row pass
    /// 38 instructions per row (71 before), of which the exponential ~15.5, the rest of the
    /// bernoulli arithmetic ~9.6, η ~4.7 and the gradient sums ~4.7. With it,
    /// `nuts-bernoulli-100k-continuous` took 224 CPU s under load 6–7, its warm-up ~12 times the
    /// wall time of its 31,000 sampling gradients per chain. The one-loop pass for this shape
    /// (`PosteriorColumns.fusedBernoulliPass`: η, family and gradient sums per chunk in registers)
    /// takes 32.7 instructions per row against those 38.3 (callgrind, the whole gradient 3.89
    /// million instructions against 4.45 million, −12.6%); under load 7–8 the CPU time per
    /// gradient (650–820 µs either way) could not tell them apart.
    static func bernoulliGradientJob() -> BenchmarkJob {
        BenchmarkJob(name: "gradient-bernoulli-100k-continuous", dataSize: "100,000 rows, 5,000 groups, x continuous",
                     reference: "") {
            let design = simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7)
            let layout = ParameterLayout(design: design, family: .bernoulli)
            let priors = PriorSet.defaults(for: design, family: .bernoulli).resolved(for: layout)
            var posterior = try GLMMPosterior(design: design, family: .bernoulli, priors: priors)
            let position = [Double](repeating: 0.1, count: layout.dimension)
            return {
                var gradient = [Double](repeating: 0, count: layout.dimension)
                let evaluations = 500
                let clock = DispatchTime.now().uptimeNanoseconds
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                for _ in 0..<evaluations {
                    _ = position.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer { g in posterior.logDensity(at: p, gradient: g) }
                    }
                }
                let cpu = SamplingBenchmarks.processCPUSeconds() - cpuStart
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                return String(format: "%.0f µs/gradient wall, %.0f µs CPU", seconds / Double(evaluations) * 1e6,
                              cpu / Double(evaluations) * 1e6)
            }
        }
    }

    /// y ~ x + (1 | g) Bernoulli data: logit p = −0.5 + 0.8 x + u_g, u_g ~ N(0, 1).
    static func simulatedBernoulli(rows: Int, groups: Int, continuous: Bool, seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let effects = (0..<groups).map { _ in rng.nextNormal() }
        var x = DenseMatrix(rows: rows, columns: 2)
        var y = [Double](repeating: 0, count: rows)
        var levelIndex = [Int](repeating: 0, count: rows)
        for i in 0..<rows {
            let g = i % groups
            let value = continuous ? rng.nextNormal() : Double((i / groups) % 2)
            levelIndex[i] = g
            x[i, 0] = 1
            x[i, 1] = value
            let eta = -0.5 + 0.8 * value + effects[g]
            y[i] = rng.nextUniform() < 1 / (1 + exp(-eta)) ? 1 : 0
        }
        let grouping = GroupingFactor(name: "g", levels: (0..<groups).map { "g\($0)" }, levelIndex: levelIndex)
        let term = RandomEffectTerm(grouping: grouping, columnNames: ["(Intercept)"],
                                    values: [Double](repeating: 1, count: rows), text: "(1 | g)")
        return ModelDesign(formulaText: "y ~ x + (1 | g)", responseName: "y", response: y, trials: nil,
                           responseLevels: nil, fixedEffects: x, fixedEffectNames: ["(Intercept)", "x"],
                           droppedFixedEffectNames: [], randomTerms: [term], sourceLines: Array(2..<(rows + 2)),
                           droppedRowCount: 0)
    }

    /// A simulated `y ~ x + (x | g)` gaussian model (sleepstudy's shape: x = 0…9 within each group)
    /// and a timed loop of gradient evaluations at jittered points; the note is µs per gradient.
    static func gradientJob(name: String, rows: Int, groups: Int, evaluations: Int, sufficient: Bool,
                            reference: String) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "\(rows) rows, \(groups) groups, (x | g)", reference: reference) {
            let design = simulatedDesign(rows: rows, groups: groups, seed: 2024)
            let layout = ParameterLayout(design: design, family: .gaussian)
            let priors = PriorSet.defaults(for: design, family: .gaussian).resolved(for: layout)
            var posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors,
                                              useSufficientStatistics: sufficient)
            var rng = Xoshiro256PlusPlus(seed: 1)
            let start = (0..<layout.dimension).map { _ in rng.nextUniform(-2, 2) }
            return {
                var position = start
                var gradient = [Double](repeating: 0, count: layout.dimension)
                var total = 0.0
                let clock = DispatchTime.now().uptimeNanoseconds
                for e in 0..<evaluations {
                    position[e % position.count] += 1e-9
                    total += position.withUnsafeBufferPointer { p in
                        gradient.withUnsafeMutableBufferPointer { g in posterior.logDensity(at: p, gradient: g) }
                    }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                precondition(total.isFinite, "non-finite log density in the benchmark")
                return String(format: "%.2f µs/gradient (d = %d)", seconds / Double(evaluations) * 1e6, layout.dimension)
            }
        }
    }

    static func simulatedDesign(rows: Int, groups: Int, seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let intercepts = (0..<groups).map { _ in 250 + 25 * rng.nextNormal() }
        let slopes = (0..<groups).map { _ in 10 + 6 * rng.nextNormal() }
        var x = DenseMatrix(rows: rows, columns: 2)
        var y = [Double](repeating: 0, count: rows)
        var levelIndex = [Int](repeating: 0, count: rows)
        var values = [Double](repeating: 0, count: 2 * rows)
        for i in 0..<rows {
            let g = i % groups
            let day = Double((i / groups) % 10)
            levelIndex[i] = g
            x[i, 0] = 1
            x[i, 1] = day
            values[2 * i] = 1
            values[2 * i + 1] = day
            y[i] = intercepts[g] + slopes[g] * day + 25 * rng.nextNormal()
        }
        let grouping = GroupingFactor(name: "g", levels: (0..<groups).map { "g\($0)" }, levelIndex: levelIndex)
        let term = RandomEffectTerm(grouping: grouping, columnNames: ["(Intercept)", "x"], values: values, text: "(x | g)")
        return ModelDesign(formulaText: "y ~ x + (x | g)", responseName: "y", response: y, trials: nil,
                           responseLevels: nil, fixedEffects: x, fixedEffectNames: ["(Intercept)", "x"],
                           droppedFixedEffectNames: [], randomTerms: [term], sourceLines: Array(2..<(rows + 2)),
                           droppedRowCount: 0)
    }
}
