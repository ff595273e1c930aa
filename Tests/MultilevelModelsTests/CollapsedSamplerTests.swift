import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The collapsed sampler (`runMarginal` on a model with several group-level terms) samples the same
/// posterior as joint NUTS: on a nested model with correlated slopes and on a crossed model, with
/// brms' default priors, every posterior mean (population and group-level effects, sds,
/// correlations, sigma) agrees within the family-wise bound on |z| for its simultaneous checks
/// (`MonteCarloTolerance.familyWiseMCSEBound`), R-hat within `MonteCarloTolerance.rhatBound`.
/// Against the Gibbs sampler (its own conditional updates, no gradient) on the crossed and nested
/// random-intercept models of `GibbsNUTSAgreementTests`: mean, 2.5% and 97.5% quantile of every
/// variable but lp__ (the collapsed lp__ is the marginal density) within the family-wise bound for
/// their number (`GibbsTestSupport.assertAgrees`).
final class CollapsedSamplerTests: XCTestCase {
    private func agree(_ design: ModelDesign, label: String = #function,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        var settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4)
        settings.seed = 31
        let joint = try BayesianFit.run(design: design, family: .gaussian, settings: settings)
        settings.seed = 32
        let collapsed = try BayesianFit.runMarginal(design: design, settings: settings)
        XCTAssertEqual(collapsed.chainSummaries.reduce(0) { $0 + $1.divergences }, 0, file: file, line: line)
        let skip = TransitionStatistics.columnNames.count
        XCTAssertEqual(collapsed.draws.variableNames.dropFirst(skip), joint.draws.variableNames.dropFirst(skip),
                       file: file, line: line)
        let names = Array(joint.draws.variableNames.dropFirst(skip))
        let a = summarize(draws: joint.draws), b = summarize(draws: collapsed.draws)
        let z = MonteCarloTolerance.familyWiseMCSEBound(checks: names.count)
        var largest = 0.0
        for name in names {
            let x = try XCTUnwrap(a[name]), y = try XCTUnwrap(b[name])
            let combined = (x.mcseMean * x.mcseMean + y.mcseMean * y.mcseMean).squareRoot()
            MonteCarloTolerance.log(label, name, "mean", (x.mean - y.mean) / combined)
            largest = max(largest, abs(x.mean - y.mean) / combined)
            XCTAssertLessThanOrEqual(abs(x.mean - y.mean), z * combined,
                                     "\(name): joint \(x.mean) ± \(x.mcseMean), collapsed \(y.mean) ± \(y.mcseMean)",
                                     file: file, line: line)
            MonteCarloTolerance.assertConverged(ChainSequences(chains: collapsed.draws.values(of: name)!), name,
                                                checks: names.count, label: label, file: file, line: line)
        }
        print("\(label): \(names.count) means, largest |z| \(largest), bound \(z)")
    }

    func testCollapsedAgreesWithJointNUTSOnNestedWithCorrelatedSlopes() throws {
        try agree(try CollapsedGaussianPosteriorTests.nested())
    }

    func testCollapsedAgreesWithJointNUTSOnCrossed() throws {
        try agree(try PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)"))
    }

    private func agreeWithGibbs(_ design: ModelDesign, label: String = #function) throws {
        let (priors, covariance) = try GibbsTestSupport.priors(design, "")
        let model = try GibbsModel(design: design, priors: priors, covariancePriors: covariance)
        let gibbs = try GibbsSampler.sample(model: model, settings: SamplerSettings(iterations: 3000, warmup: 500, seed: 21)).draws
        let collapsed = try BayesianFit.runMarginal(design: design,
                                                    settings: SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 42))
        XCTAssertEqual(collapsed.chainSummaries.reduce(0) { $0 + $1.divergences }, 0)
        let names = gibbs.variableNames.filter { !$0.hasSuffix("__") && collapsed.draws.index(of: $0) != nil }
        XCTAssertEqual(names.count, gibbs.variableNames.filter { !$0.hasSuffix("__") }.count, "variables missing from the collapsed draws")
        let comparisons = GibbsTestSupport.assertAgrees(gibbs, collapsed.draws, names: names, label: label)
        let largest = comparisons.map { abs($0.zScore) }.max() ?? .nan
        print("\(label): \(comparisons.count) comparisons, largest |z| \(largest)")
    }

    func testCollapsedAgreesWithGibbsOnCrossed() throws {
        try agreeWithGibbs(try PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)"))
    }

    func testCollapsedAgreesWithGibbsOnNested() throws {
        try agreeWithGibbs(try PosteriorTestData.built("nested", "y ~ z + (1 | batch/cask)"))
    }
}
