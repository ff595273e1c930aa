import Multilevel

/// Benchmark jobs of the data area (see BenchmarkJob).
enum DataBenchmarks {
    static let jobs: [BenchmarkJob] = []
}
