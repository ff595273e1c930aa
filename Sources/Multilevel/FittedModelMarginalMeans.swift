import Foundation

extension FittedModel {
    /// emmeans(fit, specs, by = by, lmer.df = method) and, with `pairwise`, pairs(…, adjust =
    /// adjustment): `EstimatedMarginalMeans` on the fit's reference grid, by the fit's engine.
    public func estimatedMarginalMeans(specs: [String], by: [String] = [], pairwise: Bool = false,
                                       adjustment: EstimatedMarginalMeans.Adjustment = .tukey,
                                       degreesOfFreedom method: EstimatedMarginalMeans.DegreesOfFreedomMethod = .kenwardRoger) throws -> EstimatedMarginalMeans {
        if family.kind == .cumulative {
            throw FittedModelError("emmeans of an ordinal (cumulative) fit is not supported: its linear predictor has K − 1 thresholds instead of an intercept; 'predict --type epred' on a grid gives P(Y = k), 'effects' the expected rating")
        }
        let grid = try ReferenceGrid(formula: formula, design: design, data: data, factors: factors)
        switch kind {
        case .frequentist:
            guard let mixedModelFit else { throw FittedModelError("this lmer fit has no estimates") }
            let inference = try LinearFunctionInference(model: LinearMixedModel(design: design), fit: mixedModelFit, method: method)
            return try .frequentist(grid: grid, specs: specs, by: by, pairwise: pairwise, adjustment: adjustment, inference: inference)
        case .bayesian:
            return try .bayesian(grid: grid, specs: specs, by: by, pairwise: pairwise, beta: coefficientDraws())
        }
    }

    /// The draws of the population-level coefficients, one row per draw (chains in order), in the
    /// design's column order (brms' `b_…` names).
    public func coefficientDraws() throws -> [[Double]] {
        guard let draws else { throw FittedModelError("this fit has no posterior draws") }
        let columns = try design.fixedEffectNames.map { name -> [Double] in
            let variable = "b_" + brmsName(ofColumn: name)
            guard let chains = draws.values(of: variable) else { throw FittedModelError("the draws have no variable '\(variable)'") }
            return chains.flatMap { $0 }
        }
        let count = columns.first?.count ?? 0
        return (0..<count).map { s in columns.map { $0[s] } }
    }
}
