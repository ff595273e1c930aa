import MultilevelMath
import Foundation

/// Wald intervals β̂ ± z₍₁₊ₗₑᵥₑₗ₎/₂ · SE for the fixed effects, as lme4's `confint(method = "Wald")`
/// (which gives no Wald interval for variance parameters).
public func waldIntervals(_ fit: LinearMixedModelFit, level: Double = 0.95) -> [NamedEstimate] {
    waldIntervals(frequentistParameters(fit), level: level)
}

/// The same for a GLMM's Laplace fit (lme4's `confint(glmer fit, method = "Wald")`).
public func waldIntervals(_ fit: GeneralizedLinearMixedModelFit, level: Double = 0.95) -> [NamedEstimate] {
    waldIntervals(frequentistParameters(fit), level: level)
}

/// estimate ± z · SE for every parameter that has a standard error.
func waldIntervals(_ parameters: [NamedEstimate], level: Double) -> [NamedEstimate] {
    let z = NormalDistribution.quantile((1 + level) / 2)
    return parameters.map { parameter in
        var result = parameter
        if let se = parameter.standardError {
            result.lower = parameter.estimate - z * se
            result.upper = parameter.estimate + z * se
        }
        return result
    }
}
