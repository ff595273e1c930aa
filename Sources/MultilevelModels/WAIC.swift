import Foundation
import MultilevelMath

/// The widely applicable information criterion (Watanabe 2010, *Asymptotic equivalence of Bayes
/// cross validation and widely applicable information criterion in singular learning theory*,
/// JMLR 11), in the form of loo's `waic()` (Vehtari, Gelman & Gabry 2017, eqs. 11–13).
public struct WAIC: Sendable {
    /// elpd_waic = Σᵢ (lpdᵢ − p_waic,i), lpdᵢ = log((1/S) Σₛ p(yᵢ | θˢ)).
    public var elpd: EstimateWithError
    /// p_waic = Σᵢ Varₛ(log p(yᵢ | θˢ)) (sample variance, S − 1 denominator).
    public var effectiveParameters: EstimateWithError
    /// waic = −2 elpd_waic.
    public var waic: EstimateWithError
    public var pointwiseElpd: [Double]
    public var pointwiseEffectiveParameters: [Double]
    /// Observations with p_waic,i > 0.4, where loo warns that WAIC is unreliable.
    public var largeEffectiveParameterCount: Int

    /// Computes WAIC from an S × n pointwise log-likelihood matrix (rows = draws).
    public init(logLikelihood: DenseMatrix) throws {
        let s = logLikelihood.rows, n = logLikelihood.columns
        guard s >= 2, n >= 1 else { throw InformationCriterionError.emptyLogLikelihood }
        try checkFinite(logLikelihood)
        var elpdI = [Double](repeating: 0, count: n)
        var pI = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let ll = logLikelihood.column(i)
            let lpd = logSumExp(ll) - log(Double(s))
            let mean = ll.reduce(0, +) / Double(s)
            let variance = ll.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(s - 1)
            pI[i] = variance
            elpdI[i] = lpd - variance
        }
        pointwiseElpd = elpdI
        pointwiseEffectiveParameters = pI
        elpd = sumWithError(elpdI)
        effectiveParameters = sumWithError(pI)
        waic = EstimateWithError(estimate: -2 * elpd.estimate, standardError: 2 * elpd.standardError)
        largeEffectiveParameterCount = pI.filter { $0 > 0.4 }.count
    }
}
