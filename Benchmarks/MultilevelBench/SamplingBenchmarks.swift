import Foundation
import Multilevel

/// Benchmark jobs of the sampling area (see BenchmarkJob): NUTS with Stan's adaptation on densities
/// with closed-form gradients, 4 chains × (1000 warm-up + 1000 draws) run concurrently. The density
/// lives in this module, so the timings also show that the sampler is specialised across the module
/// boundary. The note gives the sampler's wall and CPU time, the smallest bulk-ESS over the
/// parameters, and bulk-ESS per wall second and per CPU second.
enum SamplingBenchmarks {
    static let jobs: [BenchmarkJob] = [
        BenchmarkJob(name: "nuts-normal100-4x2000", dataSize: "d = 100, 4 chains x 2000",
                     reference: "not measured") {
            { try runNUTS(BenchmarkNormal(dimension: 100)) }
        },
        BenchmarkJob(name: "nuts-correlated2d-4x2000", dataSize: "d = 2, rho = 0.99, 4 chains x 2000",
                     reference: "not measured") {
            { try runNUTS(BenchmarkCorrelatedNormal(correlation: 0.99)) }
        },
    ]

    /// Samples `density` and describes the result: wall time of sampling, smallest bulk-ESS,
    /// bulk-ESS per second, mean leapfrog steps per draw and divergences.
    static func runNUTS<D: LogDensity>(_ density: D) throws -> String {
        let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 2021)
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUSeconds()
        let (draws, summaries) = try NUTSSampler.sample(density, settings: settings)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpuSeconds = processCPUSeconds() - cpuStart
        let statisticCount = TransitionStatistics.columnNames.count
        var minimumESS = Double.infinity
        for variable in statisticCount..<draws.variableCount {
            let ess = bulkEffectiveSampleSize(ChainSequences(chains: draws.values(ofVariable: variable)))
            minimumESS = min(minimumESS, ess)
        }
        let leapfrogs = draws.values(of: "n_leapfrog__")!.flatMap { $0 }
        let meanLeapfrogs = leapfrogs.reduce(0, +) / Double(leapfrogs.count)
        let divergences = summaries.map(\.divergences).reduce(0, +)
        return String(format: "sampler %.3f s wall, %.3f s CPU; min bulk-ESS %.0f, %.0f ESS/s, %.0f ESS/CPU-s; %.1f leapfrogs/draw, %d divergent",
                      seconds, cpuSeconds, minimumESS, minimumESS / seconds, minimumESS / cpuSeconds,
                      meanLeapfrogs, divergences)
    }

    /// CPU time (user + system) of this process so far, in seconds: on a shared machine a fairer
    /// measure of the work than wall time.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// N(0, I) in `dimension` coordinates.
struct BenchmarkNormal: LogDensity {
    let dimension: Int
    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        var value = 0.0
        for i in 0..<dimension {
            value -= 0.5 * position[i] * position[i]
            gradient[i] = -position[i]
        }
        return value
    }
}

/// Bivariate normal with unit variances and correlation ρ.
struct BenchmarkCorrelatedNormal: LogDensity {
    let correlation: Double
    var dimension: Int { 2 }
    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let x = position[0], y = position[1], r = correlation, c = 1 / (1 - r * r)
        gradient[0] = -c * (x - r * y)
        gradient[1] = -c * (y - r * x)
        return -0.5 * c * (x * x - 2 * r * x * y + y * y)
    }
}
