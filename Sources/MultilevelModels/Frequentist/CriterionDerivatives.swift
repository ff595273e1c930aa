import Foundation
import MultilevelMath

/// Central finite-difference gradient and Hessian of an optimisation criterion at θ over the
/// coordinates more than one step above their lower bound, with Richardson extrapolation (the
/// scheme numDeriv uses by default): with D(h) = (f(θ + heᵢ) − f(θ − heᵢ))/2h, the gradient is
/// (4D(h/2) − D(h))/3, whose truncation error is O(h⁴ f⁽⁵⁾) instead of the O(h² f‴) of one
/// central difference, and likewise for the Hessian's diagonal from second differences; each
/// off-diagonal entry comes from f(θ ± (h/2)(eᵢ + eⱼ)) as in lme4's `deriv12`. n(n + 3)
/// evaluations for n free coordinates (the centre value is passed in). With h = 1e-3 the gradient's
/// error is dominated by the criterion's rounding noise ε, about ε/h. With
/// `oneSidedCrossDifferences` each off-diagonal entry takes f(θ + (h/2)(eᵢ + eⱼ)) alone (error
/// O(h f‴) instead of O(h² f⁗), ample for a Newton step already within ~1e-4 of the optimum):
/// n(n + 7)/2 evaluations.
struct CriterionDerivatives {
    /// Indices (into θ) of the coordinates differentiated.
    var free: [Int]
    /// ∂f/∂θ over `free`.
    var gradient: [Double]
    /// ∂²f/∂θ² over `free` (symmetric).
    var hessian: DenseMatrix
    /// Criterion evaluations spent.
    var evaluations: Int

    init(theta: [Double], lowerBounds: [Double], center: Double, step h: Double = 1e-3,
         oneSidedCrossDifferences: Bool = false, criterion: ([Double]) -> Double) {
        let free = theta.indices.filter { theta[$0] - lowerBounds[$0] > h }
        let n = free.count
        var gradient = [Double](repeating: 0, count: n)
        var hessian = DenseMatrix(rows: n, columns: n)
        var halfPlus = [Double](repeating: 0, count: n), halfMinus = halfPlus
        var evaluations = 0
        func shifted(_ changes: [(Int, Double)]) -> Double {
            var point = theta
            for (index, delta) in changes { point[index] += delta }
            evaluations += 1
            return criterion(point)
        }
        let half = h / 2
        for (a, i) in free.enumerated() {
            let plus = shifted([(i, h)]), minus = shifted([(i, -h)])
            let plusHalf = shifted([(i, half)]), minusHalf = shifted([(i, -half)])
            let wide = (plus - minus) / (2 * h), narrow = (plusHalf - minusHalf) / h
            gradient[a] = (4 * narrow - wide) / 3
            let wideCurvature = (plus - 2 * center + minus) / (h * h)
            let narrowCurvature = (plusHalf - 2 * center + minusHalf) / (half * half)
            hessian[a, a] = (4 * narrowCurvature - wideCurvature) / 3
            halfPlus[a] = plusHalf
            halfMinus[a] = minusHalf
        }
        // Off-diagonal second differences along the diagonal directions, two evaluations per pair.
        for (a, i) in free.enumerated() {
            for (b, j) in free.enumerated() where b < a {
                let value: Double
                if oneSidedCrossDifferences {
                    // f(θ + (h/2)(eᵢ + eⱼ)) − f(θ + (h/2)eᵢ) − f(θ + (h/2)eⱼ) + f(θ), over (h/2)²: O(h f‴).
                    value = (shifted([(i, half), (j, half)]) - halfPlus[a] - halfPlus[b] + center) / (half * half)
                } else {
                    let both = shifted([(i, half), (j, half)]) + shifted([(i, -half), (j, -half)])
                    value = (both - halfPlus[a] - halfPlus[b] - halfMinus[a] - halfMinus[b] + 2 * center)
                        / (2 * half * half)
                }
                hessian[a, b] = value
                hessian[b, a] = value
            }
        }
        self.free = free
        self.gradient = gradient
        self.hessian = hessian
        self.evaluations = evaluations
    }
}

extension CriterionDerivatives {
    /// The derivatives from an analytic gradient: g at θ as given, and the Hessian's columns by
    /// forward differences of the gradient, (g(θ + h eᵢ) − g(θ))/h with h = 1e-4 · max(1, |θᵢ|),
    /// symmetrised (error O(h f‴), ample for the Newton finish and lme4's checks): n gradient
    /// evaluations for n free coordinates instead of the criterion differences' n(n + 3).
    /// Coordinates within h of their bound are left out, as in the criterion differences. Nil
    /// when a shifted point has no gradient.
    init?(theta: [Double], lowerBounds: [Double], gradient: [Double],
          gradientAt: ([Double]) -> [Double]?) {
        let steps = theta.map { 1e-4 * Swift.max(1, abs($0)) }
        let free = theta.indices.filter { theta[$0] - lowerBounds[$0] > steps[$0] }
        let n = free.count
        var hessian = DenseMatrix(rows: n, columns: n)
        for (a, i) in free.enumerated() {
            var point = theta
            point[i] += steps[i]
            guard let shifted = gradientAt(point) else { return nil }
            for (b, j) in free.enumerated() { hessian[b, a] = (shifted[j] - gradient[j]) / steps[i] }
        }
        for a in 0..<n { for b in 0..<a {
            let mean = (hessian[a, b] + hessian[b, a]) / 2
            hessian[a, b] = mean
            hessian[b, a] = mean
        } }
        self.free = free
        self.gradient = free.map { gradient[$0] }
        self.hessian = hessian
        self.evaluations = n
    }
}

extension CriterionDerivatives {
    /// The derivatives with respect to θ = s ⊙ x from these, taken with respect to x (the chain
    /// rule: ∂f/∂θᵢ = (∂f/∂xᵢ)/sᵢ and ∂²f/∂θᵢ∂θⱼ = (∂²f/∂xᵢ∂xⱼ)/(sᵢsⱼ)), for lme4's checks on θ.
    func unscaled(by scales: [Double]) -> CriterionDerivatives {
        var result = self
        for (a, i) in free.enumerated() {
            result.gradient[a] /= scales[i]
            for (b, j) in free.enumerated() { result.hessian[a, b] /= scales[i] * scales[j] }
        }
        return result
    }
}
