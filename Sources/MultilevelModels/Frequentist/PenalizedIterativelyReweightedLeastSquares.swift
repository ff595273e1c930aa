import Foundation
import MultilevelData
import MultilevelMath

/// Penalised iteratively reweighted least squares (PIRLS; Bates et al. 2015 §5 and the lme4 GLMM
/// vignette; MixedModels.jl `pirls!`): for fixed θ — and either fixed β or β free — find the
/// conditional mode û of the spherical random effects, the minimiser of the penalised deviance
///
///     Σᵢ dᵢ(μᵢ) + ‖u‖²,   η = Xβ + ZΛθu,  μ = g⁻¹(η),
///
/// by Fisher scoring with step halving. Each step solves the penalised weighted least-squares
/// problem with the working weights W and working response η + (y − μ)/(dμ/dη), whose blocked
/// Cholesky factor Lθ (of ΛθᵀZᵀWZΛθ + I) is the one the Laplace approximation needs.
public struct PenalizedIterativelyReweightedLeastSquares {
    /// The fixed-effects matrix X and the random-effect terms in formula order.
    public let fixedEffects: DenseMatrix
    public let randomTerms: [RandomEffectTerm]
    public let response: GeneralizedLinearResponse
    /// The terms in fitting order (decreasing number of levels) and Λθ's layout for them.
    public let fittingTerms: [RandomEffectTerm]
    public let covarianceFactor: RelativeCovarianceFactor
    /// Convergence: stop when a step lowers the penalised deviance by less than this (relative).
    public var tolerance: Double = 1e-12
    public var maxIterations: Int = 100
    /// The formula's `offset()` per row (added to η with coefficient 1), or nil.
    public var offset: [Double]?

    public init(fixedEffects: DenseMatrix, randomTerms: [RandomEffectTerm], response: GeneralizedLinearResponse) {
        self.fixedEffects = fixedEffects
        self.randomTerms = randomTerms
        self.response = response
        let probe = BlockedMixedModelEquations(response: [Double](repeating: 0, count: fixedEffects.rows),
                                               fixedEffects: DenseMatrix(rows: fixedEffects.rows, columns: 0),
                                               randomTerms: randomTerms)
        fittingTerms = probe.terms
        covarianceFactor = probe.covarianceFactor
    }

    /// The conditional mode at θ: û (per fitting-order term, level-major), β (given or estimated),
    /// η, the penalised deviance, and the weighted equations factored at the final weights.
    public struct Mode {
        public var theta: [Double]
        public var fixedEffects: [Double]
        public var spherical: [[Double]]
        public var linearPredictor: [Double]
        /// Σᵢ dᵢ(μᵢ) + ‖û‖².
        public var penalizedDeviance: Double
        /// Blocked factor of ΛθᵀZᵀWZΛθ + I (and of the X block when β was estimated) at the mode's weights.
        public var equations: BlockedMixedModelEquations
        public var iterations: Int
        public var converged: Bool
    }

