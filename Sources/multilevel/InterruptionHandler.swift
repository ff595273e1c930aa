import Foundation
import Multilevel

/// Turns SIGINT, SIGTERM and SIGQUIT into a cooperative stop of the chains: the first signal sets
/// `flag` (the chains end after their current iteration, every draw made so far is kept and the CSV
/// files are closed with a comment), and the command exits with 128 + the signal number (130 for
/// SIGINT, 143 for SIGTERM, 131 for SIGQUIT). A second signal ends the process at once; files then stay under their
/// temporary names, never as half files under the final names.
final class InterruptionHandler: @unchecked Sendable {
    let flag = StopFlag()
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var received: Int32?

    /// The signals that stop a run cooperatively.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGQUIT]

    init() {
        for signalNumber in Self.signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in self?.handle(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    private func handle(_ signalNumber: Int32) {
        lock.lock()
        let first = received == nil
        if first { received = signalNumber }
        lock.unlock()
        if first {
            flag.stop()
        } else {
            signal(signalNumber, SIG_DFL)
            kill(getpid(), signalNumber)
        }
    }

    /// The signal that stopped the run, if any.
    var signalNumber: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Restores the default handlers once sampling is over.
    func disarm() {
        for source in sources { source.cancel() }
        for signalNumber in Self.signals { signal(signalNumber, SIG_DFL) }
    }
}
