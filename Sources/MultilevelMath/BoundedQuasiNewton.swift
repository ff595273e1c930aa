import Foundation

/// A quasi-Newton minimiser for a smooth function with an analytic gradient over lower bounds
/// x ≥ ℓ (Nocedal & Wright 2006, §6.1 BFGS with the inverse-Hessian update (6.17) and the scaled
/// initial matrix (6.20); bounds by projection with the active-set rule of projected-gradient
/// methods, Bertsekas 1982): a coordinate on its bound whose gradient points outwards is held,
/// the others take the step −H g, and the projected step is searched back from α = 1 until it
/// decreases f by the Armijo fraction 1e-4 of gᵀ(x(α) − x). The first step moves the largest
/// coordinate by `initialStep`.
///
/// Built for few parameters whose every evaluation is expensive (the profiled criterion of a
/// large mixed model, where the gradient costs about one more evaluation): it stops once a step
/// changes no coordinate by more than `stepTolerance` (relative to max(1, |xᵢ|)) or promises a
/// decrease ½gᵀHg below `functionTolerance`·|f|, leaving the last digits to a Newton finish.
/// `evaluate(x)` returns f(x) and its gradient, nil where the gradient is not available (then
/// the minimiser stops there and says so in `gradientUnavailable`).
public enum BoundedQuasiNewton {
    public struct Options: Sendable {
        public var initialStep: Double
        public var stepTolerance: Double
        public var functionTolerance: Double
        public var maxEvaluations: Int

        public init(initialStep: Double = 0.1, stepTolerance: Double = 1e-6, functionTolerance: Double = 1e-12,
                    maxEvaluations: Int = 200) {
            self.initialStep = initialStep
            self.stepTolerance = stepTolerance
            self.functionTolerance = functionTolerance
            self.maxEvaluations = maxEvaluations
        }
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        /// The gradient at `x` (nil when unavailable there).
        public var gradient: [Double]?
        public var evaluations: Int
        /// False when the evaluation budget ran out.
        public var converged: Bool
        /// True when the minimiser stopped at a point without a gradient.
        public var gradientUnavailable: Bool
    }

    /// The BFGS update of an inverse-Hessian approximation (row-major n × n) by the step s and
    /// gradient change y with sᵀy = `curvature` > 0 (Nocedal & Wright eq. 6.17):
    /// H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ, ρ = 1/sᵀy.
    public static func updateInverseHessian(_ h: inout [Double], step s: [Double], gradientChange y: [Double],
                                            curvature sy: Double) {
        let n = s.count
        let rho = 1 / sy
        var hy = [Double](repeating: 0, count: n)
        for i in 0..<n { for j in 0..<n { hy[i] += h[i * n + j] * y[j] } }
        var yhy = 0.0
        for i in 0..<n { yhy += y[i] * hy[i] }
        for i in 0..<n { for j in 0..<n {
            h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
        } }
    }

    public static func minimize(start: [Double], lower: [Double], options: Options = Options(),
                                evaluate: ([Double]) -> (value: Double, gradient: [Double]?)) -> Result {
        let n = start.count
        var x = zip(start, lower).map { Swift.max($0, $1) }
        var (value, gradientOrNil) = evaluate(x)
        var evaluations = 1
        guard value.isFinite, var gradient = gradientOrNil else {
            return Result(x: x, value: value, gradient: gradientOrNil, evaluations: evaluations, converged: value.isFinite,
                          gradientUnavailable: value.isFinite)
        }
        // Inverse Hessian approximation (row-major n × n); nil until the first curvature pair.
        var inverseHessian: [Double]? = nil
        while evaluations < options.maxEvaluations {
            // Free coordinates: off the bound, or on it with the gradient pointing inwards.
            let free = (0..<n).map { x[$0] > lower[$0] || gradient[$0] < 0 }
            var direction = [Double](repeating: 0, count: n)
            if let h = inverseHessian {
                for i in 0..<n where free[i] {
                    var sum = 0.0
                    for j in 0..<n where free[j] { sum -= h[i * n + j] * gradient[j] }
                    direction[i] = sum
                }
            } else {
                let largest = (0..<n).filter { free[$0] }.map { abs(gradient[$0]) }.max() ?? 0
                guard largest > 0 else { break }
                for i in 0..<n where free[i] { direction[i] = -gradient[i] * options.initialStep / largest }
            }
            var slope = 0.0
            for i in 0..<n { slope += gradient[i] * direction[i] }
            if slope >= 0 {
                // Not a descent direction (a stale curvature model): restart from steepest descent.
                if inverseHessian == nil { break }
                inverseHessian = nil
                continue
            }
            if -0.5 * slope <= options.functionTolerance * Swift.max(abs(value), 1) { break }
            var alpha = 1.0
            var accepted: (x: [Double], value: Double, gradient: [Double]?)? = nil
            var largestStep = 0.0
            while evaluations < options.maxEvaluations {
                let candidate = (0..<n).map { Swift.max(x[$0] + alpha * direction[$0], lower[$0]) }
                var decrease = 0.0
                largestStep = 0
                for i in 0..<n {
                    decrease += gradient[i] * (candidate[i] - x[i])
                    largestStep = Swift.max(largestStep, abs(candidate[i] - x[i]) / Swift.max(1, abs(x[i])))
                }
                let trial = evaluate(candidate)
                evaluations += 1
                if trial.value.isFinite && trial.value <= value + 1e-4 * decrease {
                    accepted = (candidate, trial.value, trial.gradient)
                    break
                }
                if largestStep <= options.stepTolerance { break }
                // The minimum of the quadratic through f(x), the slope and f(x(α)), within [0.1α, 0.5α].
                let curvature = trial.value - value - decrease
                alpha *= trial.value.isFinite && curvature > 0 ? Swift.min(0.5, Swift.max(0.1, -0.5 * decrease / curvature)) : 0.1
            }
            guard let step = accepted else {
                // No decrease along the direction: retry once from steepest descent, else stop.
                if inverseHessian == nil { break }
                inverseHessian = nil
                continue
            }
            guard let newGradient = step.gradient else {
                return Result(x: step.x, value: step.value, gradient: nil, evaluations: evaluations, converged: true,
                              gradientUnavailable: true)
            }
            let s = (0..<n).map { step.x[$0] - x[$0] }
            let y = (0..<n).map { newGradient[$0] - gradient[$0] }
            x = step.x
            value = step.value
            gradient = newGradient
            var sy = 0.0, yy = 0.0
            for i in 0..<n { sy += s[i] * y[i]; yy += y[i] * y[i] }
            let stepLength = s.map { $0 * $0 }.reduce(0, +).squareRoot()
            if sy > 1e-12 * yy.squareRoot() * stepLength {
                var h = inverseHessian ?? {
                    var scaled = [Double](repeating: 0, count: n * n)
                    for i in 0..<n { scaled[i * n + i] = sy / yy }
                    return scaled
                }()
                updateInverseHessian(&h, step: s, gradientChange: y, curvature: sy)
                inverseHessian = h
            }
            if largestStep <= options.stepTolerance { break }
        }
        return Result(x: x, value: value, gradient: gradient, evaluations: evaluations,
                      converged: evaluations < options.maxEvaluations, gradientUnavailable: false)
    }
}
