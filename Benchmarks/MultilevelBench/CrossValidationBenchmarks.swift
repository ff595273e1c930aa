import Foundation
import Multilevel

/// Issue 18: whole `multilevel` commands, each run by `/usr/bin/time` so the note has the child's
/// own CPU time and peak memory: `kfold --k 10 --group Subject` on sleepstudy from the model file
/// (the full-data fit and ten refits; target < 3 s), and `loo` of two fit directories of a
/// simulated random-intercept logistic model, y ~ x + (1 | g) against y ~ 1 + (1 | g), at 100,000
/// and 10,000 rows (the fits, 4 × (1000 + 1000) each as brms' defaults, are made in `prepare` and
/// not timed; brms' `loo(fit1, fit2)` is timed the same way by
/// scripts/references/brms_cross_validation_timing.R).
enum CrossValidationBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "kfold-sleepstudy-10", dataSize: "models/sleepstudy.model, 180 rows, 10 folds by Subject, 4 × (1000 + 1000) per fit, whole command",
                     reference: "brms kfold K = 10 grouped: see the README; target < 3 s") {
            let model = repositoryRoot().appendingPathComponent("models/sleepstudy.model")
            guard FileManager.default.fileExists(atPath: model.path) else {
                throw BenchmarkSetupError(description: "needs \(model.path)")
            }
            return {
                let run = try timedCommand(["kfold", model.path, "--k", "10", "--group", "Subject", "--seed", "1"])
                return run.note + "; " + (run.output.split(separator: "\n").first { $0.hasPrefix("elpd_kfold") }
                    .map { $0.split(separator: " ").joined(separator: " ") } ?? "?")
            }
        },
        looJob(rows: 100_000),
        looJob(rows: 10_000),
    ]

    /// `multilevel loo A B` on two fit directories of the simulated Bernoulli model with `rows` rows
    /// in rows / 20 groups (`ModelBenchmarks.simulatedBernoulli`, seed 11).
    static func looJob(rows: Int) -> BenchmarkJob {
        let label = rows >= 1000 ? "\(rows / 1000)k" : "\(rows)"
        return BenchmarkJob(name: "loo-bernoulli-\(label)-2fits",
                            dataSize: "\(rows) rows, \(rows / 20) groups, y ~ x + (1 | g) vs y ~ 1 + (1 | g), two fit directories of 4 × (1000 + 1000), whole command (fits not timed)",
                            reference: "brms loo(fit1, fit2): see the README") {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("multilevel-bench-loo-\(rows)-\(getpid())", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let design = ModelBenchmarks.simulatedBernoulli(rows: rows, groups: rows / 20, continuous: true, seed: 11)
            var text = "y,x,g\n"
            let levels = design.randomTerms[0].grouping.levelIndex
            for i in 0..<design.rowCount {
                text += "\(Int(design.response[i])),\(design.fixedEffects[i, 1]),g\(levels[i])\n"
            }
            try text.write(to: directory.appendingPathComponent("data.csv"), atomically: false, encoding: .utf8)
            for (name, formula) in [("x", "y ~ x + (1 | g)"), ("intercept", "y ~ 1 + (1 | g)")] {
                let model = directory.appendingPathComponent("\(name).model")
                try "data: data.csv\nformula: \(formula)\nfamily: bernoulli\nseed: 3\n".write(to: model, atomically: false, encoding: .utf8)
                _ = try timedCommand(["fit", model.path, "--output", directory.appendingPathComponent(name).path])
            }
            return {
                defer { try? FileManager.default.removeItem(at: directory) }
                let run = try timedCommand(["loo", directory.appendingPathComponent("x").path,
                                            directory.appendingPathComponent("intercept").path])
                let lines = run.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
                let elpd = lines.filter { $0.hasPrefix("elpd_loo") }.joined(separator: " / ")
                let difference = lines.first { $0.hasPrefix("intercept ") } ?? "?"
                return "\(run.note); \(elpd); elpd_diff, se_diff: \(difference)"
            }
        }
    }

    /// The repository's root (three levels above this file).
    static func repositoryRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs the `multilevel` beside this executable under `/usr/bin/time`; returns its standard
    /// output and a note with its CPU seconds and peak resident memory.
    static func timedCommand(_ arguments: [String]) throws -> (output: String, note: String) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
            .deletingLastPathComponent().appendingPathComponent("multilevel")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchmarkSetupError(description: "no \(executable.path); run swift build -c release --product multilevel")
        }
        let times = FileManager.default.temporaryDirectory.appendingPathComponent("multilevel-bench-time-\(getpid()).txt")
        defer { try? FileManager.default.removeItem(at: times) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%U %S %M", "-o", times.path, executable.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkSetupError(description: "multilevel \(arguments.first ?? "") exited with \(process.terminationStatus)")
        }
        let fields = ((try? String(contentsOf: times, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        let note = fields.count >= 3
            ? String(format: "child %.2f CPU-s, peak %.0f MB", fields[0] + fields[1], fields[2] / 1024) : "child time unknown"
        return (output, note)
    }
}
