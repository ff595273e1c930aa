import Foundation

/// How many chains of a run sample at once, and the threads that run them.
///
/// Chains are handed out in chain order to `width` threads, each of which takes the next chain
/// when its current one ends, as brms' `cores` argument does for Stan's chains. The width is the
/// run's `cores` setting when given, otherwise the number of cores this process may use
/// (`ProcessInfo.activeProcessorCount`, which honours a container's CPU quota). The threads are
/// the runner's own rather than Dispatch's pool, whose width follows the machine's CPUs and not a
/// container's quota, so that which chains are waiting for a core — and are therefore skipped
/// after a stop — is the same wherever the run happens. The draws do not depend on the width:
/// chain k uses only its own RNG stream and kernel.
public enum ChainScheduling {
    /// Chains of a `count`-chain run that sample at once: `cores` (or the available cores when
    /// nil), at most `count`, at least 1.
    @inlinable
    public static func width(chains count: Int, cores: Int?) -> Int {
        max(1, min(count, cores ?? ProcessInfo.processInfo.activeProcessorCount))
    }

    /// Calls `body(i)` for i in 0..<`count` on `width` threads, which take indices in increasing
    /// order; returns when every call has returned. With width 1 everything runs on the calling
    /// thread.
    public static func run(count: Int, width: Int, _ body: (Int) -> Void) {
        guard width > 1, count > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let queue = IndexQueue(count: count, body: body)
            let group = DispatchGroup()
            for _ in 0..<min(width, count) {
                group.enter()
                let thread = Thread { queue.drain(); group.leave() }
                thread.start()
            }
            group.wait()
            // The threads may outlive this call by a moment and hold the queue; the closure
            // must not escape with it.
            queue.release()
        }
    }

    /// The next index to run, shared by the threads of one `run`.
    private final class IndexQueue: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private let count: Int
        private var body: ((Int) -> Void)?

        init(count: Int, body: @escaping (Int) -> Void) {
            self.count = count
            self.body = body
        }

        /// Runs indices until none is left.
        func drain() {
            lock.lock()
            guard let body else { lock.unlock(); return }
            lock.unlock()
            while true {
                lock.lock()
                let index = next
                next += 1
                lock.unlock()
                if index >= count { return }
                body(index)
            }
        }

        /// Drops the closure once every `drain` has returned.
        func release() {
            lock.lock()
            body = nil
            lock.unlock()
        }
    }
}
