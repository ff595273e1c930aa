import MultilevelMath

/// The estimates of one refit of a linear mixed model — θ̂, β̂, σ̂ and the criterion — without the
/// summary quantities a reported fit carries (conditional variances, convergence checks, fitted
/// values), so that thousands of bootstrap refits stay cheap.
public struct MixedModelRefit: Sendable {
    /// θ̂ (lme4's order, fitting-order terms).
    public var theta: [Double]
    /// β̂ in X's column order.
    public var fixedEffects: [Double]
    /// σ̂.
    public var sigma: Double
    /// The REML criterion or ML deviance at θ̂.
    public var criterion: Double
    /// Criterion evaluations spent by the optimiser.
    public var evaluations: Int
}

/// Why a refit produced no estimates.
public enum RefitFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The criterion could not be evaluated (a singular fixed-effects block).
    case criterionNotFinite
    /// The optimiser used its whole evaluation budget.
    case notConverged
    /// The replicate data set is one lme4 would refuse or cannot give every parameter (too few
    /// levels or observations, an aliased fixed-effect column).
    case unusableData(String)

    public var description: String {
        switch self {
        case .criterionNotFinite: return "the criterion could not be evaluated"
        case .notConverged: return "the optimiser reached its evaluation limit"
        case .unusableData(let reason): return reason
        }
    }
}

/// How a refit minimises the criterion.
public enum RefitOptimizer: Sendable, Equatable {
    /// Projected quasi-Newton from the start (and from mirrored points when it stops on the
    /// boundary), BOBYQA when it does not converge: BOBYQA's optima, or better ones, with a small
    /// fraction of its bookkeeping per evaluation.
    case quasiNewton
    /// BOBYQA alone, as the original fit.
    case bobyqa
}

extension BlockedMixedModelEquations {
    /// Minimises the profiled REML criterion or ML deviance (Bates et al. 2015, eq. 35 and 42) over
    /// θ within its bounds, starting from `start` — for a bootstrap refit the original θ̂, as lme4's
    /// `refit` and MixedModels.jl's `parametricbootstrap` warm-start — and leaves the equations
    /// factored at the optimum. β̂ and σ̂ follow in closed form (eq. 33, 40).
    public func refit(method: EstimationMethod, start: [Double], optimizer: RefitOptimizer = .quasiNewton,
                      options: BOBYQA.Options = BOBYQA.Options(initialRadius: 0.1, finalRadius: 1e-5))
        -> Result<MixedModelRefit, RefitFailure> {
        let lower = covarianceFactor.lowerBounds
        let upper = [Double](repeating: .infinity, count: lower.count)
        guard observationCount > fixedEffectCount else {
            return .failure(.unusableData("\(observationCount) observations cannot estimate \(fixedEffectCount) fixed effects"))
        }
        var best: (theta: [Double], value: Double)?
        var evaluations = 0
        if optimizer == .quasiNewton {
            let quasiNewton = ProjectedQuasiNewton()
            var start = start
            // A stop with a template diagonal at 0 may be the mirror image of a better interior
            // optimum: with Tₖₖ = 0, flipping the sign of column k of the template leaves TTᵀ, and
            // so the criterion, unchanged, but opens the descent the gradient at the bound hid. Try
            // the mirrored point (a few times) and keep the best.
            for _ in 0..<3 {
                let result = quasiNewton.minimize(start: start, lower: lower) { criterion(at: $0, method) }
                evaluations += result.evaluations
                guard result.converged && result.value.isFinite else { break }
                if let current = best, result.value >= current.value - 1e-10 { break }
                best = (result.x, result.value)
                guard let mirrored = covarianceFactor.mirroredAtZeroDiagonals(result.x) else { break }
                start = mirrored
            }
        }
        if best == nil {
            let result = BOBYQA.minimize(start: start, lower: lower, upper: upper, options: options) {
                criterion(at: $0, method)
            }
            evaluations += result.evaluations
            guard result.value.isFinite else { return .failure(.criterionNotFinite) }
            guard result.converged else { return .failure(.notConverged) }
            best = (result.x, result.value)
        }
        guard let theta = best?.theta else { return .failure(.notConverged) }
        do { try update(theta: theta) } catch { return .failure(.criterionNotFinite) }
        return .success(MixedModelRefit(theta: theta, fixedEffects: solution().fixedEffects,
                                        sigma: residualStandardDeviation(method),
                                        criterion: profiledCriterion(method), evaluations: evaluations))
    }
}

extension RelativeCovarianceFactor {
    /// θ with the entries below each zero template diagonal negated (column k of Tᵢ when
    /// Tᵢ[k, k] = 0): the same ΛθΛθᵀ, so the same criterion. Nil when no such entry is nonzero.
    func mirroredAtZeroDiagonals(_ theta: [Double]) -> [Double]? {
        var result = theta
        var changed = false
        var k = 0
        for q in termSizes {
            for j in 0..<q {
                let diagonal = k
                k += q - j
                guard theta[diagonal] <= 0 else { continue }
                for below in (diagonal + 1)..<k where theta[below] != 0 {
                    result[below] = -theta[below]
                    changed = true
                }
            }
        }
        return changed ? result : nil
    }
}
