import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Posterior prediction and Bayesian R² of models with brms' `se()` (`PosteriorPredictive`):
/// the expected value is η; a replicate is N(η, sᵢ) without sigma and N(η, √(sᵢ² + σ²)) with
/// `se(s, sigma = TRUE)` — checked on 40,000 draws at one fixed η per row, the sample mean and
/// SD within 4.5 Monte-Carlo SEs; bayes_R2 against its closed form from the same η; and
/// `trunc()` refused in one line.
final class KnownStandardErrorPredictionTests: XCTestCase {
    /// `count` identical draws of the given variables.
    private func constantDraws(_ values: [String: Double], count: Int) -> Draws {
        let names = values.keys.sorted()
        let row = names.map { values[$0]! }
        return Draws(variableNames: names, chains: [Array((0..<count).map { _ in row }.joined())])
    }

    private func checkReplicates(_ design: ModelDesign, _ draws: Draws, sd: (Int) -> Double, eta: (Int) -> Double,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let predictive = try PosteriorPredictive(draws: draws, design: design, family: .gaussian, seed: 5, keepExpected: true)
        let n = design.rowCount, S = predictive.drawCount
        for i in 0..<n {
            var sum = 0.0, squares = 0.0
            for s in 0..<S {
                XCTAssertEqual(predictive.expected[s * n + i], eta(i), accuracy: 1e-12, file: file, line: line)
                sum += predictive.replicates[s * n + i]
            }
            let mean = sum / Double(S)
            for s in 0..<S { squares += (predictive.replicates[s * n + i] - mean) * (predictive.replicates[s * n + i] - mean) }
            let sample = (squares / Double(S - 1)).squareRoot()
            // SE of the mean σ/√S, of the SD σ/√(2(S − 1)).
            XCTAssertEqual(mean, eta(i), accuracy: 4.5 * sd(i) / Double(S).squareRoot(), "row \(i) mean", file: file, line: line)
            XCTAssertEqual(sample, sd(i), accuracy: 4.5 * sd(i) / (2 * Double(S - 1)).squareRoot(), "row \(i) sd", file: file, line: line)
        }
    }

    func testEightSchoolsReplicatesUseTheKnownStandardErrors() throws {
        let design = try PosteriorTestData.built("eight_schools", "y | se(se) ~ 1 + (1 | school)")
        var values = ["b_Intercept": 8.0]
        for (k, level) in design.randomTerms[0].grouping.levels.enumerated() { values["r_school[\(level),Intercept]"] = Double(k) - 3.5 }
        let draws = constantDraws(values, count: 40_000)
        let school = design.randomTerms[0].grouping
        let eta = { (i: Int) in 8.0 + Double(school.levelIndex[i]) - 3.5 }
        try checkReplicates(design, draws, sd: { design.additions!.standardErrors![$0] }, eta: eta)
        // bayes_R2 of one draw: var(η) / (var(η) + var(y − η)).
        let r2 = try bayesianR2(draws: constantDraws(values, count: 3), design: design, family: .gaussian)
        let fitted = (0..<design.rowCount).map(eta), residuals = (0..<design.rowCount).map { design.response[$0] - eta($0) }
        func variance(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
        }
        XCTAssertEqual(r2.count, 3)
        XCTAssertEqual(r2[0], variance(fitted) / (variance(fitted) + variance(residuals)), accuracy: 1e-12)
    }

    func testStandardErrorsWithSigma() throws {
        let design = try PosteriorTestData.built("dat_bcg", "yi | se(sei, sigma = TRUE) ~ 1")
        let draws = constantDraws(["b_Intercept": -0.7, "sigma": 0.6], count: 40_000)
        try checkReplicates(design, draws, sd: { i in
            let s = design.additions!.standardErrors![i]
            return (s * s + 0.36).squareRoot()
        }, eta: { _ in -0.7 })
    }

    /// Truncated predictions (`TruncatedPredictionTests`) cover the eight families trunc() fits;
    /// any other family is refused in one line.
    func testTruncatedBetaIsRefused() throws {
        let design = try PosteriorTestData.built("truncated_gaussian", "y | trunc(lb = 0, ub = 4) ~ x + (1 | g)")
        XCTAssertThrowsError(try PosteriorPredictive(draws: constantDraws(["b_Intercept": 1], count: 2), design: design,
                                                     family: .beta, seed: 1)) {
            XCTAssertTrue("\($0)".contains("predictions of truncated (trunc()) beta models are not supported yet"), "\($0)")
            XCTAssertFalse("\($0)".contains("\n"))
        }
    }
}
