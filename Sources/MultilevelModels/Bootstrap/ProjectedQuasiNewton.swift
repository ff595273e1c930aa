import MultilevelMath

/// Minimisation of a smooth function over a box bounded below, {x : x ≥ lower} (entries of `lower`
/// may be −∞), by a projected quasi-Newton method: BFGS updates of an inverse-Hessian
/// approximation restricted to the variables off their bounds (Bertsekas 1982, "Projected Newton
/// methods for optimization problems with simple constraints", SIAM J. Control Optim. 20(2);
/// Nocedal & Wright 2006, §6.1 and eq. 6.20 for the initial scaling), central-difference gradients
/// (forward differences on a bound), and an Armijo backtracking search along the projected path.
///
/// It is meant for warm-started refits of a smooth criterion with few parameters — the bootstrap's
/// refits of the profiled REML criterion from θ̂, where it needs about as many evaluations as a
/// derivative-free method and almost no overhead besides them. Callers fall back to BOBYQA when it
/// reports no convergence.
struct ProjectedQuasiNewton {
    /// Stop when every projected gradient component is below this (in units of f per unit of x).
    var gradientTolerance = 1e-4
    /// …or when a step moves no coordinate by more than this and f by less than `valueTolerance`.
    var stepTolerance = 1e-9
    var valueTolerance = 1e-12
    var maxIterations = 200
    /// Finite-difference step.
    var differenceStep = 1e-4

    struct Result {
        var x: [Double]
        var value: Double
        var evaluations: Int
        var converged: Bool
    }

    func minimize(start: [Double], lower: [Double], _ f: ([Double]) -> Double) -> Result {
        let n = start.count
        var evaluations = 0
        func evaluate(_ x: [Double]) -> Double {
            evaluations += 1
            let value = f(x)
            return value.isNaN ? .infinity : value
        }
        func project(_ x: [Double]) -> [Double] { (0..<n).map { Swift.max(x[$0], lower[$0]) } }
        /// Central differences (forward on a bound); the same evaluations give the diagonal
        /// curvature (f₊ − 2f + f₋)/h², used to scale the first inverse-Hessian approximation.
        func gradient(_ x: [Double], _ fx: Double) -> (gradient: [Double], curvature: [Double]) {
            var g = [Double](repeating: 0, count: n)
            var c = [Double](repeating: .nan, count: n)
            var point = x
            for i in 0..<n {
                let h = differenceStep * Swift.max(1, abs(x[i]))
                point[i] = x[i] + h
                let plus = evaluate(point)
                if x[i] - h >= lower[i] {
                    point[i] = x[i] - h
                    let minus = evaluate(point)
                    g[i] = (plus - minus) / (2 * h)
                    c[i] = (plus - 2 * fx + minus) / (h * h)
                } else {
                    g[i] = (plus - fx) / h
                }
                point[i] = x[i]
            }
            return (g, c)
        }
        /// The inverse of the diagonal curvature where it is positive, 1 elsewhere.
        func scaledIdentity(_ curvature: [Double]) -> [Double] {
            var m = identity(n)
            for i in 0..<n where curvature[i] > 0 && curvature[i].isFinite { m[i * n + i] = 1 / curvature[i] }
            return m
        }
        var x = project(start)
        var fx = evaluate(x)
        guard fx.isFinite else { return Result(x: x, value: fx, evaluations: evaluations, converged: false) }
        if n == 0 { return Result(x: x, value: fx, evaluations: evaluations, converged: true) }
        var (g, curvature) = gradient(x, fx)
        var inverseHessian = scaledIdentity(curvature)
        var isIdentity = !curvature.contains { $0 > 0 && $0.isFinite }
        var previousFree: [Bool]? = nil
        for _ in 0..<maxIterations {
            // Variables held at their bound: on it and pushed against it by the gradient.
            let free = (0..<n).map { !(x[$0] - lower[$0] <= 1e-12 && g[$0] > 0) }
            var projectedGradient = 0.0
            for i in 0..<n where free[i] { projectedGradient = Swift.max(projectedGradient, abs(g[i])) }
            if projectedGradient < gradientTolerance { return Result(x: x, value: fx, evaluations: evaluations, converged: true) }
            if let previousFree, previousFree != free { inverseHessian = scaledIdentity(curvature); isIdentity = false }
            previousFree = free
            var direction = [Double](repeating: 0, count: n)
            for i in 0..<n where free[i] {
                var sum = 0.0
                for j in 0..<n where free[j] { sum -= inverseHessian[i * n + j] * g[j] }
                direction[i] = sum
            }
            var slope = 0.0
            for i in 0..<n { slope += direction[i] * g[i] }
            if !(slope < 0) {
                inverseHessian = identity(n)
                isIdentity = true
                for i in 0..<n { direction[i] = free[i] ? -g[i] : 0 }
                slope = 0
                for i in 0..<n { slope += direction[i] * g[i] }
            }
            // Backtracking along the projected path x(α) = P(x + α d).
            var alpha = 1.0
            var accepted: (x: [Double], value: Double)?
            for _ in 0..<40 {
                let trial = project((0..<n).map { x[$0] + alpha * direction[$0] })
                var decrease = 0.0
                for i in 0..<n { decrease += g[i] * (trial[i] - x[i]) }
                let value = evaluate(trial)
                if value.isFinite && value <= fx + 1e-4 * decrease { accepted = (trial, value); break }
                alpha *= 0.5
            }
            guard let (newX, newValue) = accepted else {
                if isIdentity { return Result(x: x, value: fx, evaluations: evaluations, converged: projectedGradient < 1e3 * gradientTolerance) }
                inverseHessian = identity(n)
                isIdentity = true
                continue
            }
            let s = (0..<n).map { newX[$0] - x[$0] }
            let (newGradient, newCurvature) = gradient(newX, newValue)
            curvature = newCurvature
            let y = (0..<n).map { newGradient[$0] - g[$0] }
            let change = abs(fx - newValue)
            x = newX
            fx = newValue
            g = newGradient
            if (s.map { abs($0) }.max() ?? 0) < stepTolerance && change < valueTolerance * Swift.max(1, abs(fx)) {
                return Result(x: x, value: fx, evaluations: evaluations, converged: true)
            }
            var sy = 0.0, yy = 0.0
            for i in 0..<n { sy += s[i] * y[i]; yy += y[i] * y[i] }
            guard sy > 1e-12 * Swift.max(1, yy) else { continue }
            if isIdentity {
                // Nocedal & Wright eq. 6.20: scale the first approximation to the observed curvature.
                for i in 0..<n { inverseHessian[i * n + i] = sy / yy }
                isIdentity = false
            }
            BoundedQuasiNewton.updateInverseHessian(&inverseHessian, step: s, gradientChange: y, curvature: sy)
        }
        return Result(x: x, value: fx, evaluations: evaluations, converged: false)
    }

    private func identity(_ n: Int) -> [Double] {
        var m = [Double](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }
}
