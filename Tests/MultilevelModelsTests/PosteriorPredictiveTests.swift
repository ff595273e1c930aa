import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Posterior predictive draws for fixed parameters (every posterior draw identical): the replicates'
/// mean and variance match the family's closed forms within Monte-Carlo error, and the fitted
/// values equal E(y | θ) exactly.
final class PosteriorPredictiveTests: XCTestCase {
    /// y ~ 1 + x + (1 | g), three observations, two levels.
    func design(trials: [Double]? = nil, offset: [Double]? = nil) -> ModelDesign {
        let g = GroupingFactor(name: "g", levels: ["a", "b"], levelIndex: [0, 1, 1])
        var design = ModelDesign(formulaText: "y ~ x + (1 | g)", responseName: "y", response: [1, 2, 3], trials: trials,
                           responseLevels: nil, fixedEffects: DenseMatrix(rowMajor: [[1, -0.5], [1, 0.2], [1, 1.0]]),
                           fixedEffectNames: ["(Intercept)", "x"], droppedFixedEffectNames: [],
                           randomTerms: [RandomEffectTerm(grouping: g, columnNames: ["(Intercept)"], values: [1, 1, 1], text: "(1 | g)")],
                           sourceLines: [2, 3, 4], droppedRowCount: 0)
        design.offset = offset
        return design
    }

    func check(_ family: Family, intercept: Double, slope: Double, auxiliary: [String: Double] = [:], trials: [Double]? = nil,
               offset: [Double]? = nil, moments: (Double, Double) -> (mean: Double, variance: Double), file: StaticString = #filePath, line: UInt = #line) throws {
        let r = [0.3, -0.2]
        let names = ["lp__", "b_Intercept", "b_x"] + family.auxiliaryParameters.map(\.rawValue) + ["r_g[a,Intercept]", "r_g[b,Intercept]"]
        let row = [0, intercept, slope] + family.auxiliaryParameters.map { auxiliary[$0.rawValue]! } + r
        let perChain = 20_000
        let draws = Draws(variableNames: names, chains: (0..<2).map { _ in (0..<perChain).flatMap { _ in row } })
        let d = design(trials: trials, offset: offset)
        let predictive = try PosteriorPredictive(draws: draws, design: d, family: family, seed: 11)
        let s = predictive.drawCount
        XCTAssertEqual(s, 2 * perChain, file: file, line: line)
        for i in 0..<3 {
            let eta = (offset?[i] ?? 0) + intercept + slope * d.fixedEffects[i, 1] + r[d.randomTerms[0].grouping.levelIndex[i]]
            let (mean, variance) = moments(eta, trials?[i] ?? 1)
            let values = (0..<s).map { predictive.replicates[$0 * 3 + i] }
            let sampleMean = values.reduce(0, +) / Double(s)
            let sampleVariance = values.reduce(0) { $0 + ($1 - sampleMean) * ($1 - sampleMean) } / Double(s - 1)
            XCTAssertEqual(sampleMean, mean, accuracy: 5 * (variance / Double(s)).squareRoot(), "\(family) mean \(i)", file: file, line: line)
            XCTAssertEqual(sampleVariance, variance, accuracy: 5 * variance * (6 / Double(s)).squareRoot(),
                           "\(family) variance \(i)", file: file, line: line)
            XCTAssertEqual(predictive.fittedSD[i], 0, accuracy: 1e-9 * max(1, abs(mean)), file: file, line: line)
            XCTAssertEqual(predictive.fittedLower[i], predictive.fittedUpper[i], accuracy: 1e-12 * max(1, abs(mean)), file: file, line: line)
            if family != .lognormal {
                XCTAssertEqual(predictive.fittedMean[i], mean, accuracy: 1e-10 * max(1, abs(mean)), file: file, line: line)
            }
        }
    }

    func logistic(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    func testClosedFormMoments() throws {
        try check(.gaussian, intercept: 1, slope: 2, auxiliary: ["sigma": 0.7]) { eta, _ in (eta, 0.49) }
        try check(.student, intercept: 1, slope: 2, auxiliary: ["sigma": 0.7, "nu": 9]) { eta, _ in (eta, 0.49 * 9 / 7) }
        try check(.bernoulli, intercept: 0.2, slope: 1) { eta, _ in
            let p = self.logistic(eta); return (p, p * (1 - p))
        }
        try check(.binomial, intercept: 0.2, slope: 1, trials: [5, 60, 300]) { eta, n in
            let p = self.logistic(eta); return (n * p, n * p * (1 - p))
        }
        try check(.poisson, intercept: 1.5, slope: 2.5) { eta, _ in (exp(eta), exp(eta)) }
        try check(.poisson, intercept: 4.5, slope: 0.5) { eta, _ in (exp(eta), exp(eta)) }
        try check(.negativeBinomial, intercept: 2, slope: 1, auxiliary: ["shape": 4]) { eta, _ in
            let mu = exp(eta); return (mu, mu + mu * mu / 4)
        }
        try check(.gamma, intercept: 0.5, slope: 1, auxiliary: ["shape": 3]) { eta, _ in
            let mu = exp(eta); return (mu, mu * mu / 3)
        }
        try check(.lognormal, intercept: 0.5, slope: 1, auxiliary: ["sigma": 0.3]) { eta, _ in
            (exp(eta + 0.045), (exp(0.09) - 1) * exp(2 * eta + 0.09))
        }
    }

    /// An `offset()` enters every draw's linear predictor with coefficient 1 (brms'
    /// posterior_predict / posterior_epred of a rate model `offset(log(exposure))`).
    func testOffsetEntersTheLinearPredictor() throws {
        try check(.poisson, intercept: 0.5, slope: 1, offset: [log(2), log(10), -1]) { eta, _ in (exp(eta), exp(eta)) }
        try check(.gaussian, intercept: 1, slope: 2, auxiliary: ["sigma": 0.7], offset: [3, -4, 0.5]) { eta, _ in (eta, 0.49) }
    }

    func testMissingVariableIsAnError() throws {
        let draws = Draws(variableNames: ["b_Intercept"], chains: [[0]])
        XCTAssertThrowsError(try PosteriorPredictive(draws: draws, design: design(), family: .gaussian, seed: 1)) {
            XCTAssertTrue("\($0)".contains("'b_x'"), "\($0)")
        }
    }
}
