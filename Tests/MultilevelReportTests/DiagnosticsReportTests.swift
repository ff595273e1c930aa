import XCTest
@testable import MultilevelReport
import MultilevelSampling

/// The `diagnose` report: JSON shape (NA as null), flags, deterministic text.
final class DiagnosticsReportTests: XCTestCase {
    /// Two variables: `good` mixes, `stuck` has chains at different levels; plus a constant.
    func makeDraws() -> Draws {
        var state: UInt64 = 99
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let chains = (0..<4).map { c -> [Double] in
            var out: [Double] = []
            for _ in 0..<400 { out += [uniform(), Double(c) + 0.1 * uniform(), 7] }
            return out
        }
        return Draws(variableNames: ["good", "stuck", "const"], chains: chains)
    }

    func statistics(divergent: Int, saturated: Int, energyStep: Double) -> Draws {
        let chains = (0..<4).map { c -> [Double] in
            (0..<400).flatMap { i -> [Double] in
                [i < divergent && c == 0 ? 1 : 0, i < saturated ? 10 : 3, Double(i) * energyStep + (i % 2 == 0 ? 0 : 1)]
            }
        }
        return Draws(variableNames: ["divergent__", "treedepth__", "energy__"], chains: chains)
    }

    func testJSONShapeAndNullForNA() throws {
        let summary = summarize(draws: makeDraws())
        let report = DiagnosticsReport(summary: summary, checks: nil, files: ["a.csv"], readingWarnings: ["note"])
        let text = report.json().serialized()
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["chains"] as? Int, 4)
        XCTAssertEqual(object["draws_per_chain"] as? Int, 400)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Any]])
        XCTAssertEqual(Set(parameters.keys), ["good", "stuck", "const"])
        XCTAssertEqual(Set(parameters["good"]!.keys), ["mean", "median", "sd", "mad", "q5", "q95", "rhat", "ess_bulk",
                                                       "ess_tail", "mcse_mean", "mcse_sd", "mcse_q5", "mcse_q95"])
        XCTAssert(parameters["const"]!["rhat"] is NSNull)
        XCTAssertEqual(parameters["const"]!["mean"] as? Double, 7)
        XCTAssertEqual(parameters["good"]!["rhat"] as? Double, summary["good"]!.rhat)
        let warnings = try XCTUnwrap(object["warnings"] as? [String])
        XCTAssert(warnings.contains { $0.hasPrefix("R-hat >= 1.01 for 1 of 3 variables: stuck") }, "\(warnings)")
        XCTAssertEqual(warnings.last, "note")
        XCTAssert(text.range(of: "\"parameters\"")!.lowerBound < text.range(of: "\"warnings\"")!.lowerBound)
    }

    func testSamplerFlags() {
        let summary = summarize(draws: makeDraws())
        let checks = SamplerChecks(statistics: statistics(divergent: 3, saturated: 5, energyStep: 0.001),
                                   maxTreeDepths: [10, 10, 10, 10])
        XCTAssertEqual(checks.divergences, [3, 0, 0, 0])
        XCTAssertEqual(checks.treeDepthSaturations, [5, 5, 5, 5])
        let flags = DiagnosticsReport(summary: summary, checks: checks, files: [], readingWarnings: []).flags
        XCTAssert(flags.contains { $0.hasPrefix("3 of 1600 draws ended in a divergence (per chain: 3, 0, 0, 0)") }, "\(flags)")
        XCTAssert(flags.contains { $0.hasPrefix("20 of 1600 draws hit the maximum tree depth") }, "\(flags)")
        // Energy alternating by 1 around a slow trend has a large E-BFMI; a pure slow trend a small one.
        XCTAssertFalse(flags.contains { $0.contains("E-BFMI") })
        let slow = SamplerChecks(statistics: Draws(variableNames: ["energy__"],
                                                   chains: (0..<2).map { _ in (0..<400).map { Double($0) } }),
                                 maxTreeDepths: [])
        XCTAssertEqual(slow.energyFractions[0], 1 / ((400.0 * 400 - 1) / 12), accuracy: 1e-12)
        let slowFlags = DiagnosticsReport(summary: summary, checks: slow, files: [], readingWarnings: []).flags
        XCTAssert(slowFlags.contains { $0.hasPrefix("chain 1: E-BFMI 0.000 < 0.3") }, "\(slowFlags)")
    }

    func testTextIsDeterministicAndFlagsAppear() {
        let draws = makeDraws()
        let a = DiagnosticsReport(summary: summarize(draws: draws), checks: nil, files: ["x.csv"], readingWarnings: []).text()
        let b = DiagnosticsReport(summary: summarize(draws: draws), checks: nil, files: ["x.csv"], readingWarnings: []).text()
        XCTAssertEqual(a, b)
        XCTAssert(a.hasPrefix("4 chains × 400 draws from 1 file\n\nvariable"), a)
        XCTAssert(a.contains("\nconst "), a)
        XCTAssert(a.contains("Warning: R-hat >= 1.01"), a)
        XCTAssert(a.contains("Warning: R-hat or ESS undefined (NA) for 1 variables: const"), a)
    }
}
