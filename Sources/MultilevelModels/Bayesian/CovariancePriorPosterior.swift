#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
import MultilevelMath
import MultilevelData
import MultilevelSampling

extension CovariancePrior {
    /// The prior's log density on Σ has the form (for q × q Σ with P = Σ⁻¹)
    ///
    ///     log p(Σ) = C − α log|Σ| − Σ_k f_k(P_kk):
    ///
    /// - inverse-Wishart(ν, diag ψ): α = (ν + q + 1)/2, f_k(x) = ψ_k x / 2,
    ///   C = (ν/2) Σ log ψ_k − (νq/2) log 2 − log Γ_q(ν/2);
    /// - inverse-gamma(a, b) on a variance: α = a + 1, f(x) = b x, C = a log b − log Γ(a).
    ///
    /// This returns α.
    func determinantExponent(order q: Int) -> Double {
        switch self {
        case let .inverseWishart(nu, _): return (nu + Double(q) + 1) / 2
        case let .inverseGamma(a, _): return a + 1
        }
    }

    /// f_k(x) and f_k'(x) (see `determinantExponent`).
    @inline(__always)
    func diagonalTerm(_ k: Int, _ x: Double) -> (value: Double, derivative: Double) {
        switch self {
        case let .inverseWishart(_, psi): return (psi[k] * x / 2, psi[k] / 2)
        case let .inverseGamma(_, b): return (b * x, b)
        }
    }

    /// C (see `determinantExponent`).
    func logNormalizingConstant(order q: Int) -> Double {
        let qd = Double(q)
        switch self {
        case let .inverseWishart(nu, psi):
            var logMultivariateGamma = qd * (qd - 1) / 4 * log(Double.pi)
            for j in 1...q { logMultivariateGamma += logGamma(nu / 2 + (1 - Double(j)) / 2) }
            return nu / 2 * psi.reduce(0) { $0 + log($1) } - nu * qd / 2 * log(2.0) - logMultivariateGamma
        case let .inverseGamma(a, b):
            return a * log(b) - logGamma(a)
        }
    }
}

/// The GLMM posterior of `GLMMPosterior` with MCMCglmm-style covariance priors (`CovariancePriors`:
/// inverse-Wishart / inverse-gamma) in place of brms' `sd`/`cor` priors on some terms and of the
/// `sigma` prior: the density NUTS samples when the user writes `cov:Subject ~ inv_wishart(3, 1)`
/// or `sigma2 ~ inv_gamma(a, b)`, and the `lp__` the Gibbs sampler reports. Without such priors it
/// is the `GLMMPosterior` itself (Huang–Wand priors included, which that evaluates).
///
/// On the unconstrained scale a term's parameters are s_k = log sd_k and the correlation factor's
/// free values y (L = L(y), Ω = L Lᵀ, Σ = D Ω D with D = diag(sd)). The base posterior is built
/// with flat sd priors and LKJ(1) on L, which contributes exactly log|∂Ω/∂L| = Σ_k (K − k) log L_kk;
/// this adds the covariance prior and the remaining Jacobian of (sd, Ω) ↦ Σ, 2^q Π sd_k^q:
///
///     C − α (2 Σ s_k + 2 Σ log L_kk) − Σ_k f_k((Ω⁻¹)_kk e^(−2 s_k)) + q log 2 + q Σ s_k,
///
/// with its gradient: ∂(Ω⁻¹)_kk/∂L = −2 (Ω⁻¹ e_k)(L⁻¹ e_k)ᵀ (lower triangle) pushed through the
/// correlation transform (whose own log-Jacobian the base already counts).
public struct CovariancePriorPosterior: LogDensity {
    /// The posterior without the covariance priors (flat sd, LKJ(1), flat sigma where replaced).
    public private(set) var base: GLMMPosterior
    /// The covariance priors in effect.
    public let covariancePriors: CovariancePriors

    struct Block: Sendable {
        var sdOffsets: [Int]
        var correlationOffset: Int?
        var prior: CovariancePrior
        var order: Int { sdOffsets.count }
        var constant: Double
    }
    let blocks: [Block]
    var scratch: [Double]

    public var dimension: Int { base.dimension }
    public var layout: ParameterLayout { base.layout }

