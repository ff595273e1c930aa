import Foundation
import MultilevelMath

/// Why an information criterion could not be computed.
public enum InformationCriterionError: Error, CustomStringConvertible, Equatable {
    case emptyLogLikelihood
    case nonFiniteLogLikelihood(draw: Int, observation: Int)
    case relativeEfficiencyCount(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .emptyLogLikelihood:
            return "pointwise log-likelihood matrix is empty (need at least 2 draws and 1 observation)"
        case let .nonFiniteLogLikelihood(draw, observation):
            return "pointwise log-likelihood is not finite at draw \(draw + 1), observation \(observation + 1)"
        case let .relativeEfficiencyCount(expected, got):
            return "relative efficiency needs one value per observation (\(expected)), got \(got)"
        }
    }
}

/// Counts of Pareto k̂ in the bands loo 2.x reports: good k ≤ 0.5, ok 0.5 < k ≤ 0.7,
/// bad 0.7 < k ≤ 1, very bad k > 1 (including k̂ = ∞).
public struct ParetoKCounts: Sendable, Equatable {
    public var good = 0
    public var ok = 0
    public var bad = 0
    public var veryBad = 0

    public init(_ ks: [Double]) {
        for k in ks {
            if k <= 0.5 { good += 1 } else if k <= 0.7 { ok += 1 } else if k <= 1 { bad += 1 } else { veryBad += 1 }
        }
    }
}

/// An estimate with its standard error.
public struct EstimateWithError: Sendable, Equatable {
    public var estimate: Double
    public var standardError: Double
}

/// Approximate leave-one-out cross-validation by PSIS (Vehtari, Gelman & Gabry 2017, *Practical
/// Bayesian model evaluation using leave-one-out cross-validation and WAIC*, Statistics and
/// Computing 27; loo 2.x `loo()`).
public struct PSISLeaveOneOut: Sendable {
    /// elpd_loo = Σᵢ log(Σₛ wᵢₛ p(yᵢ | θˢ) / Σₛ wᵢₛ) with PSIS weights from the ratios 1/p(yᵢ | θˢ).
    public var elpd: EstimateWithError
    /// p_loo = lpd − elpd_loo, lpd = Σᵢ log((1/S) Σₛ p(yᵢ | θˢ)).
    public var effectiveParameters: EstimateWithError
    /// looic = −2 elpd_loo.
    public var looic: EstimateWithError
    /// Monte Carlo standard error of elpd_loo: √Σᵢ mcseᵢ² (see `pointwiseMonteCarloError`).
    public var monteCarloError: Double
    /// Pointwise elpd_loo,i.
    public var pointwiseElpd: [Double]
    /// Pointwise p_loo,i.
    public var pointwiseEffectiveParameters: [Double]
    /// Pointwise Pareto k̂ᵢ.
    public var paretoK: [Double]
    /// Pointwise Monte Carlo standard error of elpd_loo,i: √ψ′(E²/V), the sd of log Z for a gamma
    /// variable Z matched to the mean E = exp(elpd_loo,i) and variance
    /// V = Σₛ w̃ₛ² (p(yᵢ|θˢ) − E)² / r_eff of the self-normalised estimate (w̃ normalised weights).
    public var pointwiseMonteCarloError: [Double]
    /// Counts of k̂ by band (thresholds 0.5 / 0.7 / 1).
    public var paretoKCounts: ParetoKCounts
    /// The sample-size dependent threshold min(1 − 1/log₁₀ S, 0.7) of Vehtari et al. (2024) above
    /// which an estimate is unreliable.
    public var paretoKThreshold: Double
    /// Number of posterior draws S and of observations n.
    public var draws: Int
    public var observations: Int

    /// Computes PSIS-LOO from an S × n pointwise log-likelihood matrix (rows = draws, columns =
    /// observations; `DenseMatrix` column-major, so each observation's draws are contiguous).
    ///
    /// - Parameter relativeEfficiency: r_eff per observation (ESS of exp(log-lik) / S, e.g. from the
    ///   diagnostics' ESS over chains, as loo's `relative_eff`); nil means r_eff = 1, which is exact
    ///   for independent draws and otherwise only affects the tail length and the Monte Carlo error.
    public init(logLikelihood: DenseMatrix, relativeEfficiency: [Double]? = nil) throws {
        let s = logLikelihood.rows, n = logLikelihood.columns
        guard s >= 2, n >= 1 else { throw InformationCriterionError.emptyLogLikelihood }
        if let r = relativeEfficiency, r.count != n {
            throw InformationCriterionError.relativeEfficiencyCount(expected: n, got: r.count)
        }
        try checkFinite(logLikelihood)
        var elpdI = [Double](repeating: 0, count: n)
        var pI = [Double](repeating: 0, count: n)
        var ks = [Double](repeating: 0, count: n)
        var mcse = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let ll = logLikelihood.column(i)
            let rEff = relativeEfficiency?[i] ?? 1
            let (logWeights, k) = ParetoSmoothedImportanceSampling.smooth(logRatios: ll.map { -$0 },
                                                                          relativeEfficiency: rEff)
            let logNormaliser = logSumExp(logWeights)
            var weighted = logWeights
            for t in 0..<s { weighted[t] += ll[t] }
            let elpd = logSumExp(weighted) - logNormaliser
            let lpd = logSumExp(ll) - log(Double(s))
            elpdI[i] = elpd
            pI[i] = lpd - elpd
            ks[i] = k
            // Monte Carlo error (gamma approximation on the log scale).
            let expected = exp(elpd)
            var variance = 0.0
            for t in 0..<s {
                let w = exp(logWeights[t] - logNormaliser)
                let d = exp(ll[t]) - expected
                variance += w * w * d * d
            }
            variance /= (rEff > 0 ? rEff : 1)
            mcse[i] = variance > 0 ? trigamma(expected * expected / variance).squareRoot() : 0
        }
        self.pointwiseElpd = elpdI
        self.pointwiseEffectiveParameters = pI
        self.paretoK = ks
        self.pointwiseMonteCarloError = mcse
        self.elpd = sumWithError(elpdI)
        self.effectiveParameters = sumWithError(pI)
        self.looic = EstimateWithError(estimate: -2 * elpd.estimate, standardError: 2 * elpd.standardError)
        self.monteCarloError = mcse.reduce(0) { $0 + $1 * $1 }.squareRoot()
        self.paretoKCounts = ParetoKCounts(ks)
        self.paretoKThreshold = min(1 - 1 / log10(Double(s)), 0.7)
        self.draws = s
        self.observations = n
    }
}

/// Σ xᵢ with standard error √(n · var(x)) (sample variance, n − 1 denominator), as loo reports.
func sumWithError(_ values: [Double]) -> EstimateWithError {
    let n = Double(values.count)
    let total = values.reduce(0, +)
    guard values.count > 1 else { return EstimateWithError(estimate: total, standardError: .nan) }
    let mean = total / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    return EstimateWithError(estimate: total, standardError: (n * variance).squareRoot())
}

func checkFinite(_ matrix: DenseMatrix) throws {
    for j in 0..<matrix.columns {
        for i in 0..<matrix.rows where !matrix[i, j].isFinite {
            throw InformationCriterionError.nonFiniteLogLikelihood(draw: i, observation: j)
        }
    }
}
