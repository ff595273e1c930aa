import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Predictions of truncated fits `y | trunc(lb, ub)` (`TruncatedPrediction`): the truncated means
/// against numerical integration and direct sums of the family's own density, the draws' mean
/// against the truncated mean and their range, and brms 2.18's posterior_epred / posterior_predict
/// row means of two fits (scripts/references/brms_trunc_predict.R).
final class TruncatedPredictionTests: XCTestCase {
    /// ∫ f over [a, b] by composite Simpson with `n` (even) panels.
    static func simpson(_ a: Double, _ b: Double, _ n: Int = 20_000, _ f: (Double) -> Double) -> Double {
        let h = (b - a) / Double(n)
        var sum = f(a) + f(b)
        for k in 1..<n { sum += (k % 2 == 1 ? 4 : 2) * f(a + Double(k) * h) }
        return sum * h / 3
    }

    /// E(Y | lb ≤ Y ≤ ub) = ∫ y p(y) dy / ∫ p(y) dy over the truncation range (infinite ends cut
    /// 40 scale units out), with the density of `Family.logDensity` (the likelihood's own).
    static func integratedMean(_ family: Family, eta: Double, auxiliary: [Double], lower: Double, upper: Double,
                               centre: Double, scale: Double) -> Double {
        let a = lower.isFinite ? lower : centre - 40 * scale, b = upper.isFinite ? upper : centre + 40 * scale
        let density = { (y: Double) -> Double in exp(family.logDensity(y: y, trials: 1, eta: eta, auxiliary: auxiliary)) }
        return simpson(a, b) { $0 * density($0) } / simpson(a, b, 20_000, density)
    }

