import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// Gibbs and NUTS sample the same posterior: crossed and nested random intercepts under brms'
/// default priors, and correlated slopes under the Huang–Wand prior (which `GLMMPosterior`
/// evaluates) and under MCMCglmm's inverse-Wishart / inverse-gamma priors (`CovariancePriorPosterior`).
/// Every reported variable, lp__ included, agrees in mean, 2.5% and 97.5% quantiles within the
/// family-wise bound on |z| = |difference| / combined MCSE (`MonteCarloTolerance.familyWiseMCSEBound`:
/// 6.21 for the 129 checks of sleepstudy slopes, 6.36 for the 198 of the nested model, 6.48 for
/// the 273 of the crossed one), with R-hat within `MonteCarloTolerance.rhatBound` and bulk-ESS ≥ 400
/// on both sides.
///
/// Seed sweeps (default libm, seeds 21 + 100k / 22 + 100k, k = 0…): max |z| per run 1.9–3.65 over
/// 12 runs of the Huang–Wand model (its sd_Subject__Days q97.5 z: mean −0.05, |z| ≤ 2.24, so the
/// 4.67 on the FMA-less libm at the seeds below is a tail event, not a bias), 2.4–4.06 over 10
/// runs of the crossed model, 2.3–4.67 over 8 of the nested, 2.4–3.9 over 8 of the
/// inverse-Wishart model; z pooled over runs has sd 1.02–1.13 with t₃₀-like tails. The former
/// bound 4 and R-hat < 1.01 failed 4 of these 38 runs. A difference of ≈ 0.15–0.25 posterior sd in
/// any mean or quantile still fails (combined MCSE ≈ 0.025–0.04 sd here).
/// The crossed model's NUTS run is longer (3,000 draws a chain): b_Intercept and the means of the
/// crossed effects form a ridge in the non-centred parameterisation, so NUTS gets only 250–600
/// bulk-ESS of b_Intercept from 4 × 1,000 draws (R-hat up to 1.009 in the sweep, 1.02 in one run
/// on the FMA-less libm); with 4 × 3,000 it is 1,100–1,800. A sampler property, not an error of either sampler: Gibbs mixes it
/// by the joint (β, b) block draw.
final class GibbsNUTSAgreementTests: XCTestCase {
    static let verbose = ProcessInfo.processInfo.environment["GIBBS_VERBOSE"] != nil

    func compare(_ design: ModelDesign, priors text: String = "", nutsIterations: Int = 2000,
                 label: String = #function) throws {
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
        let comparisons = GibbsTestSupport.assertAgrees(a, b, label: label)
        XCTAssertEqual(comparisons.count, 3 * a.variableCount)
        if Self.verbose {
            print("Gibbs \(middle.timeIntervalSince(start)) s, NUTS \(Date().timeIntervalSince(middle)) s")
            comparisons.filter { !$0.name.hasPrefix("r_") || abs($0.zScore) > 2.5 }.forEach { print($0) }
        }
    }

    func testCrossedRandomInterceptsAgreeWithNUTS() throws {
        try compare(PosteriorTestData.built("crossed", "y ~ x + (1 | g1) + (1 | g2)"), nutsIterations: 4000)
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
