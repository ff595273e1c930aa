import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// `--show-priors` (`PriorSet.defaults(...)`) against brms 2.18's prior_summary for the families
/// of issue 19 not covered by their own family tests (beta, cumulative, skew_normal and
/// hurdle_lognormal are): zero_inflated_poisson, zero_inflated_negbinomial and hurdle_poisson on
/// Salamanders and weibull with cens() on kidney — the prior_summary rows stored with the v2
/// reference fits — and hurdle_negbinomial, exponential and weibull without censoring, from
/// `prior_summary(brm(..., empty = TRUE))` (scripts/references/brms_prior_summaries.R). Every row
/// (prior, class, coef, group) must be brms' and no other; the order is not compared: brms' own
/// prints list `b` before `Intercept` (as ours does), the v2 files after it.
final class FamilyPriorSummaryTests: XCTestCase {
    static let salamanders = "count ~ mined + spp + (1 | site)"
    static let kidney = "time ~ age + sex + (1 | patient)"

    func assertSetAsBrms(_ fixture: String, csv: String, formula: String, family: Family,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let design = try PosteriorTestData.built(csv, formula)
        let ours = SkewNormalFamilyTests.priorKeys(PriorSet.defaults(for: design, family: family))
        XCTAssertEqual(ours, try SkewNormalFamilyTests.brmsPriorKeys(fixture), "\(fixture)", file: file, line: line)
    }

    func testZeroInflatedPoisson() throws {
        try assertSetAsBrms("brms_zip_salamanders", csv: "Salamanders", formula: Self.salamanders, family: .zeroInflatedPoisson)
    }

    func testZeroInflatedNegativeBinomial() throws {
        try assertSetAsBrms("brms_zinb_salamanders", csv: "Salamanders", formula: Self.salamanders,
                             family: .zeroInflatedNegativeBinomial)
    }

    func testHurdlePoisson() throws {
        try assertSetAsBrms("brms_hurdle_poisson_salamanders", csv: "Salamanders", formula: Self.salamanders,
                             family: .hurdlePoisson)
    }

    func testWeibullCensored() throws {
        try assertSetAsBrms("brms_weibull_kidney", csv: "kidney", formula: "time | cens(censored) ~ age + sex + (1 | patient)",
                             family: .weibull)
    }

    func testHurdleNegativeBinomial() throws {
        try assertSetAsBrms("brms_priors_hurdle_negbinomial_salamanders", csv: "Salamanders", formula: Self.salamanders,
                            family: .hurdleNegativeBinomial)
    }

    func testExponential() throws {
        try assertSetAsBrms("brms_priors_exponential_kidney", csv: "kidney", formula: Self.kidney, family: .exponential)
    }

    func testWeibull() throws {
        try assertSetAsBrms("brms_priors_weibull_kidney", csv: "kidney", formula: Self.kidney, family: .weibull)
    }
}
