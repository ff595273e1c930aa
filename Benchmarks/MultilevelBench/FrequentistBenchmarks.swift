import Multilevel

/// Benchmark jobs of the frequentist area (see BenchmarkJob).
enum FrequentistBenchmarks {
    static let jobs: [BenchmarkJob] = []
}
