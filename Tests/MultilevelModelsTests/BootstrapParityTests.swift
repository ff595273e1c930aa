import XCTest
import MultilevelData
@testable import MultilevelModels

/// The parametric bootstrap against lme4: `confint(fit, method = "boot", nsim = 2000,
/// boot.type = "perc")` (bootMer with use.u = FALSE) for sleepstudy, in
/// ../shared/reference/sleepstudy_confint.json (`boot_percentile`).
///
/// Tolerance. Both sides estimate the same quantile q_p of the same bootstrap distribution from
/// R = 2000 independent replicates, so they differ by Monte-Carlo error only. The count of
/// replicates below q_p is Binomial(R, p), with sd s = √(R p (1 − p)) (≈ 7 for p = 0.025), so the
/// order statistics of ranks Rp ∓ s bracket q_p with about ±1 sd of the estimate:
/// SE(q̂_p) ≈ (t*₍Rp+s₎ − t*₍Rp−s₎) / 2 (the order-statistic / binomial interval of a quantile,
/// e.g. Hyndman & Fan 1996; equivalent to √(p(1−p)/R) / f(q_p) without estimating the density f).
/// Two independent estimates differ with sd √2·SE; the test allows z·√2·SE per endpoint, z the
/// family-wise bound for its 2 × (4 or 6) endpoints (`MonteCarloTolerance.familyWiseZ`, 4.37 and
/// 4.46: a false alarm once in 10⁴ runs of each test), SE taken from our own replicates. Measured on
/// both glibc variants (identical replicates here): largest |difference| / (√2·SE) 2.87 (intercepts
/// sigma lower), then 2.23 (slopes b_Days and cor upper).
final class BootstrapParityTests: XCTestCase {
    /// SE of the p-quantile estimate from `values` (finite, any order) by the order-statistic band.
    static func quantileStandardError(_ values: [Double], probability p: Double) -> Double {
        let sorted = values.filter { $0.isFinite }.sorted()
        let r = Double(sorted.count)
        let s = (r * p * (1 - p)).squareRoot()
        let low = max(0, Int((r * p - s).rounded(.down)) - 1)
        let high = min(sorted.count - 1, Int((r * p + s).rounded(.up)) - 1)
        return (sorted[high] - sorted[low]) / 2
    }

    private func check(kind: String, key: String) throws {
        let reference = try RemlFixtures.reference("sleepstudy_confint")[key] as! [String: Any]
        let intervals = reference["intervals"] as! [String: [String: Any]]
        let replicates = reference["boot_nsim"] as! Int
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
        let fit = try model.fit(method: .reml)
        let result = try MixedModelBootstrap(model: model, fit: fit).run(scheme: .parametric, replicates: replicates, seed: 20240611)
        XCTAssertEqual(result.failedCount, 0)
        XCTAssertEqual(Set(result.parameterNames), Set(intervals.keys))
        let z = MonteCarloTolerance.familyWiseZ(checks: 2 * result.summaries().count)
        for summary in result.summaries() {
            let expected = intervals[summary.name]!["boot_percentile"] as! [Double]
            let values = result.replicateValues(of: summary.name)!
            let toleranceLow = z * 2.0.squareRoot() * Self.quantileStandardError(values, probability: 0.025)
            let toleranceHigh = z * 2.0.squareRoot() * Self.quantileStandardError(values, probability: 0.975)
            XCTAssertEqual(summary.percentile.lower, expected[0], accuracy: toleranceLow, "\(key) \(summary.name) lower")
            XCTAssertEqual(summary.percentile.upper, expected[1], accuracy: toleranceHigh, "\(key) \(summary.name) upper")
            print(String(format: "%@ %@: lower %.4f (lme4 %.4f, tol %.4f, %.2f SE)  upper %.4f (lme4 %.4f, tol %.4f, %.2f SE)",
                         key, summary.name, summary.percentile.lower, expected[0], toleranceLow,
                         abs(summary.percentile.lower - expected[0]) / (toleranceLow / z / 2.0.squareRoot()),
                         summary.percentile.upper, expected[1], toleranceHigh,
                         abs(summary.percentile.upper - expected[1]) / (toleranceHigh / z / 2.0.squareRoot())))
        }
    }

    func testSleepstudySlopesPercentileIntervalsMatchLme4() throws { try check(kind: "slopes", key: "slopes") }
    func testSleepstudyInterceptsPercentileIntervalsMatchLme4() throws { try check(kind: "intercepts", key: "intercepts") }

    /// Same seed → bit-identical replicates on 1 thread and on 4; another seed → different ones.
    func testReproducibleWhateverTheThreadCount() throws {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        let fit = try model.fit(method: .reml)
        let bootstrap = MixedModelBootstrap(model: model, fit: fit)
        for scheme in [BootstrapScheme.parametric, .groups, .rows(fraction: 0.5)] {
            let serial = try bootstrap.run(scheme: scheme, replicates: 40, seed: 7, threads: 1)
            let parallel = try bootstrap.run(scheme: scheme, replicates: 40, seed: 7, threads: 4)
            let other = try bootstrap.run(scheme: scheme, replicates: 40, seed: 8, threads: 4)
            XCTAssertEqual(serial.values.map(\.bitPattern), parallel.values.map(\.bitPattern), scheme.name)
            XCTAssertEqual(serial.failures, parallel.failures, scheme.name)
            XCTAssertNotEqual(serial.values.map(\.bitPattern), other.values.map(\.bitPattern), scheme.name)
        }
    }

    /// The statistics are the parameters `lmer --json` reports, in its order and at its values.
    func testStatisticsAreTheReportedParameters() throws {
        for kind in ["slopes", "intercepts", "uncorrelated"] {
            let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
            let fit = try model.fit(method: .reml)
            let reported = frequentistParameters(fit)
            let values = fit.populationParameterValues
            XCTAssertEqual(values.map(\.name), reported.map(\.name), kind)
            for (a, b) in zip(values, reported) { XCTAssertEqual(a.value, b.estimate, accuracy: 1e-12, a.name) }
        }
    }
}
