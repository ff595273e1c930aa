import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Partial non-centring per level (`PartiallyCentredGroupEffects`): on the small grouseticks of
/// `CovariateCentringTests` (broods nested in locations, hierarchically centred, with covariates)
/// the partially centred brood term has the same posterior as the centred one (log density equal
/// up to the map's log-Jacobian Σ_j (1 − λ_j) log sd, same constrained draws), its analytic
/// gradient matches finite differences, the same with weights that follow sd, and
/// `automaticPartial` takes the levels' information from the pilot.
final class PartialCentringTests: XCTestCase {
    /// λ_j = (j mod 5)/4: fully non-centred, fully centred and three weights between.
    static func weights(_ count: Int) -> [Double] { (0..<count).map { Double($0 % 5) / 4 } }

    /// The hierarchically centred posterior of `design` (both terms centred, brood on location,
    /// location on the Intercept, covariates attached) and the same with the brood term partially
    /// centred with `weights`.
    static func posteriors(_ design: ModelDesign, family: Family,
                           bothPartial: Bool = false) throws -> (plain: GLMMPosterior, partial: GLMMPosterior) {
        let layout = ParameterLayout(design: design, family: family)
        let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
        let centred = design.randomTerms.map { _ in true }
        let parents = HierarchicalCentring.parents(design: design, centred: centred)
        let brood = design.randomTerms[1].grouping.levelCount
        return (try GLMMPosterior(design: design, family: family, priors: priors, centred: centred, centringParents: parents),
                try GLMMPosterior(design: design, family: family, priors: priors, centred: centred, centringParents: parents,
                                  centringWeights: [bothPartial ? weights(12).reversed() as [Double] : nil, weights(brood)]))
    }

    /// The partial posterior's point for the plain point `y` (γ in the brood slots):
    /// x̂_j = λ_j μ_j + (γ_j − μ_j) sd^{λ_j − 1}, μ_j = γ_location + Σ_k b_k c_jk; and the
    /// log-Jacobian Σ_j (1 − λ_j) log sd of the map x̂ ↦ r.
    static func partialPoint(_ y: [Double], layout: ParameterLayout) -> (point: [Double], logJacobian: Double) {
        var x = y
        var logJacobian = 0.0
        for term in layout.terms {
            guard let weights = term.centringWeights else { continue }
            let s = y[term.sdOffset]
            for j in 0..<term.levelCount {
                var mu = 0.0
                switch term.centringParent {
                case .intercept?: mu = y[layout.interceptOffset]
                case let .term(u, parentLevel)?: mu = y[layout.terms[u].zOffset + parentLevel[j]]
                case nil: XCTFail("a partially centred term of the test is not hierarchically centred")
                }
                for covariate in term.centringCovariates { mu += y[covariate.coefficient] * covariate.values[j] }
                let lambda = term.centringWeightsFollowSD ? exp(2 * s) * weights[j] / (1 + exp(2 * s) * weights[j]) : weights[j]
                x[term.zOffset + j] = lambda * mu + (y[term.zOffset + j] - mu) * exp((lambda - 1) * s)
                logJacobian += (1 - lambda) * s
            }
        }
        return (x, logJacobian)
    }

    func testDensityDiffersFromTheCentredOneByTheLogJacobianAndDrawsAreEqual() throws {
        for (family, both) in [(Family.poisson, false), (.gaussian, false), (.poisson, true), (.gaussian, true)] {
            var (plain, partial) = try Self.posteriors(CovariateCentringTests.miniGrouseticks(family: family), family: family,
                                                       bothPartial: both)
            XCTAssertEqual(partial.layout.unconstrainedNames[partial.layout.terms[1].zOffset], "xhat_2[1,1]")
            var plainMap = ConstrainedParameters(posterior: plain)
            var partialMap = ConstrainedParameters(posterior: partial)
            for seed in [5, 6] as [UInt64] {
                let start = PosteriorTestData.point(for: plain, seed: seed, interceptGuess: 0.5, logScaleGuess: log(0.5))
                let y = HierarchicalCentringTests.shearedPoint(start, layout: plain.layout)
                let (x, logJacobian) = Self.partialPoint(y, layout: partial.layout)
                XCTAssertNotEqual(x, y)
                XCTAssertGreaterThan(abs(logJacobian), 1)
                let a = plain.logDensityAndGradient(at: y), b = partial.logDensityAndGradient(at: x)
                XCTAssertEqual(b.value, a.value + logJacobian, accuracy: 1e-10 * max(1, abs(a.value)), "\(family) both \(both) seed \(seed)")
                let u = plainMap.constrained(y), v = partialMap.constrained(x)
                for i in u.indices { XCTAssertEqual(v[i], u[i], accuracy: 1e-10 * max(1, abs(u[i])), plainMap.names[i]) }
            }
        }
    }

