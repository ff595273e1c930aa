import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// Posterior predictive draws and fitted values of a Bayesian GLMM (brms' `posterior_predict` and
/// `fitted`/`posterior_epred`): for every posterior draw s and observation i, the linear predictor
/// ηᵢ⁽ˢ⁾ = oᵢ + xᵢ·b⁽ˢ⁾ + Σ bsp⁽ˢ⁾·mo(ζ⁽ˢ⁾, xᵢ) + Σ zᵢ·r⁽ˢ⁾[levelᵢ] (oᵢ the row's `offset()`, z of a `(mo(x) | g)` column being
/// mo(ζ⁽ˢ⁾, xᵢ)), the expected response E(yᵢ | θ⁽ˢ⁾) on the response scale
/// (gaussian/student/poisson/negbinomial/Gamma: μ = g⁻¹(η); bernoulli: p; binomial: trialsᵢ·p;
/// lognormal: exp(η + σ²/2)), and one replicate yᵢ_rep⁽ˢ⁾ drawn from the family. With brms'
/// `se(s)` the replicate's residual SD is sᵢ, with `se(s, sigma = TRUE)` √(sᵢ² + σ²) (brms'
/// `posterior_predict` of a model with known SEs); `cens()` and `weights()` do not change the
/// predictions (brms predicts the uncensored response); with `trunc(lb, ub)` the expected response
/// is the truncated mean and the replicate a draw from the truncated distribution
/// (`TruncatedPrediction`, brms' `posterior_epred_trunc_*` and `posterior_predict` with bounds).
public struct PosteriorPredictive: Sendable {
    /// Number of observations n and of draws S (all chains, in chain order).
    public let observationCount: Int
    public let drawCount: Int
    /// y_rep, draw-major: `replicates[s * n + i]`.
    public var replicates: [Double]
    /// Chain (1-based) and iteration within chain (1-based) of each draw.
    public var drawChains: [Int]
    public var drawIterations: [Int]
    /// Per observation: posterior mean, SD and 2.5% / 97.5% quantiles of E(yᵢ | θ) (brms `fitted`).
    public var fittedMean: [Double]
    public var fittedSD: [Double]
    public var fittedLower: [Double]
    public var fittedUpper: [Double]
    /// E(yᵢ | θ⁽ˢ⁾), draw-major (`expected[s * n + i]`), when asked for (`keepExpected`); else empty.
    public var expected: [Double] = []

