import Foundation
import MultilevelData
import MultilevelMath
import MultilevelSampling

/// What a prediction draws (brms' three functions).
public enum PredictionType: String, Sendable, CaseIterable {
    /// `posterior_epred`: E(y | θ) on the response scale (binomial: trials · p).
    case epred
    /// `posterior_linpred`: the linear predictor η.
    case linpred
    /// `posterior_predict`: one draw of y per posterior draw.
    case prediction
}

/// How a group level the fit has not seen gets its effects (brms' `sample_new_levels`).
public enum NewLevelSampling: String, Sendable, CaseIterable {
    /// Each posterior draw gives the new level the effects of an existing level chosen at random
    /// (brms' default, "uncertainty").
    case uncertainty
    /// Each posterior draw gives the new level effects drawn from N(0, Σ) with that draw's sds and
    /// correlations ("gaussian").
    case gaussian
}

/// Posterior predictions for new rows (brms' `posterior_epred` / `posterior_linpred` /
/// `posterior_predict` with `newdata`, `re_formula`, `allow_new_levels`, `sample_new_levels`):
/// for every draw s and new row i, ηᵢ⁽ˢ⁾ = xᵢ·b⁽ˢ⁾ + Σ over the kept terms zᵢ·r⁽ˢ⁾[levelᵢ], with the
/// family's mean or a random draw on top. Rows are computed one at a time (`values(row:into:)`),
/// so the summaries of many rows need memory for one row's draws only; each row's random draws
/// come from a generator of their own (seeded from the seed and the row), so the result does not
/// depend on the order rows are computed in.
public struct PosteriorPrediction: Sendable {
    public let type: PredictionType
    public let rowCount: Int
    public let drawCount: Int
    /// The number of categories K of an ordinal (`cumulative`) fit's response (K − 1 thresholds),
    /// 0 for the other families: brms' `posterior_epred` of such a fit is per draw and row the K
    /// probabilities P(y = k) (`categoryProbabilities(row:into:)`).
    public let categoryCount: Int
    private let family: Family
    private let newData: NewDataDesign
    private let seed: UInt64
    /// Per draw (draw-major), the population-level coefficients in the design's column order.
    private let beta: [Double]
    /// Per monotonic effect: per draw, its value at each category 0…D, bsp · D · Σ_{i ≤ k} ζ_i
    /// (draw-major: `[s * (D + 1) + k]`).
    private let monotonicValues: [[Double]]
    /// A truncated fit's predictions (`TruncatedPrediction`, the new rows' bounds in `newData`).
    private let truncation: TruncatedPrediction?
    /// Per monotonic effect varied by a group-level term `(mo(x) | g)`, per draw, mo(ζ, k) at each
    /// category (the Z value of its column); empty for the others.
    private let monotonicTransforms: [[Double]]
    /// Per kept term, the fitted term's monotonic columns (`RandomEffectTerm.monotonic`).
    private let termMonotonic: [[Int]]
    /// Per draw, the family's auxiliary parameters.
    private let auxiliary: [Double]
    private let auxiliaryCount: Int
    /// Per kept term: per draw, per level, per column, r (draw-major: `[(s * L + level) * q + k]`).
    private let effects: [[Double]]
    /// Per kept term: per draw, per new level (in order of `newLevelIndex`), its q effects.
    private let newLevelEffects: [[Double]]
    /// Per kept term: for each row, the index of its new level (nil for an existing level).
    private let newLevelIndex: [[Int?]]
    /// brms' `bf()`: the predicted auxiliary parameters, each with its linear predictor on the
    /// new rows (`DistributionalPrediction`); empty for a model with constant auxiliary parameters.
    var predictedAuxiliary: [PredictedAuxiliary] = []
    /// brms' `dpar =` argument: the position in `predictedAuxiliary` of the parameter whose
    /// linear predictor (`linpred`) or value (`epred`) is asked for instead of the mean's.
    var requestedAuxiliary: Int?

