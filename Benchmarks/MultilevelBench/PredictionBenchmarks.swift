import Foundation
import Multilevel

/// Benchmark jobs of post-fit predictions (issue 17): `predict` of 10,000 new rows from a
/// 4,000-draw fit of a sleepstudy-shaped model — the new rows' design, then for posterior_epred
/// and posterior_predict the per-row summaries (mean, sd, 2.5% / 97.5% quantiles of each row's
/// 4,000 draws; `predict`) and the whole 4,000 × 10,000 draws matrix (`predict --draws` before
/// it is printed; brms' `posterior_epred` / `posterior_predict` return the same matrix).
/// brms 2.18 on the same shape: scripts/references/brms_predict_timing.R.
enum PredictionBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "predict-10k-from-4000-draws", dataSize: "10,000 new rows (Days, Subject), sleepstudy-shaped (Days | Subject) fit, 4 × 1000 draws",
                     reference: "brms 2.18 on sleepstudy, same new rows: scripts/references/timings/brms_predict_timing.json") {
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
                func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
                let start = DispatchTime.now().uptimeNanoseconds
                let newDesign = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [], newData: newData)
                var note = String(format: "design %.3f s", seconds(since: start))
                for type in [PredictionType.epred, .prediction] {
                    let begin = DispatchTime.now().uptimeNanoseconds
                    let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .gaussian,
                                                             newData: newDesign, type: type, seed: 1)
                    let summaries = prediction.summaries(probabilities: [0.025, 0.975])
                    let summarySeconds = seconds(since: begin)
                    let drawsBegin = DispatchTime.now().uptimeNanoseconds
                    let count = prediction.drawCount
                    var matrix = [Double](repeating: 0, count: prediction.rowCount * count)
                    var buffer = [Double](repeating: 0, count: count)
                    for i in 0..<prediction.rowCount {
                        prediction.values(row: i, into: &buffer)
                        matrix.withUnsafeMutableBufferPointer { out in
                            for s in 0..<count { out[i * count + s] = buffer[s] }
                        }
                    }
                    note += String(format: "; %@ summaries %.2f s, draws matrix %.2f s (%d draws, row 1 mean %.1f, matrix[0] %.1f)",
                                   type.rawValue, summarySeconds, seconds(since: drawsBegin), count, summaries[0].mean, matrix[0])
                }
                return note
            }
        },
    ]
}
