import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The replicate data sets of each bootstrap scheme, and the schemes' intervals on simulated data
/// with known truth.
final class BootstrapSchemeTests: XCTestCase {
    /// y* has mean Xβ̂ and covariance ZΣZᵀ + σ̂²I: checked on sleepstudy's first subject (rows 0 and
    /// 9, days 0 and 9) and across subjects (rows 0 and 10), each within z standard errors of the
    /// sample moment from 20,000 draws, z the family-wise bound for these 7 checks
    /// (`MonteCarloTolerance.familyWiseZ`, 4.34; 4 each made the test's false-alarm rate 4·10⁻⁴).
    func testParametricResponsesHaveTheFittedMoments() throws {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        let fit = try model.fit(method: .reml)
        let simulator = ParametricResponseSimulator(fit: fit, design: model.design)
        let component = fit.varianceComponents[0]
        let sd = component.standardDeviations, rho = component.correlations[1]
        func covariance(_ a: [Double], _ b: [Double]) -> Double {
            a[0] * b[0] * sd[0] * sd[0] + a[1] * b[1] * sd[1] * sd[1] + (a[0] * b[1] + a[1] * b[0]) * rho * sd[0] * sd[1]
        }
        let z0 = [1.0, 0], z9 = [1.0, 9]
        let sigma2 = fit.sigma * fit.sigma
        let expected = (v0: covariance(z0, z0) + sigma2, v9: covariance(z9, z9) + sigma2, c09: covariance(z0, z9))
        let draws = 20_000
        var generator = Xoshiro256PlusPlus(seed: 11)
        var y = [Double]()
        var s = [Double](repeating: 0, count: 3), ss = [Double](repeating: 0, count: 3)
        var products = (c09: 0.0, c010: 0.0)
        for _ in 0..<draws {
            simulator.simulate(into: &y, using: &generator)
            for (k, r) in [0, 9, 10].enumerated() { s[k] += y[r]; ss[k] += y[r] * y[r] }
            products.c09 += y[0] * y[9]
            products.c010 += y[0] * y[10]
        }
        let n = Double(draws)
        let mean = s.map { $0 / n }
        let variance = (0..<3).map { ss[$0] / n - mean[$0] * mean[$0] }
        let xb = model.design.fixedEffects.multiplied(by: fit.fixedEffects)
        let z = MonteCarloTolerance.familyWiseZ(checks: 7)
        for (k, r) in [0, 9, 10].enumerated() {
            XCTAssertEqual(mean[k], xb[r], accuracy: z * (variance[k] / n).squareRoot(), "mean of row \(r)")
        }
        XCTAssertEqual(variance[0], expected.v0, accuracy: z * expected.v0 * (2 / n).squareRoot())
        XCTAssertEqual(variance[1], expected.v9, accuracy: z * expected.v9 * (2 / n).squareRoot())
        let c09 = products.c09 / n - mean[0] * mean[1]
        XCTAssertEqual(c09, expected.c09, accuracy: z * ((expected.v0 * expected.v9 + expected.c09 * expected.c09) / n).squareRoot())
        let c010 = products.c010 / n - mean[0] * mean[2]
        XCTAssertEqual(c010, 0, accuracy: z * (expected.v0 * variance[2] / n).squareRoot())
    }

