import Foundation
import MultilevelMath

/// Receives a run's events. Every method is called on the thread of the chain concerned (chains
/// run concurrently, so an implementation that shares state across chains must synchronise it);
/// within one chain the calls come in order: started, iterations, adaptation finished (after the
/// last warm-up iteration), finished.
public protocol ChainObserver {
    /// Chain `chain` (0-based) is about to initialise.
    func chainStarted(chain: Int)
    /// Transition `iteration` (0-based, warm-up first) of `chain` is done; `position` is the draw on
    /// the unconstrained scale, valid only during the call. Warm-up iterations are reported only
    /// when `SamplerSettings.saveWarmup` is set.
    func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                        position: UnsafeBufferPointer<Double>)
    /// Warm-up of `chain` has ended with this adaptation (not called for kernels that adapt nothing
    /// or when the run was stopped during warm-up).
    func adaptationFinished(chain: Int, adaptation: AdaptationSummary)
    /// Chain `chain` has ended (normally or stopped).
    func chainFinished(chain: Int, summary: ChainSummary)
}

extension ChainObserver {
    public func chainStarted(chain: Int) {}
    public func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                               position: UnsafeBufferPointer<Double>) {}
    public func adaptationFinished(chain: Int, adaptation: AdaptationSummary) {}
    public func chainFinished(chain: Int, summary: ChainSummary) {}
}

/// An observer that ignores everything.
public struct SilentChainObserver: ChainObserver {
    public init() {}
}

/// What one chain did (CmdStan's timing comments and the warnings brms prints).
public struct ChainSummary: Sendable, Equatable {
    /// 0-based chain index.
    public var chain: Int
    /// Wall-clock seconds of initialisation plus warm-up, and of sampling.
    public var warmupSeconds: Double
    public var samplingSeconds: Double
    /// Transitions completed (less than `iterations` when stopped).
    public var completedIterations: Int
    /// Divergent transitions after warm-up, and during warm-up.
    public var divergences: Int
    public var warmupDivergences: Int
    /// Transitions after warm-up that hit the maximum tree depth.
    public var treeDepthSaturations: Int
    /// Points rejected (initialisation included) because the log density or gradient was not finite.
    public var nonFiniteRejections: Int
    /// The run was stopped through the stop flag before the chain completed.
    public var stopped: Bool
    /// Adaptation result (nil when warm-up did not complete or the kernel adapts nothing).
    public var adaptation: AdaptationSummary?
    /// False for a chain that never ran: the stop flag was set before its turn came (more chains
    /// than `ChainRunner.concurrentChainLimit`, so it was still waiting). Such a chain made no
    /// draws and its observer received no event at all — not even `chainStarted` or
    /// `chainFinished`.
    public var started: Bool

    /// A chain about to run (all counts zero).
    public init(chain: Int) {
        self.chain = chain
        warmupSeconds = 0
        samplingSeconds = 0
        completedIterations = 0
        divergences = 0
        warmupDivergences = 0
        treeDepthSaturations = 0
        nonFiniteRejections = 0
        stopped = false
        adaptation = nil
        started = true
    }

    /// A chain skipped because the run was stopped before it began (`started` false, `stopped` true).
    public static func notStarted(chain: Int) -> ChainSummary {
        var summary = ChainSummary(chain: chain)
        summary.started = false
        summary.stopped = true
        return summary
    }
}

/// A thread-safe flag that asks running chains to stop after their current iteration
/// (set it from a SIGINT handler's dispatch source).
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    /// Ask every chain to stop.
    public func stop() {
        lock.lock(); value = true; lock.unlock()
    }
    /// True once `stop()` was called.
    public var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return value
    }
}

/// Runs chains of a `TransitionKernel`, concurrently on threads of their own
/// (`concurrentChainLimit` at a time).
///
/// Chain k (0-based; `settings.firstChain` + i for the i-th chain of the run) uses
/// `Xoshiro256PlusPlus.stream(seed: settings.seed, index: k)` for everything — initialisation,
/// momenta, tree directions, multinomial choices — and works on its own kernel built by
/// `makeKernel(k)` (on the chain's thread), so its draws depend only on (seed, k): the same on any
/// number of cores, sequential or parallel, alone or with other chains.
public enum ChainRunner {
    /// Runs `settings.chains` chains; returns their summaries in chain order. Throws the settings'
    /// validation error, or the error of the lowest-numbered chain that failed (after all chains
    /// have ended). A chain whose turn comes after `stopFlag` was set (with more chains than
    /// `concurrentChainLimit` some wait for another to finish) is not started at all — no kernel,
    /// no observer event — and is reported as `ChainSummary.notStarted`.
    @inlinable
    public static func run<Kernel: TransitionKernel, Observer: ChainObserver>(
        settings: SamplerSettings,
        observer: Observer,
        progress: ChainProgress? = ChainProgress.standardErrorIfTerminal(),
        stopFlag: StopFlag? = nil,
        makeKernel: (Int) throws -> Kernel
    ) throws -> [ChainSummary] {
        try settings.validate()
        let count = settings.chains
        let results = UnsafeMutablePointer<Result<ChainSummary, Error>?>.allocate(capacity: count)
        results.initialize(repeating: nil, count: count)
        defer {
            results.deinitialize(count: count)
            results.deallocate()
        }
        func runOne(_ i: Int) {
            let chain = settings.firstChain + i
            if let stopFlag, stopFlag.isStopped {
                results[i] = .success(.notStarted(chain: chain))
                return
            }
            results[i] = Result {
                var kernel = try makeKernel(chain)
                return try runChain(&kernel, chain: chain, settings: settings, observer: observer,
                                    progress: progress, stopFlag: stopFlag)
            }
        }
        if settings.parallel && count > 1 {
            runConcurrently(count: count, threads: concurrentChainLimit(chains: count), runOne)
        } else {
            for i in 0..<count { runOne(i) }
        }
        var summaries: [ChainSummary] = []
        for i in 0..<count {
            switch results[i] {
            case .success(let summary): summaries.append(summary)
            case .failure(let error): throw error
            case nil: throw SamplerError(chain: settings.firstChain + i, message: "did not run")
            }
        }
        return summaries
    }

