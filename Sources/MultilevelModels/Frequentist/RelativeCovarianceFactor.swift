import MultilevelMath

/// The relative covariance factor Λθ of the lme4 paper (Bates et al. 2015, §2 and §3.1):
/// block-diagonal, one lower-triangular q × q template Tᵢ per random-effect term repeated over the
/// term's levels, so that Var(b) = σ² Λθ Λθᵀ and Σᵢ = σ² Tᵢ Tᵢᵀ. θ holds the lower triangles of
/// the templates, column-major, term after term (lme4's `getME(fit, "theta")` order); diagonal
/// entries are bounded below by 0.
public struct RelativeCovarianceFactor: Sendable, Equatable {
    /// Number of columns qᵢ of each term, in the fitting order.
    public let termSizes: [Int]

    public init(termSizes: [Int]) { self.termSizes = termSizes }

    /// Length of θ: Σ qᵢ(qᵢ + 1)/2.
    public var parameterCount: Int { termSizes.reduce(0) { $0 + $1 * ($1 + 1) / 2 } }

    /// Offset of term `i`'s entries in θ.
    public func offset(ofTerm i: Int) -> Int { termSizes[..<i].reduce(0) { $0 + $1 * ($1 + 1) / 2 } }

    /// lme4's lower bounds: 0 for template diagonals, −∞ elsewhere.
    public var lowerBounds: [Double] {
        var bounds: [Double] = []
        for q in termSizes { for j in 0..<q { for i in j..<q { bounds.append(i == j ? 0 : -.infinity) } } }
        return bounds
    }

    /// lme4's starting value: identity templates.
    public var initialTheta: [Double] {
        var theta: [Double] = []
        for q in termSizes { for j in 0..<q { for i in j..<q { theta.append(i == j ? 1 : 0) } } }
        return theta
    }

    /// A scale for each θ entry: the length of the template row it is in (‖row r of Tᵢ‖ = sd_r/σ),
    /// floored at 1e-3 of the longest row (all 1 when every row is zero). Finite differences and
    /// Newton steps in x = θ/s then take each entry at its own size: on sleepstudy's
    /// `(Days + I(Days^2) + I(Days^3) | Subject)` the I(Days^3) row is about 0.015 long beside the
    /// intercept's 0.9, so a fixed step of 1e-3 is a fifth of its diagonal (0.003) and the
    /// differences' truncation error, not the optimum, sets the gradient lme4's check sees.
    public func rowScales(theta: [Double]) -> [Double] {
        var scales: [Double] = []
        for i in termSizes.indices {
            let q = termSizes[i]
            let t = template(ofTerm: i, theta: theta)
            let lengths = (0..<q).map { r in (0...r).reduce(0.0) { $0 + t[r + $1 * q] * t[r + $1 * q] }.squareRoot() }
            for j in 0..<q { for r in j..<q { scales.append(lengths[r]) } }
        }
        let longest = scales.max() ?? 0
        guard longest > 0, longest.isFinite else { return [Double](repeating: 1, count: scales.count) }
        return scales.map { Swift.max($0, 1e-3 * longest) }
    }

    /// Whether θ entry `k` is a template diagonal (bounded at 0).
    public var isDiagonal: [Bool] { lowerBounds.map { $0 == 0 } }

    /// Template Tᵢ of term `i` (q × q, lower triangular, column-major) at θ.
    public func template(ofTerm i: Int, theta: [Double]) -> [Double] {
        let q = termSizes[i]
        var t = [Double](repeating: 0, count: q * q)
        var k = offset(ofTerm: i)
        for j in 0..<q { for r in j..<q { t[r + j * q] = theta[k]; k += 1 } }
        return t
    }

    /// Standard deviations and correlation matrix (row-major q × q) of term `i`'s random effects,
    /// Σᵢ = σ² Tᵢ Tᵢᵀ (lme4's `VarCorr`). A zero standard deviation gives NaN correlations, as R does.
    public func standardDeviationsAndCorrelations(ofTerm i: Int, theta: [Double], sigma: Double)
        -> (sds: [Double], correlations: [Double]) {
        let q = termSizes[i]
        let t = template(ofTerm: i, theta: theta)
        var covariance = [Double](repeating: 0, count: q * q)
        for r in 0..<q { for c in 0..<q {
            var sum = 0.0
            for k in 0..<q { sum += t[r + k * q] * t[c + k * q] }
            covariance[r * q + c] = sigma * sigma * sum
        } }
        let sds = (0..<q).map { covariance[$0 * q + $0].squareRoot() }
        var correlations = [Double](repeating: 0, count: q * q)
        for r in 0..<q { for c in 0..<q {
            correlations[r * q + c] = r == c ? 1 : covariance[r * q + c] / (sds[r] * sds[c])
        } }
        return (sds, correlations)
    }

    /// θ of term `i` from standard deviations and a (row-major) correlation matrix relative to σ:
    /// the lower Cholesky factor of Σᵢ/σ². Nil when the correlation matrix is not positive
    /// semi-definite (or not finite). Used to move between lme4's θ and its σ-scale profile parameters.
    public func templateEntries(sds: [Double], correlations: [Double], sigma: Double) -> [Double]? {
        let q = sds.count
        var covariance = DenseMatrix(rows: q, columns: q)
        for r in 0..<q { for c in 0..<q {
            covariance[r, c] = sds[r] * sds[c] * (r == c ? 1 : correlations[r * q + c]) / (sigma * sigma)
        } }
        // Cholesky allowing zero pivots (a zero standard deviation).
        var l = DenseMatrix(rows: q, columns: q)
        for j in 0..<q {
            var pivot = covariance[j, j]
            for k in 0..<j { pivot -= l[j, k] * l[j, k] }
            // Rounding leaves a semi-definite matrix's pivot a few ulps of its diagonal below zero.
            guard pivot.isFinite, pivot >= -1e-12 * Swift.max(1, covariance[j, j]) else { return nil }
            let root = Swift.max(pivot, 0).squareRoot()
            l[j, j] = root
            for r in (j + 1)..<Swift.max(j + 1, q) {
                var sum = covariance[r, j]
                for k in 0..<j { sum -= l[r, k] * l[j, k] }
                l[r, j] = root > 0 ? sum / root : 0
            }
        }
        var entries: [Double] = []
        for j in 0..<q { for r in j..<q { entries.append(l[r, j]) } }
        return entries
    }
}
