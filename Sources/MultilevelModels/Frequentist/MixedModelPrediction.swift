import Foundation
import MultilevelData
import MultilevelMath

/// lme4's `predict(fit, newdata, re.form, allow.new.levels = TRUE)` for a linear mixed model:
/// ŷᵢ = xᵢβ̂ + Σ over the kept terms zᵢ b̂[levelᵢ] (conditional modes; a new level contributes 0,
/// the population value), with the delta-method standard error of the population part,
/// SE(xᵢβ̂) = √(xᵢ Var(β̂) xᵢᵀ), and normal 95% (or `level`) confidence limits — the band
/// emmeans and ggeffects draw for an lmer fit, which treat b̂ as known.
public struct MixedModelPrediction: Sendable {
    public var estimates: [Double]
    public var standardErrors: [Double]
    public var lower: [Double]
    public var upper: [Double]

    public init(fit: LinearMixedModelFit, fitted: ModelDesign, newData: NewDataDesign, level: Double = 0.95) throws {
        let m = newData.rowCount
        let p = fit.fixedEffects.count
        // The fit may have dropped aliased columns: map its coefficients to the design's columns.
        let columnOfCoefficient = try fit.fixedEffectNames.map { name -> Int in
            guard let j = fitted.fixedEffectNames.firstIndex(of: name) else {
                throw DesignError("prediction: coefficient '\(name)' is not a column of the design")
            }
            return j
        }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        var estimates = [Double](repeating: 0, count: m), errors = estimates
        var x = [Double](repeating: 0, count: p)
        for i in 0..<m {
            for (a, j) in columnOfCoefficient.enumerated() { x[a] = newData.fixedEffects[i, j] }
            var eta = 0.0, variance = 0.0
            for a in 0..<p {
                eta += x[a] * fit.fixedEffects[a]
                for b in 0..<p { variance += x[a] * fit.fixedEffectsCovariance[a, b] * x[b] }
            }
            estimates[i] = eta + (newData.offset?[i] ?? 0)    // offset(): coefficient 1, no variance
            errors[i] = max(variance, 0).squareRoot()
        }
        for term in newData.terms {
            let designTerm = fitted.randomTerms[term.fittedIndex]
            guard let k = fit.terms.firstIndex(where: { $0.text == designTerm.text && $0.grouping.name == designTerm.grouping.name
                                                         && $0.columnNames == designTerm.columnNames }) else {
                throw DesignError("prediction: term \(designTerm.text) is not in the fit")
            }
            let q = designTerm.columnCount
            let modes = fit.conditionalModes[k]
            for i in 0..<m {
                guard let level = term.levels[i] else { continue }
                for c in 0..<q where term.included[c] { estimates[i] += term.values[i * q + c] * modes[level * q + c] }
            }
        }
        self.estimates = estimates
        standardErrors = errors
        lower = zip(estimates, errors).map { $0 - z * $1 }
        upper = zip(estimates, errors).map { $0 + z * $1 }
    }
}