    /// A design with an outer factor a (4 levels × 6 rows), b nested in a (`a:b`, 2 per a) and a
    /// crossed factor c (2 levels).
    private func nestedDesign() -> ModelDesign {
        var a: [String] = [], b: [String] = [], c: [String] = [], y: [Double] = []
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 {
            a.append("A\(i)"); b.append("A\(i)_b\(j)"); c.append("c\(k % 2)"); y.append(Double(100 * i + 10 * j + k))
        } } }
        let terms = [RemlFixtures.term(RemlFixtures.grouping("a", labels: a), columns: ["(Intercept)"], data: [:], text: "(1 | a)"),
                     RemlFixtures.term(RemlFixtures.grouping("a:b", labels: b), columns: ["(Intercept)"], data: [:], text: "(1 | a:b)"),
                     RemlFixtures.term(RemlFixtures.grouping("c", labels: c), columns: ["(Intercept)"], data: [:], text: "(1 | c)")]
        return RemlFixtures.design(response: y, fixed: [], data: [:], terms: terms, formula: "y ~ 1 + (1 | a/b) + (1 | c)")
    }

    func testGroupResamplingTakesWholeGroupsAsDistinctLevels() throws {
        let design = nestedDesign()
        let resampler = try GroupResampler(design: design)
        XCTAssertEqual(resampler.groupName, "a")
        XCTAssertEqual(resampler.roles, [1, 2, 0])
        var generator = Xoshiro256PlusPlus(seed: 3)
        var sawRepeat = false
        for _ in 0..<20 {
            let sample = resampler.resample(using: &generator)
            XCTAssertEqual(sample.rowCount, 24)
            let outer = sample.randomTerms[0].grouping, inner = sample.randomTerms[1].grouping
            XCTAssertEqual(outer.levelCount, 4)
            XCTAssertEqual(inner.levelCount, 8, "nested levels relabelled per draw")
            XCTAssertEqual(sample.randomTerms[2].grouping.levels, ["c0", "c1"], "crossed factor kept")
            for level in 0..<4 {
                let rows = (0..<24).filter { outer.levelIndex[$0] == level }
                XCTAssertEqual(rows.count, 6)
                // The rows of one new level are one original group, in order.
                let group = Int(sample.response[rows[0]]) / 100
                XCTAssertEqual(rows.map { sample.response[$0] },
                               (0..<6).map { Double(100 * group + 10 * ($0 / 3) + $0 % 3) })
                XCTAssertEqual(Set(rows.map { inner.levelIndex[$0] }).count, 2)
            }
            let groups = (0..<4).map { level in Int(sample.response[outer.levelIndex.firstIndex(of: level)!]) / 100 }
            if Set(groups).count < 4 { sawRepeat = true }
        }
        XCTAssertTrue(sawRepeat, "sampling is with replacement")
    }

    func testRowResamplingKeepsTheFraction() throws {
        let design = try RemlFixtures.sleepstudy("slopes")
        let resampler = try RowResampler(design: design, fraction: 0.25)
        XCTAssertEqual(resampler.sampleSize, 45)
        var generator = Xoshiro256PlusPlus(seed: 5)
        let sample = resampler.resample(using: &generator)
        XCTAssertEqual(sample.rowCount, 45)
        for r in 0..<45 {
            // Each resampled row is an original row: its response, Days and subject agree.
            let line = sample.sourceLines[r]
            let original = design.sourceLines.firstIndex(of: line)!
            XCTAssertEqual(sample.response[r], design.response[original])
            XCTAssertEqual(sample.fixedEffects[r, 1], design.fixedEffects[original, 1])
            XCTAssertEqual(sample.randomTerms[0].grouping.levelIndex[r], design.randomTerms[0].grouping.levelIndex[original])
        }
        XCTAssertThrowsError(try RowResampler(design: design, fraction: 0))
        XCTAssertThrowsError(try RowResampler(design: design, fraction: 1.5))
    }

    /// y = 1 + 0.5x + b_g + ε, b ~ N(0, 1), ε ~ N(0, 1), 30 groups × 8 rows, x varying within groups.
    private func simulatedDesign(seed: UInt64) -> ModelDesign {
        var generator = Xoshiro256PlusPlus(seed: seed)
        var labels: [String] = [], x: [Double] = [], y: [Double] = []
        for g in 0..<30 {
            let b = generator.nextNormal()
            for _ in 0..<8 {
                let xi = generator.nextNormal()
                labels.append(String(format: "g%02d", g)); x.append(xi)
                y.append(1 + 0.5 * xi + b + generator.nextNormal())
            }
        }
        let data = ["x": x]
        let term = RemlFixtures.term(RemlFixtures.grouping("g", labels: labels), columns: ["(Intercept)"], data: data, text: "(1 | g)")
        return RemlFixtures.design(response: y, fixed: ["x"], data: data, terms: [term], formula: "y ~ x + (1 | g)")
    }

    /// Over 12 simulated data sets, the 95% percentile intervals of every scheme (rows at full size)
    /// cover the true b_Intercept, b_x and σ at least 9 times in 12 (a correct 95% interval fails
    /// that with probability 0.002) — except b_Intercept under row resampling, which ignores the
    /// clustering and so misses the between-group part of its variance (its coverage is known to
    /// fall short: Field & Welsh 2007) — and the bootstrap SE of b_x agrees with the REML standard
    /// error within 30% on average. With fraction 0.25 the row bootstrap's SE is that of 60 rows:
    /// about twice the full-data SE.
    func testSchemesRecoverKnownTruth() throws {
        let truth = ["b_Intercept": 1.0, "b_x": 0.5, "sigma": 1.0]
        let schemes: [BootstrapScheme] = [.parametric, .groups, .rows(fraction: 1)]
        var covered = [String: Int]()
        var seRatio = [String: Double]()
        var quarterRatio = 0.0
        let datasets = 12
        for d in 0..<datasets {
            let model = try LinearMixedModel(design: simulatedDesign(seed: UInt64(100 + d)))
            let fit = try model.fit(method: .reml)
            let bootstrap = MixedModelBootstrap(model: model, fit: fit)
            for scheme in schemes {
                let result = try bootstrap.run(scheme: scheme, replicates: 200, seed: UInt64(d))
                XCTAssertEqual(result.failedCount, 0, scheme.name)
                for summary in result.summaries() {
                    guard let value = truth[summary.name] else { continue }
                    if summary.percentile.lower <= value && value <= summary.percentile.upper {
                        covered["\(scheme.name) \(summary.name)", default: 0] += 1
                    }
                    if summary.name == "b_x" {
                        seRatio[scheme.name, default: 0] += summary.standardError / fit.standardErrors[1] / Double(datasets)
                    }
                }
            }
            let quarter = try bootstrap.run(scheme: .rows(fraction: 0.25), replicates: 200, seed: UInt64(d))
            let se = quarter.summaries().first { $0.name == "b_x" }!.standardError
            quarterRatio += se / fit.standardErrors[1] / Double(datasets)
        }
        for scheme in schemes {
            for name in truth.keys where !(scheme.name == "row" && name == "b_Intercept") {
                XCTAssertGreaterThanOrEqual(covered["\(scheme.name) \(name)", default: 0], 9, "\(scheme.name) \(name) coverage")
            }
            XCTAssertEqual(seRatio[scheme.name]!, 1, accuracy: 0.3, "\(scheme.name) SE of b_x vs REML SE")
        }
        XCTAssertEqual(quarterRatio, 2, accuracy: 0.5, "row bootstrap at 25%: SE ratio")
        print("coverage \(covered.sorted { $0.key < $1.key }), SE ratios \(seRatio), quarter \(quarterRatio)")
    }

    func testBootQuantileFollowsBootCi() {
        // (R + 1)p integral: the order statistic itself.
        let values = (1...19).map(Double.init)
        XCTAssertEqual(bootstrapQuantile(sorted: values, probability: 0.05), 1)
        XCTAssertEqual(bootstrapQuantile(sorted: values, probability: 0.95), 19)
        // (R + 1)p = 2.5 with R = 99: between t*(2) and t*(3) on the normal scale.
        let hundred = (1...99).map { Double($0 * $0) }
        let z = NormalDistribution.quantile(0.025), z2 = NormalDistribution.quantile(0.02), z3 = NormalDistribution.quantile(0.03)
        XCTAssertEqual(bootstrapQuantile(sorted: hundred, probability: 0.025), 4 + (z - z2) / (z3 - z2) * 5, accuracy: 1e-12)
        // Extremes: k = 0 gives the minimum.
        XCTAssertEqual(bootstrapQuantile(sorted: [3, 5, 7], probability: 0.1), 3)
        let summary = bootstrapSummary(name: "x", estimate: 10, replicates: hundred + [.nan])
        XCTAssertEqual(summary.replicateCount, 99)
        XCTAssertEqual(summary.basic.lower, 20 - summary.percentile.upper)
        XCTAssertEqual(summary.basic.upper, 20 - summary.percentile.lower)
        let mean = hundred.reduce(0, +) / 99
        XCTAssertEqual(summary.bias, mean - 10, accuracy: 1e-9)
        XCTAssertEqual(summary.normal.lower + summary.normal.upper, 2 * (10 - summary.bias), accuracy: 1e-9)
    }
}

