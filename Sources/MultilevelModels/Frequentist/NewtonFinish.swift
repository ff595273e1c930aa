import Foundation
import MultilevelMath

/// The end of an optimisation over θ: Newton steps s = −H⁻¹g on the criterion with the central
/// finite-difference gradient and Hessian of `CriterionDerivatives`, over the coordinates off their
/// bound. A derivative-free optimiser (BOBYQA) locates the optimum only to about √(noise/curvature)
/// in θ; one Newton step from there lands within the gradient's error over the curvature (about
/// 1e-9 relative on lme4's references), as MixedModels.jl's gradient-based finish does. A step is
/// kept only when the criterion does not increase beyond its rounding noise. After a step larger than `refreshAbove`
/// (relative to max(1, ‖θ‖∞)) or one that put a coordinate on its bound, the derivatives are
/// recomputed and another step may follow (at most `maximumSteps`); after a smaller step the
/// finish stops, because its error is already below the differences' own — unless fewer than
/// `minimumRounds` steps were taken: then the derivatives are taken afresh at the new point (a
/// step from differences at a point far along a flat ridge carries their truncation error).
///
/// `derivatives` are those at the returned θ, for lme4's convergence checks: after a small step s
/// they are carried over as (g + Hs, H), exact for the quadratic model the step solved and within
/// O(‖s‖² f‴) of fresh differences.
struct NewtonFinish {
    var theta: [Double]
    var value: Double
    var derivatives: CriterionDerivatives
    /// Criterion evaluations spent by the finish.
    var evaluations = 0
    /// Newton steps accepted.
    var acceptedSteps = 0
    /// Whether the finish stopped after an accepted small step (its convergence rule), rather
    /// than on a rejected step, a singular Hessian or the step limit.
    var endedOnSmallStep = false

    init(theta start: [Double], value startValue: Double, lowerBounds: [Double],
         oneSidedCrossDifferences: Bool = false, maximumSteps: Int = 4,
         refreshAbove: Double = 1e-3, minimumRounds: Int = 1, criterion: ([Double]) -> Double) {
        self.init(theta: start, value: startValue, lowerBounds: lowerBounds, maximumSteps: maximumSteps,
                  refreshAbove: refreshAbove, minimumRounds: minimumRounds, criterion: criterion) { theta, value in
            CriterionDerivatives(theta: theta, lowerBounds: lowerBounds, center: value,
                                 oneSidedCrossDifferences: oneSidedCrossDifferences, criterion: criterion)
        }
    }

    /// The finish with derivatives from `derivativesAt(θ, f(θ))` (criterion differences, or
    /// gradient differences where the criterion has an analytic gradient).
    init(theta start: [Double], value startValue: Double, lowerBounds: [Double], maximumSteps: Int = 4,
         refreshAbove: Double = 1e-3, minimumRounds: Int = 1, criterion: ([Double]) -> Double,
         derivativesAt: ([Double], Double) -> CriterionDerivatives) {
        theta = start
        value = startValue
        derivatives = derivativesAt(theta, value)
        evaluations += derivatives.evaluations
        for _ in 0..<maximumSteps {
            let current = derivatives
            guard !current.free.isEmpty, let factor = try? current.hessian.choleskyLower() else { return }
            let direction = factor.solvingLowerTranspose(factor.solvingLower(current.gradient))
            var candidate = theta
            var step = [Double](repeating: 0, count: current.free.count)
            var clamped = false
            for (a, i) in current.free.enumerated() {
                let proposal = theta[i] - direction[a]
                if proposal < lowerBounds[i] { clamped = true }
                candidate[i] = Swift.max(proposal, lowerBounds[i])
                step[a] = candidate[i] - theta[i]
            }
            guard step.contains(where: { $0 != 0 }), candidate.allSatisfy(\.isFinite) else { return }
            let candidateValue = criterion(candidate)
            evaluations += 1
            // Near the optimum the decrease a step promises (½gᵀH⁻¹g, ~1e-12 relative) is of the
            // order of the criterion's rounding noise, so a small step is kept unless the criterion
            // rose by more than that noise (1e-13 relative); a large one must not raise it at all.
            let scale = Swift.max(1, theta.map(abs).max() ?? 1)
            let largest = step.map(abs).max() ?? 0
            let noise = largest <= refreshAbove * scale ? 1e-13 * abs(value) : 0
            guard candidateValue <= value + noise else { return }
            theta = candidate
            value = candidateValue
            acceptedSteps += 1
            if clamped || largest > refreshAbove * scale || acceptedSteps < minimumRounds {
                derivatives = derivativesAt(theta, value)
                evaluations += derivatives.evaluations
                continue
            }
            let change = current.hessian.multiplied(by: step)
            for a in current.gradient.indices { derivatives.gradient[a] += change[a] }
            endedOnSmallStep = true
            return
        }
    }
}
