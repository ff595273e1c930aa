import Foundation
import XCTest
import Multilevel

/// `effects` (`FittedModel.conditionalEffects`) of a Bayesian sleepstudy fit against brms 2.18's
/// `conditional_effects(fit, effects = "Days")` (shared reference v2 `predict_sleepstudy.json`:
/// 100 grid points over 0…9, estimate__ = median, se__ = MAD, lower__/upper__ = 2.5%/97.5%
/// quantiles of posterior_epred with re_formula = NA; brms 4 × 5000 draws).
final class ConditionalEffectsTests: XCTestCase {
    /// Each grid point's median, 2.5% and 97.5% quantile within 4 combined Monte-Carlo standard
    /// errors. Ours: posterior's `mcse_quantile` of the grid point's draws b_Intercept + b_Days·x
    /// (the population-level epred). brms': the reference's `mcse_q2.5` / `mcse_q50` / `mcse_q97.5`
    /// of posterior_epred at Days 0…9 (the same draws as conditional_effects; estimate__ at Days 0
    /// is that row's q50), linearly interpolated between whole days. The 300 checks are functions
    /// of two parameters' draws, so they fail together or not at all: 4 MCSE is a bound on a few
    /// effectively independent z scores. se__ (MAD) within 10% (its Monte-Carlo error is a few
    /// percent at these ESS).
    func testSleepstudyEffectsMatchBrmsConditionalEffects() throws {
        let formula = try Formula.parse("Reaction ~ Days + (Days | Subject)")
        let url = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        let data = FittedModel.rowsUsed(formula: formula, table: try DataTable.read(contentsOf: url), factors: [])
        let design = try ModelDesign.build(formula: formula, table: data)
        let chains = 4, perChain = 1000
        let settings = SamplerSettings(iterations: 2 * perChain, warmup: perChain, chains: chains, seed: 20261207)
        let fit = try BayesianFit.runMarginal(design: design, settings: settings)
        let model = FittedModel(kind: .bayesian, engine: "marginal", formula: formula, family: .gaussian, priors: [],
                                factors: [], dataName: "sleepstudy", data: data, design: design, settings: settings,
                                draws: fit.draws, mixedModelFit: nil)
        let effects = try model.conditionalEffects(effect: "Days")

        let referenceURL = try XCTUnwrap(Bundle.module.url(forResource: "predict_sleepstudy", withExtension: "json", subdirectory: "Fixtures"))
        let reference = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: referenceURL)) as? [String: Any])
        let predictions = try XCTUnwrap(reference["brms_predictions"] as? [String: Any])
        let table = try XCTUnwrap(((predictions["conditional_effects"] as? [String: Any])?["Days"] as? [String: Any])?["table"]
                                  as? [[String: Any]])
        let epred = try XCTUnwrap((predictions["epred_re_formula_NA"] as? [String: Any])?["table"] as? [[String: Any]])
        let days = epred.prefix(10)   // subject 308, Days 0…9 (re_formula = NA: the population line)
        func referenceMCSE(_ key: String, at x: Double) throws -> Double {
            let low = min(Int(x.rounded(.down)), 8), t = x - Double(low)
            let a = try XCTUnwrap(days[low]["mcse_" + key] as? Double), b = try XCTUnwrap(days[low + 1]["mcse_" + key] as? Double)
            return a + t * (b - a)
        }
        XCTAssertEqual(effects.estimate.count, table.count)
        XCTAssertEqual(table.count, 100)
        let intercept = try XCTUnwrap(fit.draws.values(of: "b_Intercept")), slope = try XCTUnwrap(fit.draws.values(of: "b_Days"))
        var largest = 0.0
        for (i, row) in table.enumerated() {
            let x = try XCTUnwrap(row["Days"] as? Double)
            XCTAssertEqual(try XCTUnwrap(effects.x[i]), x, accuracy: 1e-12, "grid point \(i + 1)")
            let sequences = ChainSequences(chains: (0..<chains).map { c in
                zip(intercept[c], slope[c]).map { $0 + $1 * x }
            })
            for (p, key, ours, theirs) in [(0.025, "q2.5", effects.lower[i], row["lower__"]), (0.5, "q50", effects.estimate[i], row["estimate__"]),
                                           (0.975, "q97.5", effects.upper[i], row["upper__"])] {
                let brms = try XCTUnwrap(theirs as? Double)
                let mcse = quantileMonteCarloStandardError(sequences, probability: p)
                let combined = (mcse * mcse + (try referenceMCSE(key, at: x)).squared).squareRoot()
                let z = (ours - brms) / combined
                largest = max(largest, abs(z))
                XCTAssertLessThanOrEqual(abs(z), 4, "Days \(x) \(key): ours \(ours) vs brms \(brms) (combined MCSE \(combined))")
            }
            let mad = try XCTUnwrap(row["se__"] as? Double)
            XCTAssertEqual(effects.standardError[i], mad, accuracy: 0.1 * mad, "Days \(x) se__")
        }
        print("effects vs brms conditional_effects: largest |z| \(largest) over \(3 * table.count) quantiles")
    }
}

private extension Double {
    var squared: Double { self * self }
}
