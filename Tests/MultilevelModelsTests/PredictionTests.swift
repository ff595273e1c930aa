import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Predictions for new rows against R: lme4's `predict(newdata, re.form = NA | NULL |
/// ~(0 + Days | Subject), allow.new.levels = TRUE)` and the delta-method standard error
/// (fixture `predict_confidence_sleepstudy.json`, scripts/references/predict_confidence.R), and
/// brms' `posterior_epred` / `posterior_predict` with `re_formula = NA` and new levels
/// (`predict_sleepstudy.json`, shared reference v2). The newdata: Days 0..9 for subject 308 and
/// for a subject 'new' the fit has not seen.
final class PredictionTests: XCTestCase {
    private static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL(name, "json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private static let newDataCSV: String = {
        var text = "Days,Subject\n"
        for subject in ["308", "new"] { for days in 0...9 { text += "\(days),\"\(subject)\"\n" } }
        return text
    }()

    private func sleepstudy() throws -> (formula: Formula, table: DataTable, design: ModelDesign) {
        let formula = try Formula.parse("Reaction ~ Days + (Days | Subject)")
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("sleepstudy", "csv"))
        return (formula, table, try ModelDesign.build(formula: formula, table: table))
    }

    private func newData(_ groupTerms: NewDataDesign.GroupTerms, allowNewLevels: Bool = true) throws -> (NewDataDesign, ModelDesign) {
        let (formula, table, design) = try sleepstudy()
        let rows = try DataTable(csv: Self.newDataCSV, fileName: "new.csv")
        return (try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [], newData: rows,
                                        groupTerms: groupTerms, allowNewLevels: allowNewLevels), design)
    }

    /// At lme4's θ (from `predict_sleepstudy.json`), the prediction is a closed form of θ: every
    /// value matches lme4 to 1e-8 relative.
    func testLmerPredictionsAtLme4ThetaMatchToRoundingError() throws {
        let reference = try Self.json("predict_confidence_sleepstudy")
        let rows = try XCTUnwrap(reference["rows"] as? [[String: Any]])
        let lme4 = try XCTUnwrap((try Self.json("predict_sleepstudy"))["lme4"] as? [String: Any])
        let theta = try XCTUnwrap((lme4["fit"] as? [String: Any])?["theta"] as? [Double])
        let (_, design) = try newData(.all)
        let model = try LinearMixedModel(design: design)
        var warnings: [String] = []
        let fit = try model.summarize(theta: theta, method: .reml, warnings: &warnings)
        XCTAssertEqual(fit.criterion, try XCTUnwrap(reference["REML_criterion"] as? Double), accuracy: 1e-8)
        for (terms, key) in [(NewDataDesign.GroupTerms.none, "re_form_NA"), (.all, "re_form_NULL"),
                             (.subset("~ (0 + Days | Subject)"), "re_form_days")] {
            let prediction = try MixedModelPrediction(fit: fit, fitted: design, newData: try newData(terms).0)
            for (i, row) in rows.enumerated() {
                let expected = try XCTUnwrap(row[key] as? Double)
                XCTAssertEqual(prediction.estimates[i], expected, accuracy: 1e-8 * abs(expected), "\(key) row \(i + 1)")
                let se = try XCTUnwrap(row["se_fit"] as? Double)
                XCTAssertEqual(prediction.standardErrors[i], se, accuracy: 1e-8 * se, "se row \(i + 1)")
                XCTAssertEqual(prediction.lower[i] - prediction.estimates[i] + expected,
                               try XCTUnwrap(row["lower"] as? Double) - (row["re_form_NA"] as! Double) + expected,
                               accuracy: 1e-8 * abs(expected), "lower row \(i + 1)")
            }
        }
    }

    /// At our REML optimum (θ within optimiser tolerance of lme4's; criterion 1.5e-9 lower), the
    /// predictions agree with lme4 to 1e-6 relative (measured: 1.7e-8 for the estimates, 1.6e-7
    /// for the standard errors).
    func testLmerPredictionsAtOurOptimumMatchLme4() throws {
        let rows = try XCTUnwrap((try Self.json("predict_confidence_sleepstudy"))["rows"] as? [[String: Any]])
        let (_, design) = try newData(.all)
        let fit = try LinearMixedModel(design: design).fit(method: .reml)
        for (terms, key) in [(NewDataDesign.GroupTerms.none, "re_form_NA"), (.all, "re_form_NULL")] {
            let prediction = try MixedModelPrediction(fit: fit, fitted: design, newData: try newData(terms).0)
            for (i, row) in rows.enumerated() {
                let expected = try XCTUnwrap(row[key] as? Double), se = try XCTUnwrap(row["se_fit"] as? Double)
                XCTAssertEqual(prediction.estimates[i], expected, accuracy: 1e-6 * abs(expected), "\(key) row \(i + 1)")
                XCTAssertEqual(prediction.standardErrors[i], se, accuracy: 1e-6 * se, "se row \(i + 1)")
            }
        }
    }

    /// brms' posterior_epred / posterior_predict (re_formula = NA; new levels with
    /// sample_new_levels = "uncertainty") against a 4 × 2000 fit with the marginal sampler: each
    /// posterior mean within the family-wise bound of combined Monte-Carlo standard errors (ours
    /// from the draws' ESS, brms' from the reference).
    func testPosteriorPredictionsMatchBrms() throws {
        let (_, design) = try newData(.all)
        var settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4)
        settings.seed = 20261121
        let fit = try BayesianFit.runMarginal(design: design, settings: settings)
        let references = try XCTUnwrap((try Self.json("predict_sleepstudy"))["brms_predictions"] as? [String: Any])
        let cases: [(String, PredictionType, NewDataDesign.GroupTerms)] = [
            ("epred_re_formula_NA", .epred, .none), ("epred_new_levels", .epred, .all),
            ("predict_new_levels", .prediction, .all), ("predict_re_formula_NA", .prediction, .none),
        ]
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: 2 * cases.count * 20)
        for (key, type, terms) in cases {
            let table = try XCTUnwrap((references[key] as? [String: Any])?["table"] as? [[String: Any]])
            let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .gaussian,
                                                     newData: try newData(terms).0, type: type, seed: 99)
            XCTAssertEqual(prediction.drawCount, 4000)
            var buffer: [Double] = []
            for (i, row) in table.enumerated() {
                prediction.values(row: i, into: &buffer)
                let chains = (0..<4).map { Array(buffer[($0 * 1000)..<(($0 + 1) * 1000)]) }
                let ours = try XCTUnwrap(summarize(draws: Draws(variableNames: ["y"], chains: chains)).variables.first)
                let mean = try XCTUnwrap(row["mean"] as? Double), mcse = try XCTUnwrap(row["mcse_mean"] as? Double)
                let combined = (ours.mcseMean * ours.mcseMean + mcse * mcse).squareRoot()
                MonteCarloTolerance.log(#function, "\(key)[\(i + 1)]", "mean", (ours.mean - mean) / combined)
                XCTAssertLessThanOrEqual(abs(ours.mean - mean), bound * combined, "\(key) row \(i + 1): \(ours.mean) vs brms \(mean)")
                // The spread: sd within 10% (the sd's Monte-Carlo error is a few percent here).
                let sd = try XCTUnwrap(row["sd"] as? Double)
                XCTAssertEqual(ours.sd, sd, accuracy: 0.1 * sd, "\(key) row \(i + 1) sd")
            }
        }
    }

    /// `sample_new_levels = "gaussian"`: a new subject's intercept and slope are drawn from
    /// N(0, Σ) of each draw, so at Days 0 the epred variance is Var(b_Intercept) +
    /// E(sd_Subject__Intercept²) — checked on the same draws within 15% (the variance of ~2,000
    /// effective draws has a relative error of about √(2/2000) ≈ 3%).
    func testGaussianNewLevelsHaveTheGroupVariance() throws {
        let (nd, design) = try newData(.all)
        var settings = SamplerSettings(iterations: 1500, warmup: 500, chains: 4)
        settings.seed = 5
        let fit = try BayesianFit.runMarginal(design: design, settings: settings)
        let prediction = try PosteriorPrediction(draws: fit.draws, fitted: design, family: .gaussian, newData: nd,
                                                 type: .epred, newLevels: .gaussian, seed: 3)
        var buffer: [Double] = []
        prediction.values(row: 10, into: &buffer)     // Days 0, subject "new"
        let intercept = try XCTUnwrap(fit.draws.values(of: "b_Intercept")).flatMap { $0 }
        let sd = try XCTUnwrap(fit.draws.values(of: "sd_Subject__Intercept")).flatMap { $0 }
        func variance(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
        }
        let expected = variance(intercept) + sd.map { $0 * $0 }.reduce(0, +) / Double(sd.count)
        XCTAssertEqual(variance(buffer), expected, accuracy: 0.15 * expected)
        XCTAssertEqual(buffer.reduce(0, +) / Double(buffer.count), intercept.reduce(0, +) / Double(intercept.count),
                       accuracy: 9 * (expected / Double(buffer.count)).squareRoot())
    }

    /// One-line errors: a missing column, a factor level the fit did not see in a population-level
    /// term, and a new group level without allow_new_levels, each naming the file, line and value.
    func testNewDataErrorsNameTheLineAndValue() throws {
        let (formula, table, design) = try sleepstudy()
        func message(_ csv: String, allow: Bool = false) -> String {
            do {
                _ = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [],
                                            newData: try DataTable(csv: csv, fileName: "nd.csv"), allowNewLevels: allow)
                return "no error"
            } catch { return String(describing: error) }
        }
        XCTAssertEqual(message("Subject\n\"308\"\n"), "nd.csv: missing column 'Days' (the model's formula uses it); the data has columns Subject")
        XCTAssertEqual(message("Days,Subject\n1,\"308\"\n2,\"999\"\n"),
                       "nd.csv:3: level '999' of grouping factor 'Subject' is not in the fit; give --allow-new-levels to predict for new levels")
        XCTAssertEqual(message("Days,Subject\n1,\"308\"\n2,\"999\"\n", allow: true), "no error")
        let f = try Formula.parse("Reaction ~ Days + g + (1 | Subject)")
        var groups = "Reaction,Days,Subject,g\n"
        for row in 0..<table.rowCount { groups += "1,\(row % 10),\"s\(row % 18)\",\"\(row % 2 == 0 ? "a" : "b")\"\n" }
        let grouped = try DataTable(csv: groups, fileName: "g.csv")
        let fitted = try ModelDesign.build(formula: f, table: grouped)
        XCTAssertThrowsError(try NewDataDesign.build(formula: f, fitted: fitted, fittedData: grouped, factors: [],
                                                     newData: try DataTable(csv: "Days,Subject,g\n1,\"s1\",\"c\"\n", fileName: "nd.csv"),
                                                     allowNewLevels: true)) { error in
            XCTAssertEqual(String(describing: error), "nd.csv:2: column 'g' has level 'c', which the fit did not see (levels 'a', 'b')")
        }
    }
}
