import Foundation
import XCTest

/// Interrupted `multilevel fit --output DIR` runs (issue 10): SIGINT / SIGTERM keep every draw made
/// (complete rows, an "interrupted" comment, final names, a summary, exit 128 + signal) and the
/// files read back with `diagnose`; `kill -9` leaves only the temporary `.chain-K.csv.partial` names.
final class InterruptionTests: XCTestCase {
    static let chains = 2

    /// A fresh working directory holding sleepstudy.csv.
    private func directoryWithSleepstudy(prefix: String) throws -> URL {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: prefix)
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: directory.appendingPathComponent("sleepstudy.csv"))
        return directory
    }

    /// A working directory with sleepstudy.csv, and a fit started in it that would run for a long time.
    private func startLongFit(chains: Int = chains, iterations: Int = 1_000_000,
                              warmup: Int = 100, cores: Int? = nil) throws -> (directory: URL, running: CommandLineRunner.Running) {
        let directory = try directoryWithSleepstudy(prefix: "interrupt")
        let running = try CommandLineRunner.start(
            ["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (Days | Subject)",
             "--chains", "\(chains)", "--iter", "\(iterations)", "--warmup", "\(warmup)", "--seed", "11", "--output", "out"]
                + (cores.map { ["--cores", "\($0)"] } ?? []),
            in: directory)
        return (directory, running)
    }

    /// Sends `signalNumber` and waits (at most a minute) for the exit.
    private func stop(_ running: CommandLineRunner.Running, with signalNumber: Int32) -> CommandLineRunner.Result {
        kill(running.process.processIdentifier, signalNumber)
        let deadline = Date().addingTimeInterval(60)
        while running.process.isRunning, Date() < deadline { usleep(20_000) }
        if running.process.isRunning { running.process.terminate() }
        return running.finish()
    }

    /// Data rows (not comments, not the header) of a CmdStan CSV text.
    private func dataRows(_ text: String) -> [Substring] {
        Array(text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }.dropFirst())
    }

    /// Waits until the temporary files of chains 1...`chains` hold at least `rows` draws each.
    private func waitForDraws(in directory: URL, rows: Int, running: CommandLineRunner.Running, chains: Int = chains) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            XCTAssertTrue(running.process.isRunning, "fit ended early: \(running.errorText)")
            if !running.process.isRunning { return }
            let ready = (1...chains).allSatisfy { k in
                let url = directory.appendingPathComponent("out/.chain-\(k).csv.partial")
                return (try? String(contentsOf: url, encoding: .utf8)).map { dataRows($0).count >= rows } ?? false
            }
            if ready { return }
            usleep(50_000)
        }
        XCTFail("no draws appeared within two minutes")
    }

    /// Sends `signalNumber` once chains 1...`waitFor` have made 5 draws, waits for the exit.
    private func interrupt(_ running: CommandLineRunner.Running, in directory: URL, with signalNumber: Int32,
                           waitFor chains: Int = chains) throws -> CommandLineRunner.Result {
        try waitForDraws(in: directory, rows: 5, running: running, chains: chains)
        return stop(running, with: signalNumber)
    }

    private func checkStoppedBy(_ signalNumber: Int32) throws {
        _ = try CommandLineRunner.executable()
        let (directory, running) = try startLongFit()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try interrupt(running, in: directory, with: signalNumber)

        XCTAssertFalse(result.signaled, "ended by a signal instead of exiting")
        XCTAssertEqual(result.status, 128 + signalNumber, result.err)
        XCTAssertTrue(result.err.contains("interrupted"), result.err)
        XCTAssertTrue(result.out.contains("b_Intercept") || result.out.contains("Intercept"), "no summary: \(result.out)")

        let out = directory.appendingPathComponent("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(names, (1...Self.chains).map { "chain-\($0).csv" }, "only the final names remain")
        try checkCompleteInterruptedFiles(names, in: out)
        let diagnose = try CommandLineRunner.runChecked(["diagnose"] + names.map { "out/\($0)" }, in: directory)
        XCTAssertEqual(diagnose.status, 0, diagnose.err)
        XCTAssertTrue(diagnose.out.contains("b_Intercept"), diagnose.out)
    }

    /// Each file ends with a newline, has an "interrupted" comment and at least `minimumRows`
    /// complete numeric rows.
    private func checkCompleteInterruptedFiles(_ names: [String], in out: URL, minimumRows: Int = 5) throws {
        for name in names {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(text.hasSuffix("\n"), "\(name) ends inside a line")
            XCTAssertTrue(text.split(separator: "\n").contains { $0.hasPrefix("#") && $0.contains("interrupted") },
                          "\(name) has no 'interrupted' comment")
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            let width = try XCTUnwrap(lines.first).split(separator: ",").count
            let rows = lines.dropFirst()
            XCTAssertGreaterThanOrEqual(rows.count, minimumRows, name)
            for row in rows {
                let fields = row.split(separator: ",", omittingEmptySubsequences: false)
                XCTAssertEqual(fields.count, width, "\(name): incomplete row \(row)")
                XCTAssertTrue(fields.allSatisfy { Double($0) != nil }, "\(name): unparsable row \(row)")
            }
        }
    }

    func testSIGINTKeepsCompleteChainsUnderFinalNames() throws {
        try checkStoppedBy(SIGINT)
    }

    func testSIGTERMKeepsCompleteChainsUnderFinalNames() throws {
        try checkStoppedBy(SIGTERM)
    }

    /// 16 chains, 2 at a time (`--cores 2`): the chains still waiting for a core when SIGINT
    /// arrives are not started. The run exits 130 with complete files for the two chains that made
    /// draws and no file for the others (as CmdStan writes output only for chains that ran), names
    /// them on stderr, and the summary describes the chains it covers; `diagnose out/chain-*.csv`
    /// reads the files. (`--cores` fixes the width: the cores this machine reports do not matter.)
    func testChainsNotYetStartedAreSkippedAfterSIGINT() throws {
        _ = try CommandLineRunner.executable()
        let chains = 16
        let (directory, running) = try startLongFit(chains: chains, iterations: 20_000, cores: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try interrupt(running, in: directory, with: SIGINT, waitFor: 2)

        XCTAssertFalse(result.signaled, "ended by a signal instead of exiting")
        XCTAssertEqual(result.status, 130, result.err)
        let out = directory.appendingPathComponent("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertTrue(names.allSatisfy { $0.hasPrefix("chain-") && $0.hasSuffix(".csv") }, "temporary names left: \(names)")
        let written = Set(names.compactMap { Int($0.dropFirst("chain-".count).dropLast(".csv".count)) })
        // Chains 1 and 2 had 5 draws when the signal came, far from their 20,000 iterations, so
        // chains 3–16 were still waiting for a core.
        XCTAssertEqual(written, [1, 2], "\(names)")
        try checkCompleteInterruptedFiles(names, in: out, minimumRows: 5)
        let notice = try XCTUnwrap(result.err.split(separator: "\n").first { $0.contains("made a draw") }, result.err)
        XCTAssertTrue(notice.contains("before chains 3–16 made a draw"), String(notice))
        XCTAssertTrue(notice.contains("wrote no file"), String(notice))
        XCTAssertTrue(result.out.contains("Draws: \(written.count) chains, each with iter = "), result.out)

        let diagnose = try CommandLineRunner.runChecked(["diagnose"] + names.map { "out/\($0)" }, in: directory)
        XCTAssertEqual(diagnose.status, 0, diagnose.err)
        XCTAssertTrue(diagnose.out.contains("b_Intercept"), diagnose.out)
    }

    /// SIGINT before any chain has left warm-up: exit 130, no summary of nothing (no NaN table),
    /// a one-line notice, and no chain file.
    func testInterruptionDuringWarmupPrintsNoSummary() throws {
        _ = try CommandLineRunner.executable()
        let (directory, running) = try startLongFit(iterations: 1_000_100, warmup: 1_000_000)
        defer { try? FileManager.default.removeItem(at: directory) }
        usleep(1_500_000)
        XCTAssertTrue(running.process.isRunning, running.errorText)
        let result = stop(running, with: SIGINT)
        XCTAssertFalse(result.signaled)
        XCTAssertEqual(result.status, 130, result.err)
        XCTAssertTrue(result.err.contains("interrupted during warm-up: no draws to summarise"), result.err)
        XCTAssertFalse(result.out.contains("Estimate"), result.out)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path)) ?? []
        XCTAssertEqual(files, [], "no chain made a draw, so no file")
    }

    func testKillLeavesOnlyTemporaryNames() throws {
        _ = try CommandLineRunner.executable()
        let (directory, running) = try startLongFit()
        defer { try? FileManager.default.removeItem(at: directory) }
        try waitForDraws(in: directory, rows: 2, running: running)
        kill(running.process.processIdentifier, SIGKILL)
        let result = running.finish()
        XCTAssertTrue(result.signaled)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out").path).sorted()
        XCTAssertEqual(names, (1...Self.chains).map { ".chain-\($0).csv.partial" })
    }

    func testExistingOutputDirectoryNeedsForce() throws {
        _ = try CommandLineRunner.executable()
        let directory = try directoryWithSleepstudy(prefix: "force")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let earlier = out.appendingPathComponent("chain-1.csv")
        try Data("earlier results\n".utf8).write(to: earlier)
        let arguments = ["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (1 | Subject)",
                         "--chains", "1", "--iter", "40", "--warmup", "20", "--seed", "5", "--output", "out"]
        let refused = try CommandLineRunner.runChecked(arguments, in: directory)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.err.contains("--force"), refused.err)
        XCTAssertEqual(try String(contentsOf: earlier, encoding: .utf8), "earlier results\n")
        let forced = try CommandLineRunner.runChecked(arguments + ["--force"], in: directory)
        XCTAssertEqual(forced.status, 0, forced.err)
        XCTAssertTrue(try String(contentsOf: earlier, encoding: .utf8).hasPrefix("#"), "--force replaces the chain file")
    }
}
