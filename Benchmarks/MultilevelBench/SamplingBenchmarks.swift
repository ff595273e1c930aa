import Multilevel

/// Benchmark jobs of the sampling area (see BenchmarkJob).
enum SamplingBenchmarks {
    static let jobs: [BenchmarkJob] = []
}
