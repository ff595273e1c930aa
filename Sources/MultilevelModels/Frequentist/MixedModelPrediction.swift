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
        let predictor = try NewDataLinearPredictor(fit: fit, fitted: fitted, newData: newData)
        let m = newData.rowCount
        let p = fit.fixedEffects.count
        var estimates = [Double](repeating: 0, count: m)
        predictor.predict(fixedEffects: fit.fixedEffects, conditionalModes: fit.conditionalModes, into: &estimates)
        var errors = [Double](repeating: 0, count: m)
        var x = [Double](repeating: 0, count: p)
        for i in 0..<m {
            predictor.coefficientRow(i, into: &x)
            var variance = 0.0
            for a in 0..<p { for b in 0..<p { variance += x[a] * fit.fixedEffectsCovariance[a, b] * x[b] } }
            errors[i] = max(variance, 0).squareRoot()
        }
        let z = NormalDistribution.quantile(0.5 + level / 2)
        self.estimates = estimates
        standardErrors = errors
        lower = zip(estimates, errors).map { $0 - z * $1 }
        upper = zip(estimates, errors).map { $0 + z * $1 }
    }
}
