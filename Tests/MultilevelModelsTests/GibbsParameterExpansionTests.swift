import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The parameter-expanded Gibbs update (`ParameterExpandedScale`) on lme4's Pastes,
/// `strength ~ 1 + (1 | batch/cask)`, whose batch standard deviation is near zero beside the cask
/// one (REML: 1.29 vs 2.90): the plain Gibbs sampler gave R-hat 1.010 for sd_batch after
/// 4 × 5,000 draws. With the expansion, 4 × (500 + 1,000) draws must give R-hat < 1.01 and bulk-ESS
/// ≥ 400 for every variable, and agree with the collapsed sampler (which integrates the effects out,
/// a different algorithm) in mean and 2.5% / 97.5% quantiles within the family-wise MCSE bound
/// (`GibbsTestSupport.assertAgrees`). The known-posterior checks of the Gibbs sampler
/// (`GibbsConjugateTests`, `GibbsBrmsParityTests`, `GibbsNUTSAgreementTests`) run the expanded
/// update too: every term of theirs with brms' default half-t sd prior takes it.
final class GibbsParameterExpansionTests: XCTestCase {
    func testPastesBatchStandardDeviationMixesAndAgreesWithCollapsed() throws {
        let design = try PosteriorTestData.built("Pastes", "strength ~ 1 + (1 | batch/cask)")
        let (priors, covariance) = try GibbsTestSupport.priors(design, "")
        let model = try GibbsModel(design: design, priors: priors, covariancePriors: covariance)
        let kernel = GibbsSampler(model: model)
        XCTAssertTrue(kernel.groups.allSatisfy { $0.expansion != nil }, "both terms take the expanded update")
        let gibbs = try GibbsSampler.sample(model: model, settings: SamplerSettings(iterations: 1500, warmup: 500, seed: 5)).draws
        let rhat = rankNormalizedSplitRhat(GibbsTestSupport.sequences(gibbs, "sd_batch__Intercept"))
        print("Pastes Gibbs sd_batch R-hat \(rhat), bulk-ESS \(bulkEffectiveSampleSize(GibbsTestSupport.sequences(gibbs, "sd_batch__Intercept")))")
        XCTAssertLessThan(rhat, 1.01)
        let collapsed = try BayesianFit.runMarginal(design: design,
                                                    settings: SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 6))
        let names = gibbs.variableNames.filter { !$0.hasSuffix("__") && collapsed.draws.index(of: $0) != nil }
        XCTAssertEqual(names.count, 1 + 2 + 1 + 10 + 30)
        let comparisons = GibbsTestSupport.assertAgrees(gibbs, collapsed.draws, names: names)
        print("Pastes Gibbs vs collapsed: \(comparisons.count) comparisons, largest |z| \(comparisons.map { abs($0.zScore) }.max() ?? .nan)")
    }
}
