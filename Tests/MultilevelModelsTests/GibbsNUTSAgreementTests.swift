import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// Gibbs and NUTS sample the same posterior: crossed and nested random intercepts under brms'
/// default priors, and correlated slopes under the Huang–Wand prior (which NUTS evaluates through
/// `CovariancePriorPosterior`). Every reported variable, lp__ included, agrees within 4 combined
/// MCSE (means, 2.5% and 97.5% quantiles) with R-hat < 1.01 on both sides.
final class GibbsNUTSAgreementTests: XCTestCase {
    static let verbose = ProcessInfo.processInfo.environment["GIBBS_VERBOSE"] != nil

    func gibbs(_ design: ModelDesign, _ covariance: CovariancePriors? = nil, seed: UInt64) throws -> Draws {
        let model = try GibbsModel(design: design, priors: GibbsTestSupport.priors(design), covariancePriors: covariance)
        return try GibbsSampler.sample(model: model, settings: SamplerSettings(iterations: 3000, warmup: 500, seed: seed)).draws
    }

    func nuts(_ design: ModelDesign, _ covariance: CovariancePriors? = nil, iterations: Int, seed: UInt64) throws -> Draws {
        let posterior = try CovariancePriorPosterior(design: design, family: .gaussian,
                                                     priors: GibbsTestSupport.priors(design), covariancePriors: covariance)
        let settings = SamplerSettings(iterations: iterations, warmup: 1000, seed: seed)
        let run = try NUTSSampler.sample(posterior, settings: settings)
        return constrainedDraws(run.draws, layout: posterior.layout, columnMeans: posterior.base.columnMeans)
    }

    func compare(_ design: ModelDesign, _ covariance: CovariancePriors? = nil, nutsIterations: Int = 2000) throws {
        let start = Date()
        let a = try gibbs(design, covariance, seed: 21)
        let middle = Date()
        let b = try nuts(design, covariance, iterations: nutsIterations, seed: 22)
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
        let layout = ParameterLayout(design: design, family: .gaussian)
        let statements = try CovariancePriorStatement.parseAll("cov:Subject ~ huang_wand(2, 59.3)").covariance
        let covariance = try CovariancePriors.resolve(statements, layout: layout)
        XCTAssertEqual(covariance.terms, [.huangWand(degreesOfFreedom: 2, scales: [59.3, 59.3])])
        try compare(design, covariance)
    }

    /// MCMCglmm-style priors: inverse-Wishart on the correlated term, inverse-gamma on σ².
    func testCorrelatedSlopesUnderInverseWishartAgreeWithNUTS() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let statements = try CovariancePriorStatement.parseAll("cov:Subject ~ inv_wishart(3, 400, 40); sigma2 ~ inv_gamma(0.5, 50)")
        try compare(design, try CovariancePriors.resolve(statements.covariance, layout: layout))
    }
}
