import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelModels

/// Every family's pointwise log-likelihood (`Family.logLikelihood`, what LOO and WAIC read) is a
/// normalised density of y with the mean the family's `meanAndDraw` reports: Σ_y p(y) = 1 and
/// Σ_y y p(y) = E y for the discrete families (summed over the support), ∫ p = 1 and ∫ y p = E y
/// for the continuous ones (Simpson's rule on a fine grid; lognormal on the log scale). A wrong
/// constant, sign or parameterisation moves these by far more than the 10⁻⁸ allowed.
final class FamilyLikelihoodNormalisationTests: XCTestCase {
    private func discreteMoments(_ family: Family, trials: Double = 1, eta: Double, auxiliary: [Double],
                                 upTo limit: Int) -> (mass: Double, mean: Double) {
        var mass = 0.0, mean = 0.0
        for y in 0...limit {
            let p = exp(family.logLikelihood(response: Double(y), trials: trials, eta: eta, auxiliary: auxiliary))
            mass += p
            mean += Double(y) * p
        }
        return (mass, mean)
    }

    /// Simpson's rule for ∫ p(y) dy and ∫ y p(y) dy over [a, b] with `steps` (even) intervals, in
    /// t with y = transform(t) and dy = jacobian(t) dt.
    private func continuousMoments(_ family: Family, eta: Double, auxiliary: [Double], from a: Double, to b: Double,
                                   steps: Int = 200_000, transform: (Double) -> Double = { $0 },
                                   jacobian: (Double) -> Double = { _ in 1 }) -> (mass: Double, mean: Double) {
        let h = (b - a) / Double(steps)
        var mass = 0.0, mean = 0.0
        for k in 0...steps {
            let t = a + Double(k) * h
            let y = transform(t)
            let weight = (k == 0 || k == steps) ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
            let p = exp(family.logLikelihood(response: y, trials: 1, eta: eta, auxiliary: auxiliary)) * jacobian(t)
            mass += weight * p
            mean += weight * y * p
        }
        return (mass * h / 3, mean * h / 3)
    }

    private func expectedMean(_ family: Family, eta: Double, trials: Double = 1, auxiliary: [Double]) -> Double {
        var rng = Xoshiro256PlusPlus(seed: 1)
        return family.descriptor.meanAndDraw(eta: eta, trials: trials, auxiliary: auxiliary, rng: &rng).mean
    }

    func testDiscreteFamiliesSumToOneWithTheirMean() {
        let cases: [(Family, Double, Double, [Double], Int)] = [
            (.bernoulli, 1, 0.7, [], 1),
            (.binomial, 12, -0.4, [], 12),
            (.poisson, 1, log(4.5), [], 200),
            (.negativeBinomial, 1, log(6.0), [1.7], 2_000),
            (.zeroInflatedPoisson, 1, log(3.5), [0.3], 200),
            (.zeroInflatedNegativeBinomial, 1, log(5.0), [2.2, 0.25], 2_000),
            (.hurdlePoisson, 1, log(2.5), [0.6], 200),
            (.hurdlePoisson, 1, log(0.2), [0.35], 200),
            (.hurdleNegativeBinomial, 1, log(4.0), [1.3, 0.45], 3_000),
            (.cumulative, 1, 0.4, [1.2, 0.8], 4), (.cumulative, 1, -2.5, [0.3, 2.1, 0.6], 5),
        ]
        for (family, trials, eta, auxiliary, limit) in cases {
            let moments = discreteMoments(family, trials: trials, eta: eta, auxiliary: auxiliary, upTo: limit)
            XCTAssertEqual(moments.mass, 1, accuracy: 1e-10, "\(family)")
            XCTAssertEqual(moments.mean, expectedMean(family, eta: eta, trials: trials, auxiliary: auxiliary),
                           accuracy: 1e-8, "\(family)")
        }
    }

