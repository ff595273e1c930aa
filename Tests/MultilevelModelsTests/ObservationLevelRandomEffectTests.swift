import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// An observation-level random effect in a Poisson GLMM (issue 19, point 3): glmer accepts
/// `(1 | INDEX)` with one level per row (glmerControl's count checks are "ignore"); the fit of
/// `TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX)` on grouseticks against lme4 1.1-31
/// (scripts/references/glmer_extended_families.R). lmer's check stays for gaussian models.
final class ObservationLevelRandomEffectTests: XCTestCase {
    static let formula = "TICKS ~ YEAR + cHEIGHT + (1 | LOCATION) + (1 | INDEX)"

    func testPoissonWithOneLevelPerRowMatchesGlmer() throws {
        let design = try PosteriorTestData.built("grouseticks", Self.formula)
        XCTAssertEqual(design.randomTerms.first { $0.grouping.name == "INDEX" }?.grouping.levelCount, design.rowCount)
        let fit = try GeneralizedLinearMixedModel(design: design, family: .poisson).fit()
        XCTAssertTrue(fit.converged, "\(fit.warnings)")
        try GlmerExtendedReference.assertMatches(fit, "olre_poisson_tight")
    }

    func testGaussianKeepsLmersCheck() throws {
        let design = try PosteriorTestData.built("grouseticks", "cHEIGHT ~ YEAR + (1 | INDEX)")
        XCTAssertThrowsError(try LinearMixedModel(design: design)) {
            XCTAssertTrue("\($0)".contains("number of levels of each grouping factor must be < number of observations"), "\($0)")
        }
    }
}
