/// A statistic of each parametric bootstrap replicate's refit, recorded beside the population-level
/// parameters — the `FUN` of lme4's `bootMer(fit, FUN, type = "parametric")`. It is computed from
/// the refit's β̂* (in the fit's coefficient order) and conditional modes b̂* (per random-effect
/// term in fitting order, level-major, as `LinearMixedModelFit.conditionalModes`), and writes
/// `count` values. It is called concurrently from the bootstrap's workers, so it must not share
/// mutable state.
public struct ReplicateStatistic: Sendable {
    public var count: Int
    public var evaluate: @Sendable (_ fixedEffects: [Double], _ conditionalModes: [[Double]], _ values: inout [Double]) -> Void

    public init(count: Int,
                evaluate: @escaping @Sendable (_ fixedEffects: [Double], _ conditionalModes: [[Double]], _ values: inout [Double]) -> Void) {
        self.count = count
        self.evaluate = evaluate
    }
}