    func testContinuousFamiliesIntegrateToOneWithTheirMean() {
        let gaussian = continuousMoments(.gaussian, eta: 1.3, auxiliary: [0.8], from: 1.3 - 12, to: 1.3 + 12)
        XCTAssertEqual(gaussian.mass, 1, accuracy: 1e-10)
        XCTAssertEqual(gaussian.mean, 1.3, accuracy: 1e-9)
        // Student-t with ν = 6: the tails beyond ±2000 hold below 10⁻¹⁶ of the mass.
        let student = continuousMoments(.student, eta: -0.5, auxiliary: [1.5, 6], from: -2000, to: 2000, steps: 2_000_000)
        XCTAssertEqual(student.mass, 1, accuracy: 1e-8)
        XCTAssertEqual(student.mean, expectedMean(.student, eta: -0.5, auxiliary: [1.5, 6]), accuracy: 1e-7)
        let gamma = continuousMoments(.gamma, eta: log(3.0), auxiliary: [2.5], from: 1e-12, to: 120)
        XCTAssertEqual(gamma.mass, 1, accuracy: 1e-8)
        XCTAssertEqual(gamma.mean, expectedMean(.gamma, eta: log(3.0), auxiliary: [2.5]), accuracy: 1e-7)
        let exponential = continuousMoments(.exponential, eta: log(2.0), auxiliary: [], from: 0, to: 120)
        XCTAssertEqual(exponential.mass, 1, accuracy: 1e-10)
        XCTAssertEqual(exponential.mean, expectedMean(.exponential, eta: log(2.0), auxiliary: []), accuracy: 1e-8)
        // On the log scale: the density behaves as y^0.7 at 0, which Simpson's rule in y integrates poorly.
        let weibull = continuousMoments(.weibull, eta: log(3.0), auxiliary: [1.7], from: -40, to: log(80),
                                        transform: { exp($0) }, jacobian: { exp($0) })
        XCTAssertEqual(weibull.mass, 1, accuracy: 1e-8)
        XCTAssertEqual(weibull.mean, expectedMean(.weibull, eta: log(3.0), auxiliary: [1.7]), accuracy: 1e-7)
        let lognormal = continuousMoments(.lognormal, eta: 0.4, auxiliary: [0.6], from: 0.4 - 12, to: 0.4 + 12,
                                          transform: { exp($0) }, jacobian: { exp($0) })
        XCTAssertEqual(lognormal.mass, 1, accuracy: 1e-10)
        // Beta(μφ, (1 − μ)φ) with μ = logistic(−0.85) ≈ 0.3, φ = 12: a ≈ 3.6, b ≈ 8.4, zero at both ends.
        let beta = continuousMoments(.beta, eta: -0.85, auxiliary: [12], from: 1e-300, to: 1 - 1e-16)
        XCTAssertEqual(beta.mass, 1, accuracy: 1e-10)
        XCTAssertEqual(beta.mean, expectedMean(.beta, eta: -0.85, auxiliary: [12]), accuracy: 1e-9)
        XCTAssertEqual(lognormal.mean, expectedMean(.lognormal, eta: 0.4, auxiliary: [0.6]), accuracy: 1e-8)
        // skew_normal: mean μ and SD σ whatever α (brms' parameterisation), both skews.
        for (eta, auxiliary) in [(0.7, [1.3, 4.0]), (-0.2, [0.6, -1.5]), (2.0, [0.9, 30.0])] {
            let sigma = auxiliary[0]
            let moments = continuousMoments(.skewNormal, eta: eta, auxiliary: auxiliary, from: eta - 15 * sigma,
                                             to: eta + 15 * sigma)
            XCTAssertEqual(moments.mass, 1, accuracy: 1e-10, "skew_normal \(auxiliary)")
            XCTAssertEqual(moments.mean, expectedMean(.skewNormal, eta: eta, auxiliary: auxiliary), accuracy: 1e-9)
            XCTAssertEqual(moments.mean, eta, accuracy: 1e-9)
            // With jacobian t the "mean" is ∫ t² p(t) dt = E y² = σ² at μ = 0.
            let second = continuousMoments(.skewNormal, eta: 0, auxiliary: auxiliary, from: -15 * sigma, to: 15 * sigma,
                                           transform: { $0 }, jacobian: { $0 })
            XCTAssertEqual(second.mean, sigma * sigma, accuracy: 1e-9, "skew_normal variance")
        }
        // hurdle_lognormal: P(0) = hu plus (1 − hu) times the lognormal on the log scale.
        let hu = 0.3
        let positive = continuousMoments(.hurdleLognormal, eta: 0.4, auxiliary: [0.6, hu], from: 0.4 - 12, to: 0.4 + 12,
                                         transform: { exp($0) }, jacobian: { exp($0) })
        let zero = exp(Family.hurdleLognormal.logLikelihood(response: 0, trials: 1, eta: 0.4, auxiliary: [0.6, hu]))
        XCTAssertEqual(zero, hu, accuracy: 1e-15)
        XCTAssertEqual(zero + positive.mass, 1, accuracy: 1e-10)
        XCTAssertEqual(positive.mean, expectedMean(.hurdleLognormal, eta: 0.4, auxiliary: [0.6, hu]), accuracy: 1e-8)
    }