    /// How many of `chains` chains run at once on `cores` cores: all of them up to two per core,
    /// the operating system sharing the cores among them. Chains of one run differ in length
    /// (warm-up tree depths, step sizes), so with one chain per core and more chains than cores a
    /// core idles while the longest chain of each round finishes; with all four default chains
    /// at once on two cores the run takes about its total CPU time divided by two instead of the
    /// sum over the rounds of each round's longest chain. The cap keeps the chains' working
    /// memory (one kernel each) within twice that of one chain per core, and leaves chains
    /// waiting — skipped if the run is stopped first — when a run asks for many more chains than
    /// the machine has cores.
    public static func concurrentChainLimit(chains: Int,
                                            cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, min(chains, 2 * max(1, cores)))
    }

    /// Calls `body(i)` for i = 0 ..< `count` on `threads` new POSIX threads (each takes the next
    /// index in increasing order when it is free, so index i starts no later than index i + 1)
    /// and returns once every thread has ended (joined, so none is still exiting and freeing
    /// memory after the run). Threads of their own rather than Dispatch's pool, which runs no more
    /// CPU-bound work items at once than there are cores.
    @usableFromInline
    static func runConcurrently(count: Int, threads: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let queue = IndexQueue(count: count, body: body)
            var started: [pthread_t] = []
            for _ in 0..<max(1, min(threads, count)) {
                let context = Unmanaged.passRetained(queue).toOpaque()
                #if os(Linux)
                var thread = pthread_t()
                #else
                var thread: pthread_t?
                #endif
                let status = pthread_create(&thread, nil, { context in
                    Unmanaged<IndexQueue>.fromOpaque(nonNull(context)).takeRetainedValue().drain()
                    return nil
                }, context)
                #if os(Linux)
                let created: pthread_t? = status == 0 ? thread : nil
                #else
                let created = status == 0 ? thread : nil
                #endif
                if let created {
                    started.append(created)
                } else {
                    // No thread (resource limit): the calling thread takes the indices instead.
                    Unmanaged<IndexQueue>.fromOpaque(context).release()
                    queue.drain()
                }
            }
            for thread in started { pthread_join(thread, nil) }
            queue.body = nil
        }
    }

    /// Runs one chain with an existing kernel on the calling thread (its RNG stream is
    /// `stream(seed:index: chain)`).
    @inlinable
    public static func runChain<Kernel: TransitionKernel, Observer: ChainObserver>(
        _ kernel: inout Kernel, chain: Int, settings: SamplerSettings, observer: Observer,
        progress: ChainProgress? = nil, stopFlag: StopFlag? = nil
    ) throws -> ChainSummary {
        var rng = Xoshiro256PlusPlus.stream(seed: settings.seed, index: chain)
        observer.chainStarted(chain: chain)
        let start = DispatchTime.now().uptimeNanoseconds
        var summary = ChainSummary(chain: chain)
        try kernel.initialize(settings: settings, chain: chain, rng: &rng)
        var samplingStart = start
        if settings.warmup == 0 {
            summary.adaptation = kernel.finishWarmup()
            if let adaptation = summary.adaptation { observer.adaptationFinished(chain: chain, adaptation: adaptation) }
        }
        for iteration in 0..<settings.iterations {
            if let stopFlag, stopFlag.isStopped {
                summary.stopped = true
                break
            }
            let isWarmup = iteration < settings.warmup
            let statistics = try kernel.transition(adapt: isWarmup, rng: &rng)
            if isWarmup {
                if statistics.divergent { summary.warmupDivergences += 1 }
            } else {
                if statistics.divergent { summary.divergences += 1 }
                if statistics.treeDepth >= settings.maxTreeDepth { summary.treeDepthSaturations += 1 }
            }
            if !isWarmup || settings.saveWarmup {
                kernel.withPosition { position in
                    observer.chainIteration(chain: chain, iteration: iteration, isWarmup: isWarmup,
                                            statistics: statistics, position: position)
                }
            }
            summary.completedIterations = iteration + 1
            if iteration + 1 == settings.warmup {
                summary.adaptation = kernel.finishWarmup()
                if let adaptation = summary.adaptation {
                    observer.adaptationFinished(chain: chain, adaptation: adaptation)
                }
                samplingStart = DispatchTime.now().uptimeNanoseconds
            }
            progress?.report(chain: chain, iteration: iteration, settings: settings)
        }
        let end = DispatchTime.now().uptimeNanoseconds
        if summary.completedIterations <= settings.warmup && settings.warmup > 0 {
            summary.warmupSeconds = Double(end - start) / 1e9
        } else {
            summary.warmupSeconds = Double(samplingStart - start) / 1e9
            summary.samplingSeconds = Double(end - samplingStart) / 1e9
        }
        summary.nonFiniteRejections = kernel.nonFiniteRejections
        observer.chainFinished(chain: chain, summary: summary)
        return summary
    }
}

