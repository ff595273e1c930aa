#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelData

/// The data of a GLMM in the flat form the log density reads, with brms' centring.
///
/// The linear predictor is η = F θ_F + Σ_t Z_t r_t, where F = [1, X_c] holds a column of ones
/// (when the model has an intercept) and the centred non-intercept columns X_c = X − 1 x̄ᵀ
/// (brms' `Xc`, so θ_F = (Intercept, b)), and r_t are the group-level effects of term t.
/// θ = (θ_F, r_1, r_2, …) with r_t level-major (`termOffset[t] + level * q_t + column`).
final class PosteriorData: Sendable {
    /// Number of rows n.
    let rowCount: Int
    /// Response (for lognormal, log y; for merged rows, the sum of y).
    let response: [Double]
    /// Binomial trials, or ones (for merged rows, the sum: bernoulli and poisson count the rows).
    let trials: [Double]
    /// Number of F columns p_F.
    let fixedColumnCount: Int
    /// Row-major n × p_F matrix F.
    let fixed: [Double]
    /// Column means x̄ of the non-intercept columns of X (zeros without an intercept).
    let columnMeans: [Double]
    /// The F column (= θ index) of each monotonic effect's first indicator [x ≥ 1]; its D
    /// indicators [x ≥ i] take θ = bsp · D · ζ_i (`MonotonicEffect`).
    let monotonicColumnOffsets: [Int]
    /// Number of random-effect terms T.
    let termCount: Int
    /// Columns q_t of each term in Z (a monotonic column of `(mo(x) | g)` counts as its D
    /// indicator columns).
    let termColumnCounts: [Int]
    /// Offset of each term's block in θ.
    let termOffsets: [Int]
    /// Offset of each term's columns in a row of `termValues`.
    let termValueOffsets: [Int]
    /// Σ q_t, the width of a row of `termValues`.
    let termValueWidth: Int
    /// Row-major n × Σq_t values of the Z blocks.
    let termValues: [Double]
    /// Row-major n × T: θ index of the first effect of row i's level in term t.
    let termThetaIndex: [Int]
    /// Length of θ.
    let thetaCount: Int
    /// Σ log y (gamma and lognormal families).
    let sumLogResponse: Double

    /// Whether rows with identical predictors and levels were merged (bernoulli, binomial,
    /// poisson: their log-likelihood is linear in y and in the number of trials, so merged rows
    /// (Σy, Σn) give the same value and gradient for a fraction of the work).
    let isCollapsed: Bool
    /// The log-likelihood's data-only constant over the original rows (0 with addition terms,
    /// whose pass includes every constant).
    let dataConstant: Double
    /// The offset added to η per row, nil without one or when it was subtracted from the response
    /// instead (gaussian and lognormal models without addition terms, whose sufficient statistics
    /// and collapsed samplers then see y − offset).
    let offset: [Double]?
    /// The addition terms per row (`AdditionTermPass`) with the response on its own scale.
    let additions: RowAdditions?
    let rawResponse: [Double]

