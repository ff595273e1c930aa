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
        var rng = Xoshiro256PlusPlus(seed: 2024)
        let effects = (0..<10).map { _ in 0.5 * rng.nextNormal() }
        var lines = ["y,x,g"]
        for i in 0..<150 {
            let x = rng.nextNormal(), g = i % 10
            let mean = exp(0.5 + 0.6 * x + effects[g])
            let count = negativeBinomial ? rng.nextPoisson(mean: rng.nextGamma(shape: 3, rate: 3 / mean)) : rng.nextPoisson(mean: mean)
            lines.append("\(rng.nextUniform() < 0.3 ? 0 : count),\(x),g\(g)")
        }
        let table = try DataTable.read(data: Data((lines.joined(separator: "\n") + "\n").utf8), fileName: "zip.csv")
        return try ModelDesign.build(formula: try Formula.parse("y ~ x + (1 | g)"), table: table)
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
        let one = try bootstrap.run(replicates: 6, seed: 99, threads: 1)
        let two = try bootstrap.run(replicates: 6, seed: 99, threads: 2)
        let other = try bootstrap.run(replicates: 6, seed: 100, threads: 2)
        XCTAssertEqual(one.values.map(\.bitPattern), two.values.map(\.bitPattern))
        XCTAssertNotEqual(one.values, other.values)
    }
}
