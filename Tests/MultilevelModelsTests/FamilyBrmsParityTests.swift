import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// brms parity for the crossed Poisson and Bernoulli models of issue 6 (data and fits:
/// scripts/references/glmer_families.R and brms_families.R; brms 2.18, 4 × 5000 draws): means within
/// 4 combined MCSEs, 2.5%/97.5% quantiles within 4 combined quantile MCSEs, R̂ < 1.01.
/// Sampler-heavy: run with -c release.
extension PosteriorBrmsParityTests {
    func testPoissonCrossed() throws {
        try parity("brms_poisson_crossed", PosteriorTestData.built("glmer_crossed", "count ~ x + (1 | site) + (1 | rater)"),
                   family: .poisson, seed: 21)
    }

    /// glmmTMB's Salamanders counts (v2 references, brms 2.18, 4 × 5000 draws).
    func testZeroInflatedPoissonSalamanders() throws {
        try parity("brms_zip_salamanders", PosteriorTestData.built("Salamanders", "count ~ mined + spp + (1 | site)"),
                   family: .zeroInflatedPoisson, seed: 23)
    }

    func testZeroInflatedNegativeBinomialSalamanders() throws {
        try parity("brms_zinb_salamanders", PosteriorTestData.built("Salamanders", "count ~ mined + spp + (1 | site)"),
                   family: .zeroInflatedNegativeBinomial, seed: 24)
    }

    func testHurdlePoissonSalamanders() throws {
        try parity("brms_hurdle_poisson_salamanders",
                   PosteriorTestData.built("Salamanders", "count ~ mined + spp + (1 | site)"),
                   family: .hurdlePoisson, seed: 25)
    }

    /// brms `binomial("probit")` on cbpp (v2 reference, brms 2.18, 4 × 5000 draws): the probit
    /// link through `LinkedFamily`.
    func testCbppProbit() throws {
        try parity("brms_probit_cbpp", PosteriorTestData.cbpp(), family: Family(name: "binomial(\"probit\")"), seed: 26)
    }

    /// brms `Beta()` on the Democratic share of the presidential vote by state and election
    /// (pscl's presidentialElections, v2 reference, brms 2.18, 4 × 5000 draws).
    func testBetaPresidential() throws {
        try parity("brms_beta_presidential",
                   PosteriorTestData.built("presidentialElections", "demShare ~ south + (1 | state) + (1 | year)"),
                   family: .beta, seed: 27)
    }

    /// brms `cumulative("logit")` on the inhaler crossover trial (brms' `inhaler` data, v2 reference,
    /// brms 2.18, 4 × 5000 draws): thresholds b_Intercept[1…3], b, sd.
    func testCumulativeInhaler() throws {
        try parity("brms_cumulative_inhaler", CumulativeFamilyTests.inhaler(), family: .cumulative, seed: 28)
    }

    func testBernoulliCrossed() throws {
        try parity("brms_bernoulli_crossed", PosteriorTestData.built("glmer_crossed", "success ~ x + (1 | site) + (1 | rater)"),
                   family: .bernoulli, seed: 22)
    }
}

/// brms 2.18 parity for the skew_normal and hurdle_lognormal families (issue 19) on simulated
/// data, 30 groups × 10 rows (scripts/references/brms_skew_normal_hurdle_lognormal.R; brms 4 × 2000
/// draws): means within the family-wise number of combined MCSEs, quantiles likewise, R̂ < 1.01.
extension PosteriorBrmsParityTests {
    func testSkewNormalSimulated() throws {
        try parity("brms_skew_normal_sim", PosteriorTestData.built("skew_normal_sim", "y ~ x + (1 | g)"),
                   family: .skewNormal, seed: 28)
    }

    func testHurdleLognormalSimulated() throws {
        try parity("brms_hurdle_lognormal_sim", PosteriorTestData.built("hurdle_lognormal_sim", "y ~ x + (1 | g)"),
                   family: .hurdleLognormal, seed: 29)
    }
}
