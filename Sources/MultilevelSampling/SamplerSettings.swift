/// Settings of an MCMC run (brms/CmdStan names in parentheses).
///
/// `iterations` counts warm-up and sampling together, as brms' `iter`: each chain runs
/// `iterations` transitions, the first `warmup` of which adapt, and reports
/// `iterations − warmup` draws (plus the warm-up ones when `saveWarmup`).
public struct SamplerSettings: Sendable, Equatable {
    /// Transitions per chain, warm-up included (`iter`, default 2000).
    public var iterations: Int
    /// Warm-up transitions per chain (`warmup`, default 1000).
    public var warmup: Int
    /// Number of chains (`chains`, default 4).
    public var chains: Int
    /// Index (0-based) of the first chain: chain k always uses RNG stream k, so chain k run alone
    /// (`--chain-id`) reproduces chain k of a multi-chain run.
    public var firstChain: Int
    /// Seed of the RNG streams (`seed`).
    public var seed: UInt64
    /// Target acceptance statistic δ of the step-size adaptation (`adapt_delta`, default 0.8).
    public var adaptDelta: Double
    /// Maximum tree depth (`max_treedepth`, default 10): at most 2^depth − 1 leapfrog steps.
    public var maxTreeDepth: Int
    /// Initial values are drawn uniformly from (−R, R) on the unconstrained scale (`init`, default 2);
    /// R = 0 starts every chain at 0.
    public var initRadius: Double
    /// Report warm-up draws to the observer (`save_warmup`, default false).
    public var saveWarmup: Bool
    /// Step size before the heuristic (`stepsize`, default 1); μ of dual averaging is log(10 ε₀).
    public var initialStepSize: Double
    /// Initial fast buffer, first slow window and terminal buffer of the metric adaptation
    /// (`init_buffer` 75, `window` 25, `term_buffer` 50).
    public var adaptInitBuffer: Int
    public var adaptWindow: Int
    public var adaptTermBuffer: Int
    /// Run chains concurrently (`ChainScheduling.width` at a time) or one after another; the draws
    /// are identical either way.
    public var parallel: Bool
    /// Chains that sample at once (brms' `cores`); nil: two per core this process may use.
    /// Chains beyond it wait for a running one to end. The draws are identical for any value.
    public var cores: Int?

    public init(iterations: Int = 2000, warmup: Int = 1000, chains: Int = 4, firstChain: Int = 0,
                seed: UInt64 = 1234, adaptDelta: Double = 0.8, maxTreeDepth: Int = 10,
                initRadius: Double = 2, saveWarmup: Bool = false, initialStepSize: Double = 1,
                adaptInitBuffer: Int = 75, adaptWindow: Int = 25, adaptTermBuffer: Int = 50,
                parallel: Bool = true, cores: Int? = nil) {
        self.iterations = iterations
        self.warmup = warmup
        self.chains = chains
        self.firstChain = firstChain
        self.seed = seed
        self.adaptDelta = adaptDelta
        self.maxTreeDepth = maxTreeDepth
        self.initRadius = initRadius
        self.saveWarmup = saveWarmup
        self.initialStepSize = initialStepSize
        self.adaptInitBuffer = adaptInitBuffer
        self.adaptWindow = adaptWindow
        self.adaptTermBuffer = adaptTermBuffer
        self.parallel = parallel
        self.cores = cores
    }

    /// Draws reported per chain after warm-up.
    public var samplingIterations: Int { iterations - warmup }

    /// Checks the settings as brms/CmdStan do; throws a `SamplerSettingsError` naming the option.
    public func validate() throws {
        func fail(_ option: String, _ message: String) -> SamplerSettingsError {
            SamplerSettingsError(option: option, message: message)
        }
        if chains < 1 { throw fail("chains", "must be at least 1, got \(chains)") }
        if let cores, cores < 1 { throw fail("cores", "must be at least 1, got \(cores)") }
        if firstChain < 0 { throw fail("chain-id", "must be at least 1, got \(firstChain + 1)") }
        if iterations < 1 { throw fail("iter", "must be at least 1, got \(iterations)") }
        if warmup < 0 { throw fail("warmup", "must not be negative, got \(warmup)") }
        if warmup >= iterations {
            throw fail("warmup", "must be smaller than iter (\(iterations)), got \(warmup)")
        }
        if !(adaptDelta > 0 && adaptDelta < 1) {
            throw fail("adapt-delta", "must lie strictly between 0 and 1, got \(adaptDelta)")
        }
        if maxTreeDepth < 1 || maxTreeDepth > 30 {
            throw fail("max-treedepth", "must lie between 1 and 30, got \(maxTreeDepth)")
        }
        if !(initRadius >= 0 && initRadius.isFinite) {
            throw fail("init", "must be a finite non-negative radius, got \(initRadius)")
        }
        if !(initialStepSize > 0 && initialStepSize.isFinite) {
            throw fail("stepsize", "must be positive, got \(initialStepSize)")
        }
        if adaptInitBuffer < 0 || adaptWindow < 1 || adaptTermBuffer < 0 {
            throw fail("adapt", "buffers must be non-negative and the window positive")
        }
    }
}

/// An invalid sampler setting: `--OPTION: message`.
public struct SamplerSettingsError: Error, CustomStringConvertible, Equatable {
    public var option: String
    public var message: String
    public var description: String { "--\(option): \(message)" }
}

/// A chain that could not run: no finite initial point, no usable step size, an improper posterior.
public struct SamplerError: Error, CustomStringConvertible, Equatable {
    /// 0-based chain index (printed 1-based).
    public var chain: Int
    public var message: String
    public init(chain: Int, message: String) {
        self.chain = chain
        self.message = message
    }
    public var description: String { "chain \(chain + 1): \(message)" }
}