    func testGradientMatchesFiniteDifferences() throws {
        for family in [Family.poisson, .gaussian, .bernoulli] {
            let design = CovariateCentringTests.miniGrouseticks(family: family == .bernoulli ? .poisson : family)
            let binary = family == .bernoulli ? PosteriorTestData.design(
                formula: "y ~ year1 + year2 + height + x + (1 | location) + (1 | brood)", response: "y",
                y: design.response.map { $0 > 1 ? 1 : 0 },
                x: (0..<design.rowCount).map { i in (0..<design.fixedEffectCount).map { design.fixedEffects[i, $0] } },
                names: design.fixedEffectNames, terms: design.randomTerms) : design
            let (_, partial) = try Self.posteriors(binary, family: family)
            for seed in [1, 2] as [UInt64] {
                let start = PosteriorTestData.point(for: partial, seed: seed, interceptGuess: 0.5, logScaleGuess: log(0.5))
                let (error, name) = GradientTests.gradientError(partial, at: start)
                XCTAssertLessThanOrEqual(error, 1e-6, "\(family) seed \(seed): \(name)")
            }
        }
        // Both terms partial, the broods on the partially centred locations (γ of the parent read
        // from the scratch, D pulled back children first), the locations on the Intercept.
        for family in [Family.poisson, .gaussian] {
            let design = CovariateCentringTests.miniGrouseticks(family: family)
            let layout = ParameterLayout(design: design, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
            let parents = HierarchicalCentring.parents(design: design, centred: [true, true])
            let both = try GLMMPosterior(design: design, family: family, priors: priors, centred: [true, true],
                                         centringParents: parents, centringWeights: [Self.weights(12).reversed() as [Double], Self.weights(36)])
            XCTAssertEqual(both.layout.hierarchicalCentring.map(\.parent), ["Intercept", "location"])
            let start = PosteriorTestData.point(for: both, seed: 4, interceptGuess: 0.5, logScaleGuess: log(0.5))
            let (error, name) = GradientTests.gradientError(both, at: start)
            XCTAssertLessThanOrEqual(error, 1e-6, "\(family): \(name)")
        }
        // Partial terms without a parent (μ_j = 0), both terms, crossed-style layout.
        let design = CovariateCentringTests.miniGrouseticks(family: .poisson)
        let layout = ParameterLayout(design: design, family: .poisson)
        let priors = GradientTests.testPriors(layout, family: .poisson, scale: 2.5, location: 0.3)
        let unparented = try GLMMPosterior(design: design, family: .poisson, priors: priors, centred: [false, false],
                                           centringWeights: [Self.weights(12), (Self.weights(36).reversed() as [Double])])
        let start = PosteriorTestData.point(for: unparented, seed: 3, interceptGuess: 0.5, logScaleGuess: log(0.5))
        let (error, name) = GradientTests.gradientError(unparented, at: start)
        XCTAssertLessThanOrEqual(error, 1e-6, name)
    }

    /// Information per level for weights that follow sd: 0 (always non-centred) and 0.3 to 30.
    static func information(_ count: Int) -> [Double] {
        (0..<count).map { j -> Double in
            let k = j % 5
            return k == 0 ? 0 : 0.3 * pow(10, Double(k - 1) * 2 / 3)
        }
    }

    /// Weights that follow sd (λ_j = sd² I_j/(1 + sd² I_j), `PartiallyCentredGroupEffects`): the
    /// same posterior as the centred one (log density up to Σ_j (1 − λ_j(s)) s, equal draws) and
    /// the analytic gradient, with the extra ∂λ_j/∂s terms, against finite differences — one and
    /// both terms partial, gaussian and poisson, at small and large sds.
    func testWeightsFollowingTheSDKeepThePosteriorAndTheGradient() throws {
        for (family, both) in [(Family.poisson, false), (.gaussian, false), (.poisson, true), (.gaussian, true)] {
            let design = CovariateCentringTests.miniGrouseticks(family: family)
            let layout = ParameterLayout(design: design, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
            let centred = design.randomTerms.map { _ in true }
            let parents = HierarchicalCentring.parents(design: design, centred: centred)
            var plain = try GLMMPosterior(design: design, family: family, priors: priors, centred: centred, centringParents: parents)
            var partial = try GLMMPosterior(design: design, family: family, priors: priors, centred: centred,
                                            centringParents: parents,
                                            centringWeights: [both ? Self.information(12).reversed() as [Double] : nil,
                                                              Self.information(36)],
                                            centringWeightsFollowSD: [true, true])
            XCTAssertTrue(partial.layout.terms[1].centringWeightsFollowSD)
            var plainMap = ConstrainedParameters(posterior: plain), partialMap = ConstrainedParameters(posterior: partial)
            for (seed, logScale) in [(5, log(0.05)), (6, log(0.5)), (7, log(3.0))] as [(UInt64, Double)] {
                let start = PosteriorTestData.point(for: plain, seed: seed, interceptGuess: 0.5, logScaleGuess: logScale)
                let y = HierarchicalCentringTests.shearedPoint(start, layout: plain.layout)
                let (x, logJacobian) = Self.partialPoint(y, layout: partial.layout)
                let a = plain.logDensityAndGradient(at: y), b = partial.logDensityAndGradient(at: x)
                XCTAssertEqual(b.value, a.value + logJacobian, accuracy: 1e-10 * max(1, abs(a.value)),
                               "\(family) both \(both) seed \(seed)")
                let u = plainMap.constrained(y), v = partialMap.constrained(x)
                for i in u.indices { XCTAssertEqual(v[i], u[i], accuracy: 1e-10 * max(1, abs(u[i])), plainMap.names[i]) }
                let (error, name) = GradientTests.gradientError(partial, at: x)
                XCTAssertLessThanOrEqual(error, 1e-6, "\(family) both \(both) seed \(seed): \(name)")
            }
        }
    }

    /// `automaticPartial` partially centres both one-column terms (broods and the locations they
    /// are hierarchically centred on) with weights that follow sd: the stored values are the
    /// pilot's level information (the marginal one for the locations, `NestedLevelInformation`),
    /// so λ_j = sd² I_j/(1 + sd² I_j) lies in [0, 1] and increases with the level's information.
    func testAutomaticRuleTakesTheLevelInformationFromThePilot() throws {
        let design = CovariateCentringTests.miniGrouseticks(family: .poisson)
        let (centred, parents, weights, followSD) = try ParameterisationChoice.automaticPartial
            .parameterisationWithWeights(design: design, family: .poisson)
        let perTerm = try ParameterisationChoice.automatic.parameterisation(design: design, family: .poisson)
        XCTAssertEqual(centred, perTerm.centred)
        // Every one-column term is (partially) centred, so both are hierarchically centred, whatever
        // the per-term rule chose (it now leaves the locations non-centred: `NestedParameterisationTests`).
        XCTAssertEqual(parents, HierarchicalCentring.parents(design: design, centred: [true, true]))
        XCTAssertEqual(followSD, [true, true])
        let pilot = ParameterisationPilot(design: design, family: .poisson)
        XCTAssertEqual(pilot.hasNestedTerm, [true, false])
        XCTAssertEqual(weights[0], pilot.levelInformation[0])
        XCTAssertEqual(weights[1], pilot.levelInformation[1])
        let brood = try XCTUnwrap(weights[1]), location = try XCTUnwrap(weights[0])
        XCTAssertEqual(brood.count, 36)
        XCTAssertEqual(location.count, 12)
        XCTAssertTrue(brood.allSatisfy { $0 >= 0 && $0.isFinite } && location.allSatisfy { $0 >= 0 && $0.isFinite })
        XCTAssertGreaterThan(brood.max()! - brood.min()!, 0.1, "the levels' information differs")
        // The marginal information of a location is below its rows' (its broods' sum).
        let layout = ParameterLayout(design: design, family: .poisson)
        let parentLevel = try XCTUnwrap(HierarchicalCentring.parentLevels(of: design.randomTerms[1].grouping,
                                                                           in: design.randomTerms[0].grouping))
        var rows = [Double](repeating: 0, count: 12)
        for (b, k) in parentLevel.enumerated() { rows[k] += brood[b] }
        for k in 0..<12 where rows[k] > 0 { XCTAssertLessThan(location[k], rows[k]) }
        // The layout of the fit stores them with the flag, and λ_j follows sd.
        let posterior = try GLMMPosterior(design: design, family: .poisson,
                                          priors: GradientTests.testPriors(layout, family: .poisson, scale: 2.5, location: 0.3),
                                          centred: centred, centringParents: parents, centringWeights: weights,
                                          centringWeightsFollowSD: followSD)
        XCTAssertTrue(posterior.layout.terms.allSatisfy(\.centringWeightsFollowSD))
        for (information, variance) in [(brood[1], 0.01), (brood[1], 1.0), (brood[1], 100.0)] {
            let lambda = PartiallyCentredGroupEffects.weight(information, variance: variance, followsSD: true)
            XCTAssertEqual(lambda, variance * information / (1 + variance * information), accuracy: 1e-15)
        }
        XCTAssertEqual(PartiallyCentredGroupEffects.weight(0, variance: .infinity, followsSD: true), 0)
        XCTAssertEqual(PartiallyCentredGroupEffects.weight(2, variance: .infinity, followsSD: true), 1)
        // Broods nested in locations: `automatic` partially centres too.
        let nested = try ParameterisationChoice.automatic.parameterisationWithWeights(design: design, family: .poisson)
        XCTAssertEqual(nested.centringWeights, weights)
        XCTAssertEqual(nested.centringParents, parents)
        XCTAssertEqual(nested.centringWeightsFollowSD, [true, true])
        let crossed = CentredParameterisationTests.richAndSparse(family: .poisson)
        let none = try ParameterisationChoice.automatic.parameterisationWithWeights(design: crossed, family: .poisson)
        XCTAssertTrue(none.centringWeights.allSatisfy { $0 == nil })
        XCTAssertTrue(none.centringWeightsFollowSD.allSatisfy { !$0 })
    }
}
