import Foundation
import XCTest

/// Runs the built `multilevel` executable (next to the test bundle in the products directory).
enum CommandLineRunner {
    /// What one run produced.
    struct Result {
        /// The exit status, or the signal number when `signaled`.
        var status: Int32
        /// Whether the process ended by a signal (a trap or a kill) rather than by exiting.
        var signaled: Bool
        var out: String
        var err: String
        /// Whether it was killed for running past the timeout.
        var timedOut: Bool
    }

    static func executable() throws -> URL {
        let url = Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("multilevel")
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("multilevel executable not built at \(url.path)")
        }
        return url
    }

    /// Runs `multilevel arguments...` in `directory`; returns the exit status, stdout and stderr.
    static func run(_ arguments: [String], in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let result = try runChecked(arguments, in: directory, environment: environment)
        return (result.status, result.out, result.err)
    }

    /// Runs `multilevel arguments...` with stdout and stderr captured in files (so a large output
    /// cannot block the child on a full pipe); kills it after `timeout` seconds.
    static func runChecked(_ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 120,
                           environment: [String: String] = [:]) throws -> Result {
        let process = try start(arguments, in: directory, environment: environment)
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.process.isRunning {
            if Date() > deadline {
                process.process.terminate()
                timedOut = true
                process.process.waitUntilExit()
                break
            }
            usleep(2_000)
        }
        process.process.waitUntilExit()
        return process.finish(timedOut: timedOut)
    }

    /// A started process whose output goes to temporary files.
    final class Running {
        let process: Process
        let outURL: URL
        let errURL: URL

        init(process: Process, outURL: URL, errURL: URL) {
            self.process = process
            self.outURL = outURL
            self.errURL = errURL
        }

        /// Standard error so far.
        var errorText: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

        /// Waits for the end and collects the outputs (removing the capture files).
        func finish(timedOut: Bool = false) -> Result {
            process.waitUntilExit()
            let out = (try? Data(contentsOf: outURL)) ?? Data()
            let err = (try? Data(contentsOf: errURL)) ?? Data()
            try? FileManager.default.removeItem(at: outURL.deletingLastPathComponent())
            return Result(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                          out: String(decoding: out, as: UTF8.self), err: String(decoding: err, as: UTF8.self),
                          timedOut: timedOut)
        }
    }

    /// Starts `multilevel arguments...` in `directory` without waiting.
    /// `environment` is added to this process's environment for the child.
    static func start(_ arguments: [String], in directory: URL? = nil,
                      environment: [String: String] = [:]) throws -> Running {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let captures = try temporaryDirectory(prefix: "capture")
        let outURL = captures.appendingPathComponent("stdout"), errURL = captures.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, outURL: outURL, errURL: errURL)
    }

    /// A new empty directory under the system's temporary folder.
    static func temporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("multilevel-\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
