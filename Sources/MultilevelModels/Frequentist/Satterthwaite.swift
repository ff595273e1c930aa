import Foundation
import MultilevelMath

/// Satterthwaite's (1946) degrees of freedom for t and F tests of the fixed effects of a linear
/// mixed model, as lmerTest computes them (Kuznetsova, Brockhoff & Christensen 2017, JSS 82(13),
/// §3.1–3.2). With the variance parameters φ = (θ, σ):
///
/// - A = 2 H⁻¹, H the Hessian of the (REML or ML) deviance −2ℓ(θ, σ) at φ̂ — the asymptotic
///   covariance of φ̂ (eigenvalues of H below 1e-8 are dropped: a Moore–Penrose inverse, as
///   lmerTest does for boundary fits);
/// - Jₖ = ∂Var(β̂)/∂φₖ, Var(β̂)(θ, σ) = σ² (R_XᵀR_X)⁻¹(θ);
/// - for a contrast l: ν = 2 (lᵀVl)² / (gᵀ A g), gₖ = lᵀ Jₖ l (eq. 5 of the paper); for a q-row
///   contrast matrix L, the F statistic of the q eigen-directions of L V Lᵀ with the pooled
///   denominator df of Fai & Cornelius (1996), lmerTest's `get_Fstat_ddf`.
///
/// The deviance is −2ℓ(θ, σ) = log|Lθ|² [+ log|R_X|²] + d·log(2πσ²) + r²(θ)/σ² (d = n − p for
/// REML, n for ML): its σ-derivatives are closed-form, and the θ-derivatives of log|Lθ|²
/// (+ log|R_X|²), r² and (R_XᵀR_X)⁻¹ are taken by central differences with Richardson extrapolation
/// as numDeriv's `genD`/`jacobian` do (initial step 0.1|θ| or 1e-4 near zero, four halvings),
/// which makes them accurate to about 1e-9 relative on well-scaled problems. The cost is
/// 4·k(k + 1) factorisations for k = length(θ): a fraction of a fit.
public struct Satterthwaite: FixedEffectTesting {
    /// β̂ and Var(β̂) at the optimum.
    public let fixedEffects: [Double]
    public let fixedEffectsCovariance: DenseMatrix
    /// Jₖ = ∂Var(β̂)/∂φₖ, φ = (θ₁ … θₖ, σ).
    public let covarianceJacobian: [DenseMatrix]
    /// A = 2 H⁺, the asymptotic covariance of φ̂ (lmerTest's `vcov_varpar`).
    public let varianceParameterCovariance: DenseMatrix
    /// Eigenvalues of H below −1e-8 (lmerTest warns: the fit may not have converged).
    public let negativeHessianEigenvalues: Int

