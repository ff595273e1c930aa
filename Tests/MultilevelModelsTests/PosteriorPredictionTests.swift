import XCTest
import MultilevelMath
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// `PosteriorPredictive` reads the constrained draws a fit records (`ConstrainedParameters`): on
/// the crossed design (three terms, random slopes, correlated 3 × 3 block), the fitted value of a
/// gaussian model at one draw is brms' uncentred linear predictor
/// η_i = b_Intercept + Σ_k b_k x_ik + Σ_t Σ_k z_tik · r_t[level_i, k], computed here from the
/// named values. (The families' response draws are checked in `PosteriorPredictiveTests`.)
final class PosteriorPredictionTests: XCTestCase {
    func testFittedValuesFollowTheConstrainedDraws() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let posterior = try GLMMPosterior(design: design, family: .gaussian,
                                          priors: GradientTests.testPriors(layout, family: .gaussian, scale: 2, location: 0))
        let x = PosteriorTestData.point(for: posterior, seed: 5, interceptGuess: 0.3, logScaleGuess: log(0.5))
        var map = ConstrainedParameters(posterior: posterior)
        let values = map.constrained(x)
        let named = Dictionary(uniqueKeysWithValues: zip(map.names, values))
        let draws = Draws(variableNames: map.names, chains: [values])
        let predictive = try PosteriorPredictive(draws: draws, design: design, family: .gaussian, seed: 3)
        XCTAssertEqual(predictive.drawCount, 1)
        for i in [0, 17, 101, 239] {
            var expected = named["b_Intercept"]! + named["b_x1"]! * design.fixedEffects[i, 1] + named["b_x2"]! * design.fixedEffects[i, 2]
            for term in design.randomTerms {
                let level = term.grouping.levels[term.grouping.levelIndex[i]]
                for (k, column) in term.brmsColumnNames.enumerated() {
                    expected += term.values[i * term.columnCount + k] * named["r_\(term.grouping.name)[\(level),\(column)]"]!
                }
            }
            XCTAssertEqual(predictive.fittedMean[i], expected, accuracy: 1e-10)
        }
    }
}
