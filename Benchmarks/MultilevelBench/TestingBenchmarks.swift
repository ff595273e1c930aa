import Foundation
import Multilevel

/// Benchmark jobs of the fixed-effect tests (issue 16): the cost of Satterthwaite's degrees of
/// freedom (`Satterthwaite`: the deviance Hessian and the Jacobian of Var(β̂) over θ by
/// Richardson-extrapolated differences, then every coefficient's t test) beside the REML fit they
/// follow, and Kenward–Roger's (`KenwardRoger`), on the sleepstudy and InstEval shapes of
/// `FrequentistBenchmarks`.
enum TestingBenchmarks {
    /// 200 timings of one test computation (a ~1 ms step, like lmer-sleepstudy): the df, and the
    /// median and quartiles per run.
    static func medianOfRuns(_ body: () throws -> [FixedEffectTest]) rethrows -> String {
        var seconds: [Double] = []
        var note = ""
        for _ in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            let tests = try body()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            note = "df " + tests.map { String(format: "%.3f", $0.degreesOfFreedom) }.joined(separator: "/")
        }
        seconds.sort()
        return note + String(format: "; 200 runs, per run median %.2f ms (quartiles %.2f–%.2f ms)",
                             seconds[100] * 1000, seconds[50] * 1000, seconds[150] * 1000)
    }

    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "satterthwaite-sleepstudy", dataSize: "180 rows, 18 groups, (Days | Subject)",
                     reference: "lmerTest summary(ddf = Satterthwaite) 0.80 s, Kenward-Roger 28 s (load 17, scripts/benchmarks/lmertest_timing.R)") {
            let design = FrequentistBenchmarks.sleepstudyShaped(seed: 1)
            let model = try LinearMixedModel(design: design)
            let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
            _ = try Satterthwaite(model: model, fit: fit).coefficientTests()
            return { try medianOfRuns { try Satterthwaite(model: model, fit: fit).coefficientTests() } }
        },
        BenchmarkJob(name: "satterthwaite-insteval", dataSize: "73,000 rows, 2,972 × 1,128 × 14 levels crossed",
                     reference: "lme4 fit of InstEval (before lmerTest) unfinished in 24 min at load 17 (scripts/benchmarks/lmertest_timing.R)") {
            let design = FrequentistBenchmarks.instEvalShaped(seed: 2)
            return {
                let fitStart = SamplingBenchmarks.processCPUSeconds()
                let model = try LinearMixedModel(design: design)
                let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
                let testStart = SamplingBenchmarks.processCPUSeconds()
                let tests = try Satterthwaite(model: model, fit: fit).coefficientTests()
                let end = SamplingBenchmarks.processCPUSeconds()
                return "df " + tests.map { String(format: "%.1f", $0.degreesOfFreedom) }.joined(separator: "/")
                    + String(format: "; fit %.2f CPU-s (%d evaluations), Satterthwaite %.2f CPU-s", testStart - fitStart,
                             fit.evaluations, end - testStart)
            }
        },
        BenchmarkJob(name: "kenward-roger-sleepstudy", dataSize: "180 rows, 18 groups, (Days | Subject)",
                     reference: "lmerTest summary(ddf = Kenward-Roger) 28 s (load 17, scripts/benchmarks/lmertest_timing.R)") {
            let design = FrequentistBenchmarks.sleepstudyShaped(seed: 1)
            let model = try LinearMixedModel(design: design)
            let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
            _ = try KenwardRoger(model: model, fit: fit).coefficientTests()
            return { try medianOfRuns { try KenwardRoger(model: model, fit: fit).coefficientTests() } }
        },
        BenchmarkJob(name: "kenward-roger-insteval", dataSize: "73,000 rows, 2,972 × 1,128 × 14 levels crossed",
                     reference: "pbkrtest inverts the 73,000 × 73,000 Σ (40 GB dense): not run") {
            let design = FrequentistBenchmarks.instEvalShaped(seed: 2)
            return {
                let model = try LinearMixedModel(design: design)
                let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
                let start = SamplingBenchmarks.processCPUSeconds()
                do {
                    _ = try KenwardRoger(model: model, fit: fit)
                    return "computed (unexpected: above the size limit)"
                } catch {
                    return String(format: "refused in %.3f CPU-s: ", SamplingBenchmarks.processCPUSeconds() - start) + "\(error)"
                }
            }
        },
    ]
}
