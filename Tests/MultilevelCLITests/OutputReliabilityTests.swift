import Foundation
import XCTest

/// Issue 23: what `multilevel` guarantees when its output cannot be written (a full disk, a file
/// size limit, a closed pipe), when two runs share an output directory, and on SIGQUIT.
final class OutputReliabilityTests: XCTestCase {
    /// Runs `multilevel arguments` with standard output sent to `output` and stderr captured.
    private func run(_ arguments: [String], stdout output: FileHandle, in directory: URL? = nil,
                     shellPrefix: String? = nil) throws -> (status: Int32, signaled: Bool, err: String) {
        let process = Process()
        let executable = try CommandLineRunner.executable()
        if let shellPrefix {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shellPrefix + "; exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, String(decoding: err, as: UTF8.self))
    }

    private func workDirectory() throws -> URL {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "reliability")
        let source = Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures/corpus/shared")!
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent("sleepstudy.csv"))
        return directory
    }

    private let lmerArguments = ["lmer", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (Days | Subject)"]

    /// `> /dev/full`: one line naming the cause, exit 1, no trap — for a result and for --help.
    func testFullDiskOnStandardOutputIsOneLineAndExitOne() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [lmerArguments, ["lmer", "--help"], ["--help"]] {
            let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
            let result = try run(arguments, stdout: full, in: directory)
            XCTAssertFalse(result.signaled, "\(arguments): \(result.err)")
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.err)")
            XCTAssertEqual(result.err, "multilevel: cannot write the results to standard output: No space left on device\n")
        }
    }

    /// A reader that has gone away: exit 141 (128 + SIGPIPE) without a word on stderr.
    func testBrokenPipeExits141Silently() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try run(lmerArguments, stdout: pipe.fileHandleForWriting, in: directory)
        XCTAssertFalse(result.signaled)
        XCTAssertEqual(result.status, 141, result.err)
        XCTAssertEqual(result.err, "")
    }

    /// A file size limit (`ulimit -f`, EFBIG — what a full disk does to a file): the chain file
    /// fails mid-run; the message is one line with the cause, the draws written so far are kept
    /// under the temporary name, nothing is left under a final name, and the plots (written
    /// before standard output) are not left truncated.
    func testFailedWriteKeepsDrawsAndLeavesNoTruncatedFile() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (Days | Subject)",
                                 "--sampler", "nuts", "--chains", "1", "--iter", "400", "--seed", "5", "--output", "out"],
                             stdout: FileHandle.nullDevice, in: directory, shellPrefix: "ulimit -f 64")
        XCTAssertFalse(result.signaled, result.err)
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("cannot write: File too large"), result.err)
        XCTAssertTrue(result.err.contains("the draws written before the failure are kept in"), result.err)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path)
        XCTAssertEqual(files, [".chain-1.csv.partial"])
        let kept = try String(contentsOf: directory.appendingPathComponent("out/.chain-1.csv.partial"), encoding: .utf8)
        XCTAssertGreaterThan(kept.split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 2, "draw rows kept")

        let plots = try run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                             "--chains", "1", "--iter", "100", "--seed", "5", "--plots", "plots"],
                            stdout: FileHandle.nullDevice, in: directory, shellPrefix: "ulimit -f 8")
        XCTAssertEqual(plots.status, 1, plots.err)
        XCTAssertTrue(plots.err.contains("File too large"), plots.err)
        let svgs = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("plots").path)) ?? []
        XCTAssertTrue(svgs.allSatisfy { !$0.hasSuffix(".svg") }, "no SVG under its final name: \(svgs)")
    }

    /// Two runs into one directory at once: exactly one writes (the other is refused while the
    /// first holds the directory), and `--force` afterwards leaves no chain of the earlier run.
    func testConcurrentRunsAndForceNeverMixChains() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                         "--iter", "600", "--output", "out", "--force"]
        let first = try CommandLineRunner.start(arguments + ["--seed", "1"], in: directory)
        let second = try CommandLineRunner.start(arguments + ["--seed", "2"], in: directory)
        let results = [first.finish(), second.finish()]
        XCTAssertEqual(results.filter { $0.status == 0 }.count, 1, results.map(\.err).joined(separator: " | "))
        XCTAssertTrue(results.contains { $0.err.contains("is in use by another multilevel run") }, results.map(\.err).joined())
        let merged = try CommandLineRunner.run(["diagnose"] + (1...4).map { "out/chain-\($0).csv" }, in: directory)
        XCTAssertEqual(merged.status, 0, merged.err)

        let rerun = try CommandLineRunner.run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                                               "--iter", "100", "--chains", "2", "--seed", "3", "--output", "out", "--force"], in: directory)
        XCTAssertEqual(rerun.status, 0, rerun.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path).sorted(),
                       ["chain-1.csv", "chain-2.csv", "data.csv", "fit.json", "model.txt"],
                       "--force removed chains 3 and 4 of the earlier run (the rest is the new run's fit directory)")
    }

    /// A factor level holding a newline and an ESC: `fit --output` writes chains that its own
    /// `diagnose` reads back with the level intact.
    func testLevelWithNewlineRoundTripsThroughChainFiles() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var rows = ["y,x,g"]
        for i in 0..<40 { rows.append("\(Double(i % 7) + 0.1 * Double(i)),\(i % 5),\(i % 4 == 0 ? "\"a\nb\u{1B}\"" : "g\(i % 4)")") }
        try rows.joined(separator: "\n").write(to: directory.appendingPathComponent("levels.csv"), atomically: true, encoding: .utf8)
        let fit = try CommandLineRunner.run(["fit", "--data", "levels.csv", "--formula", "y ~ x + (1 | g)", "--sampler", "nuts",
                                             "--iter", "60", "--chains", "1", "--seed", "2", "--output", "out"], in: directory)
        XCTAssertEqual(fit.status, 0, fit.err)
        let diagnosed = try CommandLineRunner.run(["diagnose", "--json", "out/chain-1.csv"], in: directory)
        XCTAssertEqual(diagnosed.status, 0, diagnosed.err)
        XCTAssertTrue(diagnosed.out.contains(#"r_g[a\nb\u001b,Intercept]"#), String(diagnosed.out.prefix(400)))
    }

    /// `diagnose` on a FIFO is refused by its kind at once instead of blocking for a writer.
    func testDiagnoseRefusesFIFO() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertEqual(mkfifo(directory.appendingPathComponent("pipe.csv").path, 0o600), 0)
        let result = try CommandLineRunner.runChecked(["diagnose", "pipe.csv"], in: directory, timeout: 30)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.status, 1, result.err)
        XCTAssertTrue(result.err.contains("pipe.csv: cannot read: is a FIFO (named pipe), not a file"), result.err)
    }

    /// SIGQUIT stops `fit` as SIGINT does (draws kept, exit 131), with no crash report.
    func testSIGQUITStopsFitWithoutCrashReport() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let running = try CommandLineRunner.start(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                                                   "--iter", "2000000", "--warmup", "10", "--chains", "1", "--seed", "4", "--output", "out"], in: directory)
        let partial = directory.appendingPathComponent("out/.chain-1.csv.partial")
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: partial.path), Date() < deadline { usleep(20_000) }
        usleep(300_000)
        kill(running.process.processIdentifier, SIGQUIT)
        let result = running.finish()
        XCTAssertFalse(result.signaled, result.err)
        XCTAssertEqual(result.status, 131, result.err)
        XCTAssertFalse(result.err.contains("Backtrace") || result.err.contains("Crash"), result.err)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/chain-1.csv").path))
    }

    /// Under `ulimit -v` (RLIMIT_AS) or `ulimit -d` (RLIMIT_DATA) the memory budget uses the
    /// limit, not the machine's memory: refused at once with a message naming the limit.
    func testMemoryBudgetUsesAddressSpaceAndDataLimits() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for limit in ["ulimit -v 2000000", "ulimit -d 1000000"] {
            let result = try run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                                  "--iter", "2000000", "--chains", "4"],
                                 stdout: FileHandle.nullDevice, in: directory, shellPrefix: limit)
            XCTAssertEqual(result.status, 2, "\(limit): \(result.err)")
            XCTAssertTrue(result.err.contains(String(limit.prefix(9))), "\(limit): \(result.err)")
        }
    }

    /// `--predict` into a file that cannot be written (a file size limit): one line with the
    /// cause and exit 1, never a raw NSError dump, and no predictions file under its final name.
    func testPredictWriteFailureIsOneLine() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                              "--chains", "1", "--iter", "200", "--seed", "5", "--predict", "pred"],
                             stdout: FileHandle.nullDevice, in: directory, shellPrefix: "ulimit -f 16")
        XCTAssertFalse(result.signaled, result.err)
        XCTAssertEqual(result.status, 1, result.err)
        let errors = result.err.split(separator: "\n").filter { $0.hasPrefix("multilevel") }
        XCTAssertEqual(errors.count, 1, result.err)
        XCTAssertTrue(errors.first?.contains("File too large") == true, result.err)
        XCTAssertFalse(result.err.contains("Error Domain") || result.err.contains("NSCocoaErrorDomain"), result.err)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("pred").path)) ?? []
        XCTAssertFalse(files.contains("predictions.csv"), "\(files)")
    }

    /// `fit … --predict P --plots Q | head -1`: the files come before standard output, so both
    /// directories are complete although the reader has gone (exit 141, silently).
    func testBrokenPipeAfterPredictAndPlotsKeepsBothDirectories() throws {
        let directory = try workDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let result = try run(["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                              "--chains", "2", "--iter", "200", "--seed", "5", "--predict", "pred", "--plots", "plots"],
                             stdout: pipe.fileHandleForWriting, in: directory)
        XCTAssertFalse(result.signaled, result.err)
        XCTAssertEqual(result.status, 141, result.err)
        let predictions = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("pred").path)
        XCTAssertEqual(Set(predictions), ["predictions.csv", "fitted.csv"])
        let plots = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("plots").path)
        XCTAssertFalse(plots.filter { $0.hasSuffix(".svg") }.isEmpty, "\(plots)")
        XCTAssertTrue(plots.allSatisfy { !$0.hasSuffix(".partial") }, "\(plots)")
    }
}
