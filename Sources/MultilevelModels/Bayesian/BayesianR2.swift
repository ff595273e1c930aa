import Foundation
import MultilevelData
import MultilevelSampling

/// Bayesian R² (Gelman, Goodrich, Gabry & Vehtari 2019, *R-squared for Bayesian regression
/// models*, The American Statistician 73(3); brms' `bayes_R2`): for each posterior draw s, with
/// ŷ⁽ˢ⁾ the expected response of every fitted row (group-level effects included) and
/// e⁽ˢ⁾ = y − ŷ⁽ˢ⁾, R²⁽ˢ⁾ = var(ŷ⁽ˢ⁾) / (var(ŷ⁽ˢ⁾) + var(e⁽ˢ⁾)) with sample variances over the
/// rows. Returns one value per draw, in draw order (chain 1's draws first).
public func bayesianR2(draws: Draws, design: ModelDesign, family: Family) throws -> [Double] {
    let predictive = try PosteriorPredictive(draws: draws, design: design, family: family, seed: 0, keepExpected: true)
    return bayesianR2(response: design.response, expected: predictive.expected, drawCount: predictive.drawCount)
}

/// R² per draw as above from the expected responses ŷ of every draw and row (`expected[s · n + i]`,
/// n = `response.count`): var(ŷ_s)/(var(ŷ_s) + var(y − ŷ_s)), the variances over the rows.
public func bayesianR2(response: [Double], expected: [Double], drawCount: Int) -> [Double] {
    let n = response.count
    var result = [Double](repeating: 0, count: drawCount)
    for s in 0..<drawCount {
        var meanFit = 0.0, meanResidual = 0.0
        for i in 0..<n {
            let fit = expected[s * n + i]
            meanFit += fit
            meanResidual += response[i] - fit
        }
        meanFit /= Double(n)
        meanResidual /= Double(n)
        var fitVariance = 0.0, residualVariance = 0.0
        for i in 0..<n {
            let fit = expected[s * n + i]
            fitVariance += (fit - meanFit) * (fit - meanFit)
            let e = response[i] - fit - meanResidual
            residualVariance += e * e
        }
        result[s] = fitVariance / (fitVariance + residualVariance)
    }
    return result
}
