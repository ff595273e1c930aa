import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The parametric bootstrap of glmer fits (`GeneralizedBootstrap`, lme4's bootMer with
/// use.u = FALSE): the response simulator against the families' moments, bootMer's replicate
/// means and SDs on cbpp (binomial) and Salamanders (poisson), reproducibility on any number of
/// threads, and the negative binomial's refits.
final class GeneralizedBootstrapTests: XCTestCase {
    /// At a fixed η the simulated responses have the family's mean and variance: binomial m·μ and
    /// m·μ(1 − μ), Poisson μ and μ, negative binomial μ and μ + μ²/φ — within 5 standard errors
    /// of the sample mean (σ/√n) and of the sample variance (√((m₄ − s⁴)/n), m₄ the sample's
    /// fourth central moment), 20,000 draws per row.
    func testSimulatedResponsesHaveTheFamilysMoments() throws {
        let eta = [-1.2, 0.3, 1.5]
        let draws = 20_000
        let logistic = { (x: Double) in 1 / (1 + exp(-x)) }
        let cases: [(kind: Family.Kind, trials: [Double]?, shape: Double?, mean: (Double) -> Double)] = [
            (.binomial, [12, 5, 30], nil, logistic),
            (.poisson, nil, nil, exp),
            (.negativeBinomial, nil, 2.5, exp),
        ]
        var generator = Xoshiro256PlusPlus(seed: 11)
        for (kind, trials, shape, mean) in cases {
            var samples = [[Double]](repeating: [], count: eta.count)
            var response = [Double](repeating: 0, count: eta.count)
            for _ in 0..<draws {
                try GeneralizedBootstrap.simulateResponse(into: &response, linearPredictor: eta, kind: kind, trials: trials,
                                                          shape: shape, mean: mean, using: &generator)
                for r in eta.indices { samples[r].append(response[r]) }
            }
            for r in eta.indices {
                let mu = mean(eta[r])
                let expectedMean: Double, expectedVariance: Double
                switch kind {
                case .binomial: (expectedMean, expectedVariance) = (trials![r] * mu, trials![r] * mu * (1 - mu))
                case .poisson: (expectedMean, expectedVariance) = (mu, mu)
                default: (expectedMean, expectedVariance) = (mu, mu + mu * mu / shape!)
                }
                let n = Double(draws)
                let sampleMean = samples[r].reduce(0, +) / n
                let centred = samples[r].map { $0 - sampleMean }
                let sampleVariance = centred.reduce(0) { $0 + $1 * $1 } / (n - 1)
                let fourth = centred.reduce(0) { $0 + $1 * $1 * $1 * $1 } / n
                XCTAssertEqual(sampleMean, expectedMean, accuracy: 5 * (expectedVariance / n).squareRoot(), "\(kind) row \(r) mean")
                XCTAssertEqual(sampleVariance, expectedVariance,
                               accuracy: 5 * ((fourth - sampleVariance * sampleVariance) / n).squareRoot(), "\(kind) row \(r) variance")
            }
        }
        var response = [0.0]
        XCTAssertThrowsError(try GeneralizedBootstrap.simulateResponse(into: &response, linearPredictor: [-0.5], kind: .poisson, trials: nil,
                                                                       shape: nil, mean: { $0 }, using: &generator),
                             "an identity-link Poisson mean below 0 fails the replicate")
    }

    /// lme4's bootMer of the same fits (scripts/references/glmer_bootmer.R, use.u = FALSE): cbpp
    /// `incidence | trials(size) ~ period + (1 | herd)`, 500 replicates, and Salamanders
    /// `count ~ mined + (1 | site)` (poisson), 300 replicates. The estimates agree to 1e-4, and the
    /// two bootstrap distributions agree at bootMer's 2.5/25/50/75/97.5% quantiles q: the share of
    /// our replicates at or below q is p within 4 standard errors, √(p(1 − p)(1/R + 1/R_ref)) (our
    /// share's binomial error and the error of q as bootMer's own sample quantile). Quantiles, not
    /// means and SDs: a replicate whose period has no cases (separation) sends that coefficient
    /// towards −∞ in either tool, which moves a mean and an SD by more than their Monte-Carlo error
    /// suggests and a quantile by almost nothing.
    func testMatchesBootMer() throws {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("glmer_bootmer", "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
        let cases: [(String, String, String, Family, UInt64)] = [
            ("cbpp", "cbpp", "incidence | trials(size) ~ period + (1 | herd)", .binomial, 1),
            ("salamanders", "Salamanders", "count ~ mined + (1 | site)", .poisson, 2),
        ]
        let probabilities = [0.025, 0.25, 0.5, 0.75, 0.975]
        for (label, csv, formula, family, seed) in cases {
            let entry = try XCTUnwrap(root[label], label)
            let referenceCount = Double(try XCTUnwrap(entry["replicates"] as? Int))
            let reference = try XCTUnwrap(entry["parameters"] as? [String: [String: Any]])
            let design = try PosteriorTestData.built(csv, formula)
            let model = try GeneralizedLinearMixedModel(design: design, family: family)
            let fit = try model.fit(conditionalVariances: false)
            let result = try GeneralizedBootstrap(design: model.design, fit: fit, family: family)
                .run(replicates: Int(referenceCount), seed: seed)
            XCTAssertEqual(Set(result.parameterNames), Set(reference.keys), label)
            XCTAssertLessThanOrEqual(result.failedCount, 2, "\(label): \(result.failures)")
            for (k, name) in result.parameterNames.enumerated() {
                let expected = try XCTUnwrap(reference[name], name)
                XCTAssertEqual(result.estimates[k], try XCTUnwrap(expected["estimate"] as? Double),
                               accuracy: 1e-4 * Swift.max(1, abs(result.estimates[k])), "\(label) \(name)")
                let quantiles = try XCTUnwrap(expected["quantiles"] as? [Double], name)
                XCTAssertEqual(quantiles.count, probabilities.count, name)
                let values = result.replicateValues(ofParameter: k).filter(\.isFinite)
                let count = Double(values.count)
                var report: [String] = []
                for (p, q) in zip(probabilities, quantiles) {
                    let share = Double(values.filter { $0 <= q }.count) / count
                    let error = (p * (1 - p) * (1 / count + 1 / referenceCount)).squareRoot()
                    XCTAssertEqual(share, p, accuracy: 4 * error, "\(label) \(name): share of replicates ≤ bootMer's \(p) quantile \(q)")
                    report.append(String(format: "%.3f→%.3f (%.2f SE)", p, share, (share - p) / error))
                }
                print("\(label) \(name): " + report.joined(separator: ", "))
            }
        }
    }

    /// The replicates depend on the seed only: bit-identical on one thread and on two, and
    /// another seed gives other replicates.
    func testReplicatesDependOnTheSeedOnly() throws {
        let design = try PosteriorTestData.built("cbpp", "incidence | trials(size) ~ period + (1 | herd)")
        let model = try GeneralizedLinearMixedModel(design: design, family: .binomial)
        let bootstrap = try GeneralizedBootstrap(design: model.design, fit: try model.fit(conditionalVariances: false), family: .binomial)
        try BootstrapTestSupport.assertReplicatesDependOnTheSeedOnly { try bootstrap.run(replicates: $0, seed: $1, threads: $2) }
    }

    /// glmer.nb's bootstrap re-estimates the shape in every refit: on a simulated NB2 data set
    /// (y ~ x + (1 | g), 200 rows, 10 groups, shape 3) every parameter, `shape` included, has
    /// replicates spread around the estimate (percentile interval containing it, positive SD).
    func testNegativeBinomialRefitsTheShape() throws {
        let design = try BootstrapTestSupport.countDesign(seed: 5, rows: 200, groups: 10, groupSD: 0.4, intercept: 0.8, slope: 0.5,
                                                          shape: 3)
        let fit = try NegativeBinomialMixedModel(design: design).fit(conditionalVariances: false).fit
        let result = try GeneralizedBootstrap(design: design, fit: fit, family: .negativeBinomial).run(replicates: 20, seed: 3)
        XCTAssertEqual(result.parameterNames, ["b_Intercept", "b_x", "sd_g__Intercept", "shape"])
        XCTAssertLessThanOrEqual(result.failedCount, 1, "\(result.failures)")
        for (k, summary) in result.summaries().enumerated() {
            let values = result.replicateValues(ofParameter: k).filter(\.isFinite)
            XCTAssertGreaterThan(Set(values).count, 10, summary.name)
            XCTAssertLessThan(summary.percentile.lower, summary.estimate, summary.name)
            XCTAssertGreaterThan(summary.percentile.upper, summary.estimate, summary.name)
        }
    }
}
