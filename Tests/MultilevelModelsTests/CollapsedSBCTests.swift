import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) of the collapsed
/// sampler on a two-term gaussian model, `y ~ 1 + (1 | g1) + (1 | g2)` with 6 × 5 crossed levels and
/// two rows per cell (60 rows), under proper priors that do not depend on y:
/// Intercept ~ N(0, 2²), sd_g1, sd_g2 ~ N⁺(0, 1), sigma ~ N(1, 0.3²) truncated at 0.
/// Each replication draws the parameters and the 11 group-level effects from the prior, simulates y,
/// runs `BayesianFit.runMarginal` (one chain, 200 warm-up + 5 × 99 draws, thinned by 5 to L = 99)
/// and records the rank of each true value among the draws. The tracked quantities are the
/// Intercept, both sds, sigma and r_g1[a1] — the last checks the exact conditional draws of the
/// integrated-out effects, not only the NUTS part. With a correct sampler every rank is uniform on
/// 0…99; 400 replications pooled into 10 bins (40 expected each) give χ² with 9 degrees of freedom,
/// which must stay below 37.67, the 1 − 10⁻⁴/5 quantile (Bonferroni over the five quantities; the
/// test fails spuriously with probability ≤ 10⁻⁴). Expected χ² of a sampler whose posterior is
/// shifted by 0.3 posterior sd ≈ 9 + 0.4 · 97 ≈ 48, of one whose posterior sds are 20% too small ≈ 42.
final class CollapsedSBCTests: XCTestCase {
    static let bound = 37.67

    func testRanksAreUniformForCollapsedSamplerOnCrossedModel() throws {
        let divergences = try Self.calibrate(priors: "Intercept ~ normal(0, 2); sd ~ normal(0, 1); sigma ~ normal(1, 0.3)",
                                             drawScale: { abs($0.nextNormal()) },
                                             drawSigma: { rng in
                                                 var sigma = -1.0
                                                 while sigma <= 0 { sigma = 1 + 0.3 * rng.nextNormal() }
                                                 return sigma
                                             }) { design, priors, settings in
            let fit = try BayesianFit.runMarginal(design: design, priors: priors, settings: settings)
            return (fit.draws, fit.chainSummaries[0].divergences)
        }
        // 9 of the 198,000 sampling transitions diverged at these seeds (sds drawn near zero by the
        // half-normal prior leave a long tail in log sd); the bound is 10⁻³ of them.
        print("SBC divergent transitions: \(divergences) of \(400 * 5 * 99)")
        XCTAssertLessThan(Double(divergences) / Double(400 * 5 * 99), 1e-3, "divergent transitions")
    }

    /// The calibration of the type's description for any sampler (`fit` runs one chain and returns
    /// its draws and divergences) under the prior statements `priors`, whose sd and sigma priors
    /// `drawScale` and `drawSigma` sample; returns the divergences summed over replications.
    static func calibrate(priors text: String, drawScale: (inout Xoshiro256PlusPlus) -> Double,
                          drawSigma: (inout Xoshiro256PlusPlus) -> Double,
                          file: StaticString = #filePath, line: UInt = #line,
                          fit: (ModelDesign, [PriorStatement], SamplerSettings) throws -> (Draws, Int)) throws -> Int {
        let replications = 400, thin = 5, draws = 99
        var csv = "y,g1,g2\n"
        for a in 0..<6 { for b in 0..<5 { for _ in 0..<2 { csv += "0,\"a\(a)\",\"b\(b)\"\n" } } }
        var design = try ModelDesign.build(formula: Formula.parse("y ~ 1 + (1 | g1) + (1 | g2)"),
                                           table: DataTable(csv: csv))
        let priors = try PriorStatement.parseAll(text)
        let level1 = design.randomTerms[0].grouping.levelIndex, level2 = design.randomTerms[1].grouping.levelIndex
        XCTAssertEqual(design.randomTerms[0].grouping.levels.first, "a0", file: file, line: line)
        let tracked = ["b_Intercept", "sd_g1__Intercept", "sd_g2__Intercept", "sigma", "r_g1[a0,Intercept]"]
        var ranks = [[Int]](repeating: [], count: tracked.count)
        var rng = Xoshiro256PlusPlus(seed: 2018)
        var divergences = 0
        for replication in 0..<replications {
            let intercept = 2 * rng.nextNormal()
            let sd1 = drawScale(&rng), sd2 = drawScale(&rng)
            let sigma = drawSigma(&rng)
            let effects1 = (0..<6).map { _ in sd1 * rng.nextNormal() }
            let effects2 = (0..<5).map { _ in sd2 * rng.nextNormal() }
            for i in 0..<design.rowCount {
                design.response[i] = intercept + effects1[level1[i]] + effects2[level2[i]] + sigma * rng.nextNormal()
            }
            let truth = [intercept, sd1, sd2, sigma, effects1[0]]
            let settings = SamplerSettings(iterations: 200 + thin * draws, warmup: 200, chains: 1,
                                           seed: 9_000 + UInt64(replication), parallel: false)
            let (fitted, divergent) = try fit(design, priors, settings)
            divergences += divergent
            for (k, name) in tracked.enumerated() {
                let chain = try XCTUnwrap(fitted.values(of: name), name, file: file, line: line)[0]
                XCTAssertEqual(chain.count, thin * draws, file: file, line: line)
                var rank = 0
                for i in stride(from: thin - 1, to: chain.count, by: thin) where chain[i] < truth[k] { rank += 1 }
                ranks[k].append(rank)
            }
        }
        let bins = 10, expected = Double(replications) / Double(bins)
        for (k, name) in tracked.enumerated() {
            var counts = [Int](repeating: 0, count: bins)
            for rank in ranks[k] { counts[min(rank * bins / (draws + 1), bins - 1)] += 1 }
            let chiSquare = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
            print("SBC \(name): χ² \(String(format: "%.1f", chiSquare)), histogram \(counts)")
            XCTAssertLessThan(chiSquare, Self.bound, "\(name): rank histogram \(counts)", file: file, line: line)
        }
        return divergences
    }
}