    /// The posterior of `design` with `priors` (brms-resolved) and `covariancePriors` replacing the
    /// sd/cor priors of the terms that have one and the sigma prior when `residualVariance` is set.
    /// Throws `PriorError` when a term has both a Huang–Wand prior and one of these.
    public init(design: ModelDesign, family: Family, priors: PosteriorPriors,
                covariancePriors: CovariancePriors? = nil) throws {
        let layout = ParameterLayout(design: design, family: family)
        let covariance = covariancePriors ?? .none(for: layout)
        precondition(covariance.terms.count == layout.terms.count, "covariance priors do not match the layout")
        var adjusted = priors
        var blocks: [Block] = []
        for (t, term) in layout.terms.enumerated() {
            guard let prior = covariance.terms[t] else { continue }
            if let other = priors.covariance[t] {
                throw PriorError(message: "group \(term.groupName) has two covariance priors, \(other) and \(prior)")
            }
            let q = term.columnCount
            let expanded = try prior.expanded(order: q, context: "prior 'cov:\(term.groupName) ~ \(prior)'")
            adjusted.standardDeviations[t] = Array(repeating: .flat, count: q)
            adjusted.correlationEta[t] = 1
            blocks.append(Block(sdOffsets: (0..<q).map { term.sdOffset + $0 },
                                correlationOffset: q > 1 ? term.correlationOffset : nil,
                                prior: expanded, constant: expanded.logNormalizingConstant(order: q)))
        }
        if let residual = covariance.residualVariance {
            guard let offset = layout.offset(of: .sigma), let a = layout.auxiliaryParameters.firstIndex(of: .sigma) else {
                throw PriorError(message: "prior 'sigma2 ~ \(residual)': the model's family has no parameter 'sigma'")
            }
            let expanded = try residual.expanded(order: 1, context: "prior 'sigma2 ~ \(residual)'")
            adjusted.auxiliary[a] = .flat
            blocks.append(Block(sdOffsets: [offset], correlationOffset: nil, prior: expanded,
                                constant: expanded.logNormalizingConstant(order: 1)))
        }
        base = try GLMMPosterior(design: design, family: family, priors: adjusted)
        self.covariancePriors = covariance
        self.blocks = blocks
        let maxQ = blocks.map(\.order).max() ?? 1
        scratch = [Double](repeating: 0, count: 6 * maxQ * maxQ + 2 * maxQ + CholeskyCorrelationTransform.freeCount(maxQ))
    }

    public mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                                    gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        var value = base.logDensity(at: position, gradient: gradient)
        if blocks.isEmpty { return value }
        var buffer = scratch
        scratch = []
        buffer.withUnsafeMutableBufferPointer { s in
            for block in blocks {
                value += Self.addBlock(block, position.baseAddress!, gradient.baseAddress!, s.baseAddress!)
            }
        }
        scratch = buffer
        return value
    }

    /// Adds one block's term to the gradient `g` (indexed like the position `x`) and returns its value;
    /// `s` is scratch (see `scratch`).
    static func addBlock(_ block: Block, _ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                                 _ s: UnsafeMutablePointer<Double>) -> Double {
        let q = block.order
        let qd = Double(q)
        let alpha = block.prior.determinantExponent(order: q)
        let factor = s                      // L, row-major
        let inverse = s + q * q             // M = L⁻¹, row-major
        let adjoint = s + 2 * q * q         // ∂/∂L, row-major
        let zeroAdjoint = s + 3 * q * q
        let inverseDiagonal = s + 4 * q * q // (Ω⁻¹)_kk
        let weights = inverseDiagonal + q   // −f_k'(x_k) e^(−2 s_k)
        let yGradient = weights + q
        if let offset = block.correlationOffset {
            CholeskyCorrelationTransform.constrain(x + offset, dimension: q, into: factor)
            for i in 0..<q {
                for j in 0..<q { inverse[i * q + j] = 0 }
                inverse[i * q + i] = 1 / factor[i * q + i]
                for j in stride(from: i - 1, through: 0, by: -1) {
                    // (L M)_ij = 0 for i > j: M_ij = −(Σ_{j≤k<i} L_ik M_kj) / L_ii.
                    var sum = 0.0
                    for k in j..<i { sum += factor[i * q + k] * inverse[k * q + j] }
                    inverse[i * q + j] = -sum / factor[i * q + i]
                }
            }
            for k in 0..<q {
                var sum = 0.0
                for r in k..<q { sum += inverse[r * q + k] * inverse[r * q + k] }
                inverseDiagonal[k] = sum
            }
        } else {
            factor[0] = 1
            inverseDiagonal[0] = 1
        }
        var value = block.constant + qd * log(2.0)
        for k in 0..<q {
            let sk = x[block.sdOffsets[k]]
            let scaled = exp(-2 * sk)
            let argument = inverseDiagonal[k] * scaled
            let term = block.prior.diagonalTerm(k, argument)
            value += -2 * alpha * sk - term.value + qd * sk
            g[block.sdOffsets[k]] += -2 * alpha + qd + 2 * term.derivative * argument
            weights[k] = -term.derivative * scaled
            if block.correlationOffset != nil { value -= 2 * alpha * log(factor[k * q + k]) }
        }
        guard let offset = block.correlationOffset else { return value }
        for i in 0..<(q * q) { adjoint[i] = 0; zeroAdjoint[i] = 0 }
        for i in 0..<q { adjoint[i * q + i] = -2 * alpha / factor[i * q + i] }
        for k in 0..<q {
            // ∂W_k/∂L_ij = −2 v_i M_jk, v = Ω⁻¹ e_k = Mᵀ M e_k.
            for i in 0..<q {
                var v = 0.0
                for r in max(i, k)..<q { v += inverse[r * q + i] * inverse[r * q + k] }
                for j in 0...i { adjoint[i * q + j] += weights[k] * (-2 * v * inverse[j * q + k]) }
            }
        }
        // The transform's gradient includes its log-Jacobian; take the difference to keep f's part only.
        let count = CholeskyCorrelationTransform.freeCount(q)
        for i in 0..<count { yGradient[i] = 0 }
        CholeskyCorrelationTransform.addGradient(x + offset, dimension: q, factor: factor, factorAdjoint: adjoint,
                                                 yAdjoint: yGradient)
        for i in 0..<count { yGradient[i] = -yGradient[i] }
        CholeskyCorrelationTransform.addGradient(x + offset, dimension: q, factor: factor, factorAdjoint: zeroAdjoint,
                                                 yAdjoint: yGradient)
        for i in 0..<count { g[offset + i] -= yGradient[i] }
        return value
    }
}
