import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// A tight user prior on a dpar's coefficient, against brms 2.18 fitted under the same priors
/// (scripts/references/brms_distributional_postfit.R `tight`: prior(normal(0.2, 0.01), class = b,
/// coef = Days, dpar = sigma) + prior(normal(3, 0.5), class = Intercept, dpar = sigma), 4 × 1,500
/// draws each side): every mean and 2.5%/97.5% quantile within 4 combined MCSEs, and b_sigma_Days
/// pulled to the prior's mean (its posterior SD near the prior's 0.01).
final class DistributionalTightPriorParityTests: XCTestCase {
    func testTightDparPriorMatchesBrms() throws {
        let url = PosteriorTestData.fixtureURL("brms_distributional_tight_prior", "json")
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let parameters = try XCTUnwrap(reference["parameters"] as? [String: [String: Double]])
        let design = try DistributionalPriorStatementTests.design("bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)")
        let statements = try DistributionalPriorStatementTests.statements(["b_sigma:Days ~ normal(0.2, 0.01)",
                                                                           "Intercept_sigma ~ normal(3, 0.5)"])
        let posterior = try DistributionalPosterior(design: design, family: .gaussian, statements: statements)
        let fit = try DistributionalFit.run(posterior: posterior,
                                            settings: SamplerSettings(iterations: 2000, warmup: 500, chains: 4, seed: 20261208))
        let summary = summarize(draws: fit.draws, quantiles: [0.025, 0.975])
        var report: [String] = []
        for (name, ref) in parameters.sorted(by: { $0.key < $1.key }) {
            let ours = try XCTUnwrap(summary[name], name)
            let combined = (ours.mcseMean * ours.mcseMean + ref["mcse_mean"]! * ref["mcse_mean"]!).squareRoot()
            XCTAssertLessThanOrEqual(abs(ours.mean - ref["mean"]!), 4 * combined, "\(name): mean \(ours.mean) vs brms \(ref["mean"]!)")
            report.append(String(format: "%@ %.4f vs %.4f (z %.2f)", name, ours.mean, ref["mean"]!, (ours.mean - ref["mean"]!) / combined))
            let sequences = ChainSequences(chains: fit.draws.values(of: name)!)
            for (k, p, key) in [(0, 0.025, "q2.5"), (1, 0.975, "q97.5")] {
                let mcse = quantileMonteCarloStandardError(sequences, probability: p), theirs = ref["mcse_" + key]!
                XCTAssertLessThanOrEqual(abs(ours.quantiles[k] - ref[key]!), 4 * (mcse * mcse + theirs * theirs).squareRoot(),
                                         "\(name): \(key) \(ours.quantiles[k]) vs brms \(ref[key]!)")
            }
        }
        print("tight dpar prior vs brms: " + report.joined(separator: "; "))
        let slope = try XCTUnwrap(summary["b_sigma_Days"])
        XCTAssertEqual(slope.mean, 0.2, accuracy: 0.03)
        XCTAssertLessThan(slope.sd, 0.0101)
    }
}
