import Foundation

/// How many chains of a run sample at once, and the threads that run them.
///
/// Chains are handed out in chain order to `width` threads, each of which takes the next chain
/// when its current one ends, as brms' `cores` argument does for Stan's chains. The width is the
/// run's `cores` setting when given; otherwise two chains per core this process may use
/// (`ProcessInfo.activeProcessorCount`, which honours a container's CPU quota), the operating
/// system sharing the cores among them. Chains of one run differ in length (warm-up tree depths,
/// step sizes), so with one chain per core and more chains than cores a core idles while the
/// longest chain of each round finishes; with the four default chains on two cores sharing the
/// cores the run takes about its total CPU time divided by the cores, not the sum over the
/// rounds of each round's longest chain (`nuts-bernoulli-100k-continuous`, FamilyBenchmarks:
/// 77 s wall for 152 CPU-s with all four at once). The cap of two per core keeps the
/// chains' working memory within twice that of one chain per core and leaves chains waiting —
/// skipped if the run is stopped first — when a run asks for many more chains than there are
/// cores. The threads are the runner's own rather than Dispatch's pool, which runs no more
/// CPU-bound items at once than the machine (not the container) has CPUs. The draws do not
/// depend on the width: chain k uses only its own RNG stream and kernel.
public enum ChainScheduling {
    /// Chains of a `count`-chain run that sample at once: `cores` when given, otherwise twice
    /// `availableCores`; at most `count`, at least 1.
    @inlinable
    public static func width(chains count: Int, cores: Int?,
                             availableCores: Int = ProcessInfo.processInfo.activeProcessorCount) -> Int {
        max(1, min(count, cores ?? 2 * max(1, availableCores)))
    }

    /// Calls `body(i)` for i in 0..<`count` on `width` POSIX threads, which take indices in
    /// increasing order; returns when every thread has ended (joined: a thread still exiting and
    /// freeing memory after the run returned made AllocationTests' bytes-in-use check fail once).
    /// With width 1 everything runs on the calling thread.
    public static func run(count: Int, width: Int, _ body: (Int) -> Void) {
        guard width > 1, count > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let queue = IndexQueue(count: count, body: body)
            var started: [pthread_t] = []
            for _ in 0..<min(width, count) {
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
            // The closure must not escape with the queue.
            queue.release()
        }
    }

    /// The next index to run, shared by the threads of one `run`.
    fileprivate final class IndexQueue: @unchecked Sendable {
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

/// A thread start routine's argument, optional on Linux and not on Darwin.
private func nonNull(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer { pointer! }
