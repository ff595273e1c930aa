import Foundation
import Multilevel

/// Benchmark jobs of post-fit predictions (issue 17): `predict` of 10,000 new rows from a
/// 4,000-draw fit of a sleepstudy-shaped model — the new rows' design, then the mean, sd and
/// 2.5% / 97.5% quantiles of each row's 4,000 draws of posterior_epred and posterior_predict.
enum PredictionBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "predict-10k-from-4000-draws", dataSize: "10,000 new rows (Days, Subject), sleepstudy-shaped (Days | Subject) fit, 4 × 1000 draws",
                     reference: "") {
            var rng = Xoshiro256PlusPlus(seed: 17)
            var csv = "Reaction,Days,Subject\n"
            for subject in 0..<18 {
                let intercept = 250 + 25 * rng.nextNormal(), slope = 10 + 6 * rng.nextNormal()
                for day in 0..<10 { csv += "\(intercept + slope * Double(day) + 25 * rng.nextNormal()),\(day),\"s\(subject)\"\n" }
            }
            let table = try DataTable(csv: csv, fileName: "sleepstudy-shaped.csv")
            let formula = try Formula.parse("Reaction ~ Days + (Days | Subject)")
            let design = try ModelDesign.build(formula: formula, table: table)
            var settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4)
            settings.seed = 17
            let fit = try BayesianFit.runMarginal(design: design, settings: settings)
            var rows = "Days,Subject\n"
            for i in 0..<10_000 { rows += "\(Double(i % 91) / 10),\"s\(i % 18)\"\n" }
            let newData = try DataTable(csv: rows, fileName: "new.csv")
            return {
                let start = DispatchTime.now().uptimeNanoseconds
                let newDesign = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [], newData: newData)
                let designSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                var note = String(format: "design %.3f s", designSeconds)
                for type in [PredictionType.epred, .prediction] {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .gaussian,
                                                             newData: newDesign, type: type, seed: 1)
                    let summaries = prediction.summaries(probabilities: [0.025, 0.975])
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
                    note += String(format: "; %@ %.2f s (%d draws, row 1 mean %.1f)", type.rawValue, seconds,
                                   prediction.drawCount, summaries[0].mean)
                }
                return note
            }
        },
    ]
}
