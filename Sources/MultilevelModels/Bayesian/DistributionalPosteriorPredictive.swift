import MultilevelData

extension PosteriorPredictive {
    /// The posterior predictive of a distributional fit's own rows (brms' `posterior_predict` and
    /// `posterior_epred` without `newdata` on a `bf(y ~ …, dpar ~ …)` fit): y_rep⁽ˢ⁾ᵢ drawn from the
    /// family at row i's own predicted dpars (σᵢ⁽ˢ⁾ = exp(η_σ,i⁽ˢ⁾), …) by `prediction` (type
    /// `.prediction`), E(yᵢ | θ⁽ˢ⁾) from `expected` (type `.epred`), both over the same rows and
    /// draws; `chainLengths` the draws per chain, in draw order.
    public init(prediction: PosteriorPrediction, expected: PosteriorPrediction, chainLengths: [Int],
                keepExpected: Bool = false) throws {
        guard prediction.type == .prediction, expected.type == .epred, prediction.rowCount == expected.rowCount,
              prediction.drawCount == expected.drawCount, chainLengths.reduce(0, +) == prediction.drawCount else {
            throw FamilyError(message: "posterior predictive: expected a prediction and an epred of the same rows and draws")
        }
        let n = prediction.rowCount, total = prediction.drawCount
        var replicates = [Double](repeating: 0, count: total * n)
        var means = [Double](repeating: 0, count: total * n)
        var column: [Double] = []
        for i in 0..<n {
            prediction.values(row: i, into: &column)
            for s in 0..<total { replicates[s * n + i] = column[s] }
            expected.values(row: i, into: &column)
            for s in 0..<total { means[s * n + i] = column[s] }
        }
        observationCount = n
        drawCount = total
        self.replicates = replicates
        drawChains = chainLengths.enumerated().flatMap { [Int](repeating: $0.offset + 1, count: $0.element) }
        drawIterations = chainLengths.flatMap { length in (0..<length).map { $0 + 1 } }
        let summaries = Self.fittedSummaries(expected: means, observations: n, draws: total)
        fittedMean = summaries.mean
        fittedSD = summaries.sd
        fittedLower = summaries.lower
        fittedUpper = summaries.upper
        if keepExpected { self.expected = means }
    }
}
