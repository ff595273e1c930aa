import Foundation
import XCTest

/// Interrupted `multilevel fit --output DIR` runs (issue 10): SIGINT / SIGTERM keep every draw made
/// (complete rows, an "interrupted" comment, final names, a summary, exit 128 + signal) and the
/// files read back with `diagnose`; `kill -9` leaves only the temporary `.chain-K.csv.partial` names.
final class InterruptionTests: XCTestCase {
    static let chains = 2

    /// A working directory with sleepstudy.csv, and a fit started in it that would run for a long time.
    private func startLongFit() throws -> (directory: URL, running: CommandLineRunner.Running) {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "interrupt")
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: directory.appendingPathComponent("sleepstudy.csv"))
        let running = try CommandLineRunner.start(
            ["fit", "--data", "sleepstudy.csv", "--formula", "Reaction ~ Days + (Days | Subject)",
             "--chains", "\(Self.chains)", "--iter", "1000000", "--warmup", "100", "--seed", "11", "--output", "out"],
            in: directory)
        return (directory, running)
    }

    /// Data rows (not comments, not the header) of a CmdStan CSV text.
    private func dataRows(_ text: String) -> [Substring] {
        Array(text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }.dropFirst())
    }

    /// Waits until every chain's temporary file holds at least `rows` draws.
    private func waitForDraws(in directory: URL, rows: Int, running: CommandLineRunner.Running) throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            XCTAssertTrue(running.process.isRunning, "fit ended early: \(running.errorText)")
            if !running.process.isRunning { return }
            let ready = (1...Self.chains).allSatisfy { k in
                let url = directory.appendingPathComponent("out/.chain-\(k).csv.partial")
                return (try? String(contentsOf: url, encoding: .utf8)).map { dataRows($0).count >= rows } ?? false
            }
            if ready { return }
            usleep(50_000)
        }
        XCTFail("no draws appeared within two minutes")
    }

    private func checkStoppedBy(_ signalNumber: Int32) throws {
        _ = try CommandLineRunner.executable()
        let (directory, running) = try startLongFit()
        defer { try? FileManager.default.removeItem(at: directory) }
        try waitForDraws(in: directory, rows: 5, running: running)
        kill(running.process.processIdentifier, signalNumber)
        let deadline = Date().addingTimeInterval(60)
        while running.process.isRunning, Date() < deadline { usleep(20_000) }
        if running.process.isRunning { running.process.terminate() }
        let result = running.finish()

        XCTAssertFalse(result.signaled, "ended by a signal instead of exiting")
        XCTAssertEqual(result.status, 128 + signalNumber, result.err)
        XCTAssertTrue(result.err.contains("interrupted"), result.err)
        XCTAssertTrue(result.out.contains("b_Intercept") || result.out.contains("Intercept"), "no summary: \(result.out)")

        let out = directory.appendingPathComponent("out")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(names, (1...Self.chains).map { "chain-\($0).csv" }, "only the final names remain")
        for name in names {
            let text = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            XCTAssertTrue(text.hasSuffix("\n"), "\(name) ends inside a line")
            XCTAssertTrue(text.split(separator: "\n").contains { $0.hasPrefix("#") && $0.contains("interrupted") },
                          "\(name) has no 'interrupted' comment")
            let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
            let width = try XCTUnwrap(lines.first).split(separator: ",").count
            let rows = lines.dropFirst()
            XCTAssertGreaterThanOrEqual(rows.count, 5, name)
            for row in rows {
                let fields = row.split(separator: ",", omittingEmptySubsequences: false)
                XCTAssertEqual(fields.count, width, "\(name): incomplete row \(row)")
                XCTAssertTrue(fields.allSatisfy { Double($0) != nil }, "\(name): unparsable row \(row)")
            }
        }
        let diagnose = try CommandLineRunner.runChecked(["diagnose"] + names.map { "out/\($0)" }, in: directory)
        XCTAssertEqual(diagnose.status, 0, diagnose.err)
        XCTAssertTrue(diagnose.out.contains("b_Intercept"), diagnose.out)
    }

    func testSIGINTKeepsCompleteChainsUnderFinalNames() throws {
        try checkStoppedBy(SIGINT)
    }

    func testSIGTERMKeepsCompleteChainsUnderFinalNames() throws {
        try checkStoppedBy(SIGTERM)
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
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "force")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: directory.appendingPathComponent("sleepstudy.csv"))
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
