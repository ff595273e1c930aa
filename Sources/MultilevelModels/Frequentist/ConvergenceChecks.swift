import Foundation
import MultilevelMath

/// lme4's post-fit convergence checks (`checkConv` with `lmerControl()` defaults): a central
/// finite-difference gradient and Hessian of the criterion at θ̂ (step 1e-4, 2n + n(n−1) evaluations
/// plus the centre unless its `value` is given — lme4 passes the optimiser's — as lme4's `deriv12`),
/// then
/// - check.conv.grad: the scaled gradient solve(chol(H), g), componentwise the smaller of it and
///   the raw gradient in absolute value, must not exceed 0.002;
/// - check.conv.hess: H must be positive definite.
/// Coordinates on their bound (singular fits) are left out, and a fit whose optimiser stopped on
/// its evaluation budget is reported too. Returns lme4-worded warnings (empty when all pass).
public func convergenceWarnings(theta: [Double], lowerBounds: [Double], optimizerConverged: Bool,
                                value: Double? = nil, criterion: ([Double]) -> Double) -> [String] {
    var warnings: [String] = []
    if !optimizerConverged {
        warnings.append("convergence failure: the optimiser reached its evaluation limit")
    }
    let step = 1e-4
    let free = theta.indices.filter { theta[$0] - lowerBounds[$0] > step }
    guard !free.isEmpty else { return warnings }
    let center = value ?? criterion(theta)
    var gradient = [Double](repeating: 0, count: free.count)
    var hessian = DenseMatrix(rows: free.count, columns: free.count)
    var plusValues = [Double](repeating: 0, count: free.count), minusValues = plusValues
    func shifted(_ changes: [(Int, Double)]) -> Double {
        var point = theta
        for (index, delta) in changes { point[index] += delta }
        return criterion(point)
    }
    for (a, i) in free.enumerated() {
        let plus = shifted([(i, step)]), minus = shifted([(i, -step)])
        gradient[a] = (plus - minus) / (2 * step)
        hessian[a, a] = (plus - 2 * center + minus) / (step * step)
        plusValues[a] = plus
        minusValues[a] = minus
    }
    // Off-diagonal second differences from f(x ± hᵢ ± hⱼ) along the diagonal direction, as lme4's
    // deriv12: two evaluations per pair.
    for (a, i) in free.enumerated() {
        for (b, j) in free.enumerated() where b < a {
            let both = shifted([(i, step), (j, step)]) + shifted([(i, -step), (j, -step)])
            let value = (both - plusValues[a] - plusValues[b] - minusValues[a] - minusValues[b] + 2 * center) / (2 * step * step)
            hessian[a, b] = value
            hessian[b, a] = value
        }
    }
    if let factor = try? hessian.choleskyLower() {
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
