import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// `--show-priors` of a distributional model against brms 2.18's prior_summary.
final class DistributionalPriorSummaryTests: XCTestCase {
    /// The prior table against brms' prior_summary of the reference fit (prior, class, coef, group,
    /// dpar; inheriting rows with an empty prior).
    func testPriorSummaryMatchesBrms() throws {
        for (fixture, csv, formula, family) in [
            ("brms_sleepstudy_sigma_days", "sleepstudy", "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)", Family.gaussian),
            ("brms_sleepstudy_sigma_subject", "sleepstudy", "bf(Reaction ~ Days + (Days | Subject), sigma ~ 1 + (1 | Subject))", Family.gaussian),
            ("brms_zip_zi_salamanders", "Salamanders", "bf(count ~ mined + (1 | site), zi ~ mined)", Family.zeroInflatedPoisson),
        ] {
            guard let url = Bundle.module.url(forResource: fixture, withExtension: "json", subdirectory: "Fixtures") else {
                XCTFail("\(fixture) missing")
                continue
            }
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let rows = try XCTUnwrap(object["priors"] as? [String: [String: String]])
            let theirs = Set(rows.values.map { [$0["prior"]!, $0["class"]!, $0["coef"]!, $0["group"]!, $0["dpar"]!].joined(separator: "|") })
            let parsed = try DistributionalFormula.parse(formula)
            let design = try DistributionalDesign.build(formula: parsed, table: try DistributionalRegressionTests.table(csv), family: family)
            let posterior = try DistributionalPosterior(design: design, family: family)
            let ours = Set(posterior.priorSummaryRows(design: design).rows.map { [$0[0], $0[1], $0[2], $0[3], $0[4]].joined(separator: "|") })
            XCTAssertEqual(ours, theirs, "\(fixture): ours only \(ours.subtracting(theirs)), brms only \(theirs.subtracting(ours))")
        }
    }
}
