import XCTest
import MultilevelMath
import MultilevelSampling
@testable import MultilevelReport

final class BrmsSummaryTests: XCTestCase {
    /// Four chains of independent normal draws for a sleepstudy-shaped parameter set.
    private func sleepstudyLikeSummary() -> DrawsSummary {
        let names = ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                     "cor_Subject__Intercept__Days", "sigma", "r_Subject[308,Intercept]", "lp__"]
        let centres = [251.3, 10.5, 26.9, 6.5, 0.09, 25.9, 2.1, -880]
        var chains: [[Double]] = []
        for chain in 0..<4 {
            var rng = Xoshiro256PlusPlus.stream(seed: 11, index: chain)
            var buffer: [Double] = []
            for _ in 0..<500 { for c in centres { buffer.append(c + rng.nextNormal()) } }
            chains.append(buffer)
        }
        return summarize(draws: Draws(variableNames: names, chains: chains), quantiles: [0.025, 0.975])
    }

    func testLayoutFollowsBrms() {
        let summary = sleepstudyLikeSummary()
        let fit = BayesianFitDescription(family: "gaussian", links: [("mu", "identity"), ("sigma", "identity")],
                                         formula: "Reaction ~ Days + (Days | Subject)", dataName: "sleepstudy",
                                         observationCount: 180, chains: 4, iterations: 1000, warmup: 500,
                                         groupLevelCounts: ["Subject": 18])
        let text = brmsSummaryText(fit, summary: summary)
        let lines = text.components(separatedBy: "\n")
        XCTAssertEqual(lines[0], " Family: gaussian ")
        XCTAssertEqual(lines[1], "  Links: mu = identity; sigma = identity ")
        XCTAssertEqual(lines[3], "   Data: sleepstudy (Number of observations: 180) ")
        XCTAssertEqual(lines[5], "         total post-warmup draws = 2000")
        XCTAssertTrue(text.contains("Group-Level Effects: \n~Subject (Number of levels: 18) \n"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("cor(Intercept,Days) ") })
        XCTAssertFalse(text.contains("r_Subject"), "group-level coefficients only with groupLevelEffects")
        XCTAssertFalse(text.contains("lp__"))
        // The Days row: the mean and sd rounded to two decimals, then the quantiles.
        let days = summary["b_Days"]!
        let row = lines.first { $0.hasPrefix("Days ") }!
        let fields = row.split(separator: " ").map(String.init)
        XCTAssertEqual(fields[1], String(format: "%.2f", days.mean))
        XCTAssertEqual(fields[2], String(format: "%.2f", days.sd))
        XCTAssertEqual(fields[3], String(format: "%.2f", days.quantiles[0]))
        XCTAssertEqual(fields[4], String(format: "%.2f", days.quantiles[1]))
        XCTAssertEqual(fields[6], String(Int(days.essBulk.rounded())))
        XCTAssertTrue(brmsSummaryText(fit, summary: summary, groupLevelEffects: true)
            .contains("r_Subject[308,Intercept]"))
    }

    func testWarnings() {
        let summary = sleepstudyLikeSummary()
        XCTAssertEqual(brmsWarnings(summary: summary, divergences: 0, treeDepthSaturations: 0, maxTreeDepth: 10), [])
        let warnings = brmsWarnings(summary: summary, divergences: 3, treeDepthSaturations: 1, maxTreeDepth: 10)
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings[0].hasPrefix("There were 3 divergent transitions after warmup."))
    }

    func testJSONHasEveryStatistic() {
        let summary = sleepstudyLikeSummary()
        let fit = BayesianFitDescription(family: "gaussian", links: [("mu", "identity")], formula: "y ~ 1",
                                         dataName: "d", observationCount: 10, chains: 4, iterations: 1000,
                                         warmup: 500, groupLevelCounts: [:])
        let json = bayesianFitJSON(fit, method: "NUTS", summary: summary, warmupSeconds: 0.1,
                                   samplingSeconds: 0.2, divergences: 0, treeDepthSaturations: 0)
        let text = json.serialized(pretty: false)
        for key in ["\"mean\"", "\"median\"", "\"sd\"", "\"q2.5\"", "\"q97.5\"", "\"rhat\"", "\"ess_bulk\"",
                    "\"ess_tail\"", "\"mcse_mean\"", "\"r_Subject[308,Intercept]\"", "\"divergences\":0"] {
            XCTAssertTrue(text.contains(key), key)
        }
        XCTAssertFalse(text.contains("lp__"))
    }
}
