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
    /// Pointwise Monte Carlo standard error of elpd_loo,i as loo 2.5 computes it (`mcse_elpd`):
    /// the sd of log z over z = E + √V · zₖ, zₖ Blom's approximate normal order statistics
    /// Φ⁻¹((k − 3/8)/(1000 + 1/4)), k = 1…1000 (z > 0 only), divided by √r_eff, with
    /// E = exp(elpd_loo,i) and V = Σₛ w̃ₛ² (p(yᵢ|θˢ) − E)² (w̃ the normalised weights).
    public var pointwiseMonteCarloError: [Double]
    /// The relative efficiency r_eff of each observation's likelihood draws (1 when not given).
    public var relativeEfficiency: [Double]
    /// Counts of k̂ by band (thresholds 0.5 / 0.7 / 1), over the observations not refitted exactly.
    public var paretoKCounts: ParetoKCounts
    /// Observations whose elpd_loo,i comes from an exact refit without them (`ExactLeaveOneOut`).
    public var exactlyRefitted: [Int] = []
    /// The sample-size dependent threshold min(1 − 1/log₁₀ S, 0.7) of Vehtari et al. (2024) above
    /// which an estimate is unreliable.
    public var paretoKThreshold: Double
    /// Number of posterior draws S and of observations n.
    public var draws: Int
    public var observations: Int

    /// Computes PSIS-LOO from an S × n pointwise log-likelihood matrix (rows = draws, columns =
    /// observations; `DenseMatrix` column-major, so each observation's draws are contiguous).
    ///
    /// - Parameter relativeEfficiency: r_eff per observation (`RelativeEfficiency`, as loo's
    ///   `relative_eff`); nil means r_eff = 1, which is exact for independent draws and otherwise
    ///   only affects the tail length and the Monte Carlo error.
    public init(logLikelihood: DenseMatrix, relativeEfficiency: [Double]? = nil) throws {
        let s = logLikelihood.rows, n = logLikelihood.columns
        guard s >= 2, n >= 1 else { throw InformationCriterionError.emptyLogLikelihood }
        if let r = relativeEfficiency, r.count != n {
            throw InformationCriterionError.relativeEfficiencyCount(expected: n, got: r.count)
        }
        try checkFinite(logLikelihood)
        let points = (0..<n).map { i in
            logLikelihood.column(i).withUnsafeBufferPointer {
                Self.point(logLikelihood: $0, relativeEfficiency: relativeEfficiency?[i] ?? 1)
            }
        }
        self.init(points: points, relativeEfficiency: relativeEfficiency ?? [Double](repeating: 1, count: n), draws: s)
    }

    /// Assembles the totals from per-observation results (`point`).
    public init(points: [LeaveOneOutPoint], relativeEfficiency: [Double], draws s: Int) {
        pointwiseElpd = points.map(\.elpd)
        pointwiseEffectiveParameters = points.map(\.effectiveParameters)
        paretoK = points.map(\.paretoK)
        pointwiseMonteCarloError = points.map(\.monteCarloError)
        self.relativeEfficiency = relativeEfficiency
        elpd = sumWithError(pointwiseElpd)
        effectiveParameters = sumWithError(pointwiseEffectiveParameters)
        looic = EstimateWithError(estimate: -2 * elpd.estimate, standardError: 2 * elpd.standardError)
        monteCarloError = pointwiseMonteCarloError.reduce(0) { $0 + $1 * $1 }.squareRoot()
        paretoKCounts = ParetoKCounts(paretoK)
        paretoKThreshold = min(1 - 1 / log10(Double(s)), 0.7)
        draws = s
        observations = points.count
    }

    /// PSIS-LOO of one observation from its S draws of log p(yᵢ | θˢ) (loo's
    /// `pointwise_loo_calcs`): PSIS weights from the ratios 1/p(yᵢ | θˢ), elpd_loo,i, p_loo,i,
    /// k̂ᵢ and the Monte Carlo error.
    public static func point(logLikelihood ll: UnsafeBufferPointer<Double>, relativeEfficiency rEff: Double) -> LeaveOneOutPoint {
        let s = ll.count
        let (logWeights, k) = ParetoSmoothedImportanceSampling.smooth(logRatios: ll.map { -$0 }, relativeEfficiency: rEff)
        let logNormaliser = logSumExp(logWeights)
        var weighted = logWeights
        for t in 0..<s { weighted[t] += ll[t] }
        let elpd = logSumExp(weighted) - logNormaliser
        let lpd = logSumExp(Array(ll)) - log(Double(s))
        let expected = exp(elpd)
        var variance = 0.0
        for t in 0..<s {
            let w = exp(logWeights[t] - logNormaliser)
            let d = exp(ll[t]) - expected
            variance += w * w * d * d
        }
        let mcse = blomMonteCarloError(expected: expected, variance: variance, relativeEfficiency: rEff)
        return LeaveOneOutPoint(elpd: elpd, effectiveParameters: lpd - elpd, paretoK: k, monteCarloError: mcse, lpd: lpd)
    }

    /// r_eff (from `chains` equal chains; nil: r_eff = 1), PSIS-LOO and WAIC of one observation
    /// from its S draws of log p(yᵢ | θˢ), with two exponentials per draw instead of the seven of
    /// `RelativeEfficiency`, `point` and `WAIC.point` one after another: with a = maxₛ ℓₛ and
    /// p̃ₛ = exp(ℓₛ − a), lpdᵢ = a + log(Σ p̃ₛ / S); r_eff is the ESS of p̃; with the PSIS weights
    /// wₛ = exp(log w̃ₛ − maxₛ log w̃ₛ), elpd_loo,i = a + log(Σ wₛ p̃ₛ / Σ wₛ), and the Monte Carlo
    /// error of `point` is computed on the p̃ scale (the sd of log z does not see the factor eᵃ).
    /// Falls back to the separate passes when the draws span more than 600 nats (p̃ could underflow).
    /// `scratch` holds S values between calls.
    static func pointWithWAIC(logLikelihood ll: UnsafeBufferPointer<Double>, chains: Int?, scratch: inout [Double])
        -> (loo: LeaveOneOutPoint, waic: (elpd: Double, effectiveParameters: Double), relativeEfficiency: Double) {
        let s = ll.count
        var maximum = -Double.infinity, minimum = Double.infinity, total = 0.0
        for value in ll {
            maximum = max(maximum, value)
            minimum = min(minimum, value)
            total += value
        }
        guard maximum - minimum <= 600 else {
            let r = chains.map { RelativeEfficiency.ofLikelihood(logLikelihood: ll, chains: $0) } ?? 1
            return (point(logLikelihood: ll, relativeEfficiency: r), WAIC.point(ll), r)
        }
        if scratch.count != s { scratch = [Double](repeating: 0, count: s) }
        let mean = total / Double(s)
        var sumScaled = 0.0, sumSquares = 0.0
        scratch.withUnsafeMutableBufferPointer { scaled in
            for t in 0..<s {
                scaled[t] = exp(ll[t] - maximum)
                sumScaled += scaled[t]
                sumSquares += (ll[t] - mean) * (ll[t] - mean)
            }
        }
        let lpd = maximum + log(sumScaled / Double(s))
        let variance = sumSquares / Double(s - 1)
        let r = chains.map { RelativeEfficiency.ofScaledLikelihood(scratch, chains: $0) } ?? 1
        // The smoothed log weights, exponentiated in place.
        var (weights, k) = ParetoSmoothedImportanceSampling.smooth(logRatios: ll.map { -$0 }, relativeEfficiency: r)
        let largestLogWeight = weights.max() ?? 0
        var weightSum = 0.0, weightedSum = 0.0
        for t in 0..<s {
            weights[t] = exp(weights[t] - largestLogWeight)
            weightSum += weights[t]
            weightedSum += weights[t] * scratch[t]
        }
        let expectedScaled = weightedSum / weightSum
        var varianceScaled = 0.0
        for t in 0..<s {
            let w = weights[t] / weightSum, d = scratch[t] - expectedScaled
            varianceScaled += w * w * d * d
        }
        let elpd = maximum + log(expectedScaled)
        let mcse = blomMonteCarloError(expected: expectedScaled, variance: varianceScaled, relativeEfficiency: r)
        return (LeaveOneOutPoint(elpd: elpd, effectiveParameters: lpd - elpd, paretoK: k, monteCarloError: mcse, lpd: lpd),
                (lpd - variance, variance), r)
    }

    /// The exact leave-one-out elpd of one observation from the S draws of log p(yᵢ | θˢ) of a fit
    /// without it: log((1/S) Σₛ p(yᵢ | θˢ)), with the Monte Carlo error of `point` for equal weights;
    /// `lpd` is the full-data fit's lpdᵢ (so p_loo,i = lpdᵢ − elpd_loo,i) and k̂ᵢ is kept.
    public static func exactPoint(logLikelihood ll: UnsafeBufferPointer<Double>, relativeEfficiency rEff: Double,
                                  lpd: Double, paretoK: Double) -> LeaveOneOutPoint {
        let s = Double(ll.count)
        let elpd = logSumExp(ll) - log(s)
        let expected = exp(elpd)
        var variance = 0.0
        for value in ll { variance += (exp(value) - expected) * (exp(value) - expected) }
        variance /= s * s
        return LeaveOneOutPoint(elpd: elpd, effectiveParameters: lpd - elpd, paretoK: paretoK,
                                monteCarloError: blomMonteCarloError(expected: expected, variance: variance, relativeEfficiency: rEff),
                                lpd: lpd)
    }

    /// loo 2.5's `mcse_elpd` of one observation: the sd of log z over z = E + √V · zₖ > 0 (zₖ the
    /// Blom scores), divided by √r_eff.
    static func blomMonteCarloError(expected: Double, variance: Double, relativeEfficiency rEff: Double) -> Double {
        let spread = variance.squareRoot()
        var count = 0.0, mean = 0.0, sumSquares = 0.0
        for z in blomScores {
            let value = expected + spread * z
            guard value > 0 else { continue }
            // Welford's running mean and sum of squared deviations of log z.
            let x = log(value)
            count += 1
            let delta = x - mean
            mean += delta / count
            sumSquares += delta * (x - mean)
        }
        guard count > 1 else { return 0 }
        return (sumSquares / (count - 1) / rEff).squareRoot()
    }

    /// Blom's (1958) approximate expected order statistics of 1000 standard normal draws,
    /// Φ⁻¹((k − 3/8)/(1000 − 2·3/8 + 1)), as loo's `mcse_elpd` uses them.
    static let blomScores: [Double] = (1...1000).map {
        NormalDistribution.quantile((Double($0) - 0.375) / (1000 - 0.75 + 1))
    }
}

/// PSIS-LOO of one observation.
public struct LeaveOneOutPoint: Sendable, Equatable {
    public var elpd: Double
    public var effectiveParameters: Double
    public var paretoK: Double
    public var monteCarloError: Double
    /// lpdᵢ = log((1/S) Σₛ p(yᵢ | θˢ)).
    public var lpd: Double

    public init(elpd: Double, effectiveParameters: Double, paretoK: Double, monteCarloError: Double, lpd: Double) {
        self.elpd = elpd
        self.effectiveParameters = effectiveParameters
        self.paretoK = paretoK
        self.monteCarloError = monteCarloError
        self.lpd = lpd
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
