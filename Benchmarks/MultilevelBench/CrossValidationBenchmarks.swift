import Foundation
import Multilevel

/// Issue 18: the whole `multilevel kfold --k 10` command on sleepstudy (target < 3 s), and `loo`
/// (PSIS-LOO with relative efficiencies, WAIC, loo_compare, weights) of two fits of a
/// 100,000-row Bernoulli model (the log-likelihood streamed by blocks).
enum CrossValidationBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "kfold-sleepstudy-10", dataSize: "models/sleepstudy.model, 180 rows, 10 folds by Subject, 4 × (1000 + 1000) per fit",
                     reference: "brms kfold K = 5: 26 s (m1) / 65 s (m2), bayes_sleepstudy.json; target < 3 s") {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
                .deletingLastPathComponent().appendingPathComponent("multilevel")
            let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("models/sleepstudy.model")
            guard FileManager.default.isExecutableFile(atPath: executable.path),
                  FileManager.default.fileExists(atPath: model.path) else {
                throw BenchmarkSetupError(description: "needs \(executable.path) and \(model.path)")
            }
            return {
                let process = Process()
                process.executableURL = executable
                process.arguments = ["kfold", model.path, "--k", "10", "--group", "Subject", "--seed", "1"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = FileHandle.nullDevice
                try process.run()
                let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw BenchmarkSetupError(description: "multilevel kfold exited with \(process.terminationStatus)")
                }
                return text.split(separator: "\n").first { $0.hasPrefix("elpd_kfold") }.map { $0.split(separator: " ").joined(separator: " ") } ?? "?"
            }
        },
        BenchmarkJob(name: "loo-bernoulli-100k-2fits", dataSize: "100,000 rows, 5,000 groups, two fits of 4 × (250 + 250) (fits not timed)",
                     reference: "not measured") {
            let design = ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 11)
            let settings = SamplerSettings(iterations: 500, warmup: 250, chains: 4, seed: 3)
            let full = try BayesianFit.run(design: design, family: .bernoulli, settings: settings)
            var reduced = design
            reduced.fixedEffects = DenseMatrix(rows: design.rowCount, columns: 1, columnMajor: design.fixedEffects.column(0))
            reduced.fixedEffectNames = ["(Intercept)"]
            let small = try BayesianFit.run(design: reduced, family: .bernoulli, settings: settings)
            return {
                let a = try LeaveOneOutCriteria(PointwiseLogLikelihood(design: design, family: .bernoulli, draws: full.draws))
                let b = try LeaveOneOutCriteria(PointwiseLogLikelihood(design: reduced, family: .bernoulli, draws: small.draws))
                let lpd = [a.leaveOneOut.pointwiseElpd, b.leaveOneOut.pointwiseElpd]
                let comparison = try LooComparison(names: ["y ~ x", "y ~ 1"], pointwiseElpd: lpd)
                let weights = ModelWeights.stacking(pointwiseElpd: lpd)
                return String(format: "elpd_loo %.1f / %.1f, elpd_diff %.1f (SE %.1f), stacking %.3f; max k %.2f",
                              a.leaveOneOut.elpd.estimate, b.leaveOneOut.elpd.estimate, comparison.rows[1].elpdDifference,
                              comparison.rows[1].standardErrorOfDifference, weights[0], a.leaveOneOut.paretoK.max() ?? .nan)
            }
        },
    ]
}
