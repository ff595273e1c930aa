import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// With brms' default priors and random intercepts only, the Gibbs sampler targets brms' posterior:
/// its draws agree with brms 2.18's long runs (4 × 5000 draws) within Monte Carlo error.
final class GibbsBrmsParityTests: XCTestCase {
    func run(_ design: ModelDesign, seed: UInt64) throws -> Draws {
        let model = try GibbsModel(design: design, priors: GibbsTestSupport.priors(design))
        let settings = SamplerSettings(iterations: 6000, warmup: 500, chains: 4, seed: seed)
        return try GibbsSampler.sample(model: model, settings: settings).draws
    }

    func testSleepstudyRandomInterceptsMatchBrms() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: false)
        let draws = try run(design, seed: 11)
        let reference = try GibbsTestSupport.brmsReference("brms_sleepstudy_intercepts")
        let names = draws.variableNames.filter { $0 != "lp__" }
        XCTAssertEqual(Set(names), Set(reference.keys))
        let comparisons = GibbsTestSupport.assertAgrees(draws, brms: reference, names: names)
        XCTAssertEqual(comparisons.count, 3 * 22)
        if ProcessInfo.processInfo.environment["GIBBS_VERBOSE"] != nil { comparisons.forEach { print($0) } }
    }

    func testDyestuffMatchesBrms() throws {
        let design = try PosteriorTestData.dyestuff()
        let draws = try run(design, seed: 12)
        let reference = try GibbsTestSupport.brmsReference("brms_dyestuff")
        let names = draws.variableNames.filter { $0 != "lp__" }
        XCTAssertEqual(Set(names), Set(reference.keys))
        let comparisons = GibbsTestSupport.assertAgrees(draws, brms: reference, names: names)
        if ProcessInfo.processInfo.environment["GIBBS_VERBOSE"] != nil { comparisons.forEach { print($0) } }
    }
}
