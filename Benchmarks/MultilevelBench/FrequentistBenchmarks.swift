import Foundation
import Multilevel

/// Benchmark jobs of the frequentist area (see BenchmarkJob): REML fits of lme4's two classic
/// shapes on simulated, seeded data — sleepstudy `(Days | Subject)` and an InstEval-sized crossed
/// design `(1 | s) + (1 | d) + (1 | dept)`.
enum FrequentistBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "lmer-sleepstudy", dataSize: "180 rows, 18 groups, (Days | Subject)",
                     reference: "lme4 ~20 ms") {
            let design = sleepstudyShaped(seed: 1)
            // One untimed fit first, so the timed one measures warm code, not first-call costs.
            _ = try LinearMixedModel(design: design).fit(method: .reml, options: .init(conditionalVariances: false))
            // A single ~1 ms fit is at the mercy of the clock and the CPU's frequency: the job times
            // 200 fits one by one and reports their median and quartiles per fit.
            return {
                var seconds: [Double] = []
                var note = ""
                for _ in 0..<200 {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let model = try LinearMixedModel(design: design)
                    let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
                    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    note = "REML \(String(format: "%.3f", fit.criterion)), \(fit.evaluations) evaluations"
                }
                seconds.sort()
                return note + String(format: "; 200 fits, per fit median %.2f ms (quartiles %.2f–%.2f ms)",
                                     seconds[100] * 1000, seconds[50] * 1000, seconds[150] * 1000)
            }
        },
        instEvalJob(name: "lmer-insteval", path: .automatic, reference: "lme4 ~26 s (InstEval)"),
        instEvalJob(name: "lmer-insteval-bobyqa", path: .derivativeFree,
                    reference: "the derivative-free path (BOBYQA + Newton finish on criterion differences)"),
    ]

    /// A REML fit of the InstEval shape by the given optimiser path (the automatic one takes the
    /// analytic gradient from 10,000 rows on).
    static func instEvalJob(name: String, path: ProfiledOptimizer, reference: String) -> BenchmarkJob {
        BenchmarkJob(name: name, dataSize: "73,000 rows, 2,972 × 1,128 × 14 levels crossed", reference: reference) {
            let design = instEvalShaped(seed: 2)
            return {
                let cpuStart = SamplingBenchmarks.processCPUSeconds()
                let model = try LinearMixedModel(design: design)
                let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false, path: path))
                let cpu = SamplingBenchmarks.processCPUSeconds() - cpuStart
                let sds = fit.varianceComponents.map { String(format: "%.3f", $0.standardDeviations[0]) }.joined(separator: "/")
                return "REML \(String(format: "%.6f", fit.criterion)), sd \(sds), θ \(fit.theta.map { String(format: "%.9f", $0) }), "
                    + "\(fit.evaluations) evaluations; " + String(format: "%.2f CPU-s", cpu)
            }
        }
    }

    /// 18 subjects × 10 days, Reaction = 251 + 10.5 Days + b₀ + b₁ Days + ε with lme4's sleepstudy
    /// estimates as truth (sd 24.7 and 5.9, correlation 0.07, σ 25.6).
    static func sleepstudyShaped(seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var y: [Double] = [], x = DenseMatrix(rows: 180, columns: 2), values: [Double] = [], index: [Int] = []
        for subject in 0..<18 {
            let z0 = rng.nextNormal(), z1 = rng.nextNormal()
            let b0 = 24.7 * z0, b1 = 5.9 * (0.07 * z0 + (1 - 0.0049).squareRoot() * z1)
            for day in 0..<10 {
                let row = subject * 10 + day
                x[row, 0] = 1; x[row, 1] = Double(day)
                y.append(251 + 10.5 * Double(day) + b0 + b1 * Double(day) + 25.6 * rng.nextNormal())
                values += [1, Double(day)]
                index.append(subject)
            }
        }
        let subject = GroupingFactor(name: "Subject", levels: (0..<18).map { String(300 + $0) }, levelIndex: index)
        return ModelDesign(formulaText: "Reaction ~ Days + (Days | Subject)", responseName: "Reaction", response: y, trials: nil,
                           responseLevels: nil, fixedEffects: x, fixedEffectNames: ["(Intercept)", "Days"], droppedFixedEffectNames: [],
                           randomTerms: [RandomEffectTerm(grouping: subject, columnNames: ["(Intercept)", "Days"], values: values,
                                                          text: "(Days | Subject)")],
                           sourceLines: Array(2...181), droppedRowCount: 0)
    }

    /// InstEval's shape: 73,421 ratings by 2,972 students of 1,128 instructors in 14 departments
    /// (each instructor in one department), y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept).
    static func instEvalShaped(seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let n = 73_421, students = 2_972, instructors = 1_128, departments = 14
        let s = (0..<students).map { _ in 0.32 * rng.nextNormal() }
        let d = (0..<instructors).map { _ in 0.52 * rng.nextNormal() }
        let dept = (0..<departments).map { _ in 0.08 * rng.nextNormal() }
        var y: [Double] = [], x = DenseMatrix(rows: n, columns: 2)
        var si: [Int] = [], di: [Int] = [], deptIndex: [Int] = []
        for row in 0..<n {
            let student = row % students
            // Each student rates instructors from a few departments.
            let instructor = (student * 7 + Int(rng.nextUniform() * 60) * 19) % instructors
            let department = instructor % departments
            let service = rng.nextUniform() < 0.4 ? 1.0 : 0.0
            x[row, 0] = 1; x[row, 1] = service
            y.append(3.2 - 0.07 * service + s[student] + d[instructor] + dept[department] + 1.18 * rng.nextNormal())
            si.append(student); di.append(instructor); deptIndex.append(department)
        }
        let ones = [Double](repeating: 1, count: n)
        func term(_ name: String, _ levels: Int, _ index: [Int]) -> RandomEffectTerm {
            RandomEffectTerm(grouping: GroupingFactor(name: name, levels: (0..<levels).map(String.init), levelIndex: index),
                             columnNames: ["(Intercept)"], values: ones, text: "(1 | \(name))")
        }
        return ModelDesign(formulaText: "y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept)", responseName: "y", response: y,
                           trials: nil, responseLevels: nil, fixedEffects: x, fixedEffectNames: ["(Intercept)", "service1"],
                           droppedFixedEffectNames: [], randomTerms: [term("s", students, si), term("d", instructors, di),
                                                                      term("dept", departments, deptIndex)],
                           sourceLines: Array(2...(n + 1)), droppedRowCount: 0)
    }
}
