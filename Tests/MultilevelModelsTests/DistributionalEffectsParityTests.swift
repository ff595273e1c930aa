import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
import Multilevel
@testable import MultilevelModels

/// The post-fit questions of a brms distributional fit against brms 2.18 on sleepstudy
/// `bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)`, 4 × 3,000 draws each side
/// (scripts/references/brms_distributional_effects.R): `effects` (brms' conditional_effects of the
/// mean and with dpar = "sigma": median, 2.5% and 97.5% quantile of posterior_epred at 100 grid
/// points, re_formula = NA), `--hypothesis` on the sigma coefficients (brms' hypothesis()) and
/// Bayesian R² (brms' bayes_R2). Every figure within 4 combined Monte-Carlo standard errors: ours
/// from posterior's MCSE of our draws of the same quantity, brms' from the fixture. The grid
/// checks of one curve are functions of two parameters' draws and fail together or not at all,
/// so 4 MCSE bounds a few effectively independent z scores.
final class DistributionalEffectsParityTests: XCTestCase {
    static let chains = 4

    static func fittedModel() throws -> (FittedModel, Draws) {
        let parsed = try DistributionalFormula.parse("bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)")
        let url = PosteriorTestData.fixtureURL("sleepstudy", "csv")
        let data = FittedModel.rowsUsed(formulas: [parsed.mean] + parsed.parameters.map(\.formula),
                                        table: try DataTable.read(contentsOf: url), factors: [])
        let design = try DistributionalDesign.build(formula: parsed, table: data, family: .gaussian)
        let posterior = try DistributionalPosterior(design: design, family: .gaussian)
        let settings = SamplerSettings(iterations: 4000, warmup: 1000, chains: chains, seed: 20261209)
        let fit = try DistributionalFit.run(posterior: posterior, settings: settings)
        var model = FittedModel(kind: .bayesian, engine: "nuts", formula: parsed.mean, family: .gaussian, priors: [],
                                factors: [], dataName: "sleepstudy", data: data, design: design.mean, settings: settings,
                                draws: fit.draws, mixedModelFit: nil)
        model.distributional = (parsed, design)
        return (model, fit.draws)
    }

