import Foundation
import MultilevelData
import MultilevelMath

/// A zero-inflated Poisson or negative-binomial (NB2) GLMM with a constant zero-inflation
/// probability π = logistic(ζ), fitted by the Laplace approximation as glmmTMB's
/// `glmmTMB(y ~ x + (… | g), ziformula = ~1, family = poisson | nbinom2)` (Brooks et al. 2017;
/// Kristensen et al. 2016 for the Laplace step):
///
///     p(y | η) = π [y = 0] + (1 − π) f(y | e^η),  η = Xβ + ZΛθu,  u ~ N(0, I),
///
///     −2 log L(θ, β, ζ, φ) ≈ −2 Σᵢ log p(yᵢ | η̂ᵢ) + ‖û‖² + log det(ΛᵀZᵀD̂ZΛ + I),
///
/// û the conditional mode and D̂ = diag(−∂² log p(yᵢ | η)/∂ηᵢ²) at û: the exact Hessian of the
/// zero-inflated log-density (zeros mix the two components, so PIRLS's working weights do not
/// apply). The mode is found by Newton's method on u with that Hessian (dense, at most
/// `maximumRandomEffects` effects), step halving, and the Fisher part alone where the exact
/// Hessian is not positive definite. (θ, β, ζ, log φ) are optimised by BOBYQA and a Newton finish;
/// standard errors come from the finite-difference Hessian of the Laplace deviance (the β and ζ
/// blocks of its inverse do not depend on how θ is parameterised: glmmTMB's log-SD gives the same).
public struct ZeroInflatedMixedModel {
    public enum CountKind: Sendable { case poisson, negativeBinomial }

    public let design: ModelDesign
    public let aliasedColumns: [String]
    public let kind: CountKind
    public let familyName: String
    /// Λθ's layout and η = Xβ + ZΛθu (PIRLS's helpers; its response is not used).
    let layout: PenalizedIterativelyReweightedLeastSquares
    let logFactorials: [Double]
    public static let maximumRandomEffects = 3000
    /// The Newton iterations for û stop when gᵀH⁻¹g (about ‖û − u‖²_H) falls below this.
    static let modeDecrementTolerance = 1e-20

    public init(design: ModelDesign, family: Family) throws {
        switch family {
        case .zeroInflatedPoisson: kind = .poisson
        case .zeroInflatedNegativeBinomial: kind = .negativeBinomial
        default: throw MixedModelError("the zero-inflated Laplace fit is for zero_inflated_poisson and zero_inflated_negbinomial, not '\(family.rawValue)'")
        }
        familyName = family.rawValue
        try checkResponse(design, family: family)
        try checkRandomEffectsStructure(design, generalized: true)
        let (reduced, dropped) = droppingAliasedColumns(design)
        self.design = reduced
        aliasedColumns = dropped
        var layout = PenalizedIterativelyReweightedLeastSquares(
            fixedEffects: reduced.fixedEffects, randomTerms: reduced.randomTerms,
            response: try GeneralizedLinearResponse(design: reduced, family: .poisson))
        layout.offset = reduced.offset
        self.layout = layout
        let effects = layout.fittingTerms.reduce(0) { $0 + $1.columnCount * $1.grouping.levelCount }
        guard effects <= Self.maximumRandomEffects else {
            throw MixedModelError("the zero-inflated Laplace fit works on a dense Hessian of at most \(Self.maximumRandomEffects) random effects; this model has \(effects)")
        }
        logFactorials = reduced.response.map { lgamma($0 + 1) }
    }

    /// log p(y | η), its first and second derivative in η, at zero-inflation logit ζ and shape φ.
    @inline(__always)
    static func rowTerms(y: Double, eta: Double, zeta: Double, shape: Double, kind: CountKind,
                         logFactorial: Double) -> (value: Double, gradient: Double, curvature: Double) {
        let mu = exp(eta)
        if y > 0 {
            let logNotInflated = -softplus(zeta)
            switch kind {
            case .poisson:
                return (logNotInflated + y * eta - mu - logFactorial, y - mu, -mu)
            case .negativeBinomial:
                let sum = shape + mu
                let value = lgamma(y + shape) - lgamma(shape) - logFactorial + shape * log(shape) + y * eta
                    - (shape + y) * logAdd(log(shape), eta)
                return (logNotInflated + value, shape * (y - mu) / sum, -shape * mu * (y + shape) / (sum * sum))
            }
        }
        // log f(0 | μ) and its derivatives.
        let l0: Double, d1: Double, d2: Double
        switch kind {
        case .poisson:
            (l0, d1, d2) = (-mu, -mu, -mu)
        case .negativeBinomial:
            let sum = shape + mu
            l0 = -shape * (logAdd(log(shape), eta) - log(shape))
            d1 = -shape * mu / sum
            d2 = -shape * shape * mu / (sum * sum)
        }
        // log(π + (1 − π)f₀) = log π + log(1 + e^{l0 − ζ}); r = P(count component | y = 0).
        let a = l0 - zeta
        let r = a >= 0 ? 1 / (1 + exp(-a)) : exp(a) / (1 + exp(a))
        return (-softplus(-zeta) + softplus(a), r * d1, r * d2 + r * (1 - r) * d1 * d1)
    }

