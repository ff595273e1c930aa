import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Families with a link other than their default (`LinkedFamily`): names as brms writes them,
/// one-line errors for a link the family lacks, the registry's pairs, pointwise log densities
/// against R's d* functions (Fixtures/family_link_density.json from
/// scripts/references/family_link_density.R), and the posterior's gradient against finite
/// differences for every pair.
final class FamilyLinkTests: XCTestCase {
    func testNamesAsBrmsWritesThem() throws {
        XCTAssertEqual(try Family(name: "bernoulli(link = \"probit\")"), Family(.bernoulli, link: .probit))
        XCTAssertEqual(try Family(name: "binomial(\"cloglog\")"), Family(.binomial, link: .cloglog))
        XCTAssertEqual(try Family(name: "poisson('identity')"), Family(.poisson, link: .identity))
        XCTAssertEqual(try Family(name: "poisson(link=sqrt)"), Family(.poisson, link: .sqrt))
        XCTAssertEqual(try Family(name: "gaussian(\"log\")"), Family(.gaussian, link: .log))
        XCTAssertEqual(try Family(name: "Gamma(\"inverse\")"), Family(.gamma, link: .reciprocal))
        XCTAssertEqual(try Family(name: "Gamma(link = \"identity\")"), Family(.gamma, link: .identity))
        XCTAssertEqual(try Family(name: "bernoulli(\"cauchit\")"), Family(.bernoulli, link: .cauchit))
        // The default link, written or not, is the family itself.
        XCTAssertEqual(try Family(name: "bernoulli(link = \"logit\")"), .bernoulli)
        XCTAssertEqual(try Family(name: "poisson()"), .poisson)
        XCTAssertNotEqual(Family(.bernoulli, link: .probit), .bernoulli)
        // The specification reads back.
        for family in Family.allLinked {
            XCTAssertEqual(try Family(name: family.specification), family, family.specification)
        }
        XCTAssertEqual(Family(.gamma, link: .reciprocal).specification, "Gamma(link = \"inverse\")")
        XCTAssertEqual(Family.poisson.specification, "poisson")
    }

