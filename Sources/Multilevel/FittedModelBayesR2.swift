import Foundation

extension FittedModel {
    /// brms' `bayes_R2(fit, summary = FALSE)`: Bayesian R² per draw (Gelman, Goodrich, Gabry &
    /// Vehtari 2019; `bayesianR2(response:expected:drawCount:)`) with ŷ the posterior_epred of
    /// the fitted rows, group-level effects included. For a distributional fit (`bf()`) ŷ comes
    /// from every part's own linear predictor (`posteriorPrediction`), so a predicted dpar that
    /// enters the mean (zi, hu) is accounted for; for a gaussian `sigma ~ …` the mean alone.
    public func bayesianR2() throws -> [Double] {
        guard let draws else { throw FittedModelError("bayes_R2 needs a Bayesian fit (fit --output), and this is an lmer fit") }
        guard distributional != nil else { return try MultilevelModels.bayesianR2(draws: draws, design: design, family: family) }
        if family.kind == .cumulative {
            throw FittedModelError("bayes_R2 is not defined for an ordinal (cumulative) model, as in brms")
        }
        let prediction = try posteriorPrediction(data, type: .epred, seed: settings?.seed ?? 1)
        let n = prediction.rowCount, drawCount = prediction.drawCount
        var expected = [Double](repeating: 0, count: n * drawCount)
        var buffer: [Double] = []
        for i in 0..<n {
            prediction.values(row: i, into: &buffer)
            for s in 0..<drawCount { expected[s * n + i] = buffer[s] }
        }
        return MultilevelModels.bayesianR2(response: design.response, expected: expected, drawCount: drawCount)
    }
}
