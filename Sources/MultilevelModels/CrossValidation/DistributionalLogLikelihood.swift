import MultilevelData
import MultilevelMath

/// The pointwise log-likelihood of a brms distributional model `bf(y ~ …, dpar ~ …)` (brms'
/// `log_lik`): each row's density uses that row's own auxiliary values,
///
///     log p(yᵢ | θˢ) = log f(yᵢ | μᵢˢ = g⁻¹(η_μ,iˢ), σᵢˢ = exp(η_σ,iˢ), …),
///
/// with every normalising constant (`Family.logDensity`), times the row's weight wᵢ with brms'
/// `weights(w)` (as brms' `log_lik`). The linear predictors come from a
/// `PosteriorPrediction` of the fitted rows (`PosteriorPrediction.logLikelihood(row:response:trials:into:)`),
/// so the rows' η and the dpars' are computed exactly as predictions compute them.
public struct DistributionalLogLikelihood: PointwiseLogLikelihoodBlocks {
    /// The distributional prediction of the rows evaluated (with their fitted levels).
    public let prediction: PosteriorPrediction
    /// The rows' responses and trials (nil: 1).
    public let response: [Double]
    public let trials: [Double]?
    public let chainLengths: [Int]
    /// brms' weights(w) of the rows (nil: 1).
    public let weights: [Double]?

    /// `prediction` covers the rows of `response` in order; `chainLengths` are the draws per chain
    /// of the draws it was built from.
    public init(prediction: PosteriorPrediction, response: [Double], trials: [Double]?, chainLengths: [Int],
                weights: [Double]? = nil) {
        precondition(prediction.rowCount == response.count && chainLengths.reduce(0, +) == prediction.drawCount)
        precondition(weights == nil || weights!.count == response.count)
        self.prediction = prediction
        self.response = response
        self.trials = trials
        self.chainLengths = chainLengths
        self.weights = weights
    }

    public var observationCount: Int { response.count }
    public var drawCount: Int { prediction.drawCount }

    public func blockRows(targetValues: Int = 4_000_000) -> Int {
        max(1, min(observationCount, targetValues / max(drawCount, 1)))
    }

    public func block(rows: Range<Int>, into output: UnsafeMutableBufferPointer<Double>) {
        let s = drawCount
        precondition(output.count >= rows.count * s)
        for (j, i) in rows.enumerated() {
            prediction.logLikelihood(row: i, response: response[i], trials: trials?[i] ?? 1,
                                     into: UnsafeMutableBufferPointer(rebasing: output[(j * s)..<((j + 1) * s)]))
            if let w = weights?[i] { for k in (j * s)..<((j + 1) * s) { output[k] *= w } }
        }
    }

    /// The whole S × n matrix (rows = draws), for small n.
    public func matrix() -> DenseMatrix {
        var values = [Double](repeating: 0, count: drawCount * observationCount)
        values.withUnsafeMutableBufferPointer { block(rows: 0..<observationCount, into: $0) }
        return DenseMatrix(rows: drawCount, columns: observationCount, columnMajor: values)
    }
}
