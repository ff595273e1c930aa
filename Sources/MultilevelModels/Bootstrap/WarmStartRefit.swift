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

extension BlockedMixedModelEquations {
    /// Minimises the profiled REML criterion or ML deviance (Bates et al. 2015, eq. 35 and 42) over
    /// θ with the bounded optimiser, starting from `start` — for a bootstrap refit the original θ̂,
    /// as lme4's `refit` and MixedModels.jl's `parametricbootstrap` warm-start — and leaves the
    /// equations factored at the optimum. β̂ and σ̂ follow in closed form (eq. 33, 40).
    public func refit(method: EstimationMethod, start: [Double],
                      options: BOBYQA.Options = BOBYQA.Options(initialRadius: 0.2, finalRadius: 1e-7))
        -> Result<MixedModelRefit, RefitFailure> {
        let lower = covarianceFactor.lowerBounds
        let upper = [Double](repeating: .infinity, count: lower.count)
        guard observationCount > fixedEffectCount else {
            return .failure(.unusableData("\(observationCount) observations cannot estimate \(fixedEffectCount) fixed effects"))
        }
        let result = BOBYQA.minimize(start: start, lower: lower, upper: upper, options: options) {
            criterion(at: $0, method)
        }
        guard result.value.isFinite else { return .failure(.criterionNotFinite) }
        guard result.converged else { return .failure(.notConverged) }
        do { try update(theta: result.x) } catch { return .failure(.criterionNotFinite) }
        return .success(MixedModelRefit(theta: result.x, fixedEffects: solution().fixedEffects,
                                        sigma: residualStandardDeviation(method),
                                        criterion: profiledCriterion(method), evaluations: result.evaluations))
    }
}
