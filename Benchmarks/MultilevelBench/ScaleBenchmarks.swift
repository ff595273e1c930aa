import Foundation
import Multilevel

/// Benchmark jobs at scale (issue 9): the 1,000,000-row, 1,000-group `y ~ x + (x | g)` model with
/// lmer and with the joint and marginal NUTS samplers (4 × (1000 + 1000)), and sleepstudy-shaped
/// whole fits reporting bulk-ESS of b_x per CPU-second (Stan: ~1,370 bulk-ESS of b_Days in
/// ~13.4 CPU-s, i.e. ~100 per CPU-s). CPU time is the process's user + system time over the job.
enum ScaleBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "scale-lmer-1M", dataSize: "1,000,000 rows, 1,000 groups, y ~ x + (x | g)",
                     reference: "issue 9 target ≤ 2 s, ≤ 1 GB") {
            let design = ModelBenchmarks.simulatedDesign(rows: 1_000_000, groups: 1_000, seed: 2024)
            return {
                let clock = CPUClock()
                let fit = try LinearMixedModel(design: design).fit(method: .reml, options: .init(conditionalVariances: false))
                return String(format: "REML %.1f, %d evaluations; %.2f CPU-s", fit.criterion, fit.evaluations, clock.seconds)
            }
        },
        fitJob(name: "scale-fit-1M-joint", rows: 1_000_000, groups: 1_000, marginal: false,
               reference: "issue 9 target ≤ 20 s, R-hat < 1.01, ≤ 1 GB"),
        // With all four chains at once on two cores (ChainScheduling.width) the peak
        // resident memory is 263 MB against 261 MB with two at a time (the same draws: max R-hat
        // 1.004, b_x bulk-ESS 2,882); measured under load, so the wall times are not comparable.
        fitJob(name: "scale-fit-1M-marginal", rows: 1_000_000, groups: 1_000, marginal: true,
               reference: "issue 9 target ≤ 20 s, R-hat < 1.01, ≤ 1 GB"),
        // The data of `lmer-insteval` (FrequentistBenchmarks.instEvalShaped). The automatic rule
        // centres all three terms (pilot 0.2 CPU-s: ratios s 1.8, d 13, dept 36; lower 1.7, 12,
        // 17), and since instructors d are nested in departments it hierarchically centres d on
        // dept and dept on the Intercept (HierarchicalCentring). Measured on the shared 2-core
        // machine (load 3–9, so wall times are not comparable; CPU-s are), seed 1, 4 × (1000 + 1000):
        //   automatic (centred s, d, dept; d on dept, dept on Intercept): 77.4 CPU-s, 31,000
        //     sampling gradients/chain (tree depth 5), max R-hat 1.008 (r_s[1046,Intercept]),
        //     bulk-ESS b_service1 9,097, sd_s 2,726, sd_d 7,980, sd_dept 2,688, 0 divergences;
        //     with seed 2 78.4 CPU-s, max R-hat 1.0100 (r_s[2241,Intercept], the only one of 4,120
        //     values ≥ 1.01), sd_dept 2,749, least bulk-ESS of the r_ 4,938 (r_dept[6]) — what is
        //     left is the spread of the max of 4,120 R-hats (the students' effects, crossed, not
        //     nested), not a ridge;
        //   plain centred s, d, dept (`-centred`, the automatic rule before hierarchical centring):
        //     80.2 CPU-s, 31,000 gradients/chain, max R-hat 1.010 (r_dept[11,Intercept]), bulk-ESS
        //     b_service1 6,121, sd_s 1,591, sd_d 4,054, sd_dept 525;
        //   d on dept only, dept not on the Intercept (`-hierarchical-d-dept`): 77.7 CPU-s, max
        //     R-hat 1.060 (b_Intercept), sd_dept 551 — the ridge between the Intercept and the
        //     mean of the department effects is then what is left, so both shears are needed;
        //   non-centred (brms): 156.0 CPU-s, 33,656 gradients/chain, max R-hat 1.023, bulk-ESS
        //     b_service1 5,062, sd_s 1,624, sd_d 521, sd_dept 282;
        //   s, d centred, dept non-centred: 98.6 CPU-s, 38,720 gradients/chain, max R-hat 1.014,
        //     sd_dept 296 (the pilot's sd̂_dept was 0 before it estimated the coarsest term first);
        //   s non-centred, d, dept centred: 134.5 CPU-s, 31,000 gradients/chain, max R-hat 1.025
        //     (r_dept[0,Intercept]), sd_dept 337.
        instEvalFitJob(name: "scale-fit-instEval-joint", reference: "issue 9 target ≤ 60 s, R-hat < 1.01"),
        instEvalFitJob(name: "scale-fit-instEval-joint-centred", parameterisation: .centred,
                       reference: "plain centred, no hierarchical centring"),
        instEvalFitJob(name: "scale-fit-instEval-joint-hierarchical-d-dept", parameterisation: .hierarchicallyCentred(centreOnIntercept: false),
                       reference: "d on dept only, dept not on the Intercept"),
        instEvalFitJob(name: "scale-fit-instEval-joint-noncentred", parameterisation: .nonCentred,
                       reference: "brms' parameterisation"),
        instEvalFitJob(name: "scale-fit-instEval-joint-centred-d-dept", parameterisation: .centredGroups(["d", "dept"]),
                       reference: "s non-centred"),
        pilotJob(name: "scale-pilot-instEval", dataSize: "73,421 rows, 2,972 × 1,128 × 14 levels crossed",
                 family: .gaussian) { FrequentistBenchmarks.instEvalShaped(seed: 2) },
        pilotJob(name: "scale-pilot-bernoulli-100k", dataSize: "100,000 rows, 5,000 groups, x continuous",
                 family: .bernoulli) { ModelBenchmarks.simulatedBernoulli(rows: 100_000, groups: 5_000, continuous: true, seed: 7) },
        bernoulliJob(name: "scale-nuts-bernoulli-10k-centred", parameterisation: .centred),
        bernoulliJob(name: "scale-nuts-bernoulli-10k-noncentred", parameterisation: .nonCentred),
        commandJob(name: "scale-cli-fit-1M-marginal", sampler: "marginal"),
        commandJob(name: "scale-cli-fit-1M-joint", sampler: "nuts"),
        fitJob(name: "scale-fit-sleepstudy-joint", rows: 180, groups: 18, marginal: false,
               reference: "Stan ~1,370 bulk-ESS b_Days in ~13.4 CPU-s (~100 /CPU-s)"),
        fitJob(name: "scale-fit-sleepstudy-marginal", rows: 180, groups: 18, marginal: true,
               reference: "Stan ~1,370 bulk-ESS b_Days in ~13.4 CPU-s (~100 /CPU-s)"),
    ]

    /// A joint NUTS fit of the InstEval-shaped data (`FrequentistBenchmarks.instEvalShaped`,
    /// seed 2) under `parameterisation`, with the note's ESS of b_service1 and the three sd's.
    static func instEvalFitJob(name: String, parameterisation: ParameterisationChoice = .automatic,
                               reference: String) -> BenchmarkJob {
        fitJob(name: name, dataSize: "73,421 rows, 2,972 × 1,128 × 14 levels crossed, 4 × (1000 + 1000)",
               marginal: false, parameterisation: parameterisation, effect: "b_service1",
               scales: ["sd_s__Intercept", "sd_d__Intercept", "sd_dept__Intercept"],
               reference: reference) { FrequentistBenchmarks.instEvalShaped(seed: 2) }
    }

    /// A whole NUTS fit, 4 chains × (1000 + 1000), joint or marginal; the note gives the worst
    /// R-hat, bulk-ESS of b_x and sd_g__x, CPU seconds and bulk-ESS of b_x per CPU-second.
    static func fitJob(name: String, rows: Int, groups: Int, marginal: Bool, reference: String) -> BenchmarkJob {
        fitJob(name: name, dataSize: "\(rows) rows, \(groups) groups, (x | g), 4 × (1000 + 1000)", marginal: marginal,
               effect: "b_x", scales: ["sd_g__x"], reference: reference) {
            ModelBenchmarks.simulatedDesign(rows: rows, groups: groups, seed: 2024)
        }
    }

    /// A whole NUTS fit of `design()` (built untimed), 4 chains × (1000 + 1000). The note gives the
    /// worst R-hat over all parameters (its name, and how many reach 1.01), bulk-ESS of `effect` and of each
    /// of `scales`, the least bulk-ESS of the group-level effects r_ (and which), divergences,
    /// gradient evaluations (leapfrog steps) per chain, CPU seconds, CPU-µs per gradient (sampler,
    /// recording and summary included) and bulk-ESS of `effect` per CPU-second. The sampler's seed
    /// is 1, or `MULTILEVEL_BENCH_SEED` when set (to see how the worst R-hat varies over seeds).
    static func fitJob(name: String, dataSize: String, marginal: Bool,
                       parameterisation: ParameterisationChoice = .automatic, effect: String, scales: [String],
                       reference: String, design: @escaping () -> ModelDesign) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: dataSize, reference: reference) {
            let design = design()
            let seed = ProcessInfo.processInfo.environment["MULTILEVEL_BENCH_SEED"].flatMap { UInt64($0) } ?? 1
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: seed)
            return {
                let clock = CPUClock()
                let fit = marginal ? try BayesianFit.runMarginal(design: design, settings: settings)
                                   : try BayesianFit.run(design: design, family: .gaussian, settings: settings,
                                                         parameterisation: parameterisation)
                let cpu = clock.seconds
                let summary = summarize(draws: fit.draws)
                let worst = summary.variables.filter { !$0.name.hasSuffix("__") && $0.rhat.isFinite }
                    .max { $0.rhat < $1.rhat }
                let worstRhat = worst?.rhat ?? .nan
                let above = summary.variables.filter { !$0.name.hasSuffix("__") && $0.rhat >= 1.01 }.count
                let effects = summary.variables.filter { $0.name.hasPrefix("r_") && $0.essBulk.isFinite }
                let leastEffect = effects.min { $0.essBulk < $1.essBulk }
                let ess = summary[effect]?.essBulk ?? .nan
                let divergences = fit.chainSummaries.reduce(0) { $0 + $1.divergences }
                let gradients = fit.draws.values(of: "n_leapfrog__")?.map { $0.reduce(0, +) }.reduce(0, +) ?? .nan
                let scaleESS = scales.map { String(format: "%@ %.0f", $0, summary[$0]?.essBulk ?? .nan) }
                    .joined(separator: ", ")
                return String(format: "max R-hat %.4f (%@; %d ≥ 1.01); bulk-ESS %@ %.0f, %@, least of the r_ %.0f (%@); %d divergences; %.0f gradients/chain (sampling); %.1f CPU-s (%.0f µs/gradient); %.0f ESS/CPU-s",
                              worstRhat, worst?.name ?? "-", above, effect, ess, scaleESS, leastEffect?.essBulk ?? .nan,
                              leastEffect?.name ?? "-", divergences, gradients / 4, cpu, 1e6 * cpu / (2 * gradients), ess / cpu)
            }
        }
    }

    /// The automatic parameterisation rule's pilot (`ParameterisationPilot`) alone: its CPU
    /// seconds (to compare with the fit's) and each term's information ratio and lower ratio.
    static func pilotJob(name: String, dataSize: String, family: Family,
                         design: @escaping () -> ModelDesign) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: dataSize, reference: "") {
            let design = design()
            return {
                let clock = CPUClock()
                let pilot = ParameterisationPilot(design: design, family: family)
                let cpu = clock.seconds
                let terms = design.randomTerms.indices.map { t in
                    String(format: "%@ sd %.3f ratio %.2f (lower %.2f)", design.randomTerms[t].grouping.name,
                           pilot.standardDeviations[t][0], pilot.informationRatios[t], pilot.lowerInformationRatios[t])
                }
                return String(format: "%.3f CPU-s; ", cpu) + terms.joined(separator: "; ")
            }
        }
    }

    /// The 10,000-row, 500-group analogue of `nuts-bernoulli-100k-continuous` (y ~ x + (1 | g),
    /// 20 rows per group, u_g ~ N(0, 1)), 4 × (1000 + 1000), with every term centred or every term
    /// non-centred; the note is `FamilyBenchmarks.nutsNote`'s. The automatic rule centres g (pilot
    /// on the 100k model: 0.19 CPU-s, sd̂ 0.99, ratio 4.05, lower 3.92). Measured (shared machine,
    /// seed 1): centred 20.6 CPU-s, 15,000 sampling gradients/chain (tree depth 4, step
    /// 0.27–0.31), b_x bulk-ESS 6,972, sd bulk-ESS 2,818 (R-hat 1.001); non-centred 20.9 CPU-s,
    /// 15,000 gradients/chain (depth 4, step 0.26–0.30), b_x 5,993, sd 1,156 (R-hat 1.000). With
    /// an information ratio ≈ 4 per level neither geometry is extreme:
    /// centring gives 2.4× the sd's ESS per gradient but not fewer leapfrogs; the warm-up (≈ 90%
    /// of the wall time here) is where the 100k job's time goes.
    static func bernoulliJob(name: String, parameterisation: ParameterisationChoice) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "10,000 rows, 500 groups, x continuous, 4 × (1000 + 1000)", reference: "") {
            let design = ModelBenchmarks.simulatedBernoulli(rows: 10_000, groups: 500, continuous: true, seed: 7)
            let seed = ProcessInfo.processInfo.environment["MULTILEVEL_BENCH_SEED"].flatMap { UInt64($0) } ?? 1
            let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: seed)
            return {
                let clock = CPUClock()
                let fit = try BayesianFit.run(design: design, family: .bernoulli, settings: settings,
                                              parameterisation: parameterisation)
                return FamilyBenchmarks.nutsNote(fit, cpuSeconds: clock.seconds)
            }
        }
    }

    /// The whole command line on a 1,000,000-row CSV: `prepare` (untimed) writes the simulated
    /// `y ~ x + (x | g)` data (1,000 groups) as CSV and a model file into a temporary directory; the
    /// timed work runs the `multilevel` executable built next to this one (`swift build -c release
    /// --product multilevel`) as `multilevel fit MODEL --seed 1 --sampler S --output DIR`: CSV load,
    /// design, fit, summary and the CmdStan CSV files. The note gives the child's CPU seconds and
    /// peak memory (the table's column is the bench process's).
    static func commandJob(name: String, sampler: String) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "1,000,000-row CSV, 1,000 groups, y ~ x + (x | g), 4 × (1000 + 1000), --output",
                     reference: "issue 9 target ≤ 20 s, ≤ 1 GB, CSV ≤ 2 s") {
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).absoluteURL
                .deletingLastPathComponent().appendingPathComponent("multilevel")
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw BenchmarkSetupError(description: "no \(executable.path); run swift build -c release --product multilevel")
            }
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("multilevel-bench-cli-\(getpid())", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let design = ModelBenchmarks.simulatedDesign(rows: 1_000_000, groups: 1_000, seed: 2024)
            var text = "y,x,g\n"
            text.reserveCapacity(1_000_000 * 24)
            for i in 0..<design.response.count {
                let level = design.randomTerms[0].grouping.levelIndex[i]
                text += String(format: "%.4f,%.0f,g%d\n", design.response[i], design.fixedEffects[i, 1], level)
            }
            let csv = directory.appendingPathComponent("data.csv")
            try text.write(to: csv, atomically: false, encoding: .utf8)
            let model = directory.appendingPathComponent("scale.model")
            try "data: data.csv\nformula: y ~ x + (x | g)\nfamily: gaussian\n".write(to: model, atomically: false, encoding: .utf8)
            let output = directory.appendingPathComponent("chains")
            return {
                defer { try? FileManager.default.removeItem(at: directory) }
                let process = Process()
                process.executableURL = executable
                process.arguments = ["fit", model.path, "--seed", "1", "--sampler", sampler, "--output", output.path]
                let pipe = Pipe()
                process.standardOutput = pipe
                try process.run()
                let summary = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw BenchmarkSetupError(description: "multilevel fit exited with \(process.terminationStatus)")
                }
                var usage = rusage()
                getrusage(RUSAGE_CHILDREN.rawValue, &usage)
                let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                    + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
                let bytes = (try? FileManager.default.contentsOfDirectory(at: output, includingPropertiesForKeys: [.fileSizeKey]))?
                    .reduce(0) { $0 + ((try? $1.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) } ?? 0
                let bx = summary.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("x ") }
                    .map { $0.split(separator: " ").joined(separator: " ") } ?? "?"
                return String(format: "child %.1f CPU-s, peak %.0f MB; %.0f MB of draws; x row: %@", cpu,
                              Double(usage.ru_maxrss) / 1024, Double(bytes) / 1_048_576, bx)
            }
        }
    }
}

/// A benchmark whose input could not be made (a missing executable, a failed child).
struct BenchmarkSetupError: Error, CustomStringConvertible {
    let description: String
}

/// User + system CPU time of this process since creation.
struct CPUClock {
    private let start = CPUClock.now()

    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    var seconds: Double { CPUClock.now() - start }
}
