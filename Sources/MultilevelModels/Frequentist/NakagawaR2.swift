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
/// - σ²_ε = σ̂² (gaussian);
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
        let n = design.rowCount
        let linear = design.fixedEffects.multiplied(by: fit.fixedEffects)
        let mean = linear.reduce(0, +) / Double(n)
        fixedVariance = n > 1 ? linear.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        var random = 0.0
        for (k, term) in fit.terms.enumerated() {
            let q = term.columnCount
            let t = fit.covarianceFactor.template(ofTerm: k, theta: fit.theta)
            // Σₜ = σ² T Tᵀ; accumulate zᵢᵀ Σₜ zᵢ = σ² ‖Tᵀzᵢ‖² over rows.
            var total = 0.0
            for r in 0..<n {
                for j in 0..<q {
                    var projection = 0.0
                    for i in j..<q { projection += t[i + j * q] * term.values[r * q + i] }
                    total += projection * projection
                }
            }
            random += fit.sigma * fit.sigma * total / Double(n)
        }
        randomVariance = random
        residualVariance = fit.sigma * fit.sigma
    }
}
