import Foundation
import XCTest
@testable import MultilevelModels

/// The fits of scripts/references/glmer_extended_families.R (Fixtures/glmer_extended.json) and a
/// parity check of a GLMM fit against one of them.
enum GlmerExtendedReference {
    static func fit(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: PosteriorTestData.fixtureURL("glmer_extended", "json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try XCTUnwrap(root[name] as? [String: Any], "glmer_extended.json has no \(name)")
    }

    /// Estimates within `tolerance` × max(|x|, 1), SEs within `seTolerance` relative, logLik within
    /// `tolerance`; returns the largest relative distance over estimates and logLik.
    @discardableResult
    static func assertMatches(_ fit: GeneralizedLinearMixedModelFit, _ name: String, tolerance: Double = 1e-4,
                              seTolerance: Double = 1e-3, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let reference = try Self.fit(name)
        let parameters = try XCTUnwrap(reference["parameters"] as? [String: [String: Double]])
        let ours = Dictionary(uniqueKeysWithValues: frequentistParameters(fit).map { ($0.name, $0) })
        XCTAssertEqual(Set(ours.keys), Set(parameters.keys), file: file, line: line)
        var worst = 0.0
        for (parameter, entry) in parameters {
            guard let mine = ours[parameter], let estimate = entry["estimate"] else { continue }
            worst = max(worst, abs(mine.estimate - estimate) / max(abs(estimate), 1))
            XCTAssertEqual(mine.estimate, estimate, accuracy: tolerance * max(abs(estimate), 1), "\(name) \(parameter)", file: file, line: line)
            if let se = entry["se"] {
                XCTAssertEqual(try XCTUnwrap(mine.standardError), se, accuracy: seTolerance * se, "\(name) \(parameter) SE", file: file, line: line)
            }
        }
        let logLik = try XCTUnwrap(reference["logLik"] as? Double)
        worst = max(worst, abs(fit.logLikelihood - logLik))
        XCTAssertEqual(fit.logLikelihood, logLik, accuracy: tolerance, "\(name) logLik", file: file, line: line)
        XCTAssertEqual(fit.deviance, try XCTUnwrap(reference["deviance"] as? Double), accuracy: tolerance * 1e3, "\(name) deviance", file: file, line: line)
        print("\(name): largest distance \(worst) (logLik \(fit.logLikelihood) vs \(logLik))")
        return worst
    }
}
