import Multilevel

/// Benchmark jobs of the model area (see BenchmarkJob).
enum ModelBenchmarks {
    static let jobs: [BenchmarkJob] = []
}
