import XCTest
import MultilevelMath
import MultilevelData
@testable import MultilevelModels

final class PosteriorPredictionTests: XCTestCase {
    /// η from the predictor equals brms' uncentred formula with the constrained outputs:
    /// η_i = b_Intercept + Σ_k b_k x_ik + Σ_t Σ_k z_tik · r_t[level_i, k].
    func testLinearPredictorMatchesConstrainedOutputs() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let posterior = try GLMMPosterior(design: design, family: .gaussian,
                                          priors: GradientTests.testPriors(layout, family: .gaussian, scale: 2, location: 0))
        let x = PosteriorTestData.point(for: posterior, seed: 5, interceptGuess: 0.3, logScaleGuess: log(0.5))
        var map = ConstrainedParameters(posterior: posterior)
        let values = map.constrained(x)
        let named = Dictionary(uniqueKeysWithValues: zip(map.names, values))
        let eta = PosteriorPredictor(design: design, family: .gaussian).linearPredictor(unconstrained: x)
        for i in [0, 17, 101, 239] {
            var expected = named["b_Intercept"]! + named["b_x1"]! * design.fixedEffects[i, 1] + named["b_x2"]! * design.fixedEffects[i, 2]
            for term in design.randomTerms {
                let level = term.grouping.levels[term.grouping.levelIndex[i]]
                for (k, column) in term.brmsColumnNames.enumerated() {
                    expected += term.values[i * term.columnCount + k] * named["r_\(term.grouping.name)[\(level),\(column)]"]!
                }
            }
            XCTAssertEqual(eta[i], expected, accuracy: 1e-10)
        }
    }

    /// Averages of many predictive draws at a fixed parameter value match E[y] (and Var[y] for
    /// poisson and gamma) within 5 Monte-Carlo standard errors.
    func testPredictiveDrawsMatchMoments() throws {
        var rng = Xoshiro256PlusPlus(seed: 99)
        for family in Family.allCases {
            let design = PosteriorTestData.crossed(family: family, rows: 30)
            let predictor = PosteriorPredictor(design: design, family: family)
            var x = [Double](repeating: 0, count: predictor.layout.dimension)
            x[predictor.layout.interceptOffset] = family == .poisson ? 4 : 0.4   // poisson mean ≈ 55: PTRS
            x[0] = 0.3
            // sigma = 0.5; nu = 1 + 3 = 4; shape = 3.
            for (a, parameter) in predictor.layout.auxiliaryParameters.enumerated() {
                x[predictor.layout.auxiliaryOffset + a] = parameter == .sigma ? log(0.5) : log(3)
            }
            let expected = predictor.expectedResponse(unconstrained: x)
            let draws = 4000
            var sums = [Double](repeating: 0, count: expected.count)
            var squares = [Double](repeating: 0, count: expected.count)
            for _ in 0..<draws {
                let y = predictor.predictedResponse(unconstrained: x, rng: &rng)
                for i in y.indices { sums[i] += y[i]; squares[i] += y[i] * y[i] }
            }
            for i in [0, 7, 29] {
                let mean = sums[i] / Double(draws)
                let variance = squares[i] / Double(draws) - mean * mean
                XCTAssertEqual(mean, expected[i], accuracy: 5 * (variance / Double(draws)).squareRoot() + 1e-12,
                               "\(family) row \(i)")
                if family == .poisson { XCTAssertEqual(variance, expected[i], accuracy: 0.1 * expected[i], "poisson variance") }
                if family == .gamma {
                    XCTAssertEqual(variance, expected[i] * expected[i] / 3, accuracy: 0.15 * expected[i] * expected[i] / 3,
                                   "gamma variance μ²/shape")
                }
            }
        }
    }
}
