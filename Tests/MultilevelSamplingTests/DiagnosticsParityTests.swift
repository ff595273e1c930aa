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

    /// Compares a summary with posterior's numbers, every statistic to `tolerance` relative.
    static func assertMatches(_ summary: DrawsSummary, _ expected: [String: [String: Double?]],
                       file: StaticString = #filePath, line: UInt = #line) {
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
                let tolerance = Self.tolerance
                let error = reference == 0 ? abs(mine) : abs(mine - reference) / abs(reference)
                XCTAssert(error <= tolerance, "\(name) \(key): \(mine) vs posterior \(reference) (relative error \(error))",
                          file: file, line: line)
            }
        }
        XCTAssertGreaterThan(compared, 0, file: file, line: line)
    }

    func checkLongFixture(_ name: String, chains: Int = 4) throws {
        let (draws, warnings) = try PosteriorDrawsCSVReader.read(url: fixtureURL(name, "csv"))
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(draws.chainCount, chains)
        Self.assertMatches(summarize(draws: draws), try reference(name))
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

    /// Cauchy, t₃ and log-normal draws (scripts/references/diagnostics_heavy.R, 17-digit CSV).
    func testHeavyTailedDraws() throws { try checkLongFixture("diag_heavy") }

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
