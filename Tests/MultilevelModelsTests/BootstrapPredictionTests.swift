import XCTest
@testable import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Bootstrap percentile bands of predictions for new rows (issue 17, `predict --interval
/// bootstrap`): lme4's bootMer on sleepstudy (Fixtures/predict_bootstrap.json, from
/// scripts/references/predict_bootstrap.R, 4000 replicates) within Monte-Carlo error; the
/// population band against its closed form; reproducibility.
final class BootstrapPredictionTests: XCTestCase {
    private static let probabilities = [0.025, 0.5, 0.975]

    /// The new rows (Days, Subject) of the reference, as designs of Reaction ~ Days + (Days |
    /// Subject) with and without the group-level term; "new" is a level the fit has not seen.
    private func newData(days: [Double], subjects: [String], design: ModelDesign) -> (population: NewDataDesign, conditional: NewDataDesign) {
        let m = days.count
        var x = DenseMatrix(rows: m, columns: 2)
        for i in 0..<m { x[i, 0] = 1; x[i, 1] = days[i] }
        let grouping = design.randomTerms[0].grouping
        let term = NewDataDesign.Term(fittedIndex: 0, values: days.flatMap { [1, $0] },
                                      levels: subjects.map { grouping.levels.firstIndex(of: $0) }, labels: subjects,
                                      included: [true, true])
        let lines = Array(2..<(m + 2))
        return (NewDataDesign(rowCount: m, fixedEffects: x, terms: [], trials: nil, sourceLines: lines),
                NewDataDesign(rowCount: m, fixedEffects: x, terms: [term], trials: nil, sourceLines: lines))
    }

    private func sleepstudy() throws -> (MixedModelBootstrap, ModelDesign) {
        let design = try RemlFixtures.sleepstudy("slopes")
        let model = try LinearMixedModel(design: design)
        return (MixedModelBootstrap(model: model, fit: try model.fit(method: .reml)), design)
    }

