import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// glmer's nAGQ > 1 (issue 19, point 3): the Gauss–Hermite rule, and fits with 9 and 25
/// quadrature points against lme4 1.1-31 (scripts/references/glmer_extended_families.R) to 1e-4.
final class AdaptiveGaussHermiteQuadratureTests: XCTestCase {
    /// Σ wₖ zₖ^m = E Z^m for m < 2n: 0 for odd m, (m − 1)!! for even m.
    func testRuleIntegratesPolynomialsExactly() {
        for n in [1, 2, 5, 9, 25, 60] {
            let rule = GaussHermiteRule(points: n)
            XCTAssertEqual(rule.weights.reduce(0, +), 1, accuracy: 1e-14)
            for m in 0..<min(2 * n, 24) {
                let moment = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(m)) }
                // Rounding scales with Σ wₖ|zₖ|^m, which for odd m is about E|Z|^m.
                let absolute = zip(rule.nodes, rule.weights).reduce(0.0) { $0 + $1.1 * pow(abs($1.0), Double(m)) }
                let expected = m % 2 == 1 ? 0 : stride(from: Double(m - 1), to: 0, by: -2).reduce(1, *)
                XCTAssertEqual(moment, expected, accuracy: 1e-11 * max(1, absolute), "n \(n), m \(m)")
            }
        }
        // GHrule(3): 0 with weight 2/3, ±√3 with 1/6.
        let three = GaussHermiteRule(points: 3)
        XCTAssertEqual(three.nodes[2], 3.0.squareRoot(), accuracy: 1e-15)
        XCTAssertEqual(three.weights[1], 2.0 / 3, accuracy: 1e-15)
    }

    func fit(_ csv: String, _ formula: String, _ family: Family, points: Int) throws -> GeneralizedLinearMixedModelFit {
        var model = try GeneralizedLinearMixedModel(design: PosteriorTestData.built(csv, formula), family: family)
        model.quadraturePoints = points
        return try model.fit()
    }

    func testCbppBinomialNine() throws {
        let fit = try fit("cbpp", "incidence | trials(size) ~ period + (1 | herd)", .binomial, points: 9)
        XCTAssertEqual(fit.quadraturePoints, 9)
        try GlmerExtendedReference.assertMatches(fit, "agq9_cbpp")
    }

    func testBernoulliNineAndTwentyFive() throws {
        try GlmerExtendedReference.assertMatches(try fit("glmer_crossed", "success ~ x + (1 | site)", .bernoulli, points: 9), "agq9_bernoulli")
        try GlmerExtendedReference.assertMatches(try fit("glmer_crossed", "success ~ x + (1 | site)", .bernoulli, points: 25), "agq25_bernoulli")
    }

    func testPoissonNine() throws {
        try GlmerExtendedReference.assertMatches(try fit("glmer_crossed", "count ~ x + (1 | site)", .poisson, points: 9), "agq9_poisson")
    }

    /// Two terms, or a vector-valued term, are refused as glmer refuses them.
    func testRefusesMoreThanOneScalarTerm() throws {
        XCTAssertThrowsError(try fit("glmer_crossed", "success ~ x + (1 | site) + (1 | rater)", .bernoulli, points: 9)) {
            XCTAssertTrue("\($0)".contains("single, scalar random-effects term"), "\($0)")
        }
    }

    /// With the quadrature's nodes integrating the per-site integral exactly enough, nAGQ = 25 and
    /// a direct trapezoid integration of ∫ Π p(y | η(u)) φ(u) du agree at fixed (θ, β), up to the
    /// saturated log-likelihood lme4's deviance-residual definition leaves out.
    func testQuadratureDevianceMatchesDirectIntegration() throws {
        let design = try PosteriorTestData.built("cbpp", "incidence | trials(size) ~ period + (1 | herd)")
        let model = try GeneralizedLinearMixedModel(design: design, family: .binomial)
        let laplace = LaplaceApproximation(pirls: model.pirls)
        let quadrature = try AdaptiveGaussHermiteQuadrature(laplace: laplace, points: 25)
        let theta = [0.6], beta = [-1.4, -1.0, -1.1, -1.6]
        let value = quadrature.deviance(theta: theta, beta: beta)
        let response = model.response
        let x = design.fixedEffects.multiplied(by: beta)
        let herd = design.randomTerms[0].grouping
        var expected = 0.0
        for level in 0..<herd.levelCount {
            let rows = (0..<design.rowCount).filter { herd.levelIndex[$0] == level }
            // ∫ exp(−½ Σ dᵢ(η(u))) φ(u) du on [−12, 12], 24,001 points.
            var integral = 0.0
            let steps = 24_000
            for s in 0...steps {
                let u = -12 + 24 * Double(s) / Double(steps)
                let deviance = rows.reduce(0.0) { $0 + response.unitDeviance($1, eta: x[$1] + theta[0] * u) }
                let weight = s == 0 || s == steps ? 0.5 : 1.0
                integral += weight * exp(-deviance / 2 - u * u / 2) / (2 * Double.pi).squareRoot()
            }
            integral *= 24 / Double(steps)
            expected += -2 * log(integral)
        }
        XCTAssertEqual(value, expected, accuracy: 1e-6)
    }
}
