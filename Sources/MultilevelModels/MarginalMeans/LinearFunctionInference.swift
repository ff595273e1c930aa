import Foundation
import MultilevelMath

/// Frequentist inference on linear functions lᵀβ of an lmer fit's population-level coefficients,
/// as emmeans does it for `merMod` objects: Kenward–Roger (SE from pbkrtest's adjusted covariance,
/// df from `Lb_ddf`), Satterthwaite (lmerTest's df, SE from Var(β̂)) or asymptotic (z), 95%
/// intervals, and the family-wise adjustments of `pairs()` (Tukey's studentized range, Holm's
/// p-values with Bonferroni intervals).
public struct LinearFunctionInference: Sendable {
    public let method: EstimatedMarginalMeans.DegreesOfFreedomMethod
    private let test: @Sendable ([Double]) -> FixedEffectTest

    /// Inference by `method` on the REML (ML: Satterthwaite and asymptotic only) fit `fit` of `model`.
    public init(model: LinearMixedModel, fit: LinearMixedModelFit, method: EstimatedMarginalMeans.DegreesOfFreedomMethod) throws {
        self.method = method
        switch method {
        case .kenwardRoger:
            let kr: KenwardRoger
            do { kr = try KenwardRoger(model: model, fit: fit) } catch let refusal as KenwardRoger.Refusal {
                throw MarginalMeansError("--df kenward-roger: \(refusal.description) (or --df satterthwaite|asymptotic)")
            }
            test = { kr.tTest(contrast: $0) }
        case .satterthwaite:
            let satterthwaite = try Satterthwaite(model: model, fit: fit)
            test = { satterthwaite.tTest(contrast: $0) }
        case .asymptotic:
            let beta = fit.fixedEffects, covariance = fit.fixedEffectsCovariance
            test = { l in
                let estimate = zip(l, beta).reduce(0) { $0 + $1.0 * $1.1 }
                let variance = zip(l, covariance.multiplied(by: l)).reduce(0) { $0 + $1.0 * $1.1 }
                return FixedEffectTest(estimate: estimate, standardError: variance.squareRoot(), degreesOfFreedom: .infinity)
            }
        }
    }

    /// The unadjusted row: estimate, SE, df, 95% interval, t ratio and two-sided p.
    public func row(labels: [String], byLevels: [String], l: [Double]) -> EstimatedMarginalMeans.Row {
        let t = test(l)
        let half = Self.tQuantile(0.975, t.degreesOfFreedom) * t.standardError
        return .init(labels: labels, byLevels: byLevels, linearFunction: l, estimate: t.estimate, standardError: t.standardError,
                     degreesOfFreedom: t.degreesOfFreedom, lower: t.estimate - half, upper: t.estimate + half,
                     statistic: t.tValue, pValue: Self.twoSidedP(t.tValue, t.degreesOfFreedom))
    }

    /// Adjusts contrast rows by family: `familySizes[i]` is the number of means of row i's `by`
    /// cell (Tukey's k); Holm/Bonferroni families are the contrasts of one `by` cell.
    public func adjust(_ rows: [EstimatedMarginalMeans.Row], familySizes: [Int],
                adjustment: EstimatedMarginalMeans.Adjustment) -> [EstimatedMarginalMeans.Row] {
        var rows = rows
        switch adjustment {
        case .none: break
        case .tukey:
            var quantiles: [String: Double] = [:]  // qtukey(0.95, k, df) by (k, df): one root search each
            for i in rows.indices {
                let r = rows[i], df = r.degreesOfFreedom ?? .infinity
                guard familySizes[i] > 2 else { continue }  // two means: Tukey is the t test
                let range = StudentizedRangeDistribution(groups: familySizes[i], degreesOfFreedom: df)
                rows[i].pValue = range.complementaryCDF(abs(r.statistic ?? .nan) * 2.0.squareRoot())
                let key = "\(familySizes[i]) \(df)"
                let quantile = quantiles[key] ?? range.quantile(0.95)
                quantiles[key] = quantile
                let half = quantile / 2.0.squareRoot() * r.standardError
                rows[i].lower = r.estimate - half
                rows[i].upper = r.estimate + half
            }
        case .holm:
            var families: [[String]: [Int]] = [:]
            for i in rows.indices { families[rows[i].byLevels, default: []].append(i) }
            for members in families.values {
                let m = Double(members.count)
                let ordered = members.sorted { (rows[$0].pValue ?? 1, $0) < (rows[$1].pValue ?? 1, $1) }
                var running = 0.0
                for (rank, i) in ordered.enumerated() {
                    running = max(running, min(1, (m - Double(rank)) * (rows[i].pValue ?? 1)))
                    rows[i].pValue = running
                }
                for i in members {
                    let half = Self.tQuantile(1 - 0.025 / m, rows[i].degreesOfFreedom ?? .infinity) * rows[i].standardError
                    rows[i].lower = rows[i].estimate - half
                    rows[i].upper = rows[i].estimate + half
                }
            }
        }
        return rows
    }

    /// The p quantile of t with `df` (the normal's for df = ∞).
    static func tQuantile(_ p: Double, _ df: Double) -> Double {
        df.isFinite ? StudentTDistribution(degreesOfFreedom: df).quantile(p) : NormalDistribution.quantile(p)
    }

    /// 2 P(T > |t|).
    static func twoSidedP(_ t: Double, _ df: Double) -> Double {
        guard df.isFinite else { return 2 * NormalDistribution.cdf(-abs(t)) }
        return 2 * exp(StudentTDistribution(degreesOfFreedom: df).logCDFAndCCDF(abs(t)).logCCDF)
    }
}
