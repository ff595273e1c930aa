import MultilevelData
import MultilevelSampling

/// Percentile bands of predictions for new rows from the parametric bootstrap, lme4's way:
/// `bootMer(fit, function(f) predict(f, newdata, re.form, allow.new.levels = TRUE), nsim = R,
/// type = "parametric")`, then at each row the type-7 quantiles (R's `quantile` default) of the R
/// replicate predictions. Each replicate simulates new random effects and residuals from the fit
/// (`use.u = FALSE`), refits, and predicts the new rows with its β̂* and b̂*
/// (`NewDataLinearPredictor`), so the band of a conditional prediction includes the uncertainty of
/// the group's effects, not only of β̂. Pointwise bands (Davison & Hinkley 1997, §5.3.1's
/// percentile method at each row), not simultaneous ones.
public struct BootstrapPrediction: Sendable {
    public var probabilities: [Double]
    /// The fit's predictions ŷ (lme4's `predict(fit, newdata, re.form)`, bootMer's t0).
    public var estimates: [Double]
    /// Per new row, the quantiles of the replicates at `probabilities`.
    public var quantiles: [[Double]]
    /// Per new row, the standard deviation of the replicates (bootMer's "std. error").
    public var standardErrors: [Double]
    /// The bootstrap itself; `statisticValues` holds the replicate predictions, replicate-major
    /// (replicateCount × rowCount, NaN for a failed refit).
    public var result: BootstrapResult
    public var rowCount: Int

    /// Runs `replicates` parametric replicates of `bootstrap` under `seed` and summarises the
    /// predictions of `newData`, a design built against `fitted` (the model's design before
    /// aliased columns were dropped) with the group-level terms to include.
    public init(bootstrap: MixedModelBootstrap, fitted: ModelDesign, newData: NewDataDesign, replicates: Int,
                seed: UInt64, probabilities: [Double], threads: Int? = nil,
                progress: ((Int) -> Void)? = nil) throws {
        let fit = bootstrap.fit
        let predictor = try NewDataLinearPredictor(fit: fit, fitted: fitted, newData: newData)
        let m = newData.rowCount
        let withGroups = !newData.terms.isEmpty
        let statistic = ReplicateStatistic(count: m) { fixedEffects, modes, values in
            predictor.predict(fixedEffects: fixedEffects, conditionalModes: withGroups ? modes : nil, into: &values)
        }
        let result = try bootstrap.run(scheme: .parametric, replicates: replicates, seed: seed, threads: threads,
                                       statistic: statistic, progress: progress)
        var estimates = [Double](repeating: 0, count: m)
        predictor.predict(fixedEffects: fit.fixedEffects, conditionalModes: fit.conditionalModes, into: &estimates)
        var quantiles: [[Double]] = [], errors: [Double] = []
        quantiles.reserveCapacity(m)
        errors.reserveCapacity(m)
        var values = [Double]()
        for i in 0..<m {
            values.removeAll(keepingCapacity: true)
            for r in 0..<replicates {
                let value = result.statisticValues[r * m + i]
                if value.isFinite { values.append(value) }
            }
            values.sort()
            quantiles.append(probabilities.map { values.isEmpty ? .nan : quantileType7(values, probability: $0) })
            let count = Double(values.count)
            let mean = values.reduce(0, +) / count
            errors.append(values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)).squareRoot() : .nan)
        }
        self.probabilities = probabilities
        self.estimates = estimates
        self.quantiles = quantiles
        standardErrors = errors
        self.result = result
        rowCount = m
    }

    /// The replicate predictions of new row `row` (NaN where the refit failed), in replicate order.
    public func replicateValues(row: Int) -> [Double] {
        (0..<result.replicateCount).map { result.statisticValues[$0 * rowCount + row] }
    }
}
