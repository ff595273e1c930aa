import MultilevelMath

/// The per-iteration sampler statistics CmdStan writes before the parameters:
/// `lp__, accept_stat__, stepsize__, treedepth__, n_leapfrog__, divergent__, energy__`.
/// Kernels without some of them (Gibbs) report lp__ and leave the others at their defaults.
public struct TransitionStatistics: Sendable, Equatable {
    /// log p(θ) at the draw (up to the density's constant), `lp__`.
    public var logDensity: Double
    /// Mean over the trajectory of min(1, exp(H₀ − H)), `accept_stat__`.
    public var acceptStat: Double
    /// Step size used by this transition, `stepsize__`.
    public var stepSize: Double
    /// Number of tree doublings completed, `treedepth__`.
    public var treeDepth: Int
    /// Leapfrog steps taken (rejected sub-trees included), `n_leapfrog__`.
    public var leapfrogSteps: Int
    /// The trajectory diverged (H − H₀ > 1000 or a non-finite point), `divergent__`.
    public var divergent: Bool
    /// H at the draw, `energy__`.
    public var energy: Double

    public init(logDensity: Double, acceptStat: Double = 1, stepSize: Double = 0, treeDepth: Int = 0,
                leapfrogSteps: Int = 0, divergent: Bool = false, energy: Double = 0) {
        self.logDensity = logDensity
        self.acceptStat = acceptStat
        self.stepSize = stepSize
        self.treeDepth = treeDepth
        self.leapfrogSteps = leapfrogSteps
        self.divergent = divergent
        self.energy = energy
    }

    /// CmdStan's column names, in CSV order.
    public static let columnNames = ["lp__", "accept_stat__", "stepsize__", "treedepth__",
                                     "n_leapfrog__", "divergent__", "energy__"]

    /// The values in `columnNames` order.
    public var values: [Double] {
        [logDensity, acceptStat, stepSize, Double(treeDepth), Double(leapfrogSteps),
         divergent ? 1 : 0, energy]
    }

    /// Writes the values in `columnNames` order into `output` (7 values), without allocating.
    @inlinable
    public func write(into output: UnsafeMutablePointer<Double>) {
        output[0] = logDensity
        output[1] = acceptStat
        output[2] = stepSize
        output[3] = Double(treeDepth)
        output[4] = Double(leapfrogSteps)
        output[5] = divergent ? 1 : 0
        output[6] = energy
    }
}

/// What warm-up adapted (CmdStan's "Adaptation terminated" comment block).
public struct AdaptationSummary: Sendable, Equatable {
    /// Step size after warm-up.
    public var stepSize: Double
    /// Diagonal of the inverse metric M⁻¹ after warm-up.
    public var inverseMetricDiagonal: [Double]
    public init(stepSize: Double, inverseMetricDiagonal: [Double]) {
        self.stepSize = stepSize
        self.inverseMetricDiagonal = inverseMetricDiagonal
    }
}

/// A Markov transition kernel the `ChainRunner` can drive: NUTS here, a Gibbs sampler in
/// MultilevelModels. The kernel owns its state (position, adaptation); the runner owns the RNG
/// stream of the chain and passes it to every call, so a chain is a deterministic function of
/// (seed, chain index).
public protocol TransitionKernel {
    /// Dimension of the (unconstrained) position.
    var dimension: Int { get }

    /// Chooses the initial state and prepares warm-up (for NUTS: random inits with retries, then
    /// the step-size heuristic). `chain` is the 0-based chain index, for error messages.
    mutating func initialize(settings: SamplerSettings, chain: Int,
                             rng: inout Xoshiro256PlusPlus) throws

    /// One transition; `adapt` is true during warm-up.
    mutating func transition(adapt: Bool, rng: inout Xoshiro256PlusPlus) throws -> TransitionStatistics

    /// Called once after the last warm-up transition (and before the first sampling one); returns
    /// what was adapted, or nil for a kernel that adapts nothing.
    mutating func finishWarmup() -> AdaptationSummary?

    /// Calls `body` with the current position (the latest draw).
    func withPosition<Result>(_ body: (UnsafeBufferPointer<Double>) throws -> Result) rethrows -> Result

    /// Points rejected so far because the log density or its gradient was not finite.
    var nonFiniteRejections: Int { get }
}

extension TransitionKernel {
    /// Kernels that adapt nothing (a Gibbs sampler) report no adaptation.
    public mutating func finishWarmup() -> AdaptationSummary? { nil }
    /// Kernels that never evaluate a log density at rejected points report none.
    public var nonFiniteRejections: Int { 0 }
}