    /// `draws` are the fit's constrained draws (`b_…`, `r_<g>[level,term]`, `sd_…`, `cor_…`, the
    /// family's auxiliary parameters); `fitted` the fitted design; `newData` the new rows' design.
    public init(draws: Draws, fitted: ModelDesign, family: Family, newData: NewDataDesign, type: PredictionType,
                newLevels: NewLevelSampling = .uncertainty, seed: UInt64) throws {
        try self.init(draws: draws, fitted: fitted, family: family, newData: newData, type: type, newLevels: newLevels,
                      seed: seed, predicted: [])
    }

    /// As the public initialiser; the auxiliary parameters in `predicted` are not read from the
    /// draws (a distributional model predicts them row by row).
    init(draws: Draws, fitted: ModelDesign, family: Family, newData: NewDataDesign, type: PredictionType,
         newLevels: NewLevelSampling, seed: UInt64, predicted: Set<AuxiliaryParameter>) throws {
        func index(_ name: String) throws -> Int {
            guard let k = draws.index(of: name) else {
                throw FamilyError(message: "prediction: the draws have no variable '\(name)'")
            }
            return k
        }
        self.type = type
        self.family = family
        truncation = newData.truncationLower != nil || newData.truncationUpper != nil ? try TruncatedPrediction(family: family) : nil
        self.newData = newData
        self.seed = seed
        rowCount = newData.rowCount
        let width = draws.variableCount
        let total = draws.chains.reduce(0) { $0 + $1.count / Swift.max(width, 1) }
        drawCount = total
        let drawColumns = try FamilyDrawColumns(draws: draws, fixedEffectNames: fitted.fixedEffectNames, family: family,
                                                auxiliaryParameters: family.auxiliaryParameters) { name in
            if let parameter = AuxiliaryParameter(rawValue: name), predicted.contains(parameter) { return 0 }
            return try index(name)
        }
        let betaIndex = drawColumns.coefficients
        let auxiliaryIndex = drawColumns.auxiliary
        auxiliaryCount = auxiliaryIndex.count
        categoryCount = family.kind == .cumulative ? auxiliaryIndex.count + 2 : 0
        // Gather per-draw values once (draw-major).
        var beta = [Double](repeating: 0, count: total * betaIndex.count)
        var auxiliary = [Double](repeating: 0, count: total * auxiliaryIndex.count)
        var rows: [(chain: Int, base: Int)] = []
        for (c, chain) in draws.chains.enumerated() {
            for row in 0..<(chain.count / Swift.max(width, 1)) { rows.append((c, row * width)) }
        }
        for (s, (c, base)) in rows.enumerated() {
            for (j, k) in betaIndex.enumerated() {
                // brms' linpred of an ordinal model is x·b + z·r without the thresholds.
                beta[s * betaIndex.count + j] = k.sign < 0 && type == .linpred ? 0 : k.sign * draws.chains[c][base + k.column]
            }
            draws.chains[c].withUnsafeBufferPointer { values in
                for j in auxiliaryIndex.indices {
                    auxiliary[s * auxiliaryIndex.count + j] = drawColumns.auxiliaryValue(j, values, base: base)
                }
            }
        }
        monotonicValues = try fitted.monotonic.map { effect in
            try MonotonicEffectDraws.values(effect, draws: draws, rows: rows, index: index)
        }
        termMonotonic = newData.terms.map { fitted.randomTerms[$0.fittedIndex].monotonic }
        let groupLevelMonotonic = Set(termMonotonic.joined())
        monotonicTransforms = try fitted.monotonic.indices.map { m in
            guard groupLevelMonotonic.contains(m) else { return [] }
            return try MonotonicEffectDraws.values(fitted.monotonic[m], draws: draws, rows: rows, scaled: false, index: index)
        }
        var effects: [[Double]] = [], newEffects: [[Double]] = [], newIndex: [[Int?]] = []
        var rng = Xoshiro256PlusPlus(seed: seed)
        for term in newData.terms {
            let fittedTerm = fitted.randomTerms[term.fittedIndex]
            let q = fittedTerm.columnCount, levelCount = fittedTerm.grouping.levelCount
            let names = fittedTerm.brmsColumnNames
            let group = fittedTerm.grouping.name
            let columns = try fittedTerm.grouping.levels.map { level in try names.map { try index("r_\(group)[\(level),\($0)]") } }
            var values = [Double](repeating: 0, count: total * levelCount * q)
            for (s, (c, base)) in rows.enumerated() {
                for level in 0..<levelCount {
                    for k in 0..<q { values[(s * levelCount + level) * q + k] = draws.chains[c][base + columns[level][k]] }
                }
            }
            // New levels: one index per distinct new label, in order of first appearance.
            var labelIndex: [String: Int] = [:]
            var rowIndex: [Int?] = []
            for (i, level) in term.levels.enumerated() {
                if level != nil { rowIndex.append(nil); continue }
                if labelIndex[term.labels[i]] == nil { labelIndex[term.labels[i]] = labelIndex.count }
                rowIndex.append(labelIndex[term.labels[i]])
            }
            let newCount = labelIndex.count
            var drawn = [Double](repeating: 0, count: total * newCount * q)
            if newCount > 0 {
                switch newLevels {
                case .uncertainty:
                    for s in 0..<total {
                        for l in 0..<newCount {
                            let level = Int(rng.next() % UInt64(levelCount))
                            for k in 0..<q { drawn[(s * newCount + l) * q + k] = values[(s * levelCount + level) * q + k] }
                        }
                    }
                case .gaussian:
                    let sdIndex = try names.map { try index("sd_\(group)__\($0)") }
                    var corIndex = [[Int?]](repeating: [Int?](repeating: nil, count: q), count: q)
                    for a in 0..<q { for b in 0..<a { corIndex[a][b] = draws.index(of: "cor_\(group)__\(names[b])__\(names[a])") } }
                    var covariance = DenseMatrix(rows: q, columns: q)
                    var z = [Double](repeating: 0, count: q)
                    for (s, (c, base)) in rows.enumerated() {
                        let chain = draws.chains[c]
                        let sd = sdIndex.map { chain[base + $0] }
                        for a in 0..<q {
                            for b in 0...a {
                                let correlation = a == b ? 1 : (corIndex[a][b].map { chain[base + $0] } ?? 0)
                                covariance[a, b] = correlation * sd[a] * sd[b]
                                covariance[b, a] = covariance[a, b]
                            }
                        }
                        let factor = Self.choleskyLower(covariance)
                        for l in 0..<newCount {
                            for k in 0..<q { z[k] = rng.nextNormal() }
                            for a in 0..<q {
                                var sum = 0.0
                                for b in 0...a { sum += factor[a, b] * z[b] }
                                drawn[(s * newCount + l) * q + a] = sum
                            }
                        }
                    }
                }
            }
            effects.append(values)
            newEffects.append(drawn)
            newIndex.append(rowIndex)
        }
        self.beta = beta
        self.auxiliary = auxiliary
        self.effects = effects
        newLevelEffects = newEffects
        newLevelIndex = newIndex
    }

