import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The addition terms `weights()`, `cens(c, y2)` with interval censoring and `se(s, sigma = TRUE)`
/// against brms 2.18 (scripts/references/formula_addition_terms.R, 4 × 5000
/// draws, default priors): posterior means and 2.5%/97.5% quantiles within the family-wise bound of
/// combined Monte-Carlo standard errors (`PosteriorBrmsParityTests.parity`). Sampler-heavy: run
/// with -c release.
extension PosteriorBrmsParityTests {
    /// brms' `y | weights(w)`: each row's log-likelihood times w (not lme4's σ²/w).
    func testWeightsGaussianBrms() throws {
        try parity("brms_weights_gaussian", PosteriorTestData.built("weights", "y | weights(w) ~ x + (1 | g)"),
                   family: .gaussian, seed: 41)
    }

    /// Left, right and interval censoring (codes −1/0/1/2, `cens(cens, y2)`).
    func testIntervalCensoredGaussianBrms() throws {
        try parity("brms_cens_gaussian", PosteriorTestData.built("censored_gaussian", "y | cens(cens, y2) ~ x + (1 | g)"),
                   family: .gaussian, seed: 42)
    }

    /// Known standard errors plus a residual SD: y_i ~ N(μ, sei² + σ²), the random-effects
    /// meta-analysis written without a group-level term.
    func testStandardErrorsWithSigmaBCGBrms() throws {
        try parity("brms_se_sigma_bcg", PosteriorTestData.built("dat_bcg", "yi | se(sei, sigma = TRUE) ~ 1"),
                   family: .gaussian, seed: 43)
    }
}
