import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The addition terms against brms and against quadrature (issue 20), with the harness and bounds
/// of `PosteriorBrmsParityTests` (4 chains × 2000 draws against brms' 4 × 5000):
/// - `cens()`: brms' censored Weibull survival model of the kidney data (v2 reference);
/// - `se()`: brms' BCG meta-analysis `yi | se(sei) ~ 1 + (1 | trial)` (v2 reference), and the
///   eight schools against the exact posterior of (Intercept, τ) by two-dimensional quadrature
///   (the school effects integrate out: y_j ~ N(μ, s_j² + τ²)) under brms' default priors.
/// Sampler-heavy: run with -c release.
extension PosteriorBrmsParityTests {
    func testCensoredWeibullKidney() throws {
        try parity("brms_weibull_kidney", PosteriorTestData.built("kidney", "time | cens(censored) ~ age + sex + (1 | patient)"),
                   family: .weibull, seed: 31)
    }

    func testKnownStandardErrorsBCG() throws {
        try parity("meta_bcg_brms", PosteriorTestData.built("dat_bcg", "yi | se(sei) ~ 1 + (1 | trial)"), family: .gaussian, seed: 32)
    }

    func testEightSchoolsAgainstQuadrature() throws {
        let design = try PosteriorTestData.built("eight_schools", "y | se(se) ~ 1 + (1 | school)")
        let layout = ParameterLayout(design: design, family: .gaussian)
        XCTAssertEqual(layout.auxiliaryParameters, [], "se() without sigma has no sigma")
        let priors = PriorSet.defaults(for: design, family: .gaussian).resolved(for: layout)
        let y = design.response, s = design.additions!.standardErrors!
        // Midpoint rule on μ ∈ [−80, 100] × τ ∈ (0, 600]: the half-t(3) prior's tail beyond 600 has
        // mass < 10⁻⁵ of the posterior's.
        let muSteps = 1800, tauSteps = 12000
        let muStep = 180.0 / Double(muSteps), tauStep = 600.0 / Double(tauSteps)
        var logValues = [Double](repeating: 0, count: muSteps * tauSteps)
        var largest = -Double.infinity
        for a in 0..<muSteps {
            let mu = -80 + (Double(a) + 0.5) * muStep
            let muPrior = priors.intercept.logDensityAndDerivative(mu).value
            for b in 0..<tauSteps {
                let tau = (Double(b) + 0.5) * tauStep
                var value = muPrior + priors.standardDeviations[0][0].logDensityAndDerivative(tau).value
                for j in y.indices {
                    let variance = s[j] * s[j] + tau * tau
                    value -= 0.5 * log(variance) + 0.5 * (y[j] - mu) * (y[j] - mu) / variance
                }
                logValues[a * tauSteps + b] = value
                largest = max(largest, value)
            }
        }
        var mass = 0.0, muSum = 0.0, muSquares = 0.0, tauSum = 0.0, tauSquares = 0.0
        for a in 0..<muSteps {
            let mu = -80 + (Double(a) + 0.5) * muStep
            for b in 0..<tauSteps {
                let tau = (Double(b) + 0.5) * tauStep
                let p = exp(logValues[a * tauSteps + b] - largest)
                mass += p; muSum += p * mu; muSquares += p * mu * mu; tauSum += p * tau; tauSquares += p * tau * tau
            }
        }
        let exact = ["b_Intercept": (muSum / mass, (muSquares / mass - (muSum / mass) * (muSum / mass)).squareRoot()),
                     "sd_school__Intercept": (tauSum / mass, (tauSquares / mass - (tauSum / mass) * (tauSum / mass)).squareRoot())]
        let fit = try BayesianFit.run(design: design, family: .gaussian,
                                      settings: SamplerSettings(iterations: 6000, warmup: 1000, chains: 4, seed: 33))
        let summary = summarize(draws: fit.draws)
        let z = MonteCarloTolerance.familyWiseMCSEBound(checks: 2)
        for (name, (mean, sd)) in exact.sorted(by: { $0.key < $1.key }) {
            let ours = try XCTUnwrap(summary[name])
            print("eight schools \(name): \(ours.mean) ± MCSE \(ours.mcseMean) vs quadrature \(mean) (sd \(ours.sd) vs \(sd))")
            MonteCarloTolerance.log(#function, name, "mean", (ours.mean - mean) / ours.mcseMean)
            XCTAssertLessThanOrEqual(abs(ours.mean - mean), z * ours.mcseMean, "\(name) mean")
            XCTAssertEqual(ours.sd, sd, accuracy: 0.05 * sd, "\(name) sd")
        }
    }

    /// offset() in the Poisson model of the owls (599 rows, 27 nests): the posterior means lie
    /// within 0.25 posterior SDs of glmer's estimates (v2 offset_owls.json; with this much data
    /// the posterior is close to normal around the mode), and leaving the offset out moves the
    /// Intercept by about the mean log brood size, far outside that band.
    func testOffsetOwlsNearGlmer() throws {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("offset_owls", "json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let reference = object["parameters"] as! [String: [String: Any]]
        let design = try PosteriorTestData.built("Owls", "NCalls ~ FoodTreatment * SexParent + offset(logBroodSize) + (1 | Nest)")
        XCTAssertNotNil(design.offset)
        let fit = try BayesianFit.run(design: design, family: .poisson,
                                      settings: SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 34))
        let summary = summarize(draws: fit.draws)
        for name in ["b_Intercept", "b_FoodTreatmentSatiated", "b_SexParentMale", "b_FoodTreatmentSatiated:SexParentMale"] {
            let ours = try XCTUnwrap(summary[name]), estimate = try XCTUnwrap(reference[name]?["estimate"] as? Double)
            XCTAssertLessThanOrEqual(abs(ours.mean - estimate), 0.25 * ours.sd, "\(name): \(ours.mean) vs glmer \(estimate)")
        }
    }
}

/// brms fits made for issue 20 (scripts/references/formula_addition_terms.R, brms 2.18,
/// 4 × 5000 draws): offset() in the owls' Poisson model and se() in the eight schools.
extension PosteriorBrmsParityTests {
    func testOffsetOwlsBrms() throws {
        try parity("brms_offset_owls",
                   PosteriorTestData.built("Owls", "NCalls ~ FoodTreatment * SexParent + offset(logBroodSize) + (1 | Nest)"),
                   family: .poisson, seed: 35)
    }

    func testEightSchoolsBrms() throws {
        try parity("brms_se_eight_schools", PosteriorTestData.built("eight_schools", "y | se(se) ~ 1 + (1 | school)"),
                   family: .gaussian, seed: 36)
    }
}
