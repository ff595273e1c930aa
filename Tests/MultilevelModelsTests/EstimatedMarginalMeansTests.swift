import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// emmeans 1.8.4-1 on the cake lmer fit (Fixtures/emmeans_cake.json, from /work/shared/reference/v2):
/// `emmeans(m, ~ recipe)` and `emmeans(m, ~ temperature | recipe)` with `lmer.df` Kenward–Roger and
/// Satterthwaite, `pairs(adjust = "none" | "tukey")`, at lme4's θ̂ (the reference's `fit.theta`).
/// Estimates, SEs, df, limits, t ratios to 1e-8 relative, p-values to 1e-10 absolute
/// (Satterthwaite's df to 1e-7: lmerTest differentiates numerically).
final class EstimatedMarginalMeansTests: XCTestCase {
    static let formula = "angle ~ recipe * temperature + (1 | recipe:replicate)"

    static func cake() throws -> (grid: ReferenceGrid, model: LinearMixedModel, fit: LinearMixedModelFit) {
        let table = try DataTable.read(contentsOf: RemlFixtures.url("cake", "csv"))
        let formula = try Formula.parse(Self.formula)
        let design = try ModelDesign.build(formula: formula, table: table)
        let model = try LinearMixedModel(design: design)
        let fit = try SatterthwaiteTests.fitAtReferenceTheta(model, reference: "emmeans_cake")
        let grid = try ReferenceGrid(formula: formula, design: design, data: table, factors: [])
        return (grid, model, fit)
    }

    func assertRows(_ rows: [EstimatedMarginalMeans.Row], _ reference: [[String: Any]], labels: [String], by: [String],
                    dfTolerance: Double, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(rows.count, reference.count, context, file: file, line: line)
        for (row, expected) in zip(rows, reference) {
            let name = "\(context) \(row.labels) \(row.byLevels)"
            XCTAssertEqual(row.labels, labels.map { expected[$0] as! String }, name, file: file, line: line)
            XCTAssertEqual(row.byLevels, by.map { expected[$0] as! String }, name, file: file, line: line)
            let estimate = (expected["emmean"] ?? expected["estimate"]) as! Double
            XCTAssertEqual(row.estimate, estimate, accuracy: 1e-8 * max(1, abs(estimate)), "\(name) estimate", file: file, line: line)
            XCTAssertEqual(row.standardError, expected["SE"] as! Double, accuracy: 1e-8 * row.standardError, "\(name) SE", file: file, line: line)
            let df = expected["df"] as! Double
            XCTAssertEqual(row.degreesOfFreedom ?? .nan, df, accuracy: dfTolerance * df, "\(name) df", file: file, line: line)
            // Half-widths relative (they carry R's qtukey, within 2.3e-9 of the exact quantile).
            let lower = expected["lower.CL"] as! Double, upper = expected["upper.CL"] as! Double
            XCTAssertEqual(row.upper - row.estimate, upper - estimate, accuracy: dfTolerance * (upper - estimate), "\(name) upper", file: file, line: line)
            XCTAssertEqual(row.estimate - row.lower, estimate - lower, accuracy: dfTolerance * (estimate - lower), "\(name) lower", file: file, line: line)
            let t = expected["t.ratio"] as! Double
            XCTAssertEqual(row.statistic ?? .nan, t, accuracy: 1e-8 * max(1, abs(t)), "\(name) t", file: file, line: line)
            XCTAssertEqual(row.pValue ?? .nan, expected["p.value"] as! Double, accuracy: 1e-10, "\(name) p", file: file, line: line)
        }
    }

    func testCakeAgainstEmmeans() throws {
        let (grid, model, fit) = try Self.cake()
        let results = try XCTUnwrap(RemlFixtures.reference("emmeans_cake")["results"] as? [String: Any])
        for (key, specs, by) in [("~ recipe", ["recipe"], [String]()), ("~ temperature | recipe", ["temperature"], ["recipe"])] {
            for (ddf, method, tolerance) in [("kenward-roger", EstimatedMarginalMeans.DegreesOfFreedomMethod.kenwardRoger, 1e-8),
                                             ("satterthwaite", .satterthwaite, 1e-7)] {
                let reference = try XCTUnwrap((results[key] as? [String: Any])?[ddf] as? [String: Any])
                let inference = try LinearFunctionInference(model: model, fit: fit, method: method)
                for (table, adjustment) in [("pairs_none", EstimatedMarginalMeans.Adjustment.none), ("pairs_tukey", .tukey)] {
                    let result = try EstimatedMarginalMeans.frequentist(grid: grid, specs: specs, by: by, pairwise: true,
                                                                        adjustment: adjustment, inference: inference)
                    assertRows(result.means, reference["emmeans"] as! [[String: Any]], labels: specs, by: by,
                               dfTolerance: tolerance, "\(key) \(ddf) emmeans")
                    assertRows(result.contrasts, reference[table] as! [[String: Any]], labels: ["contrast"], by: by,
                               dfTolerance: tolerance, "\(key) \(ddf) \(table)")
                    XCTAssertEqual(result.averagedOver, key == "~ recipe" ? ["temperature"] : [])
                }
            }
        }
    }

