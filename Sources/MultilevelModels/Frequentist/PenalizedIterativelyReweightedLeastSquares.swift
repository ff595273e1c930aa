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
    /// The structure of the weighted system with β held (Z only) and with β estimated (Z and X),
    /// found once: each PIRLS step refills one in place (`WeightedMixedModelEquations`).
    let heldSystem: WeightedMixedModelEquations
    let jointSystem: WeightedMixedModelEquations

    public init(fixedEffects: DenseMatrix, randomTerms: [RandomEffectTerm], response: GeneralizedLinearResponse) {
        self.fixedEffects = fixedEffects
        self.randomTerms = randomTerms
        self.response = response
        heldSystem = WeightedMixedModelEquations(randomTerms: randomTerms, fixedEffects: fixedEffects, includingFixedEffects: false)
        jointSystem = WeightedMixedModelEquations(randomTerms: randomTerms, fixedEffects: fixedEffects, includingFixedEffects: true)
        fittingTerms = heldSystem.prototype.terms
        covarianceFactor = heldSystem.prototype.covarianceFactor
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
        var weighted = WeightedSystem(pirls: self, beta: beta, estimateBeta: estimateBeta)
        while true {
            let equations = try weighted.factored(theta: theta, eta: eta)
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
        var weighted = WeightedSystem(pirls: self, beta: beta, estimateBeta: estimateBeta)
        let known = weighted.known
        for iteration in 1...30 {
            let equations = try weighted.factored(theta: theta, eta: eta)
            let solution = equations.solution()
            var newBeta = estimateBeta ? solution.fixedEffects : beta
            var newU = solution.spherical
            // With β held, offset + Xβ is the system's known part, computed once per run.
            func predictor(_ beta: [Double], spherical: [[Double]]) -> [Double] {
                estimateBeta ? linearPredictor(theta: theta, beta: beta, spherical: spherical)
                    : linearPredictor(base: known, theta: theta, spherical: spherical)
            }
            var newEta = predictor(newBeta, spherical: newU)
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
                newEta = predictor(newBeta, spherical: newU)
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
        return linearPredictor(base: eta, theta: theta, spherical: spherical)
    }

    /// η = base + Σₖ Zₖ Tₖ uₖ, with base = offset + Xβ already computed.
    func linearPredictor(base: [Double], theta: [Double], spherical: [[Double]]) -> [Double] {
        var eta = base
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
        var total = response.devianceSum(eta: eta)
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
        var weighted = WeightedSystem(pirls: self, beta: beta, estimateBeta: estimateBeta)
        return try weighted.factored(theta: theta, eta: eta)
    }

    /// One PIRLS run's weighted system: its own equations (refilled and refactored at each step's
    /// η), the known part of η (offset, and Xβ when β is held) and the row buffers of √wᵢ and
    /// the weighted working response, so that a step allocates nothing per row.
    struct WeightedSystem {
        let pirls: PenalizedIterativelyReweightedLeastSquares
        let system: WeightedMixedModelEquations
        let equations: BlockedMixedModelEquations
        let known: [Double]
        var roots: [Double]
        var target: [Double]

        init(pirls: PenalizedIterativelyReweightedLeastSquares, beta: [Double], estimateBeta: Bool) {
            self.pirls = pirls
            system = estimateBeta ? pirls.jointSystem : pirls.heldSystem
            equations = system.makeEquations()
            let n = pirls.fixedEffects.rows
            let p = pirls.fixedEffects.columns
            var known = estimateBeta || p == 0 ? [Double](repeating: 0, count: n) : pirls.fixedEffects.multiplied(by: beta)
            if let offset = pirls.offset { for i in 0..<n { known[i] += offset[i] } }
            self.known = known
            roots = [Double](repeating: 0, count: n)
            target = [Double](repeating: 0, count: n)
        }

        /// The equations refilled at η's working weights and response, factored at θ.
        mutating func factored(theta: [Double], eta: [Double]) throws -> BlockedMixedModelEquations {
            let response = pirls.response
            for i in eta.indices {
                let (weight, residual) = response.workingWeightAndResidual(i, eta: eta[i])
                let root = weight.squareRoot()
                roots[i] = root
                target[i] = root * (eta[i] - known[i] + residual)
            }
            system.refill(equations, rootWeights: roots, response: target, fixedEffects: pirls.fixedEffects)
            try equations.update(theta: theta)
            return equations
        }
    }
}
