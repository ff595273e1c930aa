import Foundation
import Multilevel

/// Benchmark jobs of the comparison workbench (bootstrap, plots); see BenchmarkJob.
enum WorkbenchBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "bootstrap-sleepstudy-2000", dataSize: "180 rows, 18 groups, (Days | Subject), 2000 parametric refits",
                     reference: "lme4 bootMer 45 s (sleepstudy_confint.json)", prepare: prepareParametricBootstrap),
        BenchmarkJob(name: "bootstrap-cbpp-glmer-1000", dataSize: "models/cbpp.csv, 56 rows, 15 herds, binomial, 1000 parametric Laplace refits",
                     reference: "lme4 bootMer 39.8 CPU-s per 200 replicates (≈199 per 1000), load 8", prepare: prepareGeneralizedBootstrap),
    ]

    /// lme4's cbpp, `incidence | trials(size) ~ period + (1 | herd)`: bootMer's parametric bootstrap of
    /// the glmer fit (`GeneralizedBootstrap`).
    static func prepareGeneralizedBootstrap() throws -> () throws -> String {
        let design = try AdaptationBenchmarks.modelsDesign("cbpp.csv", "incidence | trials(size) ~ period + (1 | herd)")
        let model = try GeneralizedLinearMixedModel(design: design, family: .binomial)
        let fit = try model.fit(conditionalVariances: false)
        return {
            let result = try GeneralizedBootstrap(design: model.design, fit: fit, family: .binomial).run(replicates: 1000, seed: 1)
            let mean = Double(result.evaluations) / Double(max(1, result.replicateCount - result.failedCount))
            return String(format: "%d failed, %.1f evaluations per refit, %d threads", result.failedCount, mean,
                          ProcessInfo.processInfo.activeProcessorCount)
        }
    }

    /// Sleepstudy-shaped data (18 subjects × 10 days) simulated, seeded, at lme4's REML estimates
    /// for sleepstudy: β = (251.4, 10.47), sd = (24.74, 5.92), cor 0.066, σ = 25.59.
    static func simulatedSleepstudy() throws -> DataTable {
        var rng = Xoshiro256PlusPlus(seed: 2026)
        var text = "Reaction,Days,Subject\n"
        for subject in 0..<18 {
            let u0 = rng.nextNormal(), u1 = rng.nextNormal()
            let b0 = 24.74 * u0
            let b1 = 5.92 * (0.066 * u0 + (1 - 0.066 * 0.066).squareRoot() * u1)
            for day in 0..<10 {
                let y = 251.4 + b0 + (10.47 + b1) * Double(day) + 25.59 * rng.nextNormal()
                text += "\(y),\(day),\"S\(300 + subject)\"\n"
            }
        }
        return try DataTable(csv: text, fileName: "sleepstudy-simulated.csv")
    }

    static func prepareParametricBootstrap() throws -> () throws -> String {
        let design = try ModelDesign.build(formula: Formula.parse("Reaction ~ Days + (Days | Subject)"),
                                           table: simulatedSleepstudy())
        let model = try LinearMixedModel(design: design)
        let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
        return {
            let result = try MixedModelBootstrap(model: model, fit: fit).run(scheme: .parametric, replicates: 2000, seed: 1)
            let mean = Double(result.evaluations) / Double(max(1, result.replicateCount - result.failedCount))
            return String(format: "%d failed, %.1f evaluations per refit, %d threads", result.failedCount, mean,
                          ProcessInfo.processInfo.activeProcessorCount)
        }
    }
}
