/// The warm-up schedule of Stan's windowed adaptation (`windowed_adaptation`; Stan reference
/// manual, "HMC algorithm parameters — Automatic parameter tuning").
///
/// Warm-up is split into an initial fast buffer (default 75 iterations, step size only), a series
/// of slow windows (25, 50, 100, …; the last one stretched to end where the terminal buffer
/// starts) in which the metric is estimated from the draws of the window alone, and a terminal fast
/// buffer (default 50) in which the step size settles for the final metric. When warm-up is
/// shorter than the three defaults together, Stan uses 15% / 75% / 10% of it instead; with fewer
/// than 20 warm-up iterations there is no metric adaptation at all.
///
/// Unlike Stan, the metric is also updated inside the initial buffer, from short early windows
/// ending after 5, 10, 20, 40, … draws (5 · 2ᵏ, while that is smaller than the buffer: 4 updates
/// for the default 75). Stan keeps its initial (unit) metric for the whole buffer, and a posterior
/// whose scales differ by orders of magnitude then costs hundreds of gradients per iteration until
/// the first slow window closes; nutpie (Seyboldt, Carlson & Carpenter 2026) updates its metric
/// from the first few draws for the same reason. The buffer's draws still do not enter the slow
/// windows' estimates, so the slow windows, the terminal buffer and every iteration count are
/// Stan's.
public struct WindowedAdaptation: Sendable, Equatable {
    /// Number of draws of the first early window in the initial buffer; each next one ends after
    /// twice as many draws in total.
    public static let firstEarlyWindow = 5

    /// Number of warm-up iterations.
    public private(set) var warmupIterations: Int = 0
    /// Initial fast buffer length.
    public private(set) var initialBuffer: Int = 0
    /// Terminal fast buffer length.
    public private(set) var terminalBuffer: Int = 0
    /// Length of the first slow window.
    public private(set) var baseWindow: Int = 0

    /// Iterations seen so far.
    public private(set) var counter: Int = 0
    /// Length of the current slow window.
    public private(set) var windowSize: Int = 0
    /// Iteration (0-based) at which the current slow window ends.
    public private(set) var nextWindowEnd: Int = 0

    /// The schedule for `warmup` iterations with Stan's defaults 75 / 25 / 50 (or the 15% / 75% /
    /// 10% split when they do not fit).
    public init(warmup: Int, initialBuffer: Int = 75, terminalBuffer: Int = 50, baseWindow: Int = 25) {
        if warmup < 20 {
            // No metric adaptation: every window predicate below stays false.
            self.warmupIterations = 0
        } else if initialBuffer + baseWindow + terminalBuffer > warmup {
            self.warmupIterations = warmup
            self.initialBuffer = Int(0.15 * Double(warmup))
            self.terminalBuffer = Int(0.1 * Double(warmup))
            self.baseWindow = warmup - (self.initialBuffer + self.terminalBuffer)
        } else {
            self.warmupIterations = warmup
            self.initialBuffer = initialBuffer
            self.terminalBuffer = terminalBuffer
            self.baseWindow = baseWindow
        }
        restart()
    }

    /// Back to the first iteration.
    public mutating func restart() {
        counter = 0
        windowSize = baseWindow
        nextWindowEnd = initialBuffer + windowSize - 1
    }

    /// True when the current iteration's draw belongs to a slow window (is used for the metric).
    public var inSlowWindow: Bool {
        counter >= initialBuffer && counter < warmupIterations - terminalBuffer
            && counter != warmupIterations
    }

    /// True when the current iteration belongs to the initial fast buffer of an adapting schedule.
    public var inInitialBuffer: Bool {
        warmupIterations > 0 && counter < initialBuffer
    }

    /// True when the current iteration is the last one of an early window of the initial buffer:
    /// `counter + 1` = 5 · 2ᵏ draws so far, with at least one buffer iteration left after it.
    public var atEndOfEarlyWindow: Bool {
        guard inInitialBuffer, counter + 1 < initialBuffer else { return false }
        var end = Self.firstEarlyWindow
        while end < counter + 1 { end *= 2 }
        return end == counter + 1
    }

    /// True when the current iteration is the last one of a slow window.
    public var atEndOfSlowWindow: Bool {
        warmupIterations > 0 && counter == nextWindowEnd && counter != warmupIterations
    }

    /// Moves the end of the window forward after a window closed: the next window is twice as
    /// long, and is stretched to the start of the terminal buffer when the one after it would not
    /// fit.
    public mutating func computeNextWindow() {
        let lastWindowEnd = warmupIterations - terminalBuffer - 1
        if nextWindowEnd == lastWindowEnd { return }
        windowSize *= 2
        nextWindowEnd = counter + windowSize
        if nextWindowEnd != lastWindowEnd {
            let nextBoundary = nextWindowEnd + 2 * windowSize
            if nextBoundary >= warmupIterations - terminalBuffer {
                nextWindowEnd = lastWindowEnd
            }
        }
    }

    /// Advances to the next iteration.
    public mutating func advance() { counter += 1 }

    /// The (0-based) iterations at which slow windows end, i.e. at which Stan updates the metric.
    public static func metricUpdateIterations(warmup: Int, initialBuffer: Int = 75,
                                              terminalBuffer: Int = 50, baseWindow: Int = 25) -> [Int] {
        windowEnds(WindowedAdaptation(warmup: warmup, initialBuffer: initialBuffer,
                                      terminalBuffer: terminalBuffer, baseWindow: baseWindow), early: false)
    }

    /// The (0-based) iterations of the initial buffer after which the early windows update the
    /// metric (4, 9, 19, 39 for the default buffer of 75).
    public static func earlyMetricUpdateIterations(warmup: Int, initialBuffer: Int = 75,
                                                   terminalBuffer: Int = 50, baseWindow: Int = 25) -> [Int] {
        windowEnds(WindowedAdaptation(warmup: warmup, initialBuffer: initialBuffer,
                                      terminalBuffer: terminalBuffer, baseWindow: baseWindow), early: true)
    }

    /// Runs `schedule` through its warm-up and lists the iterations at which its early (or slow)
    /// windows end.
    static func windowEnds(_ schedule: WindowedAdaptation, early: Bool) -> [Int] {
        var schedule = schedule
        var ends: [Int] = []
        for _ in 0..<schedule.warmupIterations {
            if early ? schedule.atEndOfEarlyWindow : schedule.atEndOfSlowWindow {
                ends.append(schedule.counter)
                if !early { schedule.computeNextWindow() }
            }
            schedule.advance()
        }
        return ends
    }
}
