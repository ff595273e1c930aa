import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The parametric bootstrap of the zero-inflated Laplace fits (issue 19, point 4: the bootstrap):
/// on a small simulated ZIP / ZINB data set (150 rows, 10 groups), 40 replicates. The replicates of
/// a parametric bootstrap scatter around the fit they were simulated from, so each statistic's
/// replicate mean is within 4 Monte-Carlo standard errors (bootstrap SD / √R) of the estimate; the
/// percentile intervals contain the estimate; and the replicates depend on the seed only — the
/// same values on one thread and on two, other values under another seed.
final class ZeroInflatedBootstrapTests: XCTestCase {
    /// y ~ x + (1 | g): η = 0.5 + 0.6x + u_g, u_g ~ N(0, 0.5²), a structural zero with probability 0.3.
    static func design(negativeBinomial: Bool = false) throws -> ModelDesign {
        try BootstrapTestSupport.countDesign(seed: 2024, rows: 150, groups: 10, groupSD: 0.5, intercept: 0.5, slope: 0.6,
                                             shape: negativeBinomial ? 3 : nil, zeroInflation: 0.3)
    }

    func check(family: Family, negativeBinomial: Bool, expected: [String]) throws {
        let model = try ZeroInflatedMixedModel(design: try Self.design(negativeBinomial: negativeBinomial), family: family)
        let fit = try model.fit()
        let result = try ZeroInflatedBootstrap(model: model, fit: fit, family: family).run(replicates: 40, seed: 7)
        XCTAssertEqual(result.parameterNames, expected)
        XCTAssertLessThanOrEqual(result.failedCount, 2, "\(result.failures)")
        for (k, summary) in result.summaries().enumerated() {
            let values = result.replicateValues(ofParameter: k).filter(\.isFinite)
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
            XCTAssertGreaterThan(sd, 0, summary.name)
            XCTAssertEqual(summary.estimate, fit.namedEstimates[k].estimate)
            XCTAssertEqual(mean, summary.estimate, accuracy: 4 * sd / Double(values.count).squareRoot(),
                           "\(family.rawValue) \(summary.name): replicate mean \(mean), estimate \(summary.estimate), SD \(sd)")
            XCTAssertLessThan(summary.percentile.lower, summary.estimate, summary.name)
            XCTAssertGreaterThan(summary.percentile.upper, summary.estimate, summary.name)
        }
    }

    func testZeroInflatedPoissonReplicatesScatterAroundTheFit() throws {
        try check(family: .zeroInflatedPoisson, negativeBinomial: false, expected: ["b_Intercept", "b_x", "sd_g__Intercept", "zi"])
    }

    func testZeroInflatedNegativeBinomialReplicatesScatterAroundTheFit() throws {
        try check(family: .zeroInflatedNegativeBinomial, negativeBinomial: true,
                  expected: ["b_Intercept", "b_x", "sd_g__Intercept", "zi", "shape"])
    }

    func testReplicatesDependOnTheSeedOnly() throws {
        let model = try ZeroInflatedMixedModel(design: try Self.design(), family: .zeroInflatedPoisson)
        let fit = try model.fit()
        let bootstrap = ZeroInflatedBootstrap(model: model, fit: fit, family: .zeroInflatedPoisson)
        try BootstrapTestSupport.assertReplicatesDependOnTheSeedOnly { try bootstrap.run(replicates: $0, seed: $1, threads: $2) }
    }

    /// glmmTMB's parametric bootstrap of the same fit (scripts/references/zip_bootstrap_salamanders.R:
    /// `simulate` and refit, 200 replicates) on Salamanders, `count ~ mined + (1 | site)`: the same
    /// estimates, and replicate means and SDs (the bootstrap bias and SE) equal within 4 Monte-Carlo
    /// standard errors of their difference (a mean's SE s/√R, an SD's s/√(2(R − 1)), both runs').
    func testMatchesGlmmTMBParametricBootstrapOnSalamanders() throws {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("zip_bootstrap_salamanders", "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let referenceCount = Double(try XCTUnwrap(root["replicates"] as? Int))
        let reference = try XCTUnwrap(root["parameters"] as? [String: [String: Double]])
        let model = try ZeroInflatedMixedModel(design: try PosteriorTestData.built("Salamanders", "count ~ mined + (1 | site)"),
                                               family: .zeroInflatedPoisson)
        let fit = try model.fit()
        let result = try ZeroInflatedBootstrap(model: model, fit: fit, family: .zeroInflatedPoisson).run(replicates: 200, seed: 1)
        XCTAssertEqual(result.failedCount, 0)
        for (k, name) in result.parameterNames.enumerated() {
            let entry = try XCTUnwrap(reference[name], name)
            XCTAssertEqual(result.estimates[k], try XCTUnwrap(entry["estimate"]), accuracy: 1e-4, name)
            let values = result.replicateValues(ofParameter: k).filter(\.isFinite)
            let count = Double(values.count)
            let mean = values.reduce(0, +) / count
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (count - 1)).squareRoot()
            let referenceSD = try XCTUnwrap(entry["sd"])
            let meanError = (sd * sd / count + referenceSD * referenceSD / referenceCount).squareRoot()
            let sdError = (sd * sd / (2 * (count - 1)) + referenceSD * referenceSD / (2 * (referenceCount - 1))).squareRoot()
            XCTAssertEqual(mean, try XCTUnwrap(entry["mean"]), accuracy: 4 * meanError, "\(name) replicate mean")
            XCTAssertEqual(sd, referenceSD, accuracy: 4 * sdError, "\(name) bootstrap SD")
        }
    }
}
