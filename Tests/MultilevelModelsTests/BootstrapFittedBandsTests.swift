import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Percentile bands of fitted lines from bootstrap replicates (issue 22, `bootstrap --bands`).
/// The replicates cannot be R's, so: lme4's bootMer bands (Fixtures/bootmer_bands.json, from
/// scripts/references/bootmer_bands.R, 2000 replicates) within Monte-Carlo error; the population
/// band's width against the closed form of the Wald band; structure; and coverage of the true
/// population line on simulated data.
final class BootstrapFittedBandsTests: XCTestCase {
    private static let probabilities = [0.05, 0.5, 0.95]

    private func sleepstudyBands(replicates: Int, seed: UInt64) throws
        -> (BootstrapResult, BootstrapFittedBands, LinearMixedModelFit, ModelDesign) {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        let fit = try model.fit(method: .reml)
        let result = try MixedModelBootstrap(model: model, fit: fit)
            .run(scheme: .parametric, replicates: replicates, seed: seed, recordFittedValues: true)
        let bands = BootstrapFittedBands(result: result, design: model.design, fit: fit, probabilities: Self.probabilities)
        return (result, bands, fit, model.design)
    }

    /// Against bootMer's bands: each of the 3 × (10 + 180) quantiles within z·√2·SE, z the
    /// family-wise bound for 570 checks, SE the order-statistic standard error of the quantile from
    /// our replicates (`BootstrapParityTests.quantileStandardError`) — for the groups' lines at
    /// least the standard deviation of that quantile over the 18 subjects at the same Days: the
    /// subjects share their design (Days 0–9) and draw new random effects in every replicate, so
    /// their bands are 18 independent estimates of one band, and their spread measures the
    /// Monte-Carlo error directly (about 1.1 at the 95% point of Days 0 on both sides, against an
    /// order-statistic SE of 0.74; R's subject 372 sits 2.8 of its own sds above R's mean there).
    func testBandsMatchLme4BootMerWithinMonteCarloError() throws {
        let reference = try RemlFixtures.reference("bootmer_bands")
        let replicates = try XCTUnwrap(reference["nsim"] as? Int)
        let (result, bands, _, design) = try sleepstudyBands(replicates: replicates, seed: 20261207)
        XCTAssertEqual(result.failedCount, 0)
        let populationQuantiles = try XCTUnwrap(reference["population_quantiles"] as? [[Double]])
        let rowQuantiles = try XCTUnwrap(reference["row_quantiles"] as? [[Double]])
        let rowSubjects = try XCTUnwrap(reference["row_subject"] as? [String])
        XCTAssertEqual(bands.population.count, 10)
        XCTAssertEqual(bands.groups.count, 180)
        let z = MonteCarloTolerance.familyWiseZ(checks: 3 * (10 + 180))
        let p = design.fixedEffectCount
        var worst = 0.0
        for point in bands.population {
            let day = Int(design.fixedEffects[point.row, 1])
            let values = (0..<result.replicateCount).map { r in
                (0..<p).reduce(0.0) { $0 + design.fixedEffects[point.row, $1] * result.values[r * result.parameterCount + $1] }
            }
            for (k, probability) in Self.probabilities.enumerated() {
                let se = BootstrapParityTests.quantileStandardError(values, probability: probability)
                let difference = abs(point.quantiles[k] - populationQuantiles[day][k]) / (2.0.squareRoot() * se)
                worst = max(worst, difference)
                XCTAssertLessThan(difference, z, "population Days \(day) q\(probability): \(point.quantiles[k]) vs \(populationQuantiles[day][k])")
            }
        }
        let n = design.rowCount
        // Spread of each quantile over the subjects at the same Days.
        var spread: [Double: [Double]] = [:]
        for day in Set(bands.groups.map { design.fixedEffects[$0.row, 1] }) {
            let same = bands.groups.filter { design.fixedEffects[$0.row, 1] == day }
            spread[day] = Self.probabilities.indices.map { k in
                let values = same.map { $0.quantiles[k] }
                let mean = values.reduce(0, +) / Double(values.count)
                return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
            }
        }
        for point in bands.groups {
            XCTAssertEqual(point.level, rowSubjects[point.row])
            let values = (0..<result.replicateCount).map { result.conditionalFittedValues[$0 * n + point.row] }
            for (k, probability) in Self.probabilities.enumerated() {
                let se = max(BootstrapParityTests.quantileStandardError(values, probability: probability),
                             spread[design.fixedEffects[point.row, 1]]![k])
                let difference = abs(point.quantiles[k] - rowQuantiles[point.row][k]) / (2.0.squareRoot() * se)
                worst = max(worst, difference)
                XCTAssertLessThan(difference, z, "row \(point.row + 1) q\(probability): \(point.quantiles[k]) vs \(rowQuantiles[point.row][k])")
            }
        }
        print("bands vs bootMer: largest |difference| / (√2 SE) \(worst) (bound \(z))")
    }