/// The projected quasi-Newton refit reaches BOBYQA's optimum, or a better one.
final class BootstrapRefitTests: XCTestCase {
    /// Over 300 parametric replicates of each sleepstudy model (many on or near the boundary: zero
    /// variances, correlations ±1), against BOBYQA run to resolution 1e-8: the criterion is never
    /// worse than BOBYQA's by more than 1e-6; where both reach the same optimum, β and σ agree to
    /// 1e-4 relative and θ to 2e-3.
    func testQuasiNewtonRefitsMatchBOBYQA() throws {
        for kind in ["slopes", "intercepts", "uncorrelated"] {
            let model = try LinearMixedModel(design: RemlFixtures.sleepstudy(kind))
            let fit = try model.fit(method: .reml)
            let simulator = ParametricResponseSimulator(fit: fit, design: model.design)
            var quasiNewtonEvaluations = 0, bobyqaEvaluations = 0, better = 0
            let replicates = 300
            for r in 0..<replicates {
                var generator = replicateRandomStream(seed: 20240611, replicate: r)
                var y: [Double] = []
                simulator.simulate(into: &y, using: &generator)
                let equations = BlockedMixedModelEquations(response: y, fixedEffects: model.design.fixedEffects,
                                                           randomTerms: model.design.randomTerms)
                let precise = BOBYQA.Options(initialRadius: 0.2, finalRadius: 1e-8)
                let reference = try equations.refit(method: .reml, start: fit.theta, optimizer: .bobyqa, options: precise).get()
                let refit = try equations.refit(method: .reml, start: fit.theta, optimizer: .quasiNewton).get()
                quasiNewtonEvaluations += refit.evaluations
                bobyqaEvaluations += reference.evaluations
                XCTAssertLessThanOrEqual(refit.criterion, reference.criterion + 1e-6, "\(kind) replicate \(r)")
                if refit.criterion < reference.criterion - 1e-6 { better += 1; continue }
                XCTAssertEqual(refit.sigma, reference.sigma, accuracy: 1e-4 * reference.sigma, "\(kind) \(r) sigma")
                for (a, b) in zip(refit.fixedEffects, reference.fixedEffects) {
                    XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)), "\(kind) \(r) beta")
                }
                for (a, b) in zip(refit.theta, reference.theta) { XCTAssertEqual(a, b, accuracy: 2e-3, "\(kind) \(r) theta") }
            }
            print("\(kind): quasi-Newton \(quasiNewtonEvaluations / replicates) evaluations per refit, BOBYQA (1e-8) \(bobyqaEvaluations / replicates); quasi-Newton better in \(better)")
        }
    }
}

extension BootstrapRefitTests {
    /// A zero template diagonal makes its column's sign irrelevant: the mirrored θ has the same
    /// criterion (so the refit may restart from it).
    func testMirroredThetaHasTheSameCriterion() throws {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        let factor = model.equations.covarianceFactor
        XCTAssertNil(factor.mirroredAtZeroDiagonals([0.9, -0.1, 0.2]))
        XCTAssertNil(factor.mirroredAtZeroDiagonals([0.9, -0.1, 0]), "the last column has nothing below its diagonal")
        let theta = [0, -0.13, 0.17]
        let mirrored = try XCTUnwrap(factor.mirroredAtZeroDiagonals(theta))
        XCTAssertEqual(mirrored, [0, 0.13, 0.17])
        XCTAssertEqual(model.equations.criterion(at: mirrored, .reml), model.equations.criterion(at: theta, .reml), accuracy: 1e-9)
    }
}
