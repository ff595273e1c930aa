import Foundation
import MultilevelMath
import MultilevelSampling
import XCTest

/// Records observer calls (thread-safe).
final class RecordingObserver: ChainObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [String] = []
    private(set) var iterations: [Int: [Int]] = [:]
    var stopAfter: (flag: StopFlag, iteration: Int)?

    func record(_ event: String) { lock.lock(); events.append(event); lock.unlock() }
    func chainStarted(chain: Int) { record("started \(chain)") }
    func chainIteration(chain: Int, iteration: Int, isWarmup: Bool, statistics: TransitionStatistics,
                        position: UnsafeBufferPointer<Double>) {
        lock.lock()
        iterations[chain, default: []].append(iteration)
        lock.unlock()
        if let stopAfter, iteration == stopAfter.iteration { stopAfter.flag.stop() }
    }
    func adaptationFinished(chain: Int, adaptation: AdaptationSummary) { record("adapted \(chain)") }
    func chainFinished(chain: Int, summary: ChainSummary) { record("finished \(chain)") }
}

final class ChainRunnerTests: XCTestCase {
    let density = EightSchoolsNonCentred(standardErrors: [15, 10, 16, 11, 9, 11, 10, 18],
                                         observations: [28, 8, -3, 7, -1, 1, 18, 12])

    /// Same seed: byte-identical draws whether chains run concurrently or one after another.
    func testSameSeedGivesIdenticalDrawsSequentialOrParallel() throws {
        var settings = SamplerSettings(iterations: 400, warmup: 200, chains: 4, seed: 42)
        let parallel = try NUTSSampler.sample(density, settings: settings).draws
        settings.parallel = false
        let sequential = try NUTSSampler.sample(density, settings: settings).draws
        XCTAssertEqual(parallel, sequential)
        XCTAssertNotEqual(parallel.chains[0], parallel.chains[1])
        settings.seed = 43
        XCTAssertNotEqual(try NUTSSampler.sample(density, settings: settings).draws.chains[0], parallel.chains[0])
        // Any number of chains at once (`cores`), more than the machine has included.
        settings.seed = 42
        settings.parallel = true
        for cores in [1, 3, 4, 8] {
            settings.cores = cores
            XCTAssertEqual(try NUTSSampler.sample(density, settings: settings).draws, parallel, "cores \(cores)")
        }
    }

    /// `ChainScheduling` runs every index once and keeps at most
    /// `width` running at once; the width is `cores` capped by the number of chains.
    func testSchedulingRunsEachChainOnceWithinItsWidth() {
        XCTAssertEqual(ChainScheduling.width(chains: 4, cores: 2), 2)
        XCTAssertEqual(ChainScheduling.width(chains: 3, cores: 8), 3)
        XCTAssertEqual(ChainScheduling.width(chains: 1, cores: nil), 1)
        XCTAssertEqual(ChainScheduling.width(chains: 64, cores: nil), min(64, 2 * ProcessInfo.processInfo.activeProcessorCount))
        for width in [1, 2, 3, 7] {
            let lock = NSLock()
            var started: [Int] = [], running = 0, mostRunning = 0
            ChainScheduling.run(count: 6, width: width) { index in
                lock.lock(); started.append(index); running += 1; mostRunning = max(mostRunning, running); lock.unlock()
                usleep(2_000)
                lock.lock(); running -= 1; lock.unlock()
            }
            XCTAssertEqual(started.sorted(), Array(0..<6), "width \(width): each index once")
            XCTAssertLessThanOrEqual(mostRunning, min(width, 6), "width \(width)")
        }
    }

    /// Chain k run alone (`--chain-id`) reproduces chain k of a multi-chain run.
    func testSingleChainEqualsSameChainOfMultiChainRun() throws {
        let settings = SamplerSettings(iterations: 400, warmup: 200, chains: 4, seed: 42)
        let all = try NUTSSampler.sample(density, settings: settings).draws
        var alone = settings
        alone.firstChain = 2
        alone.chains = 1
        let single = try NUTSSampler.sample(density, settings: alone).draws
        XCTAssertEqual(single.chains[0], all.chains[2])
    }