    @inline(__always) static func softplus(_ x: Double) -> Double { x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)) }
    @inline(__always) static func logAdd(_ a: Double, _ b: Double) -> Double { max(a, b) + log1p(exp(-abs(a - b))) }

    /// Sparse rows of ZΛθ: per row, (index into u, value) for each column of each term.
    func loadings(theta: [Double]) -> [[(index: Int, value: Double)]] {
        let n = design.rowCount
        var rows = [[(index: Int, value: Double)]](repeating: [], count: n)
        var offset = 0
        for (k, term) in layout.fittingTerms.enumerated() {
            let q = term.columnCount
            let t = layout.covarianceFactor.template(ofTerm: k, theta: theta)
            for r in 0..<n {
                let base = offset + term.grouping.levelIndex[r] * q
                for j in 0..<q {
                    var value = 0.0
                    for i in j..<q { value += term.values[r * q + i] * t[i + j * q] }
                    rows[r].append((base + j, value))
                }
            }
            offset += q * term.grouping.levelCount
        }
        return rows
    }

    /// The state of one Laplace evaluation.
    public struct Mode {
        public var spherical: [Double]
        public var linearPredictor: [Double]
        public var logLikelihood: Double
        public var logDeterminant: Double
        /// (ΛᵀZᵀD̂ZΛ + I)⁻¹, the conditional covariance of û.
        public var conditionalCovariance: DenseMatrix
        public var deviance: Double { -2 * logLikelihood + spherical.reduce(0) { $0 + $1 * $1 } + logDeterminant }
    }

    /// The conditional mode by Newton's method on u (from `start`), and the Laplace pieces there.
    public func mode(theta: [Double], beta: [Double], zeta: Double, shape: Double, start: [Double]?) throws -> Mode {
        let n = design.rowCount
        let a = loadings(theta: theta)
        let m = layout.fittingTerms.reduce(0) { $0 + $1.columnCount * $1.grouping.levelCount }
        var fixed = design.fixedEffects.columns == 0 ? [Double](repeating: 0, count: n) : design.fixedEffects.multiplied(by: beta)
        if let offset = design.offset { for i in 0..<n { fixed[i] += offset[i] } }
        let y = design.response
        func evaluate(_ u: [Double]) -> (objective: Double, eta: [Double], g: [Double], h: [Double], logLik: Double) {
            var eta = fixed
            for i in 0..<n { for entry in a[i] { eta[i] += entry.value * u[entry.index] } }
            var g = [Double](repeating: 0, count: n), h = g
            var logLik = 0.0
            for i in 0..<n {
                let t = Self.rowTerms(y: y[i], eta: eta[i], zeta: zeta, shape: shape, kind: kind, logFactorial: logFactorials[i])
                logLik += t.value
                g[i] = t.gradient
                h[i] = t.curvature
            }
            return (logLik - 0.5 * u.reduce(0) { $0 + $1 * $1 }, eta, g, h, logLik)
        }
        func hessian(_ h: [Double], clipped: Bool) -> DenseMatrix {
            var matrix = DenseMatrix.identity(m)
            for i in 0..<n {
                let d = clipped ? Swift.max(-h[i], 0) : -h[i]
                if d == 0 { continue }
                for p in a[i] { for q in a[i] { matrix[p.index, q.index] += d * p.value * q.value } }
            }
            return matrix
        }
        var u = start ?? [Double](repeating: 0, count: m)
        var current = evaluate(u)
        guard current.objective.isFinite else { throw MixedModelError("the zero-inflated log-likelihood is not finite at the start") }
        for _ in 0..<100 {
            var gradient = u.map { -$0 }
            for i in 0..<n { for entry in a[i] { gradient[entry.index] += entry.value * current.g[i] } }
            let factor: DenseMatrix
            if let exact = try? hessian(current.h, clipped: false).choleskyLower() {
                factor = exact
            } else {
                factor = try hessian(current.h, clipped: true).choleskyLower()
            }
            let step = factor.solvingLowerTranspose(factor.solvingLower(gradient))
            let decrement = zip(step, gradient).reduce(0) { $0 + $1.0 * $1.1 }
            if decrement < Self.modeDecrementTolerance { break }
            // In the quadratic region (decrement < 1e-8, a promised gain below 5e-9) the full
            // Newton step is taken without comparing objectives, which rounding decides from a
            // gain of about 1e-13·|objective| down; the iterations go on until the decrement is
            // below 1e-20, so that û — on which log det depends to first order — is exact to
            // rounding and the deviance smooth enough for second differences (its Hessian gives
            // the standard errors).
            if decrement < 1e-8 {
                let candidate = zip(u, step).map(+)
                let next = evaluate(candidate)
                if next.objective.isFinite {
                    u = candidate
                    current = next
                    continue
                }
            }
            var fraction = 1.0
            var accepted = false
            for _ in 0..<40 {
                let candidate = zip(u, step).map { $0 + fraction * $1 }
                let next = evaluate(candidate)
                if next.objective >= current.objective {
                    u = candidate
                    current = next
                    accepted = true
                    break
                }
                fraction /= 2
            }
            if !accepted { break }
        }
        let exact = hessian(current.h, clipped: false)
        let factor = try exact.choleskyLower()
        var logDeterminant = 0.0
        for j in 0..<m { logDeterminant += 2 * log(factor[j, j]) }
        return Mode(spherical: u, linearPredictor: current.eta, logLikelihood: current.logLik,
                    logDeterminant: logDeterminant, conditionalCovariance: try exact.symmetricPositiveDefiniteInverse())
    }
}