/// A thread start routine's argument, optional on Linux and not on Darwin.
private func nonNull(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer { pointer! }

/// The indices 0 ..< count handed out once each, in increasing order, to the threads that call
/// `drain`, each calling `body` on its indices.
final class IndexQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var following = 0
    private let count: Int
    /// Set to nil once every `drain` has returned (`body` must not outlive the run).
    var body: ((Int) -> Void)?

    init(count: Int, body: @escaping (Int) -> Void) {
        self.count = count
        self.body = body
    }

    /// The next index not yet handed out, or nil when all were.
    private func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard following < count else { return nil }
        following += 1
        return following - 1
    }

    /// Calls `body` on the next index until none is left.
    func drain() {
        guard let body else { return }
        while let i = next() { body(i) }
    }
}

extension NUTSSampler {
    /// Runs NUTS chains on `density` and collects the draws after warm-up (and the warm-up draws
    /// when `settings.saveWarmup`) into `Draws` with CmdStan's columns: the seven sampler
    /// statistics (`TransitionStatistics.columnNames`) followed by the unconstrained parameters
    /// named `parameterNames` (default `theta[1]`, …, `theta[d]`).
    @inlinable
    public static func sample(_ density: Density, settings: SamplerSettings,
                              parameterNames: [String]? = nil,
                              progress: ChainProgress? = nil,
                              stopFlag: StopFlag? = nil) throws -> (draws: Draws, summaries: [ChainSummary]) {
        try settings.validate()
        let names = parameterNames ?? (1...max(1, density.dimension)).prefix(density.dimension).map { "theta[\($0)]" }
        let collector = DrawsCollector(settings: settings, parameterCount: density.dimension)
        let summaries = try ChainRunner.run(settings: settings, observer: collector, progress: progress,
                                            stopFlag: stopFlag) { _ in
            NUTSSampler(density: density, maxTreeDepth: settings.maxTreeDepth)
        }
        return (collector.draws(parameterNames: names), summaries)
    }
}

/// An observer that stores every reported iteration (sampler statistics, then the position) in a
/// preallocated buffer per chain, for tests and the summary.
public final class DrawsCollector: ChainObserver, @unchecked Sendable {
    private let firstChain: Int
    private let rowLength: Int
    private let rowsPerChain: Int
    private var buffers: [UnsafeMutableBufferPointer<Double>]
    private let counts: UnsafeMutablePointer<Int>

    public init(settings: SamplerSettings, parameterCount: Int) {
        firstChain = settings.firstChain
        rowLength = TransitionStatistics.columnNames.count + parameterCount
        let rows = settings.saveWarmup ? settings.iterations : settings.samplingIterations
        let length = rowLength
        rowsPerChain = rows
        buffers = (0..<settings.chains).map { _ in
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: rows * length)
            buffer.initialize(repeating: .nan)
            return buffer
        }
        counts = .allocate(capacity: settings.chains)
        counts.initialize(repeating: 0, count: settings.chains)
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        counts.deallocate()
    }

    public func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                               position: UnsafeBufferPointer<Double>) {
        let index = chain - firstChain
        let row = counts[index]
        guard row < rowsPerChain else { return }
        let base = buffers[index].baseAddress! + row * rowLength
        statistics.write(into: base)
        let offset = TransitionStatistics.columnNames.count
        for i in 0..<position.count { base[offset + i] = position[i] }
        counts[index] = row + 1
    }

    /// The collected draws. After a stop, chains that recorded no draw (never started, or stopped
    /// during an unsaved warm-up) are left out and the others are truncated to the shortest of
    /// them, so the chains stay aligned for R-hat; when no chain recorded anything every chain is
    /// kept, empty. A complete run keeps every chain whole.
    public func draws(parameterNames: [String]) -> Draws {
        let recorded = (0..<buffers.count).filter { counts[$0] > 0 }
        let kept = recorded.isEmpty ? Array(0..<buffers.count) : recorded
        let rows = kept.map { counts[$0] }.min() ?? 0
        return Draws(variableNames: TransitionStatistics.columnNames + parameterNames,
                     chains: kept.map { Array(buffers[$0].prefix(rows * rowLength)) })
    }
}
