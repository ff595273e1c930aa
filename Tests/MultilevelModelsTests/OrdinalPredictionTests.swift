import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// brms' `posterior_epred` of an ordinal fit: per draw and new row, P(Y = k) for every category k
/// (`PosteriorPrediction.categoryProbabilities`), against brms 2.18 on the inhaler model
/// `rating ~ treat + period + carry + (1 | subject)`, cumulative("logit")
/// (scripts/references/brms_cumulative_epred.R, fixture `brms_cumulative_epred.json`: 4 × 2500
/// draws, four new rows of existing subjects, `re_formula = NA` and the full formula).
final class OrdinalPredictionTests: XCTestCase {
    private static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("brms_cumulative_epred", "json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Each (row, category)'s posterior mean and 2.5% / 97.5% quantiles within the family-wise
    /// bound of combined Monte-Carlo standard errors (ours from our draws' ESS, brms' from the
    /// reference's `mcse_mean` / `mcse_quantile`); each draw's probabilities sum to 1.
    func testCategoryProbabilitiesMatchBrms() throws {
        let formula = try Formula.parse("rating ~ treat + period + carry + (1 | subject)")
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("inhaler", "csv"))
        let design = try ModelDesign.build(formula: formula, table: table)
        let chains = 4, perChain = 1000
        let settings = SamplerSettings(iterations: 2 * perChain, warmup: perChain, chains: chains, seed: 31)
        let fit = try BayesianFit.run(design: design, family: .cumulative, settings: settings)
        let newRows = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("inhaler_newdata", "csv"))
        let reference = try Self.reference()
        let cases: [(String, NewDataDesign.GroupTerms)] = [("population", .none), ("conditional", .all)]
        var checks: [(label: String, difference: Double, mcse: Double)] = []
        for (key, terms) in cases {
            let rows = try XCTUnwrap((reference[key] as? [String: Any])?["rows"] as? [[String: Any]])
            XCTAssertEqual((reference[key] as? [String: Any])?["fitted_names"] as? [String],
                           ["P(Y = 1)", "P(Y = 2)", "P(Y = 3)", "P(Y = 4)"])
            let newData = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [],
                                                  newData: newRows, groupTerms: terms)
            let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .cumulative,
                                                     newData: newData, type: .epred, seed: 5)
            XCTAssertEqual(prediction.categoryCount, 4)
            XCTAssertEqual(prediction.drawCount, chains * perChain)
            var buffer: [Double] = [], means: [Double] = []
            let summaries = prediction.categorySummaries(probabilities: [0.025, 0.975])
            for row in rows {
                let i = try XCTUnwrap(row["row"] as? Int) - 1, k = try XCTUnwrap(row["category"] as? Int) - 1
                prediction.categoryProbabilities(row: i, into: &buffer)
                let draws = Array(buffer[(k * prediction.drawCount)..<((k + 1) * prediction.drawCount)])
                let split = (0..<chains).map { Array(draws[($0 * perChain)..<(($0 + 1) * perChain)]) }
                let sequences = ChainSequences(chains: split)
                let ours = try XCTUnwrap(summarize(draws: Draws(variableNames: ["p"], chains: split),
                                                   quantiles: [0.025, 0.975]).variables.first)
                XCTAssertEqual(summaries[i * 4 + k].mean, ours.mean, accuracy: 1e-12)
                let label = "\(key) row \(i + 1) P(Y = \(k + 1))"
                let mean = try XCTUnwrap(row["mean"] as? Double), mcseMean = try XCTUnwrap(row["mcse_mean"] as? Double)
                checks.append(("\(label) mean \(ours.mean) vs brms \(mean)", ours.mean - mean,
                               (ours.mcseMean * ours.mcseMean + mcseMean * mcseMean).squareRoot()))
                for (p, name, q) in [(0.025, "q2.5", ours.quantiles[0]), (0.975, "q97.5", ours.quantiles[1])] {
                    let theirs = try XCTUnwrap(row[name] as? Double), theirMCSE = try XCTUnwrap(row["mcse_" + name] as? Double)
                    let mcse = quantileMonteCarloStandardError(sequences, probability: p)
                    checks.append(("\(label) \(name) \(q) vs brms \(theirs)", q - theirs, (mcse * mcse + theirMCSE * theirMCSE).squareRoot()))
                }
                means.append(ours.mean)
            }
            // Per draw the K probabilities are a distribution.
            for i in 0..<prediction.rowCount {
                prediction.categoryProbabilities(row: i, into: &buffer)
                for s in stride(from: 0, to: prediction.drawCount, by: 97) {
                    let total = (0..<4).reduce(0.0) { $0 + buffer[$1 * prediction.drawCount + s] }
                    XCTAssertEqual(total, 1, accuracy: 1e-12)
                    XCTAssertTrue((0..<4).allSatisfy { buffer[$0 * prediction.drawCount + s] >= 0 })
                }
            }
            // E(rating) of `values(row:into:)` (what `effects` plots, brms' ordinal_probs_continuous) is Σ k P(Y = k).
            for i in 0..<prediction.rowCount {
                prediction.values(row: i, into: &buffer)
                let expected = (0..<4).reduce(0.0) { $0 + Double($1 + 1) * means[i * 4 + $1] }
                XCTAssertEqual(buffer.reduce(0, +) / Double(buffer.count), expected, accuracy: 1e-10)
            }
        }
        XCTAssertEqual(checks.count, 2 * 4 * 4 * 3)
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: checks.count)
        var largest = 0.0
        for check in checks {
            MonteCarloTolerance.log(#function, check.label, "z", check.difference / check.mcse)
            largest = max(largest, abs(check.difference / check.mcse))
            XCTAssertLessThanOrEqual(abs(check.difference), bound * check.mcse, check.label)
        }
        print("cumulative epred vs brms: largest |z| \(largest) over \(checks.count) checks (bound \(bound))")
    }

    /// Other families have no categories; linpred and prediction of an ordinal fit stay one value
    /// per draw.
    func testCategoryCountOnlyForOrdinalFamilies() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: false)
        let settings = SamplerSettings(iterations: 200, warmup: 100, chains: 1, seed: 3)
        let fit = try BayesianFit.runMarginal(design: design, settings: settings)
        let newRows = try DataTable(csv: "Days,Subject\n1,\"308\"\n", fileName: "new.csv")
        let newData = try NewDataDesign.build(formula: try Formula.parse("Reaction ~ Days + (1 | Subject)"), fitted: design,
                                              fittedData: try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("sleepstudy", "csv")),
                                              factors: [], newData: newRows)
        let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .gaussian, newData: newData,
                                                 type: .epred, seed: 1)
        XCTAssertEqual(prediction.categoryCount, 0)
        var buffer: [Double] = [1]
        prediction.categoryProbabilities(row: 0, into: &buffer)
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertTrue(prediction.categorySummaries(probabilities: [0.5]).isEmpty)
    }
}