    /// Against bootMer: each of the 2 × 9 × 3 quantiles within z·SE·√(1 + R/R_ref), SE the
    /// order-statistic (binomial-rank) standard error of the quantile from our R replicates
    /// (`BootstrapParityTests.quantileStandardError`: the ranks Rp ∓ √(Rp(1 − p)) bracket the
    /// quantile with ±1 sd), R_ref = 4000 R's replicates (whose quantile has SE·√(R/R_ref)), z the
    /// family-wise bound for 54 checks. A new subject's conditional prediction is its population
    /// prediction in every replicate, as lme4's allow.new.levels gives it.
    func testPredictionBandsMatchLme4BootMerWithinMonteCarloError() throws {
        let reference = try RemlFixtures.reference("predict_bootstrap")
        let referenceReplicates = Double(try XCTUnwrap(reference["nsim"] as? Int))
        XCTAssertEqual(reference["failed"] as? Int, 0)
        let days = try XCTUnwrap(reference["days"] as? [Double])
        let subjects = try XCTUnwrap(reference["subject"] as? [String])
        let (bootstrap, design) = try sleepstudy()
        let rows = newData(days: days, subjects: subjects, design: design)
        let replicates = 2000
        let population = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.population,
                                                 replicates: replicates, seed: 17, probabilities: Self.probabilities)
        let conditional = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.conditional,
                                                  replicates: replicates, seed: 17, probabilities: Self.probabilities)
        XCTAssertEqual(population.result.failedCount, 0)
        let z = MonteCarloTolerance.familyWiseZ(checks: 2 * days.count * Self.probabilities.count)
        var worst = 0.0
        for (name, ours) in [("population", population), ("conditional", conditional)] {
            let estimates = try XCTUnwrap(reference["\(name)_estimate"] as? [Double])
            let quantiles = try XCTUnwrap(reference["\(name)_quantiles"] as? [[Double]])
            for i in days.indices {
                XCTAssertEqual(ours.estimates[i], estimates[i], accuracy: 1e-6 * abs(estimates[i]), "\(name) row \(i + 1) estimate")
                let values = ours.replicateValues(row: i)
                for (k, probability) in Self.probabilities.enumerated() {
                    let se = BootstrapParityTests.quantileStandardError(values, probability: probability)
                        * (1 + Double(replicates) / referenceReplicates).squareRoot()
                    let difference = abs(ours.quantiles[i][k] - quantiles[i][k]) / se
                    worst = max(worst, difference)
                    XCTAssertLessThan(difference, z, "\(name) Days \(days[i]) Subject \(subjects[i]) q\(probability): \(ours.quantiles[i][k]) vs \(quantiles[i][k])")
                }
            }
        }
        print("predict bootstrap vs bootMer: largest |difference| / SE \(worst) (bound \(z))")
        for i in days.indices where subjects[i] == "new" {
            XCTAssertEqual(conditional.replicateValues(row: i), population.replicateValues(row: i))
        }
        // A known subject's band is wider than the population band: it carries b̂*'s spread too.
        for i in days.indices where subjects[i] == "308" {
            XCTAssertGreaterThan(conditional.standardErrors[i], population.standardErrors[i])
        }
    }

    /// Closed form. In sleepstudy every subject has Days 0–9 and the group-level design is the
    /// population one (Zᵢ = Xᵢ), so V X lies in the span of X for every θ and the GLS estimate
    /// β̂(θ) is the OLS one (Zyskind 1967): each replicate's xβ̂* = x(XᵀX)⁻¹Xᵀy* is exactly normal
    /// with mean xβ̂ and variance x Var(β̂) xᵀ, whatever θ̂* is. The bootstrap's population band
    /// is then the delta-method band xβ̂ ± z_p·SE up to Monte-Carlo error, whose standard error at
    /// probability p is SE·√(p(1 − p)/R)/φ(z_p) (the sample quantile of a normal); the bootstrap
    /// standard deviation is SE within SE/√(2R) per sd.
    func testPopulationBandIsTheDeltaMethodBand() throws {
        let (bootstrap, design) = try sleepstudy()
        let days: [Double] = [0, 2.5, 9, 15]
        let rows = newData(days: days, subjects: days.map { _ in "308" }, design: design)
        let replicates = 2000
        let band = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.population,
                                           replicates: replicates, seed: 5, probabilities: Self.probabilities)
        let delta = try MixedModelPrediction(fit: bootstrap.fit, fitted: design, newData: rows.population)
        let r = Double(replicates)
        let z = MonteCarloTolerance.familyWiseZ(checks: days.count * (Self.probabilities.count + 1))
        var worst = 0.0
        for i in days.indices {
            let se = delta.standardErrors[i]
            XCTAssertEqual(band.estimates[i], delta.estimates[i], accuracy: 1e-9 * abs(delta.estimates[i]))
            for (k, p) in Self.probabilities.enumerated() {
                let normalQuantile = NormalDistribution.quantile(p)
                let expected = delta.estimates[i] + normalQuantile * se
                let tolerance = se * (p * (1 - p) / r).squareRoot() / NormalDistribution.density(normalQuantile)
                worst = max(worst, abs(band.quantiles[i][k] - expected) / tolerance)
                XCTAssertEqual(band.quantiles[i][k], expected, accuracy: z * tolerance, "Days \(days[i]) q\(p)")
            }
            worst = max(worst, abs(band.standardErrors[i] / se - 1) * (2 * r).squareRoot())
            XCTAssertEqual(band.standardErrors[i] / se, 1, accuracy: z / (2 * r).squareRoot(), "Days \(days[i]) sd")
        }
        print("predict bootstrap population band vs delta method: largest |difference| / MC SE \(worst) (bound \(z))")
    }

    /// The same seed gives the same replicates on any number of threads; the estimates are lme4's
    /// predict (MixedModelPrediction); a resampling scheme cannot carry a statistic of b̂*.
    func testReproducibleAndConsistent() throws {
        let (bootstrap, design) = try sleepstudy()
        let rows = newData(days: [0, 9, 4], subjects: ["308", "new", "372"], design: design)
        let one = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.conditional, replicates: 40,
                                          seed: 9, probabilities: [0.1, 0.9], threads: 1)
        let two = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.conditional, replicates: 40,
                                          seed: 9, probabilities: [0.1, 0.9], threads: 2)
        XCTAssertEqual(one.result.statisticValues, two.result.statisticValues)
        XCTAssertEqual(one.quantiles, two.quantiles)
        let other = try BootstrapPrediction(bootstrap: bootstrap, fitted: design, newData: rows.conditional, replicates: 40,
                                            seed: 10, probabilities: [0.1, 0.9], threads: 1)
        XCTAssertNotEqual(one.result.statisticValues, other.result.statisticValues)
        let lme4 = try MixedModelPrediction(fit: bootstrap.fit, fitted: design, newData: rows.conditional)
        XCTAssertEqual(one.estimates, lme4.estimates)
        for i in 0..<3 { XCTAssertLessThan(one.quantiles[i][0], one.quantiles[i][1]) }
        let statistic = ReplicateStatistic(count: 1) { beta, _, values in values[0] = beta[0] }
        XCTAssertThrowsError(try bootstrap.run(scheme: .groups, replicates: 5, seed: 1, statistic: statistic))
    }
}
