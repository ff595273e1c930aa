/// The warm-up schedule of Stan's windowed adaptation (`windowed_adaptation`; Stan reference
/// manual, "HMC algorithm parameters — Automatic parameter tuning").
///
/// Warm-up is split into an initial fast buffer (default 75 iterations, step size only), a series
/// of slow windows (25, 50, 100, …; the last one stretched to end where the terminal buffer
/// starts) in which the metric is estimated from the draws of the window alone, and a terminal fast
/// buffer (default 50) in which the step size settles for the final metric. When warm-up is
/// shorter than the three defaults together, Stan uses 15% / 75% / 10% of it instead; with fewer
/// than 20 warm-up iterations there is no metric adaptation at all.
public struct WindowedAdaptation: Sendable, Equatable {
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

    /// The (0-based) iterations at which slow windows end, i.e. at which the metric is updated.
    public static func metricUpdateIterations(warmup: Int, initialBuffer: Int = 75,
                                              terminalBuffer: Int = 50, baseWindow: Int = 25) -> [Int] {
        var schedule = WindowedAdaptation(warmup: warmup, initialBuffer: initialBuffer,
                                          terminalBuffer: terminalBuffer, baseWindow: baseWindow)
        var ends: [Int] = []
        for _ in 0..<warmup {
            if schedule.atEndOfSlowWindow {
                ends.append(schedule.counter)
                schedule.computeNextWindow()
            }
            schedule.advance()
        }
        return ends
    }
}
