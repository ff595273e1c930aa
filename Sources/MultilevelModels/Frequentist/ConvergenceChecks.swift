import Foundation
import MultilevelMath

/// lme4's post-fit convergence checks (`checkConv` with `lmerControl()` defaults) on the
/// finite-difference gradient and Hessian of the criterion at θ̂ (`CriterionDerivatives`: lme4's
/// `deriv12` central differences, Richardson-extrapolated, so more accurate than lme4's own at the
/// same tolerances; coordinates on their bound, as in singular fits, are left out):
/// - check.conv.grad: the scaled gradient solve(chol(H), g), componentwise the smaller of it and
///   the raw gradient in absolute value, must not exceed 0.002;
/// - check.conv.hess: H must be positive definite.
/// A fit whose optimiser stopped on its evaluation budget is reported too. Returns lme4-worded
/// warnings (empty when all pass).
func convergenceWarnings(derivatives: CriterionDerivatives, optimizerConverged: Bool) -> [String] {
    var warnings: [String] = []
    if !optimizerConverged {
        warnings.append("convergence failure: the optimiser reached its evaluation limit")
    }
    let free = derivatives.free
    guard !free.isEmpty else { return warnings }
    let gradient = derivatives.gradient
    if let factor = try? derivatives.hessian.choleskyLower() {
        let scaled = factor.solvingLowerTranspose(gradient)
        var worst = 0.0, component = 0
        for k in gradient.indices {
            let value = Swift.min(abs(scaled[k]), abs(gradient[k]))
            if value > worst { worst = value; component = free[k] + 1 }
        }
        if worst > 0.002 {
            warnings.append("Model failed to converge with max|grad| = \(formatSignificant(worst)) (tol = 0.002, component \(component))")
        }
    } else {
        warnings.append("Model failed to converge: degenerate Hessian (not positive definite)")
    }
    return warnings
}

/// R's default printing of a number with 7 significant digits (`format(x)`), for messages.
func formatSignificant(_ x: Double, digits: Int = 7) -> String {
    var text = String(format: "%.\(digits)g", x)
    if text.contains("e") { return text }
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}
