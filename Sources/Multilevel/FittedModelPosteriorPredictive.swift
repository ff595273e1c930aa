import Foundation

extension FittedModel {
    /// The posterior predictive of a distributional fit (`bf()`) on its own rows: y_rep and
    /// E(y | θ) per draw with each row's own predicted dpars (`PosteriorPredictive.init(prediction:expected:chainLengths:)`),
    /// what `fit --predict` writes and `fit --plots` draws the pp_check plots from.
    public func distributionalPosteriorPredictive(seed: UInt64, keepExpected: Bool = false) throws -> PosteriorPredictive {
        guard let draws, distributional != nil else {
            throw FittedModelError("the distributional posterior predictive needs a Bayesian bf() fit")
        }
        let width = max(draws.variableCount, 1)
        return try PosteriorPredictive(prediction: try posteriorPrediction(data, type: .prediction, seed: seed),
                                       expected: try posteriorPrediction(data, type: .epred, seed: seed),
                                       chainLengths: draws.chains.map { $0.count / width }, keepExpected: keepExpected)
    }
}
