import Foundation

/// CmdStan-style progress lines on standard error, e.g.
/// `Chain 2 Iteration:  400 / 2000 [ 20%]  (Warmup)`, printed at the first and last iteration and
/// every `refresh` iterations (Stan's `generate_transitions`). Safe to call from every chain's
/// thread: lines are written whole under a lock.
public final class ChainProgress: @unchecked Sendable {
    /// Print every `refresh` iterations (CmdStan's `refresh`, default 100).
    public let refresh: Int
    private let lock = NSLock()
    private let write: (String) -> Void

    /// A reporter writing each line through `write` (a line includes its newline).
    public init(refresh: Int = 100, write: @escaping (String) -> Void) {
        self.refresh = max(1, refresh)
        self.write = write
    }

    /// A reporter on standard error when standard error is a terminal, else nil (quiet).
    public static func standardErrorIfTerminal(refresh: Int = 100) -> ChainProgress? {
        guard isatty(STDERR_FILENO) != 0 else { return nil }
        return ChainProgress(refresh: refresh) { line in
            // write(2), not FileHandle.write (which traps when standard error fails).
            var line = line
            _ = line.withUTF8 { writeAllBytes(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
        }
    }

    /// The line for 0-based `iteration` of 0-based `chain`, or nil when this iteration is not
    /// reported.
    public func line(chain: Int, iteration: Int, settings: SamplerSettings) -> String? {
        let total = settings.iterations
        let done = iteration + 1
        guard done == total || iteration == 0 || done % refresh == 0 else { return nil }
        let width = String(total).count
        let count = String(repeating: " ", count: max(0, width - String(done).count)) + String(done)
        let percent = String(Int(100.0 * Double(done) / Double(total)))
        let paddedPercent = String(repeating: " ", count: max(0, 3 - percent.count)) + percent
        let phase = iteration < settings.warmup ? " (Warmup)" : " (Sampling)"
        return "Chain \(chain + 1) Iteration: \(count) / \(total) [\(paddedPercent)%] \(phase)\n"
    }

    /// Writes the line for this iteration if it is one to report.
    public func report(chain: Int, iteration: Int, settings: SamplerSettings) {
        guard let text = line(chain: chain, iteration: iteration, settings: settings) else { return }
        lock.lock()
        write(text)
        lock.unlock()
    }
}