    func testObserverSeesEveryEventInOrder() throws {
        let observer = RecordingObserver()
        let settings = SamplerSettings(iterations: 60, warmup: 40, chains: 3, seed: 1, saveWarmup: true)
        let summaries = try ChainRunner.run(settings: settings, observer: observer, progress: nil) { _ in
            NUTSSampler(density: density)
        }
        XCTAssertEqual(summaries.map(\.chain), [0, 1, 2])
        XCTAssertTrue(summaries.allSatisfy { $0.completedIterations == 60 && !$0.stopped })
        for chain in 0..<3 {
            XCTAssertEqual(observer.iterations[chain], Array(0..<60))
            let own = observer.events.filter { $0.hasSuffix(" \(chain)") }
            XCTAssertEqual(own, ["started \(chain)", "adapted \(chain)", "finished \(chain)"])
        }
    }

    func testStopFlagEndsChainsEarly() throws {
        let observer = RecordingObserver()
        let flag = StopFlag()
        observer.stopAfter = (flag, 30)
        let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 1, seed: 1, saveWarmup: true)
        let summaries = try ChainRunner.run(settings: settings, observer: observer, progress: nil, stopFlag: flag) { _ in
            NUTSSampler(density: density)
        }
        XCTAssertTrue(summaries[0].stopped)
        XCTAssertEqual(summaries[0].completedIterations, 31)
        XCTAssertNil(summaries[0].adaptation)
    }

    /// Holds each chain in `chainStarted` until `expected` chains have started (at most 30 s), then
    /// optionally sets a stop flag; records whether any chain waited in vain.
    final class StartBarrier: ChainObserver, @unchecked Sendable {
        let condition = NSCondition()
        let expected: Int
        let stopFlag: StopFlag?
        var started = 0
        var timedOut = false
        init(expected: Int, stopFlag: StopFlag? = nil) { self.expected = expected; self.stopFlag = stopFlag }
        func chainStarted(chain: Int) {
            condition.lock()
            started += 1
            if started == expected {
                stopFlag?.stop()
                condition.broadcast()
            }
            let deadline = Date().addingTimeInterval(30)
            while started < expected {
                if !condition.wait(until: deadline) { timedOut = true; break }
            }
            condition.unlock()
        }
    }

    /// By default up to two chains per core run at once (not one per core, as a pool of
    /// core-count threads would): each chain waits at the barrier until all have started.
    func testChainsUpToTwicePerCoreRunAtOnce() throws {
        let chains = ChainScheduling.width(chains: 8, cores: nil)
        XCTAssertEqual(chains, min(8, 2 * ProcessInfo.processInfo.activeProcessorCount))
        XCTAssertEqual(ChainScheduling.width(chains: 4, cores: nil, availableCores: 2), 4)
        XCTAssertEqual(ChainScheduling.width(chains: 16, cores: nil, availableCores: 2), 4)
        XCTAssertEqual(ChainScheduling.width(chains: 3, cores: nil, availableCores: 8), 3)
        let barrier = StartBarrier(expected: chains)
        let settings = SamplerSettings(iterations: 20, warmup: 10, chains: chains, seed: 3)
        let summaries = try ChainRunner.run(settings: settings, observer: barrier, progress: nil) { _ in
            NUTSSampler(density: density)
        }
        XCTAssertFalse(barrier.timedOut, "\(chains) chains did not all run at once")
        XCTAssertTrue(summaries.allSatisfy { $0.started && $0.completedIterations == 20 })
    }

    /// Chains beyond the limit wait for a running chain to end; stopped before their turn, they
    /// are never started (`ChainSummary.notStarted`), while the running ones stop early.
    func testChainsBeyondTheLimitAreSkippedWhenStoppedBeforeTheirTurn() throws {
        let limit = ChainScheduling.width(chains: 64, cores: nil)
        let flag = StopFlag()
        let barrier = StartBarrier(expected: limit, stopFlag: flag)
        let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: limit + 2, seed: 3)
        let summaries = try ChainRunner.run(settings: settings, observer: barrier, progress: nil, stopFlag: flag) { _ in
            NUTSSampler(density: density)
        }
        XCTAssertFalse(barrier.timedOut)
        XCTAssertEqual(summaries.map(\.chain), Array(0..<(limit + 2)))
        XCTAssertTrue(summaries.prefix(limit).allSatisfy { $0.started && $0.stopped && $0.completedIterations == 0 })
        XCTAssertEqual(summaries.suffix(2), [.notStarted(chain: limit), .notStarted(chain: limit + 1)])
    }

    func testInvalidSettingsAreClearErrors() {
        func message(_ settings: SamplerSettings) -> String {
            do { try settings.validate(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message(SamplerSettings(chains: 0)), "--chains: must be at least 1, got 0")
        XCTAssertEqual(message(SamplerSettings(cores: 0)), "--cores: must be at least 1, got 0")
        XCTAssertEqual(message(SamplerSettings(iterations: 1000, warmup: 1000)),
                       "--warmup: must be smaller than iter (1000), got 1000")
        XCTAssertEqual(message(SamplerSettings(adaptDelta: 1)), "--adapt-delta: must lie strictly between 0 and 1, got 1.0")
        XCTAssertEqual(message(SamplerSettings(maxTreeDepth: 0)), "--max-treedepth: must lie between 1 and 30, got 0")
        XCTAssertEqual(message(SamplerSettings(initRadius: -1)), "--init: must be a finite non-negative radius, got -1.0")
        XCTAssertEqual(message(SamplerSettings()), "")
    }

    func testProgressLinesAsCmdStan() {
        let progress = ChainProgress(refresh: 100) { _ in }
        let settings = SamplerSettings(iterations: 2000, warmup: 1000)
        XCTAssertEqual(progress.line(chain: 1, iteration: 399, settings: settings),
                       "Chain 2 Iteration:  400 / 2000 [ 20%]  (Warmup)\n")
        XCTAssertEqual(progress.line(chain: 0, iteration: 0, settings: settings),
                       "Chain 1 Iteration:    1 / 2000 [  0%]  (Warmup)\n")
        XCTAssertEqual(progress.line(chain: 3, iteration: 1999, settings: settings),
                       "Chain 4 Iteration: 2000 / 2000 [100%]  (Sampling)\n")
        XCTAssertNil(progress.line(chain: 0, iteration: 450, settings: settings))
        var lines: [String] = []
        let collecting = ChainProgress(refresh: 500) { lines.append($0) }
        for iteration in 0..<2000 { collecting.report(chain: 0, iteration: iteration, settings: settings) }
        XCTAssertEqual(lines.count, 5)
    }

    /// Tree depth is capped at `maxTreeDepth`, and the summary counts the saturated transitions;
    /// divergences in the summary are the draws flagged `divergent__`.
    func testTreeDepthSaturationAndDivergenceCounts() throws {
        let settings = SamplerSettings(iterations: 600, warmup: 300, chains: 2, seed: 8, maxTreeDepth: 2)
        let (draws, summaries) = try NUTSSampler.sample(CorrelatedNormal2D(correlation: 0.99), settings: settings)
        for (chain, summary) in summaries.enumerated() {
            let depths = draws.values(of: "treedepth__")![chain]
            XCTAssertTrue(depths.allSatisfy { $0 <= 2 })
            XCTAssertEqual(summary.treeDepthSaturations, depths.filter { $0 == 2 }.count)
            XCTAssertGreaterThan(summary.treeDepthSaturations, 0)
        }
        let (truncated, truncatedSummaries) = try NUTSSampler.sample(TruncatedNormal(), settings: settings)
        for (chain, summary) in truncatedSummaries.enumerated() {
            let divergent = truncated.values(of: "divergent__")![chain]
            XCTAssertEqual(summary.divergences, divergent.filter { $0 == 1 }.count)
            XCTAssertGreaterThan(summary.divergences, 0)
            XCTAssertGreaterThanOrEqual(summary.nonFiniteRejections, summary.divergences)
        }
    }

    /// Sampler statistics are CmdStan's columns, in CmdStan's order.
    func testStatisticColumns() throws {
        let settings = SamplerSettings(iterations: 30, warmup: 20, chains: 1)
        let draws = try NUTSSampler.sample(density, settings: settings).draws
        XCTAssertEqual(Array(draws.variableNames.prefix(7)),
                       ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"])
        for row in 0..<draws.drawsPerChain {
            let depth = draws.chains[0][row * draws.variableCount + 3]
            let leapfrogs = draws.chains[0][row * draws.variableCount + 4]
            XCTAssertLessThanOrEqual(leapfrogs, pow(2, depth + 1) - 1)
            XCTAssertGreaterThanOrEqual(leapfrogs, pow(2, depth) - 1)
        }
    }
}