    init(design: ModelDesign, family: Family, mergeRows: Bool = true) {
        let n = design.rowCount
        let hasIntercept = design.hasIntercept
        let x = design.fixedEffects
        let pX = design.fixedEffectCount
        // The monotonic effects' indicator columns [x ≥ i] (times the covariates z of mo(x):z)
        // follow X's, not centred (brms adds bsp · mo(simo, x) · z to the linear predictor outside
        // Xc · b).
        var monotonicOffsets: [Int] = []
        var p = pX
        for effect in design.monotonic {
            monotonicOffsets.append(p)
            p += effect.categoryCount
        }
        monotonicColumnOffsets = monotonicOffsets
        fixedColumnCount = p
        var means = [Double](repeating: 0, count: p)
        if hasIntercept {
            for k in 1..<max(1, pX) {
                var sum = 0.0
                for i in 0..<n { sum += x[i, k] }
                means[k] = n > 0 ? sum / Double(n) : 0
            }
        }
        columnMeans = Array(means[(hasIntercept ? min(1, pX) : 0)..<pX])
        var fixed = [Double](repeating: 0, count: n * p)
        for i in 0..<n {
            for k in 0..<pX {
                fixed[i * p + k] = (hasIntercept && k == 0) ? 1 : x[i, k] - means[k]
            }
            for (m, effect) in design.monotonic.enumerated() {
                let category = effect.categories[i]
                let covariate = effect.covariate(i)
                for step in 0..<effect.categoryCount where category > step { fixed[i * p + monotonicOffsets[m] + step] = covariate }
            }
        }
        sumLogResponse = design.response.reduce(0) { $0 + log($1) }
        let descriptor = family.descriptor
        var response = design.response.map { descriptor.modelScaleResponse($0) }
        let trials = design.trials ?? [Double](repeating: 1, count: n)
        additions = design.additions
        rawResponse = design.additions == nil ? [] : design.response
        if let offset = design.offset, descriptor.hasGaussianSufficientStatistics, design.additions == nil {
            for i in 0..<n { response[i] -= offset[i] }
            self.offset = nil
        } else {
            self.offset = design.offset
        }
        dataConstant = design.additions == nil ? family.dataConstant(response: response, trials: trials) : 0

        let terms = design.randomTerms
        termCount = terms.count
        // A monotonic column of a term ((mo(x) | g)) becomes its D indicator columns [x ≥ i], whose
        // effects the posterior sets to r · D · ζ_i (`MonotonicGroupEffects`).
        let dataColumnCounts = terms.map { term in
            term.regularColumnCount + term.monotonic.reduce(0) { $0 + design.monotonic[$1].categoryCount }
        }
        termColumnCounts = dataColumnCounts
        var thetaOffset = p
        var valueOffset = 0
        var offsets: [Int] = []
        var valueOffsets: [Int] = []
        for (t, term) in terms.enumerated() {
            offsets.append(thetaOffset)
            valueOffsets.append(valueOffset)
            thetaOffset += term.grouping.levelCount * dataColumnCounts[t]
            valueOffset += dataColumnCounts[t]
        }
        termOffsets = offsets
        termValueOffsets = valueOffsets
        termValueWidth = valueOffset
        thetaCount = thetaOffset
        var values = [Double](repeating: 0, count: n * valueOffset)
        var thetaIndex = [Int](repeating: 0, count: n * terms.count)
        for (t, term) in terms.enumerated() {
            let q = term.columnCount, regular = term.regularColumnCount
            for i in 0..<n {
                for k in 0..<regular { values[i * valueOffset + valueOffsets[t] + k] = term.values[i * q + k] }
                var column = valueOffsets[t] + regular
                for (c, m) in term.monotonic.enumerated() {
                    let category = Int(term.values[i * q + regular + c])
                    for step in 0..<design.monotonic[m].categoryCount {
                        values[i * valueOffset + column + step] = category > step ? 1 : 0
                    }
                    column += design.monotonic[m].categoryCount
                }
                thetaIndex[i * terms.count + t] = offsets[t] + term.grouping.levelIndex[i] * dataColumnCounts[t]
            }
        }
        if mergeRows && descriptor.mergesRows && design.offset == nil && design.additions == nil {
            let merged = PosteriorData.collapse(rows: n, fixed: fixed, width: p, values: values,
                                                valueWidth: valueOffset, thetaIndex: thetaIndex,
                                                termCount: terms.count, response: response, trials: trials)
            isCollapsed = true
            rowCount = merged.rows
            self.fixed = merged.fixed
            termValues = merged.values
            termThetaIndex = merged.thetaIndex
            self.response = merged.response
            self.trials = merged.trials
        } else {
            isCollapsed = false
            rowCount = n
            self.fixed = fixed
            termValues = values
            termThetaIndex = thetaIndex
            self.response = response
            self.trials = trials
        }
    }

    /// Merges rows whose F row, Z values and levels are identical, summing y and the trials.
    static func collapse(rows n: Int, fixed: [Double], width p: Int, values: [Double], valueWidth w: Int,
                         thetaIndex: [Int], termCount t: Int, response: [Double], trials: [Double])
        -> (rows: Int, fixed: [Double], values: [Double], thetaIndex: [Int], response: [Double], trials: [Double]) {
        var index: [[UInt64]: Int] = [:]
        var outFixed: [Double] = [], outValues: [Double] = [], outTheta: [Int] = []
        var outResponse: [Double] = [], outTrials: [Double] = []
        for i in 0..<n {
            var key: [UInt64] = []
            key.reserveCapacity(p + w + t)
            for k in 0..<p { key.append(fixed[i * p + k].bitPattern) }
            for k in 0..<w { key.append(values[i * w + k].bitPattern) }
            for k in 0..<t { key.append(UInt64(bitPattern: Int64(thetaIndex[i * t + k]))) }
            if let row = index[key] {
                outResponse[row] += response[i]
                outTrials[row] += trials[i]
            } else {
                index[key] = outResponse.count
                outFixed.append(contentsOf: fixed[(i * p)..<((i + 1) * p)])
                outValues.append(contentsOf: values[(i * w)..<((i + 1) * w)])
                outTheta.append(contentsOf: thetaIndex[(i * t)..<((i + 1) * t)])
                outResponse.append(response[i])
                outTrials.append(trials[i])
            }
        }
        return (outResponse.count, outFixed, outValues, outTheta, outResponse, outTrials)
    }
}