    /// The lower Cholesky factor of a small covariance matrix (zero columns where a variance is 0).
    static func choleskyLower(_ a: DenseMatrix) -> DenseMatrix {
        let q = a.rows
        var l = DenseMatrix(rows: q, columns: q)
        for j in 0..<q {
            var diagonal = a[j, j]
            for k in 0..<j { diagonal -= l[j, k] * l[j, k] }
            let root = diagonal > 0 ? diagonal.squareRoot() : 0
            l[j, j] = root
            for i in (j + 1)..<q {
                var sum = a[i, j]
                for k in 0..<j { sum -= l[i, k] * l[j, k] }
                l[i, j] = root > 0 ? sum / root : 0
            }
        }
        return l
    }

    /// η of new row `i` under draw `s` (`x` the row's population-level columns): the offset, x·b,
    /// the monotonic effects and the kept group-level terms (a new level's drawn effects).
    @inline(__always)
    func linearPredictor(row i: Int, draw s: Int, x: [Double]) -> Double {
        let p = x.count
        var eta = newData.offset?[i] ?? 0
        for j in 0..<p { eta += x[j] * beta[s * p + j] }
        for (m, values) in monotonicValues.enumerated() {
            let width = values.count / Swift.max(drawCount, 1)
            let covariates = newData.monotonicCovariates[m]
            eta += values[s * width + newData.monotonicCategories[m][i]] * (covariates.isEmpty ? 1 : covariates[i])
        }
        for (t, term) in newData.terms.enumerated() {
            let q = term.included.count
            let regular = q - termMonotonic[t].count
            // Z of column k: the data, or for (mo(x) | g) this draw's mo(ζ, x) at the row's category.
            @inline(__always) func z(_ k: Int) -> Double {
                if k < regular { return term.values[i * q + k] }
                let m = termMonotonic[t][k - regular]
                let width = monotonicTransforms[m].count / Swift.max(drawCount, 1)
                return monotonicTransforms[m][s * width + newData.monotonicCategories[m][i]]
            }
            if let level = term.levels[i] {
                let levelCount = effects[t].count / Swift.max(drawCount * q, 1)
                let offset = (s * levelCount + level) * q
                for k in 0..<q where term.included[k] { eta += z(k) * effects[t][offset + k] }
            } else if let l = newLevelIndex[t][i] {
                let newCount = newLevelEffects[t].count / Swift.max(drawCount * q, 1)
                let offset = (s * newCount + l) * q
                for k in 0..<q where term.included[k] { eta += z(k) * newLevelEffects[t][offset + k] }
            }
        }
        return eta
    }

