import Foundation

/// One benchmark job. `prepare` builds its input (simulated with a fixed seed, not timed) and
/// returns the timed work; the work returns an optional note for the table (an ESS, a count).
struct BenchmarkJob {
    /// Short unique name (`lmer-sleepstudy`).
    let name: String
    /// What the data look like (`180 rows, 18 groups`).
    let dataSize: String
    /// The same job with the reference tool on this kind of machine, if known (`lme4 ~20 ms`).
    let reference: String
    /// Builds the input and returns the timed work.
    let prepare: () throws -> (() throws -> String)
}
