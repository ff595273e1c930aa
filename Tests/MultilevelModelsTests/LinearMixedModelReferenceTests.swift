import XCTest
import MultilevelData
@testable import MultilevelModels

/// Every frequentist lme4 1.1-31 reference (sleepstudy, Dyestuff, radon) at the tolerances.
final class LinearMixedModelReferenceTests: XCTestCase {
    func testSleepstudySlopesREML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes")).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("sleepstudy_slopes_reml"))
    }

    func testSleepstudySlopesML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes")).fit(method: .ml)
        assertMatchesReference(fit, try RemlFixtures.reference("sleepstudy_slopes_ml"))
    }

    func testSleepstudyInterceptsREML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.sleepstudy("intercepts")).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("sleepstudy_intercepts_reml"))
    }

    func testSleepstudyUncorrelatedREML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.sleepstudy("uncorrelated")).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("sleepstudy_uncorrelated_reml"))
    }

    func testDyestuffREMLAndML() throws {
        let model = try LinearMixedModel(design: RemlFixtures.dyestuff())
        assertMatchesReference(try model.fit(method: .reml), try RemlFixtures.reference("dyestuff_reml"))
        assertMatchesReference(try model.fit(method: .ml), try RemlFixtures.reference("dyestuff_ml"))
    }

    func testRadonFloorREML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.radon(uranium: false)).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("radon_floor_reml"))
    }

    func testRadonUraniumREML() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.radon(uranium: true)).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("radon_uranium_reml"))
    }
}
