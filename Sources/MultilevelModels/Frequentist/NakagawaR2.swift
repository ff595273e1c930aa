import Foundation
import MultilevelData
import MultilevelMath

/// Marginal and conditional R² of a linear mixed model (Nakagawa & Schielzeth 2013, Methods Ecol.
/// Evol. 4; random slopes as Johnson 2014, Methods Ecol. Evol. 5; Nakagawa, Johnson & Schielzeth
/// 2017, J. R. Soc. Interface 14), with the variance components `performance::r2_nakagawa` takes
/// from `insight::get_variance`:
///
/// - σ²_f = var(Xβ̂), the sample variance (n − 1) of the fixed part of the linear predictor;
/// - σ²_r = Σ over random-effect terms of Tr(Σₜ ZₜᵀZₜ)/n, the mean over rows of zᵢᵀΣₜzᵢ (for a
///   random intercept: its variance);
/// - σ²_ε = σ̂² (gaussian), the distribution-specific variance for GLMMs (see the GLMM initialiser);
///
/// R²_m = σ²_f / (σ²_f + σ²_r + σ²_ε) and R²_c = (σ²_f + σ²_r) / (σ²_f + σ²_r + σ²_ε).
public struct NakagawaR2: Sendable, Equatable {
    public var fixedVariance: Double
    public var randomVariance: Double
    public var residualVariance: Double

    public var marginal: Double { fixedVariance / (fixedVariance + randomVariance + residualVariance) }
    public var conditional: Double { (fixedVariance + randomVariance) / (fixedVariance + randomVariance + residualVariance) }

    /// The components of a gaussian fit on its design (X for Xβ̂, the terms' Z for σ²_r).
    public init(fit: LinearMixedModelFit, design: ModelDesign) {
        fixedVariance = Self.fixedVariance(design: design, beta: fit.fixedEffects)
        randomVariance = Self.randomVariance(terms: fit.terms, factor: fit.covarianceFactor, theta: fit.theta,
                                             sigma: fit.sigma, rows: design.rowCount)
        residualVariance = fit.sigma * fit.sigma
    }

    /// The components of a GLMM's Laplace fit (Nakagawa, Johnson & Schielzeth 2017, Table 1): σ²_ε
    /// is the distribution-specific variance on the latent scale — π²/3 for the logit link
    /// (binomial, bernoulli), 1 for the probit and π²/6 for the cloglog link; for the Poisson log link the lognormal approximation log(1 + 1/μ)
    /// with μ = exp(β₀) of the intercept-only null model with the same random effects
    /// (`nullIntercept`, as insight 0.19's `get_variance`). nil when that is not available.
    public init?(fit: GeneralizedLinearMixedModelFit, design: ModelDesign, nullIntercept: Double? = nil) {
        switch (fit.familyName, fit.linkName) {
        case ("binomial", "logit"), ("bernoulli", "logit"): residualVariance = Double.pi * Double.pi / 3
        case ("binomial", "probit"), ("bernoulli", "probit"): residualVariance = 1
        case ("binomial", "cloglog"), ("bernoulli", "cloglog"): residualVariance = Double.pi * Double.pi / 6
        case ("poisson", "log"):
            guard let nullIntercept else { return nil }
            residualVariance = log1p(exp(-nullIntercept))
        default: return nil
        }
        fixedVariance = Self.fixedVariance(design: design, beta: fit.fixedEffects)
        randomVariance = Self.randomVariance(terms: fit.terms, factor: fit.covarianceFactor, theta: fit.theta,
                                             sigma: 1, rows: design.rowCount)
    }

    /// The null model of a design: the intercept alone in X, the same random effects and offset.
    public static func nullModelDesign(_ design: ModelDesign) -> ModelDesign {
        var null = design
        null.fixedEffects = DenseMatrix(rows: design.rowCount, columns: 1, repeating: 1)
        null.fixedEffectNames = ["(Intercept)"]
        null.fixedEffectAssignment = [-1]
        null.fixedTermLabels = []
        null.fixedTermVariables = []
        null.fullIndicatorColumns = []
        return null
    }

    /// var(Xβ̂) with the n − 1 denominator.
    static func fixedVariance(design: ModelDesign, beta: [Double]) -> Double {
        let n = design.rowCount
        let linear = design.fixedEffects.multiplied(by: beta)
        let mean = linear.reduce(0, +) / Double(n)
        return n > 1 ? linear.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
    }

    /// Σₜ Tr(Σₜ ZₜᵀZₜ)/n with Σₜ = σ² TₜTₜᵀ.
    static func randomVariance(terms: [RandomEffectTerm], factor: RelativeCovarianceFactor, theta: [Double],
                               sigma: Double, rows n: Int) -> Double {
        var random = 0.0
        for (k, term) in terms.enumerated() {
            let q = term.columnCount
            let t = factor.template(ofTerm: k, theta: theta)
            // zᵢᵀ Σₜ zᵢ = σ² ‖Tᵀzᵢ‖² summed over rows.
            var total = 0.0
            for r in 0..<n {
                for j in 0..<q {
                    var projection = 0.0
                    for i in j..<q { projection += t[i + j * q] * term.values[r * q + i] }
                    total += projection * projection
                }
            }
            random += sigma * sigma * total / Double(n)
        }
        return random
    }
}
