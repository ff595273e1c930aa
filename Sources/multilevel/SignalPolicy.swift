import Foundation

/// What a signal does to `multilevel`: never a crash report. The Swift runtime's backtracer
/// catches SIGQUIT, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV and SIGTRAP and prints a multi-line
/// crash report before dying; `install()` gives those signals back their default action (the
/// process ends with the signal, as any Unix tool does), and `fit` turns SIGQUIT, like SIGINT and
/// SIGTERM, into a cooperative stop that keeps the draws (`InterruptionHandler`). A developer who
/// wants the runtime's report sets `SWIFT_BACKTRACE` (e.g. `SWIFT_BACKTRACE=enable=yes`), which
/// leaves the backtracer in place.
enum SignalPolicy {
    static let backtracerSignals: [Int32] = [SIGQUIT, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP]

    static func install(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["SWIFT_BACKTRACE"] == nil else { return }
        for signalNumber in backtracerSignals { signal(signalNumber, SIG_DFL) }
    }
}
