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
    /// fits). For a distributional fit (`bf()`) every dpar is predicted from its own formula on the
    /// new rows (`groupTerms` applies to each; a dpar without the named terms keeps none), and
    /// `dpar` asks for brms' `dpar =`: that parameter's linear predictor or value.
    public func posteriorPrediction(_ newData: DataTable, type: PredictionType, groupTerms: NewDataDesign.GroupTerms = .all,
                                    allowNewLevels: Bool = false, newLevels: NewLevelSampling = .uncertainty,
                                    seed: UInt64, dpar: AuxiliaryParameter? = nil) throws -> PosteriorPrediction {
        guard let draws else { throw FittedModelError("posterior predictions need a Bayesian fit (fit --output), and this is an lmer fit") }
        guard let distributional else {
            let design = try newDataDesign(newData, groupTerms: groupTerms, allowNewLevels: allowNewLevels)
            if let dpar {
                throw FittedModelError("dpar '\(dpar.rawValue)': the model predicts no auxiliary parameter (brms' dpar = needs a bf() formula such as bf(y ~ x, \(dpar.rawValue) ~ x))")
            }
            return try PosteriorPrediction(draws: draws, fitted: self.design, family: family, newData: design, type: type,
                                           newLevels: newLevels, seed: seed)
        }
        // Each part judges the new rows by the columns its own formula uses: a new level of a
        // grouping factor that only another part uses is not its concern, so the other columns
        // are set to a fitted row's value for it.
        func rows(for formula: Formula) -> DataTable {
            let used = Set(formula.referencedColumns.map(\.name))
            var copy = newData
            for (k, name) in copy.columnNames.enumerated() where !used.contains(name) {
                guard let fitted = data.column(named: name), let row = (0..<data.rowCount).first(where: { !fitted.isMissing($0) }) else {
                    continue
                }
                switch fitted {
                case .numeric(let values): copy.columns[k] = .numeric([Double](repeating: values[row], count: copy.rowCount))
                case .factor(let levels, let codes):
                    copy.columns[k] = .factor(levels: levels, codes: [Int32](repeating: codes[row], count: copy.rowCount))
                }
            }
            return copy
        }
        let design = try NewDataDesign.build(formula: formula, fitted: self.design, fittedData: data, factors: factors,
                                             newData: rows(for: formula), groupTerms: groupTerms, allowNewLevels: allowNewLevels)
        var parameters: [(parameter: AuxiliaryParameter, fitted: ModelDesign, newData: NewDataDesign)] = []
        for (part, fitted) in zip(distributional.formula.parameters, distributional.design.parameters) {
            let partRows = rows(for: part.formula)
            func build(_ terms: NewDataDesign.GroupTerms) throws -> NewDataDesign {
                try NewDataDesign.build(formula: part.formula, fitted: fitted.design, fittedData: data, factors: factors,
                                        newData: partRows, groupTerms: terms, allowNewLevels: allowNewLevels)
            }
            var isSubset = false
            if case .subset = groupTerms { isSubset = true }
            let partDesign: NewDataDesign
            do {
                partDesign = try build(groupTerms)
            } catch where isSubset {
                partDesign = try build(.none)       // the re_formula names none of this dpar's terms
            }
            parameters.append((fitted.parameter, fitted.design, partDesign))
        }
        return try PosteriorPrediction(draws: draws, fitted: self.design, family: family, newData: design, parameters: parameters,
                                       type: type, dpar: dpar, newLevels: newLevels, seed: seed)
    }

    /// The pointwise log-likelihood of a distributional fit (`bf()`) on its own rows (brms'
    /// `log_lik`; `DistributionalLogLikelihood`).
    public func distributionalLogLikelihood() throws -> DistributionalLogLikelihood {
        guard let draws, distributional != nil else {
            throw FittedModelError("the distributional log-likelihood needs a Bayesian bf() fit")
        }
        let prediction = try posteriorPrediction(data, type: .epred, seed: settings?.seed ?? 1)
        let width = max(draws.variableCount, 1)
        return DistributionalLogLikelihood(prediction: prediction, response: design.response, trials: design.trials,
                                           chainLengths: draws.chains.map { $0.count / width }, weights: design.additions?.weights)
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
