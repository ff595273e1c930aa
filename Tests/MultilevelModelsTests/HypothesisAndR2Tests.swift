import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// brms' `hypothesis(fit, "Days > 8")` and `bayes_R2` (Gelman et al. 2019) on sleepstudy against
/// `bayes_sleepstudy.json` (shared reference v2: brms 2.18, 4 chains × 5000 draws): estimates
/// within the family-wise bound of combined Monte-Carlo standard errors (ours from our draws' ESS),
/// the posterior probability within the binomial error of both runs' P(H).
final class HypothesisAndR2Tests: XCTestCase {
    private func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("bayes_sleepstudy", "json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func fit(slopes: Bool, seed: UInt64) throws -> (BayesianFit, ModelDesign) {
        let design = try PosteriorTestData.sleepstudy(slopes: slopes)
        var settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4)
        settings.seed = seed
        return (try BayesianFit.runMarginal(design: design, settings: settings), design)
    }

    private func chains(_ values: [Double], _ count: Int) -> Draws {
        let n = values.count / count
        return Draws(variableNames: ["v"], chains: (0..<count).map { Array(values[($0 * n)..<(($0 + 1) * n)]) })
    }

    func testHypothesisMatchesBrms() throws {
        let hypothesis = try XCTUnwrap(try reference()["hypothesis"] as? [String: Any])
        let expected = try XCTUnwrap((hypothesis["result"] as? [[String: Any]])?.first)
        let draws = try XCTUnwrap((hypothesis["draws_summary"] as? [[String: Any]])?.first)
        let (fit, _) = try fit(slopes: true, seed: 20261121)
        let h = try Hypothesis("Days > 8", draws: fit.draws)
        XCTAssertEqual(h.text, try XCTUnwrap(expected["Hypothesis"] as? String))
        let days = try XCTUnwrap(fit.draws.values(of: "b_Days")).flatMap { $0 }.map { $0 - 8 }
        let ours = try XCTUnwrap(summarize(draws: chains(days, 4)).variables.first)
        XCTAssertEqual(h.estimate, ours.mean, accuracy: 1e-12)
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: 4)
        let mcse = try XCTUnwrap(draws["mcse_mean"] as? Double)
        let combined = (mcse * mcse + ours.mcseMean * ours.mcseMean).squareRoot()
        XCTAssertLessThanOrEqual(abs(h.estimate - (expected["Estimate"] as! Double)), bound * combined)
        // Quantiles: the 5% and 95% limits within the bound of their combined quantile MCSEs.
        let sorted = days.sorted()
        for (probability, key, mcseKey, value) in [(0.05, "CI.Lower", "mcse_q5", h.lower), (0.95, "CI.Upper", "mcse_q95", h.upper)] {
            XCTAssertEqual(value, quantileType7(sorted, probability: probability), accuracy: 1e-12)
            let reference = try XCTUnwrap(expected[key] as? Double), theirs = try XCTUnwrap(draws[mcseKey] as? Double)
            // Our quantile MCSE taken as theirs scaled by √(their ESS / ours): 20,000 draws against
            // 4,000 with a similar efficiency (the bulk-ESS ratio), so ≈ √5 times theirs.
            let essRatio = (draws["ess_bulk"] as! Double) / ours.essBulk
            let combinedQuantile = theirs * (1 + essRatio).squareRoot()
            XCTAssertLessThanOrEqual(abs(value - reference), bound * combinedQuantile, key)
        }
        let p = try XCTUnwrap(h.posteriorProbability), q = try XCTUnwrap(expected["Post.Prob"] as? Double)
        // Binomial error of P(H) with each run's effective draws.
        let error = (q * (1 - q) / ours.essBulk + q * (1 - q) / (draws["ess_bulk"] as! Double)).squareRoot()
        XCTAssertLessThanOrEqual(abs(p - q), bound * error)
        XCTAssertEqual(try XCTUnwrap(h.evidenceRatio), p / (1 - p), accuracy: 1e-9)
        XCTAssertFalse(h.star)   // P(H) ≈ 0.93 < 0.95
        // Two-sided: 95% interval, no evidence ratio without prior draws (brms prints NA).
        let twoSided = try Hypothesis("Intercept + 5 * Days = 300", draws: fit.draws)
        XCTAssertNil(twoSided.posteriorProbability)
        XCTAssertEqual(twoSided.text, "(Intercept+5*Days)-(300) = 0")
        XCTAssertThrowsError(try Hypothesis("Dayz > 8", draws: fit.draws))
    }

    func testBayesR2MatchesBrms() throws {
        let references = try XCTUnwrap(try reference()["bayes_R2"] as? [String: Any])
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: 2)
        for (key, slopes) in [("m1", false), ("m2", true)] {
            let summary = try XCTUnwrap(((references[key] as? [String: Any])?["summary"] as? [[String: Any]])?.first)
            let (fit, design) = try fit(slopes: slopes, seed: 7)
            let r2 = try bayesianR2(draws: fit.draws, design: design, family: .gaussian)
            XCTAssertEqual(r2.count, 4000)
            let ours = try XCTUnwrap(summarize(draws: chains(r2, 4)).variables.first)
            let mean = try XCTUnwrap(summary["mean"] as? Double), mcse = try XCTUnwrap(summary["mcse_mean"] as? Double)
            let combined = (mcse * mcse + ours.mcseMean * ours.mcseMean).squareRoot()
            MonteCarloTolerance.log(#function, key, "mean", (ours.mean - mean) / combined)
            XCTAssertLessThanOrEqual(abs(ours.mean - mean), bound * combined, "\(key): \(ours.mean) vs brms \(mean)")
        }
    }
}