    /// Differentiates the deviance and Var(β̂) of `model` at the fit's θ̂ and σ̂ (the fit's method:
    /// REML or ML). Leaves the model's equations factored at θ̂.
    public init(model: LinearMixedModel, fit: LinearMixedModelFit) throws {
        let equations = model.equations
        let theta = fit.theta
        let sigma = fit.sigma
        let k = theta.count
        let p = fit.fixedEffects.count
        let reml = fit.method == .reml
        let d = Double(fit.observationCount - (reml ? p : 0))

        /// f(θ) = log|L|² [+ log|R_X|²] + r²/σ̂², r², and (R_XᵀR_X)⁻¹ at θ.
        func evaluate(_ point: [Double]) throws -> (deviance: Double, r2: Double, unscaled: [Double]) {
            try equations.update(theta: point)
            let r2 = equations.penalizedResidualSumOfSquares
            let logDet = equations.logDeterminantL + (reml ? equations.logDeterminantRX : 0)
            return (logDet + r2 / (sigma * sigma), r2, equations.fixedEffectsUnscaledCovariance().elements)
        }
        let center = try evaluate(theta)
        let steps = theta.map { abs(0.1 * $0) + ($0.magnitude < 1.78e-5 ? 1e-4 : 0) }
        let levels = 4

        /// Richardson extrapolation of estimates at h, h/2, h/4, … whose error is even in h.
        func extrapolate(_ estimates: [[Double]]) -> [Double] {
            var table = estimates
            for m in 1..<table.count {
                let factor = pow(4.0, Double(m))
                for i in 0..<(table.count - m) {
                    table[i] = zip(table[i + 1], table[i]).map { (factor * $0 - $1) / (factor - 1) }
                }
            }
            return table[0]
        }

        // Diagonal: second derivative of f, first derivatives of r² and of the p² entries of
        // (R_XᵀR_X)⁻¹ along each θ coordinate.
        var hessianTheta = DenseMatrix(rows: k, columns: k)
        var gradientR2 = [Double](repeating: 0, count: k)
        var unscaledJacobian: [[Double]] = []
        for i in 0..<k {
            var estimates: [[Double]] = []
            var h = steps[i]
            for _ in 0..<levels {
                var plus = theta, minus = theta
                plus[i] += h; minus[i] -= h
                let up = try evaluate(plus), down = try evaluate(minus)
                var row = [(up.deviance - 2 * center.deviance + down.deviance) / (h * h), (up.r2 - down.r2) / (2 * h)]
                row += zip(up.unscaled, down.unscaled).map { ($0 - $1) / (2 * h) }
                estimates.append(row)
                h /= 2
            }
            let extrapolated = extrapolate(estimates)
            hessianTheta[i, i] = extrapolated[0]
            gradientR2[i] = extrapolated[1]
            unscaledJacobian.append(Array(extrapolated[2...]))
        }
        // Off-diagonal: the second derivative along hᵢeᵢ + hⱼeⱼ, less the diagonal parts.
        for i in 0..<k {
            for j in 0..<i {
                var estimates: [[Double]] = []
                var hi = steps[i], hj = steps[j]
                for _ in 0..<levels {
                    var plus = theta, minus = theta
                    plus[i] += hi; plus[j] += hj; minus[i] -= hi; minus[j] -= hj
                    let along = try evaluate(plus).deviance - 2 * center.deviance + (try evaluate(minus).deviance)
                    estimates.append([(along - hessianTheta[i, i] * hi * hi - hessianTheta[j, j] * hj * hj) / (2 * hi * hj)])
                    hi /= 2; hj /= 2
                }
                let value = extrapolate(estimates)[0]
                hessianTheta[i, j] = value
                hessianTheta[j, i] = value
            }
        }
        try equations.update(theta: theta)

        // The full Hessian over (θ, σ), σ-derivatives in closed form.
        var hessian = DenseMatrix(rows: k + 1, columns: k + 1)
        for i in 0..<k {
            for j in 0..<k { hessian[i, j] = hessianTheta[i, j] }
            hessian[i, k] = -2 * gradientR2[i] / (sigma * sigma * sigma)
            hessian[k, i] = hessian[i, k]
        }
        hessian[k, k] = -2 * d / (sigma * sigma) + 6 * center.r2 / (sigma * sigma * sigma * sigma)
        let eigen = SymmetricEigenDecomposition(hessian)
        var covariance = DenseMatrix(rows: k + 1, columns: k + 1)
        for (m, value) in eigen.values.enumerated() where value > 1e-8 {
            for r in 0...k { for c in 0...k { covariance[r, c] += 2 * eigen.vectors[r, m] * eigen.vectors[c, m] / value } }
        }
        varianceParameterCovariance = covariance
        negativeHessianEigenvalues = eigen.values.filter { $0 < -1e-8 }.count

        fixedEffects = fit.fixedEffects
        fixedEffectsCovariance = fit.fixedEffectsCovariance
        var jacobian = unscaledJacobian.map { DenseMatrix(rows: p, columns: p, columnMajor: $0.map { sigma * sigma * $0 }) }
        jacobian.append(DenseMatrix(rows: p, columns: p, columnMajor: center.unscaled.map { 2 * sigma * $0 }))
        covarianceJacobian = jacobian
    }

    /// lᵀ M l.
    private static func quadraticForm(_ l: [Double], _ m: DenseMatrix) -> Double {
        var total = 0.0
        for i in l.indices where l[i] != 0 { for j in l.indices where l[j] != 0 { total += l[i] * m[i, j] * l[j] } }
        return total
    }

    /// The Satterthwaite df of the variance lᵀ V l of a contrast: 2 (lᵀVl)² / (gᵀ A g).
    public func degreesOfFreedom(contrast l: [Double]) -> Double {
        let variance = Self.quadraticForm(l, fixedEffectsCovariance)
        let gradient = covarianceJacobian.map { Self.quadraticForm(l, $0) }
        return 2 * variance * variance / Self.quadraticForm(gradient, varianceParameterCovariance)
    }

    /// The t test of lᵀβ = 0 (lmerTest's `contest1D`).
    public func tTest(contrast l: [Double]) -> FixedEffectTest {
        let estimate = zip(l, fixedEffects).reduce(0) { $0 + $1.0 * $1.1 }
        let standardError = Self.quadraticForm(l, fixedEffectsCovariance).squareRoot()
        return FixedEffectTest(estimate: estimate, standardError: standardError,
                               degreesOfFreedom: degreesOfFreedom(contrast: l))
    }

