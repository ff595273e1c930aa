import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The Gibbs sampler's partially collapsed sd step (`CollapsedScaleUpdate`): on lme4's Pastes
/// (`strength ~ 1 + (1 | batch/cask)`, the batch sd near zero beside the cask sd) it mixes the
/// batch sd (R-hat < 1.01 in 4 × 5,000, far more bulk-ESS than the plain Gibbs update), its draws
/// agree with the collapsed NUTS sampler's within the family-wise MCSE bound, and simulation-based
/// calibration on the crossed model of `CollapsedSBCTests` passes.
final class CollapsedScaleUpdateTests: XCTestCase {
    static func pastes() throws -> ModelDesign {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let table = try DataTable.read(contentsOf: root.appendingPathComponent("models/suite/Pastes.csv"))
        return try ModelDesign.build(formula: Formula.parse("strength ~ 1 + (1 | batch/cask)"), table: table)
    }

    func testPastesBatchScaleMixesAndAgreesWithCollapsedNUTS() throws {
        let design = try Self.pastes()
        let model = try GibbsModel(design: design, priors: GibbsTestSupport.priors(design))
        XCTAssertEqual(model.collapsedScales?.terms, [0, 1])
        let settings = SamplerSettings(iterations: 6000, warmup: 1000, chains: 4, seed: 5)
        let gibbs = try GibbsSampler.sample(model: model, settings: settings).draws
        let summary = summarize(draws: gibbs).variables.filter { !$0.name.hasSuffix("__") && $0.rhat.isFinite }
        let worst = summary.max { $0.rhat < $1.rhat }!
        XCTAssertLessThan(worst.rhat, 1.01, worst.name)
        let batch = try XCTUnwrap(summary.first { $0.name == "sd_batch__Intercept" })
        var plainModel = model
        plainModel.collapsedScales = nil
        let plain = try GibbsSampler.sample(model: plainModel, settings: settings).draws
        let plainBatch = try XCTUnwrap(summarize(draws: plain).variables.first { $0.name == "sd_batch__Intercept" })
        print("Pastes sd_batch bulk-ESS \(batch.essBulk) (R-hat \(batch.rhat)) against \(plainBatch.essBulk) "
              + "(R-hat \(plainBatch.rhat)) without the collapsed step; worst R-hat \(worst.rhat) (\(worst.name))")
        XCTAssertGreaterThan(batch.essBulk, 2 * plainBatch.essBulk)
        let nuts = try BayesianFit.runMarginal(design: design, settings: SamplerSettings(iterations: 3000, warmup: 1000,
                                                                                          chains: 4, seed: 6))
        let names = ["b_Intercept", "sd_batch__Intercept", "sd_batch:cask__Intercept", "sigma"]
        _ = GibbsTestSupport.assertAgrees(gibbs, nuts.draws, names: names)
    }

    /// SBC of the Gibbs sampler with the collapsed step (half-t(3, 0, 1) sds, which the Gibbs
    /// sampler updates conjugately, so many replications draw an sd near zero).
    func testRanksAreUniformForGibbsWithCollapsedScales() throws {
        _ = try CollapsedSBCTests.calibrate(priors: "Intercept ~ normal(0, 2); sd ~ student_t(3, 0, 1); sigma ~ student_t(3, 0, 1)",
                                            drawScale: { abs($0.nextStudentT(degreesOfFreedom: 3)) },
                                            drawSigma: { abs($0.nextStudentT(degreesOfFreedom: 3)) }) { design, priors, settings in
            let fit = try GibbsSampler.fit(design: design, family: .gaussian, priors: priors, settings: settings)
            return (fit.draws, 0)
        }
    }
}
