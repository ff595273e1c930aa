import Foundation
import Multilevel

/// `multilevel-bench --suite` (issue 21): real models from lme4, nlme, brms and glmmTMB data
/// (`models/*.csv`, `models/suite/*.csv`; scripts/references/suite_data.R writes the nlme/lme4 ones),
/// each fitted as `fit` would fit it — default priors, default sampler (`SamplerRule`), 4 chains ×
/// (1000 + 1000) — with seeds 1, 2 and 3. The note gives the sampler, divergences per seed, the
/// worst R-hat over all parameters and seeds, the least bulk- and tail-ESS over parameters and
/// seeds, the least bulk-ESS per CPU-second and the CPU-µs per gradient (sampling gradients; medians
/// over seeds); `MULTILEVEL_BENCH_SAMPLER=nuts|marginal` overrides the sampler.
enum SuiteBenchmarks {
    struct Model {
        let name: String
        let file: String
        let formula: String
        let family: Family
    }

    static let models: [Model] = [
        Model(name: "sleepstudy-slopes", file: "sleepstudy", formula: "Reaction ~ Days + (Days | Subject)", family: .gaussian),
        Model(name: "sleepstudy-intercepts", file: "sleepstudy", formula: "Reaction ~ Days + (1 | Subject)", family: .gaussian),
        Model(name: "sleepstudy-uncorrelated", file: "sleepstudy", formula: "Reaction ~ Days + (Days || Subject)", family: .gaussian),
        Model(name: "dyestuff", file: "dyestuff", formula: "Yield ~ 1 + (1 | Batch)", family: .gaussian),
        Model(name: "dyestuff2-boundary", file: "suite/Dyestuff2", formula: "Yield ~ 1 + (1 | Batch)", family: .gaussian),
        Model(name: "pastes-nested", file: "suite/Pastes", formula: "strength ~ 1 + (1 | batch/cask)", family: .gaussian),
        Model(name: "penicillin-crossed", file: "suite/Penicillin", formula: "diameter ~ 1 + (1 | plate) + (1 | sample)",
              family: .gaussian),
        Model(name: "radon-intercepts", file: "radon", formula: "log_radon ~ floor + (1 | county)", family: .gaussian),
        Model(name: "radon-slopes", file: "radon", formula: "log_radon ~ floor + (floor | county)", family: .gaussian),
        Model(name: "cake-nested", file: "suite/cake", formula: "angle ~ recipe * temperature + (1 | recipe:replicate)",
              family: .gaussian),
        Model(name: "orthodont-slopes", file: "suite/Orthodont", formula: "distance ~ age + Sex + (age | Subject)", family: .gaussian),
        Model(name: "machines-nested", file: "suite/Machines", formula: "score ~ Machine + (1 | Worker/Machine)", family: .gaussian),
        Model(name: "oats-nested", file: "suite/Oats", formula: "yield ~ nitro + (1 | Block/Variety)", family: .gaussian),
        Model(name: "ergostool", file: "suite/ergoStool", formula: "effort ~ Type + (1 | Subject)", family: .gaussian),
        Model(name: "rail", file: "suite/Rail", formula: "travel ~ 1 + (1 | Rail)", family: .gaussian),
        Model(name: "pixel-nested-slopes", file: "suite/Pixel", formula: "pixel ~ day + (day | Dog) + (1 | Dog:Side)",
              family: .gaussian),
        Model(name: "caschools", file: "suite/CASchools", formula: "read ~ income + (1 | county)", family: .gaussian),
        Model(name: "cbpp-binomial", file: "cbpp", formula: "incidence | trials(size) ~ period + (1 | herd)", family: .binomial),
        Model(name: "grouseticks-poisson-crossed", file: "suite/grouseticks",
              formula: "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)", family: .poisson),
        Model(name: "salamanders-poisson", file: "suite/Salamanders", formula: "count ~ mined + spp + (1 | site)", family: .poisson),
        Model(name: "owls-poisson", file: "suite/Owls", formula: "NCalls ~ FoodTreatment + SexParent + (1 | Nest)",
              family: .poisson),
    ]

    static let jobs: [BenchmarkJob] = models.map(job)

    /// The repository's root (this file is Benchmarks/MultilevelBench/SuiteBenchmarks.swift).
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func job(_ model: Model) -> BenchmarkJob {
        BenchmarkJob(name: "suite-" + model.name, dataSize: "\(model.file).csv: \(model.formula) (\(model.family.name))",
                     reference: "") {
            let table = try DataTable.read(contentsOf: root.appendingPathComponent("models/\(model.file).csv"))
            let design = try ModelDesign.build(formula: Formula.parse(model.formula), table: table)
            let sampler = ProcessInfo.processInfo.environment["MULTILEVEL_BENCH_SAMPLER"]
                ?? SamplerRule.defaultSampler(family: model.family, design: design, priors: [], hasCovariancePriors: false)
            return {
                var divergences: [Int] = []
                var worstRhat = 0.0, leastBulk = Double.infinity, leastTail = Double.infinity
                var perSecond: [Double] = [], perGradient: [Double] = []
                for seed in [1, 2, 3] as [UInt64] {
                    let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: seed)
                    let clock = CPUClock()
                    let fit = sampler == "marginal" ? try BayesianFit.runMarginal(design: design, settings: settings)
                                                    : try BayesianFit.run(design: design, family: model.family, settings: settings)
                    let cpu = clock.seconds
                    let summary = summarize(draws: fit.draws)
                    let parameters = summary.variables.filter { !$0.name.hasSuffix("__") && $0.rhat.isFinite }
                    divergences.append(fit.chainSummaries.reduce(0) { $0 + $1.divergences })
                    worstRhat = max(worstRhat, parameters.map(\.rhat).max() ?? .nan)
                    let bulk = parameters.map(\.essBulk).min() ?? .nan
                    leastBulk = min(leastBulk, bulk)
                    leastTail = min(leastTail, parameters.map(\.essTail).min() ?? .nan)
                    perSecond.append(bulk / cpu)
                    let gradients = fit.draws.values(of: "n_leapfrog__")?.map { $0.reduce(0, +) }.reduce(0, +) ?? .nan
                    perGradient.append(1e6 * cpu / (2 * gradients))
                }
                perSecond.sort()
                perGradient.sort()
                return String(format: "%@; divergences %@; max R-hat %.4f; min bulk-ESS %.0f, tail-ESS %.0f; %.0f min-bulk-ESS/CPU-s; %.1f CPU-µs/gradient; %@",
                              sampler, divergences.map(String.init).joined(separator: "/"), worstRhat, leastBulk,
                              leastTail, perSecond[1], perGradient[1], brmsColumn(model.name))
            }
        }
    }

    /// brms at its defaults on the same model, once (seed 1), from Benchmarks/brms_suite.json
    /// (scripts/references/brms_suite.R): "brms: divergences D, max R-hat R", or "brms: not run".
    static func brmsColumn(_ name: String) -> String {
        let url = root.appendingPathComponent("Benchmarks/brms_suite.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let models = object["models"] as? [String: Any], let entry = models[name] as? [String: Any],
              let divergences = entry["divergences"] as? Double, let rhat = entry["max_rhat"] as? Double
        else { return "brms: not run" }
        return String(format: "brms: divergences %.0f, max R-hat %.4f", divergences, rhat)
    }
}
