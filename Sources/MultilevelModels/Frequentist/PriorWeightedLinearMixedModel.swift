import Foundation
import MultilevelData
import MultilevelMath

/// lme4's prior weights in a linear mixed model (`lmer(…, weights = w)`): the residual of row i
/// has variance σ²/w_i. Multiplying row i of y, X and Z by √w_i gives the unweighted model
/// √w y = √w X β + √w Z b + ε, ε ~ N(0, σ² I) (Pinheiro & Bates 2000, §5.2), so the weighted fit is
/// the ordinary REML/ML fit of the scaled rows; the (REML) log-likelihood of y adds the Jacobian
/// log|W^½| = ½ Σ log w_i (lme4's `ldW`), the criterion and AIC/BIC subtract Σ log w_i, and the
/// fitted values and residuals are returned on the response's scale (y − ŷ, as lme4's
/// `residuals()`).
public struct PriorWeightedLinearMixedModel {
    public let design: ModelDesign
    public let weights: [Double]

    /// Throws `DesignError` naming the data line of a weight that is not positive and finite.
    public init(design: ModelDesign, weights: [Double]) throws {
        precondition(weights.count == design.rowCount, "one weight per row")
        if let row = weights.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            let line = row < design.sourceLines.count ? "\(design.dataFileName ?? "data"):\(design.sourceLines[row]): " : ""
            throw DesignError("\(line)prior weight \(weights[row]) must be positive and finite")
        }
        self.design = design
        self.weights = weights
    }

    /// The design with every row multiplied by √w_i (response, offset, X and Z).
    public var scaledDesign: ModelDesign {
        var scaled = design
        let root = weights.map { $0.squareRoot() }
        let n = design.rowCount
        for i in 0..<n { scaled.response[i] *= root[i] }
        if let offset = design.offset { scaled.offset = zip(offset, root).map(*) }
        var x = design.fixedEffects
        for j in 0..<x.columns { for i in 0..<n { x[i, j] *= root[i] } }
        scaled.fixedEffects = x
        for t in scaled.randomTerms.indices {
            let q = scaled.randomTerms[t].columnCount
            for i in 0..<n { for k in 0..<q { scaled.randomTerms[t].values[i * q + k] *= root[i] } }
        }
        return scaled
    }

    /// The REML or ML fit with prior weights (see the type's description).
    public func fit(method: EstimationMethod = .reml, options: LinearMixedModel.FitOptions = .init()) throws -> LinearMixedModelFit {
        var fit = try LinearMixedModel(design: scaledDesign).fit(method: method, options: options)
        adjust(&fit)
        return fit
    }

    /// Turns the fit of `scaledDesign` into the weighted fit: the Jacobian in the log-likelihood,
    /// criterion, AIC and BIC; fitted values and residuals on the response's scale unless
    /// `responseScale` is false (then the residuals stay √w (y − ŷ), whose ratio to σ̂ is what
    /// lme4's summary prints as scaled residuals).
    public func adjust(_ fit: inout LinearMixedModelFit, responseScale: Bool = true) {
        let logDeterminant = weights.reduce(0) { $0 + log($1) }
        fit.logLikelihood += 0.5 * logDeterminant
        fit.criterion -= logDeterminant
        fit.akaikeInformationCriterion -= logDeterminant
        fit.bayesianInformationCriterion -= logDeterminant
        for i in fit.fittedValues.indices where responseScale {
            let root = weights[i].squareRoot()
            fit.fittedValues[i] /= root
            fit.residuals[i] = design.response[i] - fit.fittedValues[i]
        }
    }
}

extension PriorWeightedLinearMixedModel {
    /// Nakagawa's R² of a weighted fit as performance::r2_nakagawa computes it (performance 0.10.2,
    /// glmer_prior_weights.json): var(Xβ̂) and the random-effect variance on the unweighted rows,
    /// σ̂² the fit's (the variance of a row of weight 1). The fit's terms hold the √w-scaled Z, so
    /// each row is divided back by √w.
    public func nakagawaR2(_ fit: LinearMixedModelFit) -> NakagawaR2 {
        var unweighted = fit
        let root = weights.map { $0.squareRoot() }
        for t in unweighted.terms.indices {
            let q = unweighted.terms[t].columnCount
            for i in root.indices { for k in 0..<q { unweighted.terms[t].values[i * q + k] /= root[i] } }
        }
        return NakagawaR2(fit: unweighted, design: droppingAliasedColumns(design).design)
    }
}
