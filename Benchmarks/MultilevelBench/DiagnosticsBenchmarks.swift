import Multilevel

/// Benchmark jobs of the diagnostics area (see BenchmarkJob).
enum DiagnosticsBenchmarks {
    static let jobs: [BenchmarkJob] = []
}
