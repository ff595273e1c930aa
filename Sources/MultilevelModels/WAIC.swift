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
        self.init(points: (0..<n).map { i in logLikelihood.column(i).withUnsafeBufferPointer(Self.point) })
    }

    /// Assembles the totals from per-observation (elpd_waic,i, p_waic,i).
    public init(points: [(elpd: Double, effectiveParameters: Double)]) {
        pointwiseElpd = points.map(\.elpd)
        pointwiseEffectiveParameters = points.map(\.effectiveParameters)
        elpd = sumWithError(pointwiseElpd)
        effectiveParameters = sumWithError(pointwiseEffectiveParameters)
        waic = EstimateWithError(estimate: -2 * elpd.estimate, standardError: 2 * elpd.standardError)
        largeEffectiveParameterCount = pointwiseEffectiveParameters.filter { $0 > 0.4 }.count
    }

    /// elpd_waic,i and p_waic,i of one observation from its S draws of log p(yᵢ | θˢ).
    public static func point(_ ll: UnsafeBufferPointer<Double>) -> (elpd: Double, effectiveParameters: Double) {
        let s = Double(ll.count)
        let lpd = logSumExp(ll) - log(s)
        let mean = ll.reduce(0, +) / s
        let variance = ll.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (s - 1)
        return (lpd - variance, variance)
    }
}