    static func reference() throws -> [String: Any] {
        let url = PosteriorTestData.fixtureURL("brms_distributional_effects", "json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// |ours − brms| / √(mcse² + mcse_brms²), with our quantile's MCSE from the draws `values`.
    static func z(_ ours: Double, _ theirs: Double, theirMCSE: Double, values: [[Double]], probability: Double?) -> Double {
        let sequences = ChainSequences(chains: values)
        let mcse = probability.map { quantileMonteCarloStandardError(sequences, probability: $0) }
            ?? meanMonteCarloStandardError(sequences)
        return (ours - theirs) / (mcse * mcse + theirMCSE * theirMCSE).squareRoot()
    }

    func testEffectsHypothesesAndR2MatchBrms() throws {
        let (model, draws) = try Self.fittedModel()
        let reference = try Self.reference()
        let effects = try XCTUnwrap(reference["effects"] as? [String: [String: Any]])
        var report: [String] = []
        for (dpar, key) in [(nil, "mu"), (AuxiliaryParameter.sigma, "sigma")] as [(AuxiliaryParameter?, String)] {
            let ref = try XCTUnwrap(effects[key])
            let days = try XCTUnwrap(ref["Days"] as? [Double])
            let summaries = try XCTUnwrap(ref["draws"] as? [[String: Double]])
            let ours = try model.conditionalEffects(effect: "Days", dpar: dpar)
            XCTAssertEqual(ours.estimate.count, days.count)
            let intercept = try XCTUnwrap(draws.values(of: dpar == nil ? "b_Intercept" : "b_sigma_Intercept"))
            let slope = try XCTUnwrap(draws.values(of: dpar == nil ? "b_Days" : "b_sigma_Days"))
            var largest = 0.0
            for (i, x) in days.enumerated() {
                XCTAssertEqual(try XCTUnwrap(ours.x[i]), x, accuracy: 1e-9, "\(key) grid point \(i + 1)")
                let isMean = dpar == nil
                var values: [[Double]] = []
                for c in 0..<Self.chains {
                    var chain: [Double] = []
                    for (a, b) in zip(intercept[c], slope[c]) {
                        let eta: Double = a + b * x
                        chain.append(isMean ? eta : exp(eta))
                    }
                    values.append(chain)
                }
                let gridChecks: [(Double, String, Double)] = [(0.5, "median", ours.estimate[i]), (0.025, "q2.5", ours.lower[i]),
                                                              (0.975, "q97.5", ours.upper[i])]
                for (p, name, value) in gridChecks {
                    let brms = try XCTUnwrap(summaries[i][name]), mcse = try XCTUnwrap(summaries[i]["mcse_" + name])
                    let score = Self.z(value, brms, theirMCSE: mcse, values: values, probability: p)
                    largest = max(largest, abs(score))
                    XCTAssertLessThanOrEqual(abs(score), 4, "\(key) Days \(x) \(name): ours \(value) vs brms \(brms)")
                }
            }
            // brms' conditional_effects prints the same medians it computes from these draws.
            let printed = try XCTUnwrap(ref["estimate"] as? [Double])
            for i in days.indices { XCTAssertEqual(printed[i], summaries[i]["median"]!, accuracy: 1e-9 * max(1, abs(printed[i]))) }
            report.append(String(format: "effects %@: largest |z| %.2f over %d checks", key, largest, 3 * days.count))
        }

        let hypotheses = try XCTUnwrap(reference["hypotheses"] as? [[String: Any]])
        for entry in hypotheses {
            let statement = try XCTUnwrap(entry["statement"] as? String)
            let summary = try XCTUnwrap(entry["draws"] as? [String: Double])
            let ours = try Hypothesis(statement, draws: draws)
            let values = try Self.hypothesisDraws(statement, draws: draws)
            let oneSided = ours.direction != .equal
            let (lowKey, highKey) = oneSided ? ("q5", "q95") : ("q2.5", "q97.5")
            XCTAssertEqual(try XCTUnwrap(entry["ci_lower"] as? Double), summary[lowKey]!, accuracy: 1e-9 * max(1, abs(summary[lowKey]!)))
            var scores: [Double] = []
            let lowProbability: Double = oneSided ? 0.05 : 0.025, highProbability: Double = oneSided ? 0.95 : 0.975
            let checks: [(Double, Double, Double, Double?)] = [
                (ours.estimate, summary["mean"]!, summary["mcse_mean"]!, nil),
                (ours.lower, summary[lowKey]!, summary["mcse_" + lowKey]!, lowProbability),
                (ours.upper, summary[highKey]!, summary["mcse_" + highKey]!, highProbability)]
            for (value, brms, mcse, p) in checks {
                let score = Self.z(value, brms, theirMCSE: mcse, values: values, probability: p)
                scores.append(score)
                XCTAssertLessThanOrEqual(abs(score), 4, "hypothesis '\(statement)': ours \(value) vs brms \(brms)")
            }
            XCTAssertEqual(ours.error, try XCTUnwrap(entry["est_error"] as? Double), accuracy: 0.1 * ours.error, statement)
            if let probability = entry["post_prob"] as? Double, let ourProbability = ours.posteriorProbability {
                // A proportion of 12,000 autocorrelated draws: within 4 binomial SEs at ESS ≥ 1,000 each.
                let se = max((probability * (1 - probability) / 1000).squareRoot(), 1e-3)
                XCTAssertEqual(ourProbability, probability, accuracy: 4 * (2.0).squareRoot() * se, statement)
            }
            report.append("'\(statement)' z " + scores.map { String(format: "%.2f", $0) }.joined(separator: "/"))
        }

        let r2 = try model.bayesianR2()
        let perChain = r2.count / Self.chains
        let r2Chains = (0..<Self.chains).map { Array(r2[($0 * perChain)..<(($0 + 1) * perChain)]) }
        let r2Reference = try XCTUnwrap(reference["bayes_R2"] as? [String: Double])
        let sorted = r2.sorted()
        var r2Scores: [Double] = []
        let r2Checks: [(Double, String, Double?)] = [(r2.reduce(0, +) / Double(r2.count), "mean", nil),
                                                     (quantileType7(sorted, probability: 0.025), "q2.5", 0.025),
                                                     (quantileType7(sorted, probability: 0.975), "q97.5", 0.975)]
        for (value, key, p) in r2Checks {
            let score = Self.z(value, r2Reference[key]!, theirMCSE: r2Reference["mcse_" + key]!, values: r2Chains, probability: p)
            r2Scores.append(score)
            XCTAssertLessThanOrEqual(abs(score), 4, "bayes_R2 \(key): ours \(value) vs brms \(r2Reference[key]!)")
        }
        report.append("bayes_R2 z " + r2Scores.map { String(format: "%.2f", $0) }.joined(separator: "/"))
        print("bf() post-fit vs brms: " + report.joined(separator: "; "))
    }

    /// The draws of lhs − rhs of `statement` by chain (as `Hypothesis` computes them), for MCSEs.
    static func hypothesisDraws(_ statement: String, draws: Draws) throws -> [[Double]] {
        let names = ["b_Intercept", "b_Days", "b_sigma_Intercept", "b_sigma_Days"]
        let columns = try names.map { try XCTUnwrap(draws.values(of: $0)) }
        let value: ([Double]) -> Double
        switch statement {
        case "sigma_Days > 0": value = { $0[3] }
        case "Days = 10": value = { $0[1] - 10 }
        case "sigma_Intercept + 9 * sigma_Days = 4": value = { $0[2] + 9 * $0[3] - 4 }
        case "Intercept + 5 * Days > 300": value = { $0[0] + 5 * $0[1] - 300 }
        default: throw XCTSkip("no closed form for '\(statement)'")
        }
        return (0..<columns[0].count).map { c in (0..<columns[0][c].count).map { d in value(columns.map { $0[c][d] }) } }
    }
}
