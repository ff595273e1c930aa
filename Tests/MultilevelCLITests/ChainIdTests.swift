import Foundation
import XCTest

/// `--chain-id K` runs one chain as its own process with the stream a multi-chain run gives
/// chain K (issue 9, "beyond one machine"): merging the separate files with `diagnose` must give
/// exactly the summary of the multi-chain run with the same seed.
final class ChainIdTests: XCTestCase {
    private func sleepstudy() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
    }

    private func fitArguments(_ data: URL, sampler: String) -> [String] {
        ["fit", "--data", data.path, "--formula", "Reaction ~ Days + (Days | Subject)", "--seed", "20261121",
         "--iter", "160", "--warmup", "80", "--sampler", sampler]
    }

    /// The data rows of a CmdStan CSV (no comment lines: those hold timings and the chain id).
    private func csvRows(_ url: URL) throws -> [Substring] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    private func checkSeparateChainsMatchOneRun(sampler: String) throws {
        let data = try sleepstudy()
        let work = try CommandLineRunner.temporaryDirectory(prefix: "chain-id")
        defer { try? FileManager.default.removeItem(at: work) }

        let whole = try CommandLineRunner.run(fitArguments(data, sampler: sampler) + ["--chains", "4", "--output", "whole"], in: work)
        XCTAssertEqual(whole.status, 0, whole.err)
        var separateFiles: [String] = []
        for k in 1...4 {
            let directory = "chain\(k)"
            let one = try CommandLineRunner.run(fitArguments(data, sampler: sampler) + ["--chain-id", String(k), "--output", directory], in: work)
            XCTAssertEqual(one.status, 0, one.err)
            let written = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(directory).path)
            XCTAssertEqual(written, ["chain-\(k).csv"], "a --chain-id \(k) run writes chain-\(k).csv")
            separateFiles.append("\(directory)/chain-\(k).csv")
            XCTAssertEqual(try csvRows(work.appendingPathComponent(separateFiles[k - 1])),
                           try csvRows(work.appendingPathComponent("whole/chain-\(k).csv")),
                           "chain \(k): draws differ from the multi-chain run's")
        }
        let wholeFiles = (1...4).map { "whole/chain-\($0).csv" }
        let merged = try CommandLineRunner.run(["diagnose"] + separateFiles, in: work)
        let single = try CommandLineRunner.run(["diagnose"] + wholeFiles, in: work)
        XCTAssertEqual(merged.status, 0, merged.err)
        XCTAssertEqual(single.status, 0, single.err)
        XCTAssertTrue(single.out.hasPrefix("4 chains × 80 draws"), single.out)
        XCTAssertEqual(merged.out, single.out)
        XCTAssertEqual(merged.err, single.err)
    }

    func testChainIdRunsMergedByDiagnoseEqualMultiChainRun() throws {
        try checkSeparateChainsMatchOneRun(sampler: "nuts")
    }

    /// The marginal sampler's conditional draws of the group-level effects come from a stream per
    /// chain as well, so its `--chain-id` runs merge to the multi-chain run too.
    func testChainIdRunsWithMarginalSamplerEqualMultiChainRun() throws {
        try checkSeparateChainsMatchOneRun(sampler: "marginal")
    }

    func testMarginalSamplerRefusesOtherFamilies() throws {
        let data = try sleepstudy()
        let result = try CommandLineRunner.run(fitArguments(data, sampler: "marginal") + ["--family", "student"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.err, "multilevel fit: --sampler marginal needs the gaussian family, not student; use --sampler nuts\n")
    }

    func testChainIdOutOfRangeIsAUsageError() throws {
        let data = try sleepstudy()
        let result = try CommandLineRunner.run(fitArguments(data, sampler: "nuts") + ["--chain-id", "0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.err.contains("--chain-id"), result.err)
    }

    /// `--cores` below 1 or not an integer is a usage error naming the option, for fit and compare.
    func testCoresOutOfRangeIsAUsageError() throws {
        let data = try sleepstudy()
        let fit = try CommandLineRunner.run(fitArguments(data, sampler: "nuts") + ["--cores", "0"])
        XCTAssertEqual(fit.status, 2)
        XCTAssertEqual(fit.err, "multilevel fit: --cores: must be at least 1, got 0\n")
        let word = try CommandLineRunner.run(fitArguments(data, sampler: "nuts") + ["--cores", "two"])
        XCTAssertEqual(word.status, 2)
        XCTAssertEqual(word.err, "multilevel fit: option --cores: expected an integer, got 'two'\n")
        let compare = try CommandLineRunner.run(["compare", "--data", data.path, "--formula", "Reaction ~ Days + (Days | Subject)",
                                                 "--cores", "-1"])
        XCTAssertEqual(compare.status, 2)
        XCTAssertEqual(compare.err, "multilevel compare: --cores: must be at least 1, got -1\n")
    }
}
