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

    /// The format is told from the header line even when a long comment block pushes it past
    /// the first 64 KiB block read.
    func testFormatFoundAfterLongCommentBlock() throws {
        let comments = String(repeating: "# a comment line of the kind CmdStan writes, = 1\n", count: 2000)
        let cmdStan = try write("long-comments.csv", comments + "lp__,mu\n-1,0.5\n-2,0.25\n")
        XCTAssertEqual(try DrawsFileReader.format(of: cmdStan), .cmdStan)
        let draws = try write("long-draws.csv", comments + "\".chain\",\".iteration\",\"mu\"\n1,1,0.5\n1,2,0.25")
        XCTAssertEqual(try DrawsFileReader.format(of: draws), .posteriorDraws)
        XCTAssertThrowsError(try DrawsFileReader.format(of: try write("only-comments.csv", comments))) { error in
            XCTAssertEqual(error as? DrawsFileError, .noHeader(file: self.directory.appendingPathComponent("only-comments.csv").path))
        }
    }

    /// The short-decimal fast path returns exactly what strtod does, and leaves the rest to it.
    func testNumberParsingMatchesStrtod() throws {
        var g = SplitMix(state: 11)
        var texts = ["0", "-0", "-0.0", "1.", ".5", "+2.5", "1e5", "1E-5", "2.5e+22", "9007199254740992",
                     "9007199254740993", "1e23", "1e-23", "123456789012345678901", "0.1", "-3.14159", "1e0",
                     "5e-324", "1.7976931348623157e308", "12345.678e-3", "0000.000125"]
        for _ in 0..<3000 {
            let x = (g.next() - 0.5) * pow(10, Double(Int(g.next() * 20) - 10))
            let digits = 1 + Int(g.next() * 17)
            texts.append(String(format: "%.\(digits)g", x))
            texts.append("\(x)")
        }
        let line = texts.joined(separator: ",")
        let lines = TextLines(bytes: Array(line.utf8))
        var row = [Double](repeating: .nan, count: texts.count)
        XCTAssertNil(row.withUnsafeMutableBufferPointer { lines.parseNumbers(0, into: $0) })
        for (k, text) in texts.enumerated() {
            XCTAssertEqual(row[k].bitPattern, strtod(text, nil).bitPattern, "'\(text)'")
        }
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