    /// One t test per coefficient (lmerTest's `summary` coefficient table).
    public func coefficientTests() -> [FixedEffectTest] {
        fixedEffects.indices.map { j in
            tTest(contrast: fixedEffects.indices.map { $0 == j ? 1 : 0 })
        }
    }

    /// The F test of Lβ = 0 for a q × p contrast matrix (rows of `contrasts`; lmerTest's
    /// `contestMD`): with L V Lᵀ = P D Pᵀ (rank q' from the eigenvalues above 1e-8 of the largest,
    /// scaled by machine epsilon as lmerTest does), F = Σₘ (Pₘᵀ L β̂)² / dₘ / q', each direction's
    /// t² with its own Satterthwaite df νₘ, and the denominator df of Fai & Cornelius:
    /// E = Σ νₘ/(νₘ − 2), ddf = 2E/(E − q') (2 when some νₘ ≤ 2).
    public func fTest(contrasts: [[Double]]) -> FTest {
        let q = contrasts.count
        var lvl = DenseMatrix(rows: q, columns: q)
        for r in 0..<q { for c in 0..<q {
            var total = 0.0
            for i in fixedEffects.indices where contrasts[r][i] != 0 {
                for j in fixedEffects.indices { total += contrasts[r][i] * fixedEffectsCovariance[i, j] * contrasts[c][j] }
            }
            lvl[r, c] = total
        } }
        let eigen = SymmetricEigenDecomposition(lvl)
        let tolerance = max(Double.ulpOfOne.squareRoot() * (eigen.values.first ?? 0), 0)
        let rank = eigen.values.filter { $0 > tolerance }.count
        var statistic = 0.0
        var nu: [Double] = []
        for m in 0..<rank {
            let direction = fixedEffects.indices.map { j in (0..<q).reduce(0.0) { $0 + eigen.vectors[$1, m] * contrasts[$1][j] } }
            let estimate = zip(direction, fixedEffects).reduce(0) { $0 + $1.0 * $1.1 }
            statistic += estimate * estimate / eigen.values[m]
            let gradient = covarianceJacobian.map { Self.quadraticForm(direction, $0) }
            nu.append(2 * eigen.values[m] * eigen.values[m] / Self.quadraticForm(gradient, varianceParameterCovariance))
        }
        let f = rank > 0 ? statistic / Double(rank) : .nan
        let denominator: Double
        if nu.count == 1 || nu.allSatisfy({ abs($0 - nu[0]) < 1e-8 }) {
            denominator = nu.first ?? .nan
        } else if nu.contains(where: { $0 <= 2 }) {
            denominator = 2
        } else {
            let e = nu.reduce(0) { $0 + $1 / ($1 - 2) }
            denominator = 2 * e / (e - Double(nu.count))
        }
        return FTest(statistic: f, numeratorDegreesOfFreedom: rank, denominatorDegreesOfFreedom: denominator)
    }
}

/// A t test of one linear combination of the fixed effects: estimate, SE, df, t = estimate / SE
/// and the two-sided p-value P(|T_df| ≥ |t|) (df = ∞: the normal).
public struct FixedEffectTest: Sendable, Equatable {
    public var estimate: Double
    public var standardError: Double
    public var degreesOfFreedom: Double

    public init(estimate: Double, standardError: Double, degreesOfFreedom: Double) {
        self.estimate = estimate
        self.standardError = standardError
        self.degreesOfFreedom = degreesOfFreedom
    }

    public var tValue: Double { estimate / standardError }

    public var pValue: Double {
        guard tValue.isFinite, degreesOfFreedom > 0 else { return .nan }
        if degreesOfFreedom.isInfinite { return 2 * NormalDistribution.cdf(-abs(tValue)) }
        return 2 * StudentTDistribution(degreesOfFreedom: degreesOfFreedom).ccdf(abs(tValue))
    }
}

/// An F test of q linear hypotheses: F, NumDF, DenDF and P(F_{q, ddf} ≥ F).
public struct FTest: Sendable, Equatable {
    public var statistic: Double
    public var numeratorDegreesOfFreedom: Int
    public var denominatorDegreesOfFreedom: Double
    /// The factor the Wald F was multiplied by (Kenward–Roger's λ; 1 for Satterthwaite).
    public var scaling: Double = 1

    public var pValue: Double {
        guard statistic.isFinite, numeratorDegreesOfFreedom > 0, denominatorDegreesOfFreedom > 0 else { return .nan }
        return FDistribution(numeratorDegreesOfFreedom: Double(numeratorDegreesOfFreedom),
                             denominatorDegreesOfFreedom: denominatorDegreesOfFreedom).ccdf(statistic)
    }
}
