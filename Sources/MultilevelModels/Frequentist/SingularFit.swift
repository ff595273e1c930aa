/// lme4's `isSingular(fit, tol = 1e-4)`: a fit is on the boundary of the parameter space when a
/// template diagonal entry of θ (bounded below by 0) is below `tolerance` — some variance is zero or
/// some correlation is ±1.
public func isSingularFit(theta: [Double], covarianceFactor: RelativeCovarianceFactor, tolerance: Double = 1e-4) -> Bool {
    zip(theta, covarianceFactor.isDiagonal).contains { $1 && $0 < tolerance }
}

/// The message lme4 prints for a singular fit.
public let singularFitMessage = "boundary (singular) fit: see help('isSingular')"
