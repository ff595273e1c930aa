import Foundation
import Multilevel

/// Benchmark jobs of the Gibbs sampler (see BenchmarkJob): ESS per second of Gibbs against NUTS on
/// the same posterior (brms' default priors), 4 chains × 1000 draws after 1000 warm-up iterations.
/// The note gives the smallest bulk-ESS over the population-level effects, standard deviations,
/// sigma and lp__, and that ESS per second of sampling (warm-up included, chains in parallel) and per
/// CPU-second (user + system time of all threads, which does not depend on how loaded the machine is).
enum GibbsBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "gibbs-sleepstudy-intercepts", dataSize: "180 rows, 18 groups, Reaction ~ Days + (1 | Subject)",
                     reference: "not measured",
                     prepare: { try prepare(sleepstudy(), sampler: .gibbs) }),
        BenchmarkJob(name: "nuts-sleepstudy-intercepts", dataSize: "180 rows, 18 groups, Reaction ~ Days + (1 | Subject)",
                     reference: "not measured",
                     prepare: { try prepare(sleepstudy(), sampler: .nuts) }),
        BenchmarkJob(name: "gibbs-intercepts-1000x100k", dataSize: "100,000 rows, 1,000 groups, y ~ x + (1 | g)",
                     reference: "not measured", prepare: { try prepare(simulated(), sampler: .gibbs) }),
        BenchmarkJob(name: "nuts-intercepts-1000x100k", dataSize: "100,000 rows, 1,000 groups, y ~ x + (1 | g)",
                     reference: "not measured", prepare: { try prepare(simulated(), sampler: .nuts) }),
    ]

    enum Sampler { case gibbs, nuts }

    /// sleepstudy from the repository's `models/` folder.
    static func sleepstudy() throws -> ModelDesign {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let table = try DataTable.read(contentsOf: root.appendingPathComponent("models/sleepstudy.csv"))
        return try ModelDesign.build(formula: Formula.parse("Reaction ~ Days + (1 | Subject)"), table: table)
    }

    /// y = 1 + 0.5 x + b_g + ε, b_g ~ N(0, 1), ε ~ N(0, 2²), 100 rows per group (seeded).
    static func simulated(groups: Int = 1000, rowsPerGroup: Int = 100) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: 2027)
        let effects = (0..<groups).map { _ in rng.nextNormal() }
        var x: [Double] = [], y: [Double] = [], level: [Int] = []
        for g in 0..<groups {
            for _ in 0..<rowsPerGroup {
                let xi = rng.nextNormal()
                x.append(xi); level.append(g)
                y.append(1 + 0.5 * xi + effects[g] + 2 * rng.nextNormal())
            }
        }
        let n = y.count
        var fixed = DenseMatrix(rows: n, columns: 2)
        for i in 0..<n { fixed[i, 0] = 1; fixed[i, 1] = x[i] }
        let grouping = GroupingFactor(name: "g", levels: (0..<groups).map { String(format: "g%04d", $0) }, levelIndex: level)
        let term = RandomEffectTerm(grouping: grouping, columnNames: ["(Intercept)"], values: Array(repeating: 1, count: n),
                                    text: "(1 | g)")
        return ModelDesign(formulaText: "y ~ x + (1 | g)", responseName: "y", response: y, trials: nil, responseLevels: nil,
                           fixedEffects: fixed, fixedEffectNames: ["(Intercept)", "x"], droppedFixedEffectNames: [],
                           randomTerms: [term], sourceLines: Array(2..<(n + 2)), droppedRowCount: 0)
    }

    static func prepare(_ design: ModelDesign, sampler: Sampler) throws -> () throws -> String {
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = PriorSet.defaults(for: design, family: .gaussian).resolved(for: layout)
        let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 7)
        let model = try GibbsModel(design: design, priors: priors)
        return {
            let cpuStart = processorSeconds()
            let start = DispatchTime.now().uptimeNanoseconds
            let draws: Draws
            switch sampler {
            case .gibbs:
                draws = try GibbsSampler.sample(model: model, settings: settings).draws
            case .nuts:
                let run = try NUTSSampler.sample(model.posterior, settings: settings)
                draws = logPosteriorAndConstrained(run.draws, layout: layout, columnMeans: model.columnMeans)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let cpu = processorSeconds() - cpuStart
            let key = draws.variableNames.filter { !$0.hasPrefix("r_") }
            var worst = (name: "", ess: Double.infinity)
            for name in key {
                let ess = bulkEffectiveSampleSize(ChainSequences(chains: draws.values(of: name)!))
                if ess < worst.ess { worst = (name, ess) }
            }
            return String(format: "sampling %.2f s (CPU %.2f s), min bulk-ESS %.0f (%@): %.0f ESS/s, %.0f ESS per CPU-s",
                          seconds, cpu, worst.ess, worst.name, worst.ess / seconds, worst.ess / cpu)
        }
    }
}

/// User plus system CPU seconds of this process so far (all threads).
func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
