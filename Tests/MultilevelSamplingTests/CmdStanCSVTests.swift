import XCTest
@testable import MultilevelSampling

/// CmdStan CSV reading (rstan/CmdStan files and this tool's own) and writing.
final class CmdStanCSVTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("cmdstan-csv-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    // MARK: rstan's eight-schools chains (warm-up saved)

    func testEightSchoolsMatchesPosterior() throws {
        let urls = try (1...4).map { try fixture("eight_schools_\($0)") }
        let chains = try CmdStanCSVReader.read(urls: urls)
        XCTAssertEqual(chains.warnings, [])
        XCTAssertEqual(chains.parameters.chainCount, 4)
        XCTAssertEqual(chains.parameters.drawsPerChain, 1000)
        XCTAssertEqual(chains.parameters.variableNames.prefix(4), ["lp__", "mu", "tau", "theta_tilde[1]"])
        XCTAssertEqual(chains.samplerStatistics.variableNames,
                       ["accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__", "divergent__", "energy__"])
        let first = chains.chains[0]
        XCTAssertEqual(first.warmupRowCount, 1000)
        XCTAssertEqual(first.stepSize, 0.455384)
        XCTAssertEqual(first.inverseMetricDiagonal.count, 10)
        XCTAssertEqual(first.inverseMetricDiagonal.first, 9.43137)
        XCTAssertEqual(first.maxTreeDepth, 10)
        XCTAssertEqual(first.settings["seed"], "20261121")

        let data = try Data(contentsOf: Bundle.module.url(forResource: "eight_schools", withExtension: "json",
                                                          subdirectory: "Fixtures")!)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let expected = try XCTUnwrap(object["summary"] as? [String: [String: Any]]).mapValues { $0.mapValues { $0 as? Double } }
        DiagnosticsParityTests.assertMatches(summarize(draws: chains.parameters), expected)
        let checks = SamplerChecks(statistics: chains.samplerStatistics, maxTreeDepths: chains.chains.map(\.maxTreeDepth))
        XCTAssertEqual(checks.divergences.reduce(0, +), object["divergences"] as? Int)
    }

    /// The same chain with the warm-up rows removed (save_warmup = 0) reads to the same draws.
    func testFileWithoutSavedWarmup() throws {
        let text = try String(contentsOf: fixture("eight_schools_1"), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let header = try XCTUnwrap(lines.firstIndex { !$0.hasPrefix("#") })
        let adaptation = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("# Adaptation terminated") })
        lines.removeSubrange((header + 1)..<adaptation)
        let stripped = lines.joined(separator: "\n").replacingOccurrences(of: "save_warmup=1", with: "save_warmup=0")
        let url = directory.appendingPathComponent("nowarmup.csv")
        try stripped.write(to: url, atomically: true, encoding: .utf8)
        let a = try CmdStanCSVReader.readChain(url: url).chain
        let b = try CmdStanCSVReader.readChain(url: fixture("eight_schools_1")).chain
        XCTAssertEqual(a.warmupRowCount, 0)
        XCTAssertEqual(a.drawCount, 1000)
        XCTAssertEqual(a.values, b.values)
    }

    // MARK: Writer round trip

    func writeChain(_ name: String, saveWarmup: Bool, seed: UInt64 = 1, draws: Int = 20) throws -> (URL, [[Double]]) {
        let url = directory.appendingPathComponent(name)
        var settings = CmdStanRunSettings(modelName: "test", chainID: 1, seed: seed, sampleCount: draws,
                                          warmupCount: 5, saveWarmup: saveWarmup)
        settings.extra = [("formula", "y ~ x + (x | g)")]
        let names = ["b_Intercept", "sigma", "r_Subject[308,Intercept]", "r_Subject[309,Intercept]",
                     "r_Subject[308,Days]", "r_Subject[309,Days]", "theta[1]"]
        let writer = try CmdStanCSVWriter(url: url, settings: settings, parameterNames: names)
        var g = SplitMix(state: seed)
        var rows: [[Double]] = []
        func row(_ i: Int) -> [Double] {
            [-10 - g.next(), g.next(), 0.5, Double(1 + i % 4), Double(3 + i % 5), i == 3 ? 1 : 0, 12 + g.next()]
                + (0..<names.count).map { _ in g.next() * 1e3 - 500 }
        }
        if saveWarmup { for i in 0..<5 { try writer.append(row(i)) } }
        try writer.writeAdaptation(stepSize: 0.123456789, inverseMetricDiagonal: [1.5, 0.25, 1e-3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path), "final name must not exist before finish")
        XCTAssertTrue(FileManager.default.fileExists(atPath: writer.temporaryURL.path))
        for i in 0..<draws { let r = row(i); rows.append(r); try writer.append(r) }
        try writer.finish(warmupSeconds: 0.5, samplingSeconds: 1.25)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: writer.temporaryURL.path))
        return (url, rows)
    }

    func testWriterRoundTripsDrawsNamesAndAdaptation() throws {
        for saveWarmup in [false, true] {
            let (url, rows) = try writeChain("chain-\(saveWarmup).csv", saveWarmup: saveWarmup)
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssert(text.contains("\nlp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,b_Intercept,sigma,r_Subject.1.1,r_Subject.2.1,r_Subject.1.2,r_Subject.2.2,theta.1\n"))
            XCTAssert(text.contains("# index: r_Subject dim 1 position 2 = 309\n"))
            XCTAssert(text.contains("# index: r_Subject dim 2 position 2 = Days\n"))
            XCTAssert(text.contains("#  Elapsed Time: 0.5 seconds (Warm-up)\n"))
            let (chain, warnings) = try CmdStanCSVReader.readChain(url: url)
            XCTAssertEqual(warnings, [])
            XCTAssertEqual(chain.warmupRowCount, saveWarmup ? 5 : 0)
            XCTAssertEqual(chain.variableNames, CmdStanCSVWriter.nutsSamplerColumns
                           + ["b_Intercept", "sigma", "r_Subject[308,Intercept]", "r_Subject[309,Intercept]",
                              "r_Subject[308,Days]", "r_Subject[309,Days]", "theta[1]"])
            XCTAssertEqual(chain.values, rows.flatMap { $0 }, "shortest round-trip numbers read back exactly")
            XCTAssertEqual(chain.stepSize, 0.123456789)
            XCTAssertEqual(chain.inverseMetricDiagonal, [1.5, 0.25, 1e-3])
            XCTAssertEqual(chain.settings["save_warmup"], saveWarmup ? "1" : "0")
            XCTAssertEqual(chain.settings["formula"], "y ~ x + (x | g)")
            XCTAssertEqual(chain.maxTreeDepth, 10)
        }
    }

    func testSameInputWritesIdenticalBytes() throws {
        let (a, _) = try writeChain("same.csv", saveWarmup: true, seed: 9)
        let first = try Data(contentsOf: a)
        try FileManager.default.removeItem(at: a)
        let (b, _) = try writeChain("same.csv", saveWarmup: true, seed: 9)
        XCTAssertEqual(first, try Data(contentsOf: b))
    }

    func testInterruptedRunIsRenamedAndWarned() throws {
        let url = directory.appendingPathComponent("int.csv")
        let settings = CmdStanRunSettings(modelName: "m", chainID: 2, seed: 3, sampleCount: 10, warmupCount: 10)
        let writer = try CmdStanCSVWriter(url: url, settings: settings, parameterNames: ["mu"])
        try writer.writeAdaptation(stepSize: 0.5, inverseMetricDiagonal: [1])
        for i in 0..<3 { try writer.append([-1, 0.9, 0.5, 2, 3, 0, 1.5, Double(i)]) }
        try writer.finishInterrupted(reason: "SIGINT")
        let (chain, warnings) = try CmdStanCSVReader.readChain(url: url)
        XCTAssertEqual(chain.drawCount, 3)
        XCTAssertEqual(chain.interruption, "SIGINT")
        XCTAssertEqual(warnings.count, 1)
        XCTAssert(warnings[0].contains("interrupted"))
    }

    // MARK: Bad and damaged files

    func testTruncatedLastLineIsDroppedWithWarning() throws {
        let (url, rows) = try writeChain("t.csv", saveWarmup: false)
        var text = try String(contentsOf: url, encoding: .utf8)
        // Cut the file in the middle of the 8th draw, as a killed run would.
        let lines = text.components(separatedBy: "\n")
        let header = lines.firstIndex { $0.hasPrefix("lp__") }!
        let keep = lines[...(header + 4 + 7)]  // header, 4 adaptation comments, 7 draws
        let partial = lines[header + 4 + 8].prefix(25)
        text = keep.joined(separator: "\n") + "\n" + partial
        try text.write(to: url, atomically: true, encoding: .utf8)
        let (chain, warnings) = try CmdStanCSVReader.readChain(url: url)
        XCTAssertEqual(chain.drawCount, 7)
        XCTAssertEqual(chain.values, rows.prefix(7).flatMap { $0 })
        XCTAssertEqual(warnings.count, 1)
        XCTAssert(warnings[0].contains("t.csv:\(header + 4 + 8 + 1)"), warnings[0])
    }

    func testMismatchedHeadersNameBothFiles() throws {
        let (a, _) = try writeChain("one.csv", saveWarmup: false)
        let b = directory.appendingPathComponent("two.csv")
        let writer = try CmdStanCSVWriter(url: b, settings: CmdStanRunSettings(modelName: "m", chainID: 2, seed: 1,
                                                                               sampleCount: 1, warmupCount: 0),
                                          parameterNames: ["b_Intercept", "sigma"])
        try writer.writeAdaptation(stepSize: 1, inverseMetricDiagonal: [1, 1])
        try writer.append([-1, 0.9, 0.5, 2, 3, 0, 1.5, 1, 2])
        try writer.finish(warmupSeconds: 0, samplingSeconds: 0)
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [a, b])) { error in
            let message = "\(error)"
            XCTAssert(message.contains(a.path) && message.contains(b.path), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testNonNumericCellNamesFileLineAndColumn() throws {
        let (url, _) = try writeChain("bad.csv", saveWarmup: false)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        let header = lines.firstIndex { $0.hasPrefix("lp__") }!
        var fields = lines[header + 6].components(separatedBy: ",")
        fields[8] = "oops"
        lines[header + 6] = fields.joined(separator: ",")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [url])) { error in
            XCTAssertEqual("\(error)", "\(url.path):\(header + 7): column 9 ('sigma'): 'oops' is not a number")
        }
    }

    func testWrongFieldCountInsideFileIsAnError() throws {
        let (url, _) = try writeChain("short.csv", saveWarmup: false)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        let header = lines.firstIndex { $0.hasPrefix("lp__") }!
        lines[header + 6] = "1,2,3"
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [url])) { error in
            XCTAssertEqual("\(error)", "\(url.path):\(header + 7): 3 fields, expected 14")
        }
    }

    func testMissingAndEmptyFiles() throws {
        let missing = directory.appendingPathComponent("nope.csv")
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [missing])) { error in
            XCTAssert("\(error)".hasPrefix(missing.path + ": cannot read"), "\(error)")
        }
        let empty = directory.appendingPathComponent("empty.csv")
        try "# just a comment\n".write(to: empty, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CmdStanCSVReader.read(urls: [empty])) { error in
            XCTAssertEqual(error as? DrawsFileError, .noHeader(file: empty.path))
        }
    }

    // MARK: Names and sampler checks

    func testColumnNamesRoundTrip() {
        let names = ["mu", "theta[1]", "theta[2]", "Sigma[1,1]", "Sigma[2,1]", "Sigma[1,2]", "Sigma[2,2]",
                     "r_g[a_b,Intercept]", "r_g[c_d,Intercept]", "b_log.x", "z[5]"]
        let (columns, index) = CmdStanColumnNames.columns(for: names)
        XCTAssertEqual(columns, ["mu", "theta.1", "theta.2", "Sigma.1.1", "Sigma.2.1", "Sigma.1.2", "Sigma.2.2",
                                 "r_g.1.1", "r_g.2.1", "b_log.x", "z.1"])
        let comments = index.map(CmdStanColumnNames.comment)
        let parsed = comments.compactMap { CmdStanColumnNames.parseComment(" " + $0) }
        XCTAssertEqual(parsed, index)
        XCTAssertEqual(CmdStanColumnNames.variableNames(for: columns, indexNames: parsed), names)
    }

    func testEnergyFractionOfMissingInformation() {
        // Energies 1, 2, 3: mean squared change 1, variance (denominator N) 2/3.
        XCTAssertEqual(energyFractionOfMissingInformation([1, 2, 3]), 1.5, accuracy: 1e-15)
        // Independent energies: E-BFMI → 2.
        var g = SplitMix(state: 4)
        let energy = (0..<200_000).map { _ in g.next() }
        XCTAssertEqual(energyFractionOfMissingInformation(energy), 2, accuracy: 0.03)
        XCTAssert(energyFractionOfMissingInformation([1, 1]).isNaN)
    }
}

/// A small deterministic uniform generator for test data.
struct SplitMix {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
