import Foundation
import XCTest
@testable import MultilevelModels

/// `Link`: g and g⁻¹ invert each other, dμ/dη and d²μ/dη² match central differences of g⁻¹, and
/// the probability links' log μ and log(1 − μ) match R's `pnorm`, `pcauchy`, `plogis` (log.p) and
/// log1p/expm1 for cloglog (Fixtures/link_tails.json, scripts/references/link_tails.R) from
/// η = −40 to 30, with the derivatives against differences of those logs.
final class LinkTests: XCTestCase {
    /// A mean inside each link's range and an η inside its domain.
    private func samplePoints(_ link: Link) -> (means: [Double], etas: [Double]) {
        switch link {
        case .logit, .probit, .cloglog, .cauchit: return ([0.001, 0.2, 0.5, 0.93, 0.999], [-4, -1.1, 0, 0.6, 3.5])
        case .identity: return ([-3, 0, 2.5], [-3, 0, 2.5])
        case .log, .reciprocal, .sqrt: return ([0.01, 0.7, 4, 150], [0.2, 0.9, 1.7, 4])
        }
    }

    func testNamesAsBrmsWritesThem() {
        XCTAssertEqual(Link(brmsName: "inverse"), .reciprocal)
        XCTAssertEqual(Link(brmsName: "cloglog"), .cloglog)
        XCTAssertEqual(Link(brmsName: "sqrt"), .sqrt)
        XCTAssertNil(Link(brmsName: "Probit"))
        XCTAssertEqual(Link.allCases.filter(\.isProbabilityLink), [.logit, .probit, .cloglog, .cauchit])
    }

    func testApplyInvertsInverse() {
        for link in Link.allCases {
            for mu in samplePoints(link).means {
                XCTAssertEqual(link.inverse(link.apply(mu)), mu, accuracy: 1e-13 * max(1, abs(mu)), "\(link) at μ = \(mu)")
            }
        }
    }

    func testDerivativesAgainstCentralDifferences() {
        for link in Link.allCases {
            for eta in samplePoints(link).etas {
                let h = 1e-5 * max(1, abs(eta))
                let first = (link.inverse(eta + h) - link.inverse(eta - h)) / (2 * h)
                let second = (link.meanDerivative(eta + h) - link.meanDerivative(eta - h)) / (2 * h)
                XCTAssertEqual(link.meanDerivative(eta), first, accuracy: 1e-8 * max(1, abs(first)), "\(link) dμ/dη at \(eta)")
                XCTAssertEqual(link.meanSecondDerivative(eta), second, accuracy: 1e-7 * max(1, abs(second)), "\(link) d²μ/dη² at \(eta)")
            }
        }
    }

    func testLogProbabilitiesAgainstRInBothTails() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "link_tails", withExtension: "json", subdirectory: "Fixtures"))
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: [Double]])
        let etas = try XCTUnwrap(reference["eta"])
        for link in [Link.logit, .probit, .cloglog, .cauchit] {
            let logMean = try XCTUnwrap(reference["\(link)_logMean"])
            let logComplement = try XCTUnwrap(reference["\(link)_logComplement"])
            for (i, eta) in etas.enumerated() {
                let value = link.logProbabilities(eta)
                // Relative accuracy, down to values like −4.9e-198 (Φ(−30) as log(1 − μ) at η = 30).
                XCTAssertEqual(value.logMean, logMean[i], accuracy: 1e-12 * abs(logMean[i]) + 1e-300, "\(link) log μ at \(eta)")
                XCTAssertEqual(value.logComplement, logComplement[i], accuracy: 1e-12 * abs(logComplement[i]) + 1e-300,
                               "\(link) log(1 − μ) at \(eta)")
                // The derivatives against central differences of the logs (finite wherever the logs are).
                let h = 1e-5 * max(1, abs(eta))
                let up = link.logProbabilities(eta + h), down = link.logProbabilities(eta - h)
                let dMean = (up.logMean - down.logMean) / (2 * h)
                let dComplement = (up.logComplement - down.logComplement) / (2 * h)
                XCTAssertEqual(value.logMeanDerivative, dMean, accuracy: 1e-6 * max(1e-3, abs(dMean)), "\(link) d log μ at \(eta)")
                XCTAssertEqual(value.logComplementDerivative, dComplement, accuracy: 1e-6 * max(1e-3, abs(dComplement)),
                               "\(link) d log(1 − μ) at \(eta)")
                XCTAssertTrue(value.logMeanDerivative.isFinite && value.logComplementDerivative.isFinite)
            }
        }
    }

    func testProbabilityLinksAgreeWithTheirMeans() {
        for link in [Link.logit, .probit, .cloglog, .cauchit] {
            for eta in [-2.5, -0.3, 0, 1.2] {
                let mu = link.inverse(eta), value = link.logProbabilities(eta)
                XCTAssertEqual(exp(value.logMean), mu, accuracy: 1e-14)
                XCTAssertEqual(exp(value.logComplement), 1 - mu, accuracy: 1e-14)
                XCTAssertEqual(value.logMeanDerivative, link.meanDerivative(eta) / mu, accuracy: 1e-12)
                XCTAssertEqual(value.logComplementDerivative, -link.meanDerivative(eta) / (1 - mu), accuracy: 1e-12)
            }
        }
    }
}
