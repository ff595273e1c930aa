import XCTest
import MultilevelMath
import MultilevelData
@testable import MultilevelModels

/// `SamplerRule`: the collapsed sampler for gaussian models whose collapsed evaluation costs at most
/// `collapsedCostMultiple` joint gradients; joint NUTS for InstEval's shape, other families and
/// covariance priors.
final class SamplerRuleTests: XCTestCase {
    /// Scalar terms crossed at random over `rows` rows.
    private func crossedDesign(levels: [Int], rows: Int) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: 5)
        var x: [[Double]] = [], y: [Double] = []
        var labels = levels.map { _ in [String]() }
        for i in 0..<rows {
            x.append([1])
            y.append(rng.nextNormal())
            for (t, count) in levels.enumerated() { labels[t].append("g\(t)_\(i < count ? i : Int(rng.nextUniform() * Double(count)))") }
        }
        let terms = levels.indices.map { t in
            RandomEffectTerm(grouping: PosteriorTestData.grouping("g\(t)", labels[t]), columnNames: ["(Intercept)"],
                             values: [Double](repeating: 1, count: rows), text: "(1 | g\(t))")
        }
        return PosteriorTestData.design(formula: "y ~ 1", response: "y", y: y, x: x, names: ["(Intercept)"], terms: terms)
    }

    func testSmallNestedAndCrossedModelsAreCollapsed() throws {
        let nested = try PosteriorTestData.built("nested", "y ~ z + (1 + z | batch) + (1 | batch:cask)")
        XCTAssertEqual(SamplerRule.defaultSampler(family: .gaussian, design: nested, priors: [], hasCovariancePriors: false), "marginal")
        let crossed = try PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)")
        XCTAssertEqual(SamplerRule.defaultSampler(family: .gaussian, design: crossed, priors: [], hasCovariancePriors: false), "marginal")
    }

    func testInstEvalShapeKeepsJointNUTS() throws {
        let design = crossedDesign(levels: [2972, 1128, 14], rows: 12000)
        XCTAssertGreaterThan(SamplerRule.collapsedEvaluationCost(design),
                             SamplerRule.collapsedCostMultiple * SamplerRule.jointGradientCost(design))
        XCTAssertEqual(SamplerRule.defaultSampler(family: .gaussian, design: design, priors: [], hasCovariancePriors: false), "nuts")
    }

    func testOtherFamiliesAndCovariancePriorsKeepJointNUTS() throws {
        let crossed = try PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)")
        XCTAssertEqual(SamplerRule.defaultSampler(family: .student, design: crossed, priors: [], hasCovariancePriors: false), "nuts")
        XCTAssertEqual(SamplerRule.defaultSampler(family: .gaussian, design: crossed, priors: [], hasCovariancePriors: true), "nuts")
        let sleepstudy = try PosteriorTestData.sleepstudy()
        XCTAssertEqual(SamplerRule.defaultSampler(family: .gaussian, design: sleepstudy, priors: [], hasCovariancePriors: false), "marginal")
    }
}