    /// The population-level columns of new row `i`.
    func populationColumns(row i: Int) -> [Double] {
        (0..<newData.fixedEffects.columns).map { newData.fixedEffects[i, $0] }
    }

    /// The `drawCount` values of row `row` (in draw order: chain 1's draws, then chain 2's, …).
    /// For an ordinal fit `.epred` gives E(y) = Σ_k k P(y = k), the mean brms' `conditional_effects`
    /// plots (`ordinal_probs_continuous`); the per-category probabilities of `posterior_epred` come
    /// from `categoryProbabilities(row:into:)`.
    public func values(row i: Int, into out: inout [Double]) {
        if out.count != drawCount { out = [Double](repeating: 0, count: drawCount) }
        let x = populationColumns(row: i)
        let trials = newData.trials?[i] ?? 1
        var rng = Xoshiro256PlusPlus(seed: seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
        var aux = [Double](repeating: 0, count: auxiliaryCount)
        let predictedColumns = predictedAuxiliary.map { $0.linear.populationColumns(row: i) }
        if let r = requestedAuxiliary {
            let part = predictedAuxiliary[r]
            for s in 0..<drawCount {
                let eta = part.linear.linearPredictor(row: i, draw: s, x: predictedColumns[r])
                out[s] = type == .linpred ? eta : part.parameter.inverseDistributionalLink(eta).value
            }
            return
        }
        for s in 0..<drawCount {
            let eta = linearPredictor(row: i, draw: s, x: x)
            switch type {
            case .linpred:
                out[s] = eta
            case .epred, .prediction:
                for k in 0..<auxiliaryCount { aux[k] = auxiliary[s * auxiliaryCount + k] }
                for (p, part) in predictedAuxiliary.enumerated() {
                    let value = part.linear.linearPredictor(row: i, draw: s, x: predictedColumns[p])
                    aux[part.index] = part.parameter.inverseDistributionalLink(value).value
                }
                let (mean, draw) = truncation?.meanAndDraw(eta: eta, auxiliary: aux, lower: newData.truncationLower?[i] ?? -.infinity,
                                                           upper: newData.truncationUpper?[i] ?? .infinity, rng: &rng)
                    ?? family.descriptor.meanAndDraw(eta: eta, trials: trials, auxiliary: aux, rng: &rng)
                out[s] = type == .epred ? mean : draw
            }
        }
    }

    /// log p(y | θ⁽ˢ⁾) of new row `i` with response `y` (and `trials`) for every draw s, in draw
    /// order — brms' `log_lik` with `newdata`: η and the auxiliary parameters as `values` takes
    /// them for `.epred` (each predicted auxiliary parameter through its inverse link at the row's
    /// own linear predictor), then the family's density with every constant (`Family.logDensity`).
    public func logLikelihood(row i: Int, response y: Double, trials: Double, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count >= drawCount)
        let x = populationColumns(row: i)
        let predictedColumns = predictedAuxiliary.map { $0.linear.populationColumns(row: i) }
        var aux = [Double](repeating: 0, count: auxiliaryCount)
        for s in 0..<drawCount {
            let eta = linearPredictor(row: i, draw: s, x: x)
            for k in 0..<auxiliaryCount { aux[k] = auxiliary[s * auxiliaryCount + k] }
            for (p, part) in predictedAuxiliary.enumerated() {
                let value = part.linear.linearPredictor(row: i, draw: s, x: predictedColumns[p])
                aux[part.index] = part.parameter.inverseDistributionalLink(value).value
            }
            out[s] = family.logDensity(y: y, trials: trials, eta: eta, auxiliary: aux)
        }
    }

