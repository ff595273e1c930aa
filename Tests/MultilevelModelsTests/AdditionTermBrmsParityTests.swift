import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The addition terms `weights()` (each row's log-likelihood times w, not lme4's σ²/w),
/// `cens(c, y2)` with left, right and interval censoring, and `se(s, sigma = TRUE)`
/// (y_i ~ N(μ, s_i² + σ²), BCG without a group-level term) against brms 2.18
/// (scripts/references/formula_addition_terms.R, 4 × 5000 draws, default priors): posterior means
/// and 2.5%/97.5% quantiles within the family-wise bound of combined Monte-Carlo standard errors
/// (`PosteriorBrmsParityTests.parity`), one model after the other. Sampler-heavy: run with -c release.
extension PosteriorBrmsParityTests {
    func testAdditionTermsAgainstBrms() throws {
        let models: [(fixture: String, csv: String, formula: String)] = [
            ("brms_weights_gaussian", "weights", "y | weights(w) ~ x + (1 | g)"),
            ("brms_cens_gaussian", "censored_gaussian", "y | cens(cens, y2) ~ x + (1 | g)"),
            ("brms_se_sigma_bcg", "dat_bcg", "yi | se(sei, sigma = TRUE) ~ 1"),
        ]
        for (k, model) in models.enumerated() {
            try parity(model.fixture, PosteriorTestData.built(model.csv, model.formula), family: .gaussian,
                       seed: 41 + UInt64(k), label: "\(#function) \(model.fixture)")
        }
    }
}
