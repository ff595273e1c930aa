import Foundation

extension FittedModel {
    /// The design of `newData` for this fit (`NewDataDesign.build` with the fit's formula, rows and
    /// factors).
    public func newDataDesign(_ newData: DataTable, groupTerms: NewDataDesign.GroupTerms = .all,
                              allowNewLevels: Bool = false) throws -> NewDataDesign {
        try NewDataDesign.build(formula: formula, fitted: design, fittedData: data, factors: factors, newData: newData,
                                groupTerms: groupTerms, allowNewLevels: allowNewLevels)
    }

    /// brms' `posterior_epred` / `posterior_linpred` / `posterior_predict` on `newData` (Bayesian
    /// fits).
    public func posteriorPrediction(_ newData: DataTable, type: PredictionType, groupTerms: NewDataDesign.GroupTerms = .all,
                                    allowNewLevels: Bool = false, newLevels: NewLevelSampling = .uncertainty,
                                    seed: UInt64) throws -> PosteriorPrediction {
        guard let draws else { throw FittedModelError("posterior predictions need a Bayesian fit (fit --output), and this is an lmer fit") }
        let design = try newDataDesign(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels)
        return try PosteriorPrediction(draws: draws, fitted: self.design, family: family, newData: design, type: type,
                                       newLevels: newLevels, seed: seed)
    }

    /// lme4's `predict(newdata, re.form, allow.new.levels)` with delta-method confidence limits at
    /// `level` (lmer fits).
    public func mixedModelPrediction(_ newData: DataTable, groupTerms: NewDataDesign.GroupTerms = .all,
                                     allowNewLevels: Bool = false, level: Double = 0.95) throws -> MixedModelPrediction {
        guard let mixedModelFit else { throw FittedModelError("lme4-style predictions need an lmer fit (lmer --output), and this is a Bayesian fit") }
        let design = try newDataDesign(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels)
        return try MixedModelPrediction(fit: mixedModelFit, fitted: self.design, newData: design, level: level)
    }

    /// lme4's parametric bootstrap of `predict(newdata, re.form, allow.new.levels)` (lmer fits):
    /// `replicates` bootMer refits under `seed`, and per new row the type-7 quantiles of the
    /// replicate predictions at `probabilities` (`BootstrapPrediction`). `progress` gets the number
    /// of finished replicates.
    public func bootstrapPrediction(_ newData: DataTable, groupTerms: NewDataDesign.GroupTerms = .all,
                                    allowNewLevels: Bool = false, replicates: Int, seed: UInt64,
                                    probabilities: [Double], progress: ((Int) -> Void)? = nil) throws -> BootstrapPrediction {
        guard let mixedModelFit else { throw FittedModelError("bootstrap predictions need an lmer fit (lmer --output), and this is a Bayesian fit") }
        let newDesign = try newDataDesign(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels)
        let bootstrap = MixedModelBootstrap(model: try LinearMixedModel(design: design), fit: mixedModelFit)
        return try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: newDesign, replicates: replicates,
                                       seed: seed, probabilities: probabilities, progress: progress)
    }
}

/// A question this fit cannot answer (one line).
public struct FittedModelError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
