import Foundation
import MultilevelMath

/// How `LinearMixedModel.fit` minimises the profiled criterion over θ.
public enum ProfiledOptimizer: String, Sendable {
    /// The gradient-based path from 10 000 observations on (each evaluation a large factorisation,
    /// and the analytic gradient about one more), BOBYQA below (where an evaluation costs
    /// microseconds and the gradient's extra algebra would not pay).
    case automatic
    /// BOBYQA, then the Newton finish on criterion differences.
    case derivativeFree
    /// `BoundedQuasiNewton` on the analytic gradient (`profiledCriterionGradient`), then the
    /// Newton finish on gradient differences.
    case quasiNewton
}

extension LinearMixedModel {
    /// θ̂ by the gradient-based path: BFGS with bounds on the analytic gradient from `start`, then
    /// a Newton finish whose Hessian comes from forward differences of the gradient. Nil when the
    /// gradient is unavailable on the way (a diagonal θ entry reaching its bound 0, where the
    /// formula divides by it): the caller then takes the derivative-free path.
    func gradientOptimum(start: [Double], initialStep: Double, method: EstimationMethod)
        -> (theta: [Double], evaluations: Int, derivatives: CriterionDerivatives, converged: Bool)? {
        let equations = self.equations
        let lower = equations.covarianceFactor.lowerBounds
        let search = BoundedQuasiNewton.minimize(start: start, lower: lower,
                                                 options: .init(initialStep: initialStep)) {
            equations.criterionAndGradient(at: $0, method)
        }
        guard !search.gradientUnavailable, search.value.isFinite else { return nil }
        var evaluations = search.evaluations
        var gradientsAvailable = true
        let finish = NewtonFinish(theta: search.x, value: search.value, lowerBounds: lower,
                                  criterion: { equations.criterion(at: $0, method) }) { theta, value in
            let gradient = equations.criterionAndGradient(at: theta, method).gradient
            evaluations += 1
            if let gradient, let derivatives = CriterionDerivatives(
                theta: theta, lowerBounds: lower, gradient: gradient,
                gradientAt: { equations.criterionAndGradient(at: $0, method).gradient }) {
                return derivatives
            }
            gradientsAvailable = false
            return CriterionDerivatives(theta: theta, lowerBounds: lower, center: value) { equations.criterion(at: $0, method) }
        }
        guard gradientsAvailable else { return nil }
        return (finish.theta, evaluations + finish.evaluations, finish.derivatives, search.converged)
    }
}
