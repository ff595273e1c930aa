import Foundation

/// Refits of a brms distributional model `bf(y ~ …, dpar ~ …)` to some of its rows, scoring the
/// rows left out: brms' `kfold` and `reloo` on a distributional fit (Vehtari, Gelman & Gabry 2017,
/// §4). Each refit is the model fitted anew to the kept rows — every part's design rebuilt on them
/// (predictors centred at the kept rows' means, as brms' Stan code centres its data), under the
/// full-data fit's priors (brms' `kfold` reuses the compiled model, whose default priors were set
/// from all rows), sampled by joint NUTS with the same settings — and
/// each held-out row's log density is evaluated at that row's own predicted dpars,
///
///     log p(yᵢ | θˢ₋ₖ) = log f(yᵢ | μᵢˢ, σᵢˢ = exp(η_σ,iˢ), …),
///
/// through the refit's `posteriorPrediction` (a level the kept rows lack is a new level, each draw
/// borrowing a fitted level's effects: brms' `sample_new_levels = "uncertainty"`, kfold's default).
public struct DistributionalRefits: Sendable {
    /// The full-data fit: its rows (`data`, the rows every part uses), formula, family and designs.
    public var fitted: FittedModel
    /// The user's prior statements (brms' defaults otherwise).
    public var statements: [PriorStatement]
    /// Contrasts, reference levels and ordered factors of the designs.
    public var options: DesignOptions
    /// Sampler settings of each refit (chains run one after another when refits run at once).
    public var settings: SamplerSettings
    /// The priors of the full-data fit (brms' defaults from all rows, the user's statements applied).
    public let priors: DistributionalPriors

    public init(fitted: FittedModel, statements: [PriorStatement], options: DesignOptions, settings: SamplerSettings) throws {
        guard let design = fitted.distributional?.design else {
            throw FittedModelError("distributional refits need a bf() fit with predicted dpars")
        }
        self.fitted = fitted
        self.statements = statements
        self.options = options
        self.settings = settings
        priors = try DistributionalPosterior(design: design, family: fitted.family, statements: statements).priors
    }

    /// The log-likelihood of the rows `heldOut` (indices into `fitted.data`) under the model refitted
    /// to the rows `kept`; `seed` draws the stand-in levels of new levels.
    public func heldOutLogLikelihood(kept: [Int], heldOut: [Int], seed: UInt64) throws -> HeldOutLogLikelihood {
        guard let distributional = fitted.distributional else {
            throw FittedModelError("distributional refits need a bf() fit with predicted dpars")
        }
        let (formula, full) = distributional
        let columns = fitted.data.columnNames
        let training = fitted.data.subset(rows: kept, columns: columns)
        let design = try DistributionalDesign.build(formula: formula, table: training, options: options, family: fitted.family)
        // The full-data priors fit the kept rows' designs only if no column was lost with the rows.
        for (whole, part) in zip([full.mean] + full.parameters.map(\.design), [design.mean] + design.parameters.map(\.design)) {
            if let name = whole.fixedEffectNames.first(where: { !part.fixedEffectNames.contains($0) }) {
                throw FittedModelError("a refit without \(heldOut.count) row\(heldOut.count == 1 ? "" : "s") (first: data line \(fitted.data.sourceLines[heldOut[0]])) loses the column \(name) of \(whole.formulaText): every level of a population-level factor needs a kept row (use other folds)")
            }
            if part.randomTerms.map(\.columnNames) != whole.randomTerms.map(\.columnNames) {
                throw FittedModelError("a refit without \(heldOut.count) row\(heldOut.count == 1 ? "" : "s") (first: data line \(fitted.data.sourceLines[heldOut[0]])) loses a column of a group-level term of \(whole.formulaText) (use other folds)")
            }
        }
        let posterior = try DistributionalPosterior(design: design, family: fitted.family, priors: priors)
        let fit = try DistributionalFit.run(posterior: posterior, settings: settings)
        let names = Array(fit.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count))
        var refit = fitted
        refit.data = training
        refit.design = design.mean
        refit.draws = fit.draws.selecting(names)
        refit.distributional = (formula, design)
        let prediction = try refit.posteriorPrediction(fitted.data.subset(rows: heldOut, columns: columns), type: .epred,
                                                       allowNewLevels: true, seed: seed)
        let width = max(fit.draws.variableCount, 1)
        let ll = DistributionalLogLikelihood(prediction: prediction, response: heldOut.map { fitted.design.response[$0] },
                                             trials: fitted.design.trials.map { trials in heldOut.map { trials[$0] } },
                                             chainLengths: fit.draws.chains.map { $0.count / width },
                                             weights: fitted.design.additions?.weights.map { weights in heldOut.map { weights[$0] } })
        // Rows with a level of some part's grouping factor that the kept rows lack.
        var newLevelRows = Set<Int>()
        for (whole, part) in zip([full.mean] + full.parameters.map(\.design), [design.mean] + design.parameters.map(\.design)) {
            for (term, trained) in zip(whole.randomTerms, part.randomTerms) {
                let known = Set(trained.grouping.levels)
                for (j, row) in heldOut.enumerated()
                where !known.contains(term.grouping.levels[term.grouping.levelIndex[row]]) { newLevelRows.insert(j) }
            }
        }
        return HeldOutLogLikelihood(matrix: ll.matrix(), chains: fit.draws.chains.count, newLevelRows: newLevelRows.count)
    }

    /// `heldOutLogLikelihood` as the scoring `KFold.run` and `ExactLeaveOneOut.apply` call.
    public var scoring: HeldOutLogLikelihood.Scoring {
        let refits = self
        return { kept, heldOut, seed in try refits.heldOutLogLikelihood(kept: kept, heldOut: heldOut, seed: seed) }
    }
}