    /// Runs PIRLS at θ. With `fixedEffects` nil, β is updated jointly with u (glmer's nAGQ = 0
    /// stage); otherwise β is held (the Laplace stage). `start` gives initial û (default 0) and the
    /// initial β when it is estimated.
    public func conditionalMode(theta: [Double], fixedEffects givenBeta: [Double]?,
                                startSpherical: [[Double]]? = nil, startBeta: [Double]? = nil) throws -> Mode {
        let p = fixedEffects.columns
        let estimateBeta = givenBeta == nil
        var beta = givenBeta ?? startBeta ?? [Double](repeating: 0, count: p)
        var u = startSpherical ?? fittingTerms.map { [Double](repeating: 0, count: $0.columnCount * $0.grouping.levelCount) }
        var eta = linearPredictor(theta: theta, beta: beta, spherical: u)
        var deviance = penalizedDeviance(eta: eta, spherical: u)
        var iterations = 0
        var converged = false
        while true {
            let equations = try weightedEquations(theta: theta, eta: eta, beta: beta, estimateBeta: estimateBeta)
            if converged || iterations >= maxIterations {
                return Mode(theta: theta, fixedEffects: beta, spherical: u, linearPredictor: eta,
                            penalizedDeviance: deviance, equations: equations, iterations: iterations, converged: converged)
            }
            iterations += 1
            let solution = equations.solution()
            let targetBeta = estimateBeta ? solution.fixedEffects : beta
            let targetU = solution.spherical
            // Step halving on the penalised deviance (lme4's pwrssUpdate).
            var fraction = 1.0
            var candidateBeta = targetBeta, candidateU = targetU
            var candidateEta = linearPredictor(theta: theta, beta: candidateBeta, spherical: candidateU)
            var candidateDeviance = penalizedDeviance(eta: candidateEta, spherical: candidateU)
            var halvings = 0
            while !(candidateDeviance <= deviance) && halvings < 30 {
                fraction /= 2
                halvings += 1
                candidateBeta = zip(beta, targetBeta).map { $0 + fraction * ($1 - $0) }
                candidateU = zip(u, targetU).map { old, new in zip(old, new).map { $0 + fraction * ($1 - $0) } }
                candidateEta = linearPredictor(theta: theta, beta: candidateBeta, spherical: candidateU)
                candidateDeviance = penalizedDeviance(eta: candidateEta, spherical: candidateU)
            }
            if !(candidateDeviance <= deviance) {
                // No descent possible: at the mode up to rounding.
                converged = true
                continue
            }
            let decrease = deviance - candidateDeviance
            beta = candidateBeta
            u = candidateU
            eta = candidateEta
            deviance = candidateDeviance
            if decrease <= tolerance * (abs(deviance) + 1) { converged = true }
        }
    }

    /// PIRLS as lme4's `glmerLaplace` runs it (lme4 1.1, `pwrssUpdate`), which glmer's reported
    /// deviance, estimates and Hessian-based standard errors depend on at the 1e-3 level: every
    /// evaluation starts from the same linear predictor η₀ (lme4's `lp0`), iterates full Fisher
    /// steps until the penalised deviance changes by less than `relativeTolerance` (lme4's
    /// `tolPwrss` = 1e-7) relative, halving a step that increases it, and keeps the factor Lθ of
    /// the last step's weights (those at the previous iterate, not at the returned mode).
    public func lme4ConditionalMode(theta: [Double], fixedEffects givenBeta: [Double]?, start eta0: [Double],
                                    relativeTolerance: Double = 1e-7) throws -> Mode {
        let estimateBeta = givenBeta == nil
        var beta = givenBeta ?? [Double](repeating: 0, count: fixedEffects.columns)
        var u = fittingTerms.map { [Double](repeating: 0, count: $0.columnCount * $0.grouping.levelCount) }
        var eta = eta0
        var oldDeviance = Double.greatestFiniteMagnitude
        for iteration in 1...30 {
            let equations = try weightedEquations(theta: theta, eta: eta, beta: beta, estimateBeta: estimateBeta)
            let solution = equations.solution()
            var newBeta = estimateBeta ? solution.fixedEffects : beta
            var newU = solution.spherical
            var newEta = linearPredictor(theta: theta, beta: newBeta, spherical: newU)
            var deviance = penalizedDeviance(eta: newEta, spherical: newU)
            if abs((oldDeviance - deviance) / deviance) < relativeTolerance {
                return Mode(theta: theta, fixedEffects: newBeta, spherical: newU, linearPredictor: newEta,
                            penalizedDeviance: deviance, equations: equations, iterations: iteration, converged: true)
            }
            var halvings = 0
            while deviance > oldDeviance && halvings < 10 {
                halvings += 1
                newBeta = zip(beta, newBeta).map { ($0 + $1) / 2 }
                newU = zip(u, newU).map { old, new in zip(old, new).map { ($0 + $1) / 2 } }
                newEta = linearPredictor(theta: theta, beta: newBeta, spherical: newU)
                deviance = penalizedDeviance(eta: newEta, spherical: newU)
            }
            if deviance > oldDeviance { throw MixedModelError("PIRLS step failed to reduce the penalised deviance") }
            beta = newBeta
            u = newU
            eta = newEta
            oldDeviance = deviance
        }
        throw MixedModelError("PIRLS did not converge in 30 iterations")
    }