    /// Computes the predictive draws from constrained posterior draws (`BayesianFit.draws`: b_…,
    /// r_<group>[level,term], sigma / shape / nu), the design and the family. The replicates use
    /// one generator stream from `seed`, draw after draw, so they are reproducible.
    public init(draws: Draws, design: ModelDesign, family: Family, seed: UInt64, keepExpected: Bool = false) throws {
        let truncation = design.additions?.isTruncated == true ? try TruncatedPrediction(family: family) : nil
        let truncationLower = design.additions?.truncationLower ?? []
        let truncationUpper = design.additions?.truncationUpper ?? []
        let n = design.rowCount
        func index(_ name: String) throws -> Int {
            guard let k = draws.index(of: name) else {
                throw FamilyError(message: "posterior predictive: the draws have no variable '\(name)'")
            }
            return k
        }
        let modelAuxiliary = family.auxiliaryParameters(for: design)
        let drawColumns = try FamilyDrawColumns(draws: draws, fixedEffectNames: design.fixedEffectNames, family: family,
                                                auxiliaryParameters: modelAuxiliary, index: index)
        let betaIndex = drawColumns.coefficients
        let termIndices = try design.randomTerms.map { term in
            try term.grouping.levels.map { level in
                try term.brmsColumnNames.map { try index("r_\(term.grouping.name)[\(level),\($0)]") }
            }
        }
        // se(): the row's residual SD replaces sigma (`knownStandardErrors`, its slot `sigmaSlot`).
        let knownStandardErrors = design.additions?.standardErrors
        let withSigma = design.additions?.standardErrorWithSigma ?? false
        let sigmaSlot = family.auxiliaryParameters.firstIndex(of: .sigma)
        if knownStandardErrors != nil && sigmaSlot == nil {
            throw FamilyError(message: "posterior predictive: se() needs a family with sigma, not \(family.name)")
        }
        let auxiliaryCount = drawColumns.auxiliary.count
        let trials = design.trials ?? [Double](repeating: 1, count: n)
        let width = draws.variableCount
        let total = draws.chains.reduce(0) { $0 + $1.count / Swift.max(width, 1) }
        observationCount = n
        drawCount = total
        var replicates = [Double](repeating: 0, count: total * n)
        var expected = [Double](repeating: 0, count: total * n)
        var chainsOfDraws: [Int] = [], iterations: [Int] = []
        var rng = Xoshiro256PlusPlus(seed: seed)
        let descriptor = family.descriptor
        var eta = [Double](repeating: 0, count: n)
        let offset = design.offset
        // Monotonic effects mo(x): bsp · mo(ζ, x) per draw and category, and mo(ζ, x) alone for the
        // Z value of a group-level (mo(x) | g) column (`MonotonicEffectDraws`).
        var drawRows: [(chain: Int, base: Int)] = []
        for (c, chain) in draws.chains.enumerated() {
            for row in 0..<(chain.count / Swift.max(width, 1)) { drawRows.append((c, row * width)) }
        }
        let monotonicValues = try design.monotonic.map { effect in
            try MonotonicEffectDraws.values(effect, draws: draws, rows: drawRows, index: index)
        }
        let groupLevelMonotonic = Set(design.randomTerms.flatMap(\.monotonic))
        let monotonicTransforms = try design.monotonic.indices.map { m in
            groupLevelMonotonic.contains(m)
                ? try MonotonicEffectDraws.values(design.monotonic[m], draws: draws, rows: drawRows, scaled: false, index: index) : []
        }
        var s = 0
        for (c, chain) in draws.chains.enumerated() {
            for row in 0..<(chain.count / Swift.max(width, 1)) {
                let base = row * width
                for i in 0..<n {
                    var sum = offset?[i] ?? 0
                    for (j, k) in betaIndex.enumerated() { sum += design.fixedEffects[i, j] * (k.sign * chain[base + k.column]) }
                    for (m, effect) in design.monotonic.enumerated() {
                        sum += monotonicValues[m][s * (effect.categoryCount + 1) + effect.categories[i]] * effect.covariate(i)
                    }
                    eta[i] = sum
                }
                for (t, term) in design.randomTerms.enumerated() {
                    let q = term.columnCount, regular = term.regularColumnCount
                    for i in 0..<n {
                        let columns = termIndices[t][term.grouping.levelIndex[i]]
                        for j in 0..<regular { eta[i] += term.values[i * q + j] * chain[base + columns[j]] }
                        for (c, m) in term.monotonic.enumerated() {
                            let category = Int(term.values[i * q + regular + c])
                            let transform = monotonicTransforms[m][s * (design.monotonic[m].categoryCount + 1) + category]
                            eta[i] += transform * chain[base + columns[regular + c]]
                        }
                    }
                }
                var aux = chain.withUnsafeBufferPointer { values in
                    (0..<auxiliaryCount).map { drawColumns.auxiliaryValue($0, values, base: base) }
                }
                let sigma = withSigma ? aux[modelAuxiliary.firstIndex(of: .sigma)!] : 0
                if knownStandardErrors != nil && !withSigma { aux.insert(0, at: sigmaSlot!) }
                for i in 0..<n {
                    if let knownStandardErrors {
                        aux[sigmaSlot!] = (knownStandardErrors[i] * knownStandardErrors[i] + sigma * sigma).squareRoot()
                    }
                    let (mean, draw) = truncation?.meanAndDraw(eta: eta[i], auxiliary: aux, lower: truncationLower[i],
                                                               upper: truncationUpper[i], rng: &rng)
                        ?? descriptor.meanAndDraw(eta: eta[i], trials: trials[i], auxiliary: aux, rng: &rng)
                    expected[s * n + i] = mean
                    replicates[s * n + i] = draw
                }
                chainsOfDraws.append(c + 1)
                iterations.append(row + 1)
                s += 1
            }
        }
        self.replicates = replicates
        drawChains = chainsOfDraws
        drawIterations = iterations
        if keepExpected { self.expected = expected }
        let summaries = Self.fittedSummaries(expected: expected, observations: n, draws: total)
        fittedMean = summaries.mean
        fittedSD = summaries.sd
        fittedLower = summaries.lower
        fittedUpper = summaries.upper
    }

    /// Per observation: mean, SD (n − 1) and 2.5% / 97.5% quantiles (type 7) of E(yᵢ | θ⁽ˢ⁾),
    /// given draw-major (`expected[s * n + i]`).
    static func fittedSummaries(expected: [Double], observations n: Int, draws total: Int)
        -> (mean: [Double], sd: [Double], lower: [Double], upper: [Double]) {
        var means = [Double](repeating: 0, count: n), sds = means, lower = means, upper = means
        var column = [Double](repeating: 0, count: total)
        for i in 0..<n {
            for d in 0..<total { column[d] = expected[d * n + i] }
            let mean = column.reduce(0, +) / Double(Swift.max(total, 1))
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(total - 1, 1))
            column.sort()
            means[i] = mean
            sds[i] = variance.squareRoot()
            lower[i] = quantileType7(column, probability: 0.025)
            upper[i] = quantileType7(column, probability: 0.975)
        }
        return (means, sds, lower, upper)
    }

}
