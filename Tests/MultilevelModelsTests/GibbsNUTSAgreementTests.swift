import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// Gibbs and NUTS sample the same posterior: crossed and nested random intercepts under brms'
/// default priors, and correlated slopes under the Huang–Wand prior (which `GLMMPosterior`
/// evaluates) and under MCMCglmm's inverse-Wishart / inverse-gamma priors (`CovariancePriorPosterior`). Every reported variable, lp__ included, agrees within 4 combined
/// MCSE (means, 2.5% and 97.5% quantiles) with R-hat < 1.01 on both sides.
final class GibbsNUTSAgreementTests: XCTestCase {
    static let verbose = ProcessInfo.processInfo.environment["GIBBS_VERBOSE"] != nil

    func compare(_ design: ModelDesign, priors text: String = "", nutsIterations: Int = 2000) throws {
        let (priors, covariance) = try GibbsTestSupport.priors(design, text)
        let start = Date()
        let model = try GibbsModel(design: design, priors: priors, covariancePriors: covariance)
        let a = try GibbsSampler.sample(model: model, settings: SamplerSettings(iterations: 3000, warmup: 500, seed: 21)).draws
        let middle = Date()
        let posterior = try CovariancePriorPosterior(design: design, family: .gaussian, priors: priors,
                                                     covariancePriors: covariance)
        let run = try NUTSSampler.sample(posterior, settings: SamplerSettings(iterations: nutsIterations, warmup: 1000, seed: 22))
        let b = logPosteriorAndConstrained(run.draws, layout: posterior.layout, columnMeans: posterior.base.columnMeans)
        XCTAssertEqual(a.variableNames, b.variableNames)
        let comparisons = GibbsTestSupport.assertAgrees(a, b)
        XCTAssertEqual(comparisons.count, 3 * a.variableCount)
        if Self.verbose {
            print("Gibbs \(middle.timeIntervalSince(start)) s, NUTS \(Date().timeIntervalSince(middle)) s")
            comparisons.filter { !$0.name.hasPrefix("r_") || abs($0.zScore) > 2.5 }.forEach { print($0) }
        }
    }

    func testCrossedRandomInterceptsAgreeWithNUTS() throws {
        try compare(PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)"))
    }

    func testNestedRandomInterceptsAgreeWithNUTS() throws {
        try compare(PosteriorTestData.built("nested", "y ~ z + (1 | batch/cask)"))
    }

    func testCorrelatedSlopesUnderHuangWandAgreeWithNUTS() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        XCTAssertEqual(try GibbsTestSupport.priors(design, "cov:Subject ~ huang_wand(2, 59.3)").0.covariance,
                       [.huangWand(degreesOfFreedom: 2, scales: [59.3])])
        try compare(design, priors: "cov:Subject ~ huang_wand(2, 59.3)")
    }

    /// MCMCglmm-style priors: inverse-Wishart on the correlated term, inverse-gamma on σ².
    func testCorrelatedSlopesUnderInverseWishartAgreeWithNUTS() throws {
        try compare(PosteriorTestData.sleepstudy(slopes: true),
                    priors: "cov:Subject ~ inv_wishart(3, 400, 40); sigma2 ~ inv_gamma(0.5, 50)")
    }
}