    func testOneLineErrorForALinkTheFamilyLacks() {
        XCTAssertThrowsError(try Family(name: "poisson(\"logit\")")) { error in
            XCTAssertEqual("\(error)", "family poisson has no link 'logit' (its links: log, identity, sqrt)")
        }
        XCTAssertThrowsError(try Family(name: "bernoulli(link = \"probitt\")")) { error in
            XCTAssertEqual("\(error)", "family bernoulli has no link 'probitt' (its links: logit, probit, cloglog, cauchit)")
        }
        XCTAssertThrowsError(try Family(name: "lognormal(\"log\")")) { error in
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    /// Every link a family lists visits a type with that link (the registry's lines match the
    /// families' `links`), and the brief's pairs are all there.
    func testRegistryListsEveryLink() {
        for family in Family.allLinked {
            XCTAssertEqual(family.descriptor.link, family.link, family.specification)
            XCTAssertEqual(family.descriptor.auxiliaryParameters, Family(family.kind).auxiliaryParameters)
        }
        let all = Set(Family.allLinked.map(\.specification))
        for name in ["bernoulli(link = \"probit\")", "binomial(link = \"cloglog\")", "poisson(link = \"identity\")",
                     "poisson(link = \"sqrt\")", "gaussian(link = \"log\")", "Gamma(link = \"inverse\")",
                     "Gamma(link = \"identity\")", "bernoulli(link = \"cauchit\")"] {
            XCTAssertTrue(all.contains(name), name)
        }
        XCTAssertFalse(Family(.gaussian, link: .log).descriptor.hasGaussianSufficientStatistics)
    }

    func testPointwiseLogLikelihoodAgainstR() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "family_link_density", withExtension: "json", subdirectory: "Fixtures"))
        let cases = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 100)
        for entry in cases {
            let name = (entry["family"] as! [String])[0], link = (entry["link"] as! [String])[0]
            let family = try Family(name: "\(name)(\"\(link)\")")
            let y = (entry["y"] as! [Double])[0], trials = (entry["trials"] as! [Double])[0]
            let eta = (entry["eta"] as! [Double])[0], expected = (entry["logLik"] as! [Double])[0]
            let auxiliary = entry["auxiliary"] as! [Double]
            let value = family.logLikelihood(response: y, trials: trials, eta: eta, auxiliary: auxiliary)
            XCTAssertEqual(value, expected, accuracy: 1e-12 + 1e-10 * abs(expected), "\(family) y = \(y) η = \(eta)")
        }
    }

    /// The posterior's gradient against finite differences for every family and link pair, on the
    /// crossed design with random slopes (three points each), η kept inside the link's domain by
    /// the intercept (μ = η > 0 for identity-link counts and Gamma, 1/η > 0 for Gamma's inverse, η away
    /// from 0 for sqrt).
    func testGradientsAgainstFiniteDifferences() throws {
        for family in Family.allLinked where family.link != Family(family.kind).link {
            let design = PosteriorTestData.crossed(family: Family(family.kind), rows: 300)
            let layout = ParameterLayout(design: design, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 5, location: 0.3)
            var posterior = try GLMMPosterior(design: design, family: family, priors: priors, useSufficientStatistics: false)
            let intercept: Double
            switch (family.kind, family.link) {
            case (.poisson, .identity), (.negativeBinomial, .identity), (.gamma, .identity): intercept = 12
            case (.gamma, .reciprocal), (.gaussian, .reciprocal): intercept = 6
            // μ = η² has log μ singular at η = 0, where differences lose their accuracy.
            case (_, .sqrt): intercept = 3
            default: intercept = 0.3
            }
            for seed in 1...3 {
                let point = PosteriorTestData.point(for: posterior, seed: UInt64(seed), interceptGuess: intercept,
                                                    logScaleGuess: log(0.3))
                let value = posterior.logDensityAndGradient(at: point).value
                XCTAssertTrue(value.isFinite, "\(family): log density \(value)")
                let gradient = GradientTests.gradientError(posterior, at: point)
                XCTAssertLessThanOrEqual(gradient.error, 1e-6, "\(family): \(gradient.name)")
            }
        }
    }

    /// brms' `def_scale_prior` on the link scale, against brms 2.18's get_prior on cbpp (R, this
    /// session): incidence under poisson("sqrt") and poisson("identity") gives Intercept
    /// student_t(3, 1, 2.5); incidence + 0.5 under Gamma("inverse") student_t(3, 0.7, 2.5) and under
    /// gaussian("log") student_t(3, 0.4, 2.5); probit keeps location 0, scale 2.5.
    func testDefaultInterceptPriorOnTheLinkScale() throws {
        let incidence = try PosteriorTestData.cbpp().response
        let shifted = incidence.map { $0 + 0.5 }
        for (response, link, location) in [(incidence, Link.sqrt, 1.0), (incidence, .identity, 1), (shifted, .reciprocal, 0.7),
                                           (shifted, .log, 0.4), (incidence, .probit, 0)] {
            let prior = PriorSet.defaultScaleLocation(response: response, link: link, isFactor: false)
            XCTAssertEqual(prior.location, location, accuracy: 1e-12, "\(link)")
            XCTAssertEqual(prior.scale, 2.5, accuracy: 1e-12, "\(link)")
        }
    }

    /// The probit rows stay finite where μ underflows: a success at η = −40 (Φ(−40) ≈ 4e-350).
    func testProbitRowsInTheTail() {
        var rows = LinkedRows<BernoulliFamily, ProbitLink>(auxiliary: [0.0], rowCount: 1, sumLogResponse: 0)
        let term = rows.add(response: 1, trials: 1, eta: -40)
        XCTAssertEqual(term.value, NormalDistribution.logCDF(-40), accuracy: 1e-9)
        // d log Φ(η)/dη = φ(η)/Φ(η) ≈ −η for η → −∞.
        XCTAssertEqual(term.etaDerivative, 40.025, accuracy: 0.01)
    }
}
