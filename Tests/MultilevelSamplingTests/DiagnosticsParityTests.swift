import XCTest
@testable import MultilevelSampling

/// Every statistic posterior 1.4.0 computed on the fixtures in Fixtures/diag_*.json (written by
/// R from the long draws CSVs next to them) and eight_schools.json (rstan's CmdStan-format files,
/// warm-up saved), matched to 1e-6 relative; NA (null) must be NaN here.
final class DiagnosticsParityTests: XCTestCase {
    static let tolerance = 1e-6

    func fixtureURL(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"),
                      "missing fixture \(name).\(ext)")
    }

    func reference(_ name: String) throws -> [String: [String: Double?]] {
        let data = try Data(contentsOf: fixtureURL(name, "json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let summary = try XCTUnwrap(object["summary"] as? [String: [String: Any]])
        return summary.mapValues { stats in stats.mapValues { $0 as? Double } }
    }

    static func value(_ s: VariableSummary, _ key: String) -> Double? {
        switch key {
        case "mean": return s.mean
        case "median": return s.median
        case "sd": return s.sd
        case "mad": return s.mad
        case "q5": return s.q5
        case "q95": return s.q95
        case "rhat": return s.rhat
        case "rhat_basic": return s.rhatBasic
        case "ess_bulk": return s.essBulk
        case "ess_tail": return s.essTail
        case "ess_basic": return s.essBasic
        case "mcse_mean": return s.mcseMean
        case "mcse_sd": return s.mcseSd
        case "mcse_q5": return s.mcseQ5
        case "mcse_q95": return s.mcseQ95
        default: return nil
        }
    }

    /// Compares a summary with posterior's numbers; `exceptions` lists (variable, statistic,
    /// tolerance) pairs allowed a wider tolerance, each with its reason at the call site.
    static func assertMatches(_ summary: DrawsSummary, _ expected: [String: [String: Double?]],
                       exceptions: [String: Double] = [:], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Set(summary.variables.map(\.name)), Set(expected.keys), file: file, line: line)
        var compared = 0
        for (name, stats) in expected {
            guard let s = summary[name] else { XCTFail("no summary for \(name)", file: file, line: line); continue }
            for (key, reference) in stats {
                guard let mine = Self.value(s, key) else { XCTFail("unknown statistic \(key)", file: file, line: line); continue }
                compared += 1
                guard let reference else {
                    // null in the JSON: NA, or a non-finite value (a mean of draws holding Inf).
                    XCTAssert(!mine.isFinite, "\(name) \(key): posterior gives NA, got \(mine)", file: file, line: line)
                    continue
                }
                let tolerance = exceptions["\(name).\(key)"] ?? Self.tolerance
                let error = reference == 0 ? abs(mine) : abs(mine - reference) / abs(reference)
                XCTAssert(error <= tolerance, "\(name) \(key): \(mine) vs posterior \(reference) (relative error \(error))",
                          file: file, line: line)
            }
        }
        XCTAssertGreaterThan(compared, 0, file: file, line: line)
    }

    func checkLongFixture(_ name: String, chains: Int = 4, exceptions: [String: Double] = [:]) throws {
        let (draws, warnings) = try PosteriorDrawsCSVReader.read(url: fixtureURL(name, "csv"))
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(draws.chainCount, chains)
        Self.assertMatches(summarize(draws: draws), try reference(name), exceptions: exceptions)
    }

    func testIndependentDraws() throws { try checkLongFixture("diag_iid") }
    func testAutoregressiveDraws() throws { try checkLongFixture("diag_ar1") }
    func testConstantAndDiscreteDraws() throws { try checkLongFixture("diag_constant") }
    func testNonconvergedDraws() throws { try checkLongFixture("diag_nonconverged") }

    // Draw sets made by scripts/references/diagnostics_extra.R (17-digit CSVs, posterior 1.4.0).
    /// 3 chains of 201 draws: splitting drops each middle draw; Poisson draws are full of ties.
    func testOddChainLengthsAndTies() throws { try checkLongFixture("diag_extra_odd", chains: 3) }
    /// 5 draws per chain: half-chains of 2, so every ESS and MCSE is NA while R-hat is defined.
    func testChainsTooShortForESS() throws { try checkLongFixture("diag_extra_short5") }
    /// 7 draws per chain: half-chains of 3, the shortest with an ESS.
    func testShortestChainsWithESS() throws { try checkLongFixture("diag_extra_short7", chains: 2) }
    /// One chain stuck at a constant, and a variable with an infinite draw (NA diagnostics).
    func testStuckChainAndInfiniteDraw() throws { try checkLongFixture("diag_extra_stuck") }

    /// The Cauchy column's folded R̂ is 1.4e-6 off: the CSV holds R's draws rounded to 15
    /// significant digits, and the rounding made the two draws either side of the median exactly
    /// symmetric about it, so their folded values tie (rank 1.5 each) where R's unrounded draws did
    /// not (ranks 1 and 2). `testCauchyFoldedTieExplainsRhatDifference` checks that explanation.
    func testHeavyTailedDraws() throws {
        try checkLongFixture("diag_heavy", exceptions: ["cauchy.rhat": 2e-6])
    }

    func testCauchyFoldedTieExplainsRhatDifference() throws {
        var (draws, _) = try PosteriorDrawsCSVReader.read(url: fixtureURL("diag_heavy", "csv"))
        let v = try XCTUnwrap(draws.index(of: "cauchy"))
        let all = draws.chains.flatMap { chain in stride(from: v, to: chain.count, by: draws.variableCount).map { chain[$0] } }
        let sorted = all.sorted()
        let upperMiddle = sorted[all.count / 2]
        // Break the tie as R's unrounded draws did: the upper middle draw slightly further out.
        for c in draws.chains.indices {
            for i in stride(from: v, to: draws.chains[c].count, by: draws.variableCount)
            where draws.chains[c][i] == upperMiddle {
                draws.chains[c][i] = upperMiddle.nextUp
            }
        }
        let rhat = try XCTUnwrap(summarize(draws: draws)["cauchy"]).rhat
        XCTAssertEqual(rhat, 0.999506651494813, accuracy: 1e-12)
    }

    /// The stand-alone diagnostic functions agree with the summary's shared-sort fast path.
    func testStandAloneFunctionsAgreeWithSummary() throws {
        for name in ["diag_ar1", "diag_heavy", "diag_constant", "diag_extra_odd", "diag_extra_stuck"] {
            let (draws, _) = try PosteriorDrawsCSVReader.read(url: fixtureURL(name, "csv"))
            let summary = summarize(draws: draws)
            for (v, variable) in draws.variableNames.enumerated() {
                let x = ChainSequences(chains: draws.values(ofVariable: v))
                let s = try XCTUnwrap(summary[variable])
                func same(_ a: Double, _ b: Double, _ what: String) {
                    if b.isNaN { XCTAssert(a.isNaN, "\(variable) \(what)"); return }
                    XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "\(variable) \(what)")
                }
                same(rankNormalizedSplitRhat(x), s.rhat, "rhat")
                same(bulkEffectiveSampleSize(x), s.essBulk, "ess_bulk")
                same(tailEffectiveSampleSize(x), s.essTail, "ess_tail")
                same(basicRhat(x), s.rhatBasic, "rhat_basic")
                same(meanMonteCarloStandardError(x), s.mcseMean, "mcse_mean")
                same(quantileMonteCarloStandardError(x, probability: 0.05), s.mcseQ5, "mcse_q5")
                same(medianAbsoluteDeviation(x.values), s.mad, "mad")
            }
        }
    }
}