    /// Structure: quantiles ordered, every replicate counted, the population line's estimate xᵀβ̂
    /// and the groups' the fitted values; and the population band's 5–95% width against the Wald
    /// band 2·1.645·√(xᵀ Var(β̂) x) within 15% (the parametric bootstrap's β̂* is normal about β̂
    /// with that variance when θ̂* = θ̂; the spread of θ̂* adds a few per cent; the quantiles' own
    /// Monte-Carlo error at 1000 replicates is about 4%).
    func testBandStructureAndWaldWidth() throws {
        let (result, bands, fit, design) = try sleepstudyBands(replicates: 1000, seed: 11)
        for point in bands.population + bands.groups {
            XCTAssertEqual(point.replicates, result.replicateCount - result.failedCount)
            XCTAssertLessThanOrEqual(point.quantiles[0], point.quantiles[1])
            XCTAssertLessThanOrEqual(point.quantiles[1], point.quantiles[2])
        }
        for point in bands.groups {
            XCTAssertEqual(point.estimate, fit.fittedValues[point.row], accuracy: 1e-9 * abs(point.estimate))
        }
        let q = NormalDistribution.quantile(0.95)
        for point in bands.population {
            let x = (0..<design.fixedEffectCount).map { design.fixedEffects[point.row, $0] }
            let estimate = zip(x, fit.fixedEffects).reduce(0.0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(point.estimate, estimate, accuracy: 1e-9 * abs(estimate))
            let variance = fit.fixedEffectsCovariance.multiplied(by: x).enumerated().reduce(0.0) { $0 + x[$1.offset] * $1.element }
            let wald = 2 * q * variance.squareRoot()
            let width = point.quantiles[2] - point.quantiles[0]
            XCTAssertEqual(width / wald, 1, accuracy: 0.15, "Days \(x[1]): band \(width) vs Wald \(wald)")
            XCTAssertEqual(point.quantiles[1], estimate, accuracy: 0.2 * wald)
        }
        // Group and row schemes keep no groups: population bands only.
        let model = try LinearMixedModel(design: design)
        let grouped = try MixedModelBootstrap(model: model, fit: fit)
            .run(scheme: .groups, replicates: 50, seed: 3, recordFittedValues: true)
        let groupBands = BootstrapFittedBands(result: grouped, design: design, fit: fit, probabilities: Self.probabilities)
        XCTAssertNil(groupBands.groupingFactor)
        XCTAssertTrue(groupBands.groups.isEmpty)
        XCTAssertEqual(groupBands.population.count, 10)
    }

    /// Coverage: 40 data sets simulated from a known sleepstudy-shaped model (β = (251, 10.5),
    /// sd 24.7 and 5.9, correlation 0.07, σ 25.6), each bootstrapped 200 times; the 90% band of the
    /// population line at Days 0 and 9 should cover the true line about 90% of the time (a little
    /// less with 18 groups). The test asks for at least 70% at each point (≈ 3.5 binomial sd below
    /// 0.9); bands half as wide as they should be would cover about 60%.
    func testPopulationBandCoversTheTrueLine() throws {
        var generator = Xoshiro256PlusPlus(seed: 2026)
        let datasets = 40
        var covered = [0, 0]
        for _ in 0..<datasets {
            var y: [Double] = [], values: [Double] = [], index: [Int] = []
            var x = DenseMatrix(rows: 180, columns: 2)
            for subject in 0..<18 {
                let z0 = generator.nextNormal(), z1 = generator.nextNormal()
                let b0 = 24.7 * z0, b1 = 5.9 * (0.07 * z0 + (1 - 0.0049).squareRoot() * z1)
                for day in 0..<10 {
                    let row = subject * 10 + day
                    x[row, 0] = 1; x[row, 1] = Double(day)
                    y.append(251 + 10.5 * Double(day) + b0 + b1 * Double(day) + 25.6 * generator.nextNormal())
                    values += [1, Double(day)]
                    index.append(subject)
                }
            }
            let subject = GroupingFactor(name: "Subject", levels: (0..<18).map(String.init), levelIndex: index)
            let design = ModelDesign(formulaText: "y ~ Days + (Days | Subject)", responseName: "y", response: y, trials: nil,
                                     responseLevels: nil, fixedEffects: x, fixedEffectNames: ["(Intercept)", "Days"],
                                     droppedFixedEffectNames: [],
                                     randomTerms: [RandomEffectTerm(grouping: subject, columnNames: ["(Intercept)", "Days"],
                                                                    values: values, text: "(Days | Subject)")],
                                     sourceLines: Array(2...181), droppedRowCount: 0)
            let model = try LinearMixedModel(design: design)
            let fit = try model.fit(method: .reml, options: .init(conditionalVariances: false))
            let result = try MixedModelBootstrap(model: model, fit: fit)
                .run(scheme: .parametric, replicates: 200, seed: generator.next())
            let bands = BootstrapFittedBands(result: result, design: design, fit: fit, probabilities: Self.probabilities)
            for (k, day) in [0.0, 9.0].enumerated() {
                let point = try XCTUnwrap(bands.population.first { design.fixedEffects[$0.row, 1] == day })
                let truth = 251 + 10.5 * day
                if point.quantiles[0] <= truth && truth <= point.quantiles[2] { covered[k] += 1 }
            }
        }
        print("population band coverage at Days 0, 9: \(covered) of \(datasets)")
        for count in covered { XCTAssertGreaterThanOrEqual(Double(count) / Double(datasets), 0.7) }
    }
}