    func testContinuousMeansAgainstIntegration() throws {
        // The Student-t tails beyond the 40-scale cut hold ~10⁻⁶ of the mass, hence its looser
        // tolerance with an infinite bound.
        let cases: [(Family, Double, [Double], Double, Double, Double, Double, Double)] = [
            (.gaussian, 0.4, [1.3], 0, .infinity, 0.4, 1.3, 1e-7),
            (.gaussian, -2.0, [0.7], -.infinity, -2.5, -2.0, 0.7, 1e-7),
            (.gaussian, 1.0, [2.0], -1, 0.5, 1.0, 2.0, 1e-7),
            (.gaussian, -3.0, [0.5], 0, .infinity, -3.0, 0.5, 1e-7),      // bound 6σ above the mean
            (.student, 0.4, [1.3, 4.5], 0, 6, 0.4, 1.3, 1e-7),
            (.student, 2.0, [0.8, 3], -3, 1.5, 2.0, 0.8, 1e-7),
            (.student, 0.4, [1.3, 4.5], 0, .infinity, 0.4, 1.3, 1e-4),
            (.lognormal, 0.3, [0.6], 0.5, 4, 1.5, 1.0, 1e-7),
            (.lognormal, 0.3, [0.6], 1, .infinity, 1.5, 1.0, 1e-7),
            (.gamma, log(2), [3], 0.5, 4, 2, 1.2, 1e-7),
            (.gamma, log(2), [3], 0, .infinity, 2, 1.2, 1e-7),
            (.gamma, log(2), [3], 0, 1, 2, 1.2, 1e-7),
            (.gamma, log(2), [3], 30, .infinity, 30, 1.0, 1e-7),      // P(Y > 30) ≈ 10⁻¹⁷: upper tails
            (.gamma, log(5), [0.7], 1, 20, 5, 6, 1e-7),
            (.exponential, log(2), [], 1, 4, 2, 2, 1e-7),
            (.exponential, log(2), [], 0, .infinity, 2, 2, 1e-7),
            (.exponential, log(2), [], 100, .infinity, 100, 2, 1e-7), // P(Y > 100) = e⁻⁵⁰
            (.weibull, 0, [2], 0.5, 2, 1, 0.5, 1e-7),
            (.weibull, 0, [2], 1e-9, .infinity, 1, 0.5, 1e-7),        // (its log density is NaN at 0)
            (.weibull, 0, [2], 8, .infinity, 8, 0.5, 1e-7),           // P(Y > 8) ≈ e⁻⁵⁰
            (.weibull, 0.2, [0.8], 0.5, 5, 1.2, 1.5, 1e-7),
            (.weibull, 0.2, [3.5], 2, .infinity, 2, 0.5, 1e-7),
            (.weibull, logGamma(1 + 1 / 0.02), [0.02], 0.5, 6, 1, 1, 1e-7), // k = 0.02, λ = 1: s, s̄ near 1
        ]
        var worst: [String: Double] = [:]
        for (family, eta, auxiliary, lower, upper, centre, scale, tolerance) in cases {
            let prediction = try TruncatedPrediction(family: family)
            var rng = Xoshiro256PlusPlus(seed: 1)
            let ours = prediction.meanAndDraw(eta: eta, auxiliary: auxiliary, lower: lower, upper: upper, rng: &rng).mean
            let integral = Self.integratedMean(family, eta: eta, auxiliary: auxiliary, lower: lower, upper: upper,
                                               centre: centre, scale: family == .lognormal ? 8 : scale)
            XCTAssertEqual(ours, integral, accuracy: tolerance * max(1, abs(integral)),
                           "\(family.name) η = \(eta) [\(lower), \(upper)]")
            worst[family.name] = max(worst[family.name] ?? 0, abs(ours - integral) / max(1, abs(integral)))
        }
        print("truncated means against integration, largest relative difference:",
              worst.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1e", $0.value))" }.joined(separator: ", "))
    }

    func testCountMeansAgainstDirectSums() throws {
        let cases: [(Family, Double, [Double], Double, Double)] = [
            (.poisson, log(5.3), [], -.infinity, 10),
            (.poisson, log(2.1), [], 1, .infinity),          // zero-truncated
            (.poisson, log(40), [], 3, 12),                  // the mass far above the range
            (.negativeBinomial, log(6), [1.7], -.infinity, 10),
            (.negativeBinomial, log(3), [0.8], 1, .infinity),
        ]
        for (family, eta, auxiliary, lower, upper) in cases {
            let prediction = try TruncatedPrediction(family: family)
            var rng = Xoshiro256PlusPlus(seed: 2)
            let ours = prediction.meanAndDraw(eta: eta, auxiliary: auxiliary, lower: lower, upper: upper, rng: &rng).mean
            var mass = 0.0, moment = 0.0
            for k in Int(max(lower, 0))...Int(min(upper, 2000)) {
                let p = exp(family.logDensity(y: Double(k), trials: 1, eta: eta, auxiliary: auxiliary))
                mass += p
                moment += Double(k) * p
            }
            XCTAssertEqual(ours, moment / mass, accuracy: 1e-10 * max(1, moment / mass), "\(family.name) η = \(eta) [\(lower), \(upper)]")
        }
    }

    /// 100,000 draws: all inside the bounds (whole numbers for counts), and their mean within 5
    /// standard errors of the truncated mean.
    func testDrawsFollowTheTruncatedDistribution() throws {
        let cases: [(Family, Double, [Double], Double, Double)] = [
            (.gaussian, 0.4, [1.3], 0, .infinity), (.gaussian, -3.0, [0.5], 0, .infinity),
            (.student, 2.0, [0.8, 3], -.infinity, 1.5), (.lognormal, 0.3, [0.6], 0.5, 4),
            (.poisson, log(5.3), [], -.infinity, 10), (.negativeBinomial, log(3), [0.8], 1, .infinity),
            (.gamma, log(2), [3], 1, 4), (.gamma, log(2), [3], 30, .infinity), (.gamma, log(5), [0.7], 0, 1),
            (.exponential, log(2), [], 1, 4), (.exponential, log(2), [], 100, .infinity),
            (.weibull, 0, [2], 8, .infinity), (.weibull, 0.2, [0.8], 0.5, 5),
        ]
        for (family, eta, auxiliary, lower, upper) in cases {
            let prediction = try TruncatedPrediction(family: family)
            var rng = Xoshiro256PlusPlus(seed: 3)
            let count = 100_000
            var draws: [Double] = []
            var mean = 0.0
            for _ in 0..<count {
                let value = prediction.meanAndDraw(eta: eta, auxiliary: auxiliary, lower: lower, upper: upper, rng: &rng)
                mean = value.mean
                draws.append(value.draw)
            }
            XCTAssertTrue(draws.allSatisfy { $0 >= lower && $0 <= upper }, "\(family.name): a draw outside the bounds")
            if family == .poisson || family == .negativeBinomial {
                XCTAssertTrue(draws.allSatisfy { $0 == $0.rounded() }, "\(family.name): a draw not a count")
            }
            let average = draws.reduce(0, +) / Double(count)
            let sd = (draws.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(count - 1)).squareRoot()
            XCTAssertEqual(average, mean, accuracy: 5 * sd / Double(count).squareRoot(), "\(family.name) η = \(eta)")
        }
    }

    func testOtherFamiliesAreRefused() {
        XCTAssertThrowsError(try TruncatedPrediction(family: .beta)) { error in
            XCTAssertTrue("\(error)".contains("not supported yet"), "\(error)")
        }
    }

    /// Our fit's per-row means of the truncated epred and predictive draws (`PosteriorPredictive`)
    /// against brms' posterior_epred and `predictReference` (posterior_predict, or posterior_epred:
    /// the mean the draws estimate), each within the family-wise bound of the combined MCSEs.
    func parity(_ fixture: String, _ csv: String, _ formula: String, family: Family, priors: [PriorStatement] = [],
                predictReference: String = "predict", seed: UInt64) throws {
        let url = PosteriorTestData.fixtureURL(fixture, "json")
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let design = try PosteriorTestData.built(csv, formula)
        let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: seed)
        let fit = try BayesianFit.run(design: design, family: family, priors: priors, settings: settings)
        let predictive = try PosteriorPredictive(draws: fit.draws, design: design, family: family, seed: seed, keepExpected: true)
        let n = design.rowCount
        let perChain = predictive.drawCount / 4
        let bound = MonteCarloTolerance.familyWiseMCSEBound(checks: 2 * n)
        for (key, values, referenceKey) in [("epred", predictive.expected, "epred"),
                                            ("predict", predictive.replicates, predictReference)] {
            let rows = try XCTUnwrap(reference[referenceKey] as? [[String: Any]])
            XCTAssertEqual(rows.count, n)
            var worst = 0.0
            for i in 0..<n {
                let chains = (0..<4).map { c in (0..<perChain).map { values[(c * perChain + $0) * n + i] } }
                let ours = try XCTUnwrap(summarize(draws: Draws(variableNames: ["y"], chains: chains)).variables.first)
                let mean = try XCTUnwrap(rows[i]["mean"] as? Double), mcse = try XCTUnwrap(rows[i]["mcse_mean"] as? Double)
                let combined = (ours.mcseMean * ours.mcseMean + mcse * mcse).squareRoot()
                MonteCarloTolerance.log(#function, "\(fixture) \(key)[\(i + 1)]", "mean", (ours.mean - mean) / combined)
                worst = max(worst, abs(ours.mean - mean) / combined)
                XCTAssertLessThanOrEqual(abs(ours.mean - mean), bound * combined,
                                         "\(fixture) \(key) row \(i + 1): \(ours.mean) vs brms \(mean)")
            }
            print("\(fixture) \(key): largest |z| over \(n) rows \(String(format: "%.2f", worst)) (bound \(String(format: "%.2f", bound)))")
        }
    }

    func testTruncatedGaussianPredictionsAgainstBrms() throws {
        try parity("brms_trunc_predict_gaussian", "truncated_gaussian", "y | trunc(lb = 0) ~ x + (1 | g)", family: .gaussian,
                   priors: [try PriorStatement.parse("b ~ normal(0, 5)", origin: "test")], seed: 61)
    }

    /// brms' posterior_predict of a truncated count draws by rejection (5 tries, then ub + 1e-10:
    /// "1% of all predicted values were invalid"), so its row means drift above its own truncated
    /// mean where P(Y > 10) is large (row 97: posterior_predict 9.740 against posterior_epred 9.135,
    /// z = 40); our draws (exact inversion) are checked against brms' posterior_epred instead.
    func testTruncatedPoissonPredictionsAgainstBrms() throws {
        try parity("brms_trunc_predict_poisson", "truncated_poisson", "y | trunc(ub = 10) ~ x + (1 | g)", family: .poisson,
                   predictReference: "epred", seed: 62)
    }

    /// `predict` on new rows of a truncated fit: the bounds come from the new data (a number, or
    /// the bound's column), epred is the truncated mean of each draw — here μ + σ φ(α)/(1 − Φ(α)),
    /// α = (lb − μ)/σ, by hand — and a missing bound column is refused in one line.
    func testNewRowsTakeTheirBounds() throws {
        // The fitted rows hold the formula's columns only (as `FittedModel.rowsUsed` keeps them).
        let table = try DataTable(csv: "y,x,lo\n0.5,0.1,0\n1.5,-0.4,0\n2.5,1.2,1\n0.2,0.3,0\n")
        for (formula, csv) in [("y | trunc(lb = 0) ~ x", "x\n-1.0\n2.0\n"), ("y | trunc(lb = lo) ~ x", "x,lo\n-1.0,0\n2.0,-0.5\n")] {
            let table = formula.contains("lo") ? table : try DataTable(csv: "y,x\n0.5,0.1\n1.5,-0.4\n2.5,1.2\n0.2,0.3\n")
            let parsed = try Formula.parse(formula)
            let design = try ModelDesign.build(formula: parsed, table: table)
            let names = ["b_Intercept", "b_x", "sigma"]
            var rng = Xoshiro256PlusPlus(seed: 4)
            let draws = Draws(variableNames: names, chains: [(0..<6).flatMap { _ in
                [rng.nextNormal() * 0.3, 0.5 + rng.nextNormal() * 0.2, 0.8 + rng.nextUniform() * 0.4] }])
            let rows = try DataTable(csv: csv, fileName: "new.csv")
            let newData = try NewDataDesign.build(formula: parsed, fitted: design, fittedData: table, factors: [], newData: rows)
            let prediction = try PosteriorPrediction(draws: draws, fitted: design, family: .gaussian, newData: newData,
                                                     type: .epred, seed: 5)
            let lower: [Double] = formula.contains("lo") ? [0, -0.5] : [0, 0]
            var buffer: [Double] = []
            for (i, x) in [-1.0, 2.0].enumerated() {
                prediction.values(row: i, into: &buffer)
                for s in 0..<6 {
                    let d = draws.chains[0], base = s * 3
                    let mu = d[base] + d[base + 1] * x, sigma = d[base + 2]
                    let alpha = (lower[i] - mu) / sigma
                    let mean = mu + sigma * NormalDistribution.density(alpha) / (1 - NormalDistribution.cdf(alpha))
                    XCTAssertEqual(buffer[s], mean, accuracy: 1e-12, "\(formula) row \(i) draw \(s)")
                }
            }
        }
        let parsed = try Formula.parse("y | trunc(lb = lo) ~ x")
        let design = try ModelDesign.build(formula: parsed, table: table)
        XCTAssertThrowsError(try NewDataDesign.build(formula: parsed, fitted: design, fittedData: table, factors: [],
                                                     newData: try DataTable(csv: "x\n1\n", fileName: "new.csv"))) { error in
            XCTAssertTrue("\(error)".contains("new.csv: trunc(lb = lo): the new data need the numeric column 'lo'"), "\(error)")
        }
    }
}