    /// Holm: step-down p-values within each `by` cell (monotone, capped at 1, the smallest p times
    /// the number of contrasts), Bonferroni limits; asymptotic: z with the normal quantile.
    func testHolmAndAsymptotic() throws {
        let (grid, model, fit) = try Self.cake()
        let inference = try LinearFunctionInference(model: model, fit: fit, method: .asymptotic)
        let plain = try EstimatedMarginalMeans.frequentist(grid: grid, specs: ["temperature"], pairwise: true, adjustment: .none, inference: inference)
        let holm = try EstimatedMarginalMeans.frequentist(grid: grid, specs: ["temperature"], pairwise: true, adjustment: .holm, inference: inference)
        XCTAssertEqual(holm.contrasts.count, 15)
        let order = plain.contrasts.indices.sorted { plain.contrasts[$0].pValue! < plain.contrasts[$1].pValue! }
        var previous = 0.0
        for (rank, i) in order.enumerated() {
            let p = holm.contrasts[i].pValue!
            XCTAssertGreaterThanOrEqual(p, previous)
            XCTAssertGreaterThanOrEqual(p, min(1, Double(15 - rank) * plain.contrasts[i].pValue!) - 1e-15)
            previous = p
        }
        XCTAssertEqual(holm.contrasts[order[0]].pValue!, 15 * plain.contrasts[order[0]].pValue!, accuracy: 1e-15)
        let row = holm.contrasts[0]
        XCTAssertEqual(row.upper - row.estimate, NormalDistribution.quantile(1 - 0.025 / 15) * row.standardError, accuracy: 1e-12)
        XCTAssertEqual(plain.contrasts[0].pValue!, 2 * NormalDistribution.cdf(-abs(row.statistic!)), accuracy: 1e-15)
        // emmeans printed these for cake ~ temperature, asymptotic: 175 - 185 estimate -1.978, SE 0.954.
        XCTAssertEqual(row.estimate, -1.977777777777, accuracy: 1e-9)
    }

    /// HPD: coda's rule on a known sample (the shortest window of round(0.95 n) + 1 sorted draws).
    func testHighestPosteriorDensityInterval() {
        let draws = (0..<200).map { Double($0 * $0) / 100 }
        let (lower, upper) = highestPosteriorDensityInterval(sorted: draws, probability: 0.95)
        XCTAssertEqual(lower, 0)
        XCTAssertEqual(upper, Double(190 * 190) / 100)
    }

    func testBadSpecs() throws {
        let (grid, model, fit) = try Self.cake()
        let inference = try LinearFunctionInference(model: model, fit: fit, method: .asymptotic)
        XCTAssertThrowsError(try EstimatedMarginalMeans.frequentist(grid: grid, specs: ["angle"], inference: inference)) { error in
            XCTAssertTrue("\(error)".contains("not a factor") && "\(error)".contains("recipe, temperature"), "\(error)")
        }
        XCTAssertThrowsError(try EstimatedMarginalMeans.frequentist(grid: grid, specs: ["recipe"], by: ["recipe"], inference: inference))
    }
}

/// Bayesian marginal means against emmeans 1.8.4-1 given the same posterior draws
/// (Fixtures/emmeans_bayes_cake.json from scripts/references/emmeans_bayesian_cake.R: an emmGrid
/// whose `post.beta` holds Fixtures/emmeans_cake_draws.csv, 1,000 draws of our cake fit): the
/// median and 95% HPD limits of every mean and contrast, deterministic, to 1e-10 relative.
final class EstimatedMarginalMeansBayesianTests: XCTestCase {
    func testCakeDrawsAgainstEmmeans() throws {
        let (grid, _, _) = try EstimatedMarginalMeansTests.cake()
        let text = try String(contentsOf: RemlFixtures.url("emmeans_cake_draws", "csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines[0].split(separator: ",").count, grid.x.columns)
        let beta = lines.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        XCTAssertEqual(beta.count, 1000)
        let results = try XCTUnwrap(RemlFixtures.reference("emmeans_bayes_cake")["results"] as? [String: Any])
        for (key, specs, by) in [("~ recipe", ["recipe"], [String]()), ("~ temperature | recipe", ["temperature"], ["recipe"])] {
            let reference = try XCTUnwrap(results[key] as? [String: Any])
            let result = try EstimatedMarginalMeans.bayesian(grid: grid, specs: specs, by: by, pairwise: true, beta: beta)
            for (rows, expected, labels) in [(result.means, reference["emmeans"] as! [[String: Any]], specs),
                                             (result.contrasts, reference["pairs"] as! [[String: Any]], ["contrast"])] {
                XCTAssertEqual(rows.count, expected.count, key)
                for (row, e) in zip(rows, expected) {
                    XCTAssertEqual(row.labels, labels.map { e[$0] as! String }, key)
                    XCTAssertEqual(row.byLevels, by.map { e[$0] as! String }, key)
                    let estimate = (e["emmean"] ?? e["estimate"]) as! Double
                    for (value, reference, name) in [(row.estimate, estimate, "median"), (row.lower, e["lower.HPD"] as! Double, "lower.HPD"),
                                                      (row.upper, e["upper.HPD"] as! Double, "upper.HPD")] {
                        XCTAssertEqual(value, reference, accuracy: 1e-10 * max(1, abs(reference)), "\(key) \(row.labels) \(row.byLevels) \(name)")
                    }
                    XCTAssertNil(row.pValue)
                }
            }
        }
    }
}
