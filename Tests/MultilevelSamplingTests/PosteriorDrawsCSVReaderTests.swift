import XCTest
@testable import MultilevelSampling

/// The long "draws" CSV reader and the format detection of `DrawsFileReader`.
final class PosteriorDrawsCSVReaderTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("draws-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func write(_ name: String, _ text: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func testPlainChainColumnsAnyRowOrderAndNA() throws {
        let url = try write("d.csv", """
        chain,iteration,draw,mu,"sigma"
        2,2,4,5,NA
        1,1,1,1,0.5
        2,1,3,3,"NA"
        1,2,2,2,1.5

        """)
        let (draws, warnings) = try PosteriorDrawsCSVReader.read(url: url)
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(draws.variableNames, ["mu", "sigma"])
        XCTAssertEqual(draws.chains[0], [1, 0.5, 2, 1.5])
        XCTAssertEqual(draws.chains[1][0], 3)
        XCTAssert(draws.chains[1][1].isNaN)
        XCTAssertEqual(draws.chains[1][2], 5)
        XCTAssertEqual(try DrawsFileReader.format(of: url), .posteriorDraws)
        // NA draws: summaries are NA, not a crash.
        let s = summarize(draws: draws)["sigma"]!
        XCTAssert(s.mean.isNaN && s.rhat.isNaN && s.q5.isNaN)
    }

    func testTruncatedLastLineIsDropped() throws {
        let url = try write("t.csv", "\".chain\",\".iteration\",\"a\",\"b\"\n1,1,0.5,1\n1,2,0.25,2\n1,3,0.1")
        let (draws, warnings) = try PosteriorDrawsCSVReader.read(url: url)
        XCTAssertEqual(draws.drawsPerChain, 2)
        XCTAssertEqual(warnings, ["\(url.path):4: incomplete last line dropped (interrupted run?)"])
    }

    func testNonNumericCellNamesFileLineAndColumn() throws {
        let url = try write("n.csv", "\".chain\",\".iteration\",\"a\",\"b\"\n1,1,0.5,1\n1,2,abc,2\n")
        XCTAssertThrowsError(try PosteriorDrawsCSVReader.read(url: url)) { error in
            XCTAssertEqual("\(error)", "\(url.path):3: column 3 ('a'): 'abc' is not a number")
        }
    }

    func testMissingChainColumnAndUnequalChains() throws {
        let noChain = try write("c.csv", "a,b\n1,2\n")
        XCTAssertThrowsError(try PosteriorDrawsCSVReader.read(url: noChain)) { error in
            XCTAssertEqual(error as? DrawsFileError, .missingColumn(file: noChain.path, column: ".chain"))
        }
        let unequal = try write("u.csv", ".chain,.iteration,a\n1,1,1\n1,2,2\n2,1,3\n")
        XCTAssertThrowsError(try PosteriorDrawsCSVReader.read(url: unequal)) { error in
            XCTAssert("\(error)".contains("different numbers of draws"), "\(error)")
        }
    }

    func testSeveralLongFilesMergeAndMixedFormatsAreRejected() throws {
        let a = try write("a.csv", ".chain,.iteration,x\n1,1,1\n1,2,2\n")
        let b = try write("b.csv", ".chain,.iteration,x\n1,1,3\n1,2,4\n")
        let merged = try DrawsFileReader.read(urls: [a, b])
        XCTAssertEqual(merged.parameters.chainCount, 2)
        XCTAssertEqual(merged.parameters.chains[1], [3, 4])
        XCTAssertEqual(merged.chains.map(\.path), [a.path, b.path])
        let c = try write("c.csv", ".chain,.iteration,y\n1,1,3\n1,2,4\n")
        XCTAssertThrowsError(try DrawsFileReader.read(urls: [a, c])) { error in
            XCTAssert("\(error)".contains(a.path) && "\(error)".contains(c.path), "\(error)")
        }
    }

    /// Odd chain lengths go through the summary's split-position mapping; the stand-alone
    /// functions split by copying. Both must agree.
    func testSummaryOfOddLengthChainsMatchesStandAloneFunctions() throws {
        var g = SplitMix(state: 12)
        let chains = (0..<3).map { _ in (0..<(2 * 101 + 1)).map { _ in (g.next() * 10).rounded() } }
        let draws = Draws(variableNames: ["k"], chains: chains)
        let s = try XCTUnwrap(summarize(draws: draws)["k"])
        let x = ChainSequences(chains: chains)
        XCTAssertEqual(s.rhat, rankNormalizedSplitRhat(x), accuracy: 1e-12)
        XCTAssertEqual(s.essBulk, bulkEffectiveSampleSize(x), accuracy: 1e-9)
        XCTAssertEqual(s.essTail, tailEffectiveSampleSize(x), accuracy: 1e-9)
    }
}
