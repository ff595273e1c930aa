import Foundation
import XCTest
import MultilevelData
@testable import MultilevelModels

/// lme4's `anova(m_intercept, m_slope, m_uncorrelated)` on sleepstudy (Fixtures/lrt_sleepstudy.json):
/// ML refits, rows ordered by npar, χ² to 1e-6 relative and p-values to 1e-6 absolute.
final class LikelihoodRatioTableTests: XCTestCase {
    func testSleepstudyThreeModels() throws {
        let formulas = [("m_intercept", "Reaction ~ Days + (1 | Subject)"), ("m_slope", "Reaction ~ Days + (Days | Subject)"),
                        ("m_uncorrelated", "Reaction ~ Days + (Days || Subject)")]
        let models = try formulas.map { name, formula -> LikelihoodRatioModel in
            let fit = try LinearMixedModel(design: SatterthwaiteTests.design("sleepstudy", formula))
                .fit(method: .ml, options: .init(conditionalVariances: false))
            return LikelihoodRatioModel(name: name, parameterCount: fit.degreesOfFreedom, logLikelihood: fit.logLikelihood,
                                        observationCount: fit.observationCount)
        }
        let rows = likelihoodRatioTable(models)
        let reference = try XCTUnwrap(RemlFixtures.reference("lrt_sleepstudy")["table"] as? [[String: Any]])
        XCTAssertEqual(rows.map(\.model.name), reference.map { $0["model"] as! String })
        for (row, expected) in zip(rows, reference) {
            let name = row.model.name
            XCTAssertEqual(row.model.parameterCount, expected["npar"] as! Int, name)
            for (column, value) in [("AIC", row.model.akaikeInformationCriterion), ("BIC", row.model.bayesianInformationCriterion),
                                    ("logLik", row.model.logLikelihood), ("deviance", row.model.deviance)] {
                XCTAssertEqual(value, expected[column] as! Double, accuracy: 1e-6 * abs(value), "\(name) \(column)")
            }
            if let chiSquare = expected["Chisq"] as? Double {
                XCTAssertEqual(try XCTUnwrap(row.chiSquare), chiSquare, accuracy: 1e-6 * chiSquare, "\(name) Chisq")
                XCTAssertEqual(row.degreesOfFreedom, expected["Df"] as? Int, name)
                XCTAssertEqual(try XCTUnwrap(row.pValue), expected["Pr(>Chisq)"] as! Double, accuracy: 1e-6, "\(name) p")
            } else {
                XCTAssertNil(row.chiSquare, name)
            }
        }
    }
}