    /// The random draws (posterior prediction, parametric bootstrap) have the family's mean: over
    /// 200,000 draws the sample mean lies within 5 standard errors of E y (a false alarm has
    /// probability below 10⁻⁶ per family).
    func testDrawsHaveTheFamilysMean() {
        let cases: [(Family, Double, Double, [Double])] = [
            (.gaussian, 1, 1.3, [0.8]), (.student, 1, -0.5, [1.5, 6]), (.lognormal, 1, 0.4, [0.6]),
            (.gamma, 1, log(3.0), [2.5]), (.bernoulli, 1, 0.7, []), (.binomial, 12, -0.4, []),
            (.poisson, 1, log(4.5), []), (.negativeBinomial, 1, log(6.0), [1.7]),
            (.zeroInflatedPoisson, 1, log(3.5), [0.3]), (.zeroInflatedNegativeBinomial, 1, log(5.0), [2.2, 0.25]),
            (.hurdlePoisson, 1, log(2.5), [0.6]), (.hurdlePoisson, 1, log(0.2), [0.35]),
            (.hurdleNegativeBinomial, 1, log(4.0), [1.3, 0.45]), (.exponential, 1, log(2.0), []),
            (.weibull, 1, log(3.0), [1.7]), (.beta, 1, -0.85, [12]), (.cumulative, 1, 0.4, [1.2, 0.8]),
            (.weibull, 1, log(3.0), [1.7]), (.beta, 1, -0.85, [12]),
            (.skewNormal, 1, 0.7, [1.3, 4]), (.skewNormal, 1, -0.2, [0.6, -1.5]), (.hurdleLognormal, 1, 0.4, [0.6, 0.3]),
        ]
        XCTAssertEqual(Set(cases.map(\.0)), Set(Family.allCases))
        for (family, trials, eta, auxiliary) in cases {
            var rng = Xoshiro256PlusPlus(seed: 20261206)
            let count = 200_000
            var sum = 0.0, squares = 0.0, mean = 0.0
            for _ in 0..<count {
                let (expected, draw) = family.descriptor.meanAndDraw(eta: eta, trials: trials, auxiliary: auxiliary, rng: &rng)
                mean = expected
                sum += draw
                squares += draw * draw
            }
            let sampleMean = sum / Double(count)
            let standardError = ((squares / Double(count) - sampleMean * sampleMean) / Double(count)).squareRoot()
            XCTAssertLessThanOrEqual(abs(sampleMean - mean), 5 * standardError, "\(family) at η = \(eta)")
        }
    }
}