    /// brms' `posterior_epred` of an ordinal (`cumulative`) fit for new row `i`: per draw s and
    /// category k = 1 … K,
    ///     P(yᵢ = k | θ⁽ˢ⁾) = F(τ_k − μᵢ) − F(τ_{k−1} − μᵢ),   τ₀ = −∞, τ_K = +∞,
    /// F the link's distribution function (Bürkner & Vuorre 2019, eq. 2; `CumulativeFamily`), with
    /// τ_k − μᵢ = D_k − ηᵢ in the posterior's parameterization (η = −τ₁ + μ, D_k = τ_k − τ₁ the
    /// cumulative threshold gaps). Category-major: `out[(k − 1) · drawCount + s]`, `categoryCount ·
    /// drawCount` values. Empty for the other families.
    public func categoryProbabilities(row i: Int, into out: inout [Double]) {
        let categories = categoryCount
        if out.count != categories * drawCount { out = [Double](repeating: 0, count: categories * drawCount) }
        guard categories > 0 else { return }
        let x = populationColumns(row: i)
        let link = family.link
        for s in 0..<drawCount {
            let eta = linearPredictor(row: i, draw: s, x: x)
            var cut = -eta, below = 0.0
            for k in 1..<categories {
                if k > 1 { cut += auxiliary[s * auxiliaryCount + k - 2] }
                let cdf = link.inverse(cut)
                out[(k - 1) * drawCount + s] = cdf - below
                below = cdf
            }
            out[(categories - 1) * drawCount + s] = 1 - below
        }
    }

    /// Per row and category (row-major: `[i · categoryCount + k − 1]`), the summary of
    /// P(yᵢ = k) over the draws (`categoryProbabilities`) — brms' `fitted()` of an ordinal fit,
    /// whose columns it names `P(Y = k)`.
    public func categorySummaries(probabilities: [Double]) -> [PredictionSummary] {
        var buffer: [Double] = []
        var result: [PredictionSummary] = []
        result.reserveCapacity(rowCount * categoryCount)
        for i in 0..<rowCount {
            categoryProbabilities(row: i, into: &buffer)
            for k in 0..<categoryCount {
                result.append(PredictionSummary(draws: Array(buffer[(k * drawCount)..<((k + 1) * drawCount)]),
                                                probabilities: probabilities))
            }
        }
        return result
    }

    /// Per row: mean, standard deviation (n − 1) and the quantiles `probabilities` (R's type 7, as
    /// posterior's `quantile2`) of its draws — brms' `Estimate`, `Est.Error`, `Q2.5`, `Q97.5`.
    public func summaries(probabilities: [Double]) -> [PredictionSummary] {
        var buffer = [Double](repeating: 0, count: drawCount)
        return (0..<rowCount).map { i in
            values(row: i, into: &buffer)
            return PredictionSummary(draws: buffer, probabilities: probabilities)
        }
    }
}

/// The summary of one prediction's draws.
public struct PredictionSummary: Sendable, Equatable {
    public var mean: Double
    public var sd: Double
    /// Quantiles at the requested probabilities, in their order.
    public var quantiles: [Double]

    public init(mean: Double, sd: Double, quantiles: [Double]) {
        self.mean = mean
        self.sd = sd
        self.quantiles = quantiles
    }

    /// Summarises `draws` (any order).
    public init(draws: [Double], probabilities: [Double]) {
        let count = Double(Swift.max(draws.count, 1))
        let mean = draws.reduce(0, +) / count
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(Swift.max(draws.count - 1, 1))
        let sorted = draws.sorted()
        self.init(mean: mean, sd: variance.squareRoot(),
                  quantiles: probabilities.map { quantileType7(sorted, probability: $0) })
    }
}