    /// η = offset + Xβ + Σₖ Zₖ Tₖ uₖ (terms in fitting order).
    public func linearPredictor(theta: [Double], beta: [Double], spherical: [[Double]]) -> [Double] {
        var eta = beta.isEmpty ? [Double](repeating: 0, count: fixedEffects.rows) : fixedEffects.multiplied(by: beta)
        if let offset { for r in eta.indices { eta[r] += offset[r] } }
        for (k, term) in fittingTerms.enumerated() {
            let q = term.columnCount
            let b = randomEffects(theta: theta, spherical: spherical[k], term: k)
            term.values.withUnsafeBufferPointer { z in
                for r in eta.indices {
                    let base = term.grouping.levelIndex[r] * q
                    var sum = 0.0
                    for j in 0..<q { sum += z[r * q + j] * b[base + j] }
                    eta[r] += sum
                }
            }
        }
        return eta
    }

    /// b = Tₖ u for every level of fitting-order term `k`.
    public func randomEffects(theta: [Double], spherical u: [Double], term k: Int) -> [Double] {
        let q = fittingTerms[k].columnCount
        let t = covarianceFactor.template(ofTerm: k, theta: theta)
        var b = [Double](repeating: 0, count: u.count)
        for level in 0..<(u.count / Swift.max(q, 1)) {
            for i in 0..<q {
                var sum = 0.0
                for j in 0...i { sum += t[i + j * q] * u[level * q + j] }
                b[level * q + i] = sum
            }
        }
        return b
    }

    /// Σᵢ dᵢ(μᵢ) + ‖u‖².
    public func penalizedDeviance(eta: [Double], spherical: [[Double]]) -> Double {
        var total = 0.0
        for i in eta.indices { total += response.unitDeviance(i, eta: eta[i]) }
        for block in spherical { for value in block { total += value * value } }
        return total
    }

    /// −2 Σᵢ log p(yᵢ | ηᵢ).
    public func minusTwoLogLikelihood(eta: [Double]) -> Double {
        var total = 0.0
        for i in eta.indices { total += response.logLikelihood(i, eta: eta[i]) }
        return -2 * total
    }

    /// The blocked equations of the weighted problem at η: rows of Z and X scaled by √wᵢ, response
    /// √wᵢ (ηᵢ − offsetᵢ − xᵢβ·[β held] + working residualᵢ); X left out when β is held.
    func weightedEquations(theta: [Double], eta: [Double], beta: [Double], estimateBeta: Bool) throws -> BlockedMixedModelEquations {
        let n = eta.count
        let p = fixedEffects.columns
        var roots = [Double](repeating: 0, count: n)
        var target = [Double](repeating: 0, count: n)
        var known = estimateBeta || p == 0 ? [Double](repeating: 0, count: n) : fixedEffects.multiplied(by: beta)
        if let offset { for i in 0..<n { known[i] += offset[i] } }
        for i in 0..<n {
            let (weight, residual) = response.workingWeightAndResidual(i, eta: eta[i])
            let root = weight.squareRoot()
            roots[i] = root
            target[i] = root * (eta[i] - known[i] + residual)
        }
        let terms = randomTerms.map { term -> RandomEffectTerm in
            var scaled = term
            let q = term.columnCount
            for r in 0..<n { for j in 0..<q { scaled.values[r * q + j] *= roots[r] } }
            return scaled
        }
        var x = DenseMatrix(rows: n, columns: estimateBeta ? p : 0)
        if estimateBeta {
            for j in 0..<p { for i in 0..<n { x.elements[i + j * n] = fixedEffects.elements[i + j * n] * roots[i] } }
        }
        let equations = BlockedMixedModelEquations(response: target, fixedEffects: x, randomTerms: terms)
        try equations.update(theta: theta)
        return equations
    }
}
