import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Crossed, nested and singular designs against lme4 fits made by
/// scripts/references/lmer_crossed_nested.R, simulated designs with known truth, rank-deficient X
/// and lme4's sanity checks.
final class LinearMixedModelDesignTests: XCTestCase {
    func testCrossedDesignMatchesLme4() throws {
        let model = try LinearMixedModel(design: RemlFixtures.crossed())
        assertMatchesReference(try model.fit(method: .reml), try RemlFixtures.reference("crossed_reml"))
        assertMatchesReference(try model.fit(method: .ml), try RemlFixtures.reference("crossed_ml"))
    }

    func testNestedDesignMatchesLme4() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.nested("nested")).fit(method: .reml)
        assertMatchesReference(fit, try RemlFixtures.reference("nested_reml"))
        XCTAssertEqual(fit.terms.map(\.grouping.name), ["batch:cask", "batch"], "terms ordered by number of levels")
    }

    func testSingularFitIsReportedAsLme4Does() throws {
        let fit = try LinearMixedModel(design: RemlFixtures.nested("singular")).fit(method: .reml)
        XCTAssertTrue(fit.isSingular)
        XCTAssertTrue(fit.warnings.contains("boundary (singular) fit: see help('isSingular')"))
        XCTAssertEqual(fit.theta[0], 0, accuracy: 1e-4)
        assertMatchesReference(fit, try RemlFixtures.reference("singular_reml"))
    }

    /// Simulates y = 1 + 2x + a[g1] + c[g2] + ε over a crossed 200 × 150 design (or nested g2 in g1).
    private func simulated(nested: Bool, seed: UInt64) -> (ModelDesign, truth: [Double]) {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let n = 12_000, levels1 = 200, levels2 = nested ? 1_000 : 150
        let sd1 = 1.5, sd2 = 0.8, sigma = 1.0
        let a = (0..<levels1).map { _ in sd1 * rng.nextNormal() }
        let c = (0..<levels2).map { _ in sd2 * rng.nextNormal() }
        var x = [Double](), y = [Double](), l1 = [Int](), l2 = [Int]()
        for _ in 0..<n {
            let j2 = Int(rng.nextUniform() * Double(levels2))
            let j1 = nested ? j2 / 5 : Int(rng.nextUniform() * Double(levels1))
            let xi = rng.nextNormal()
            x.append(xi); l1.append(j1); l2.append(j2)
            y.append(1 + 2 * xi + a[j1] + c[j2] + sigma * rng.nextNormal())
        }
        let g1 = GroupingFactor(name: "g1", levels: (0..<levels1).map(String.init), levelIndex: l1)
        let g2 = GroupingFactor(name: nested ? "g1:g2" : "g2", levels: (0..<levels2).map(String.init), levelIndex: l2)
        let data = ["x": x]
        let design = RemlFixtures.design(response: y, fixed: ["x"], data: data,
                                         terms: [RemlFixtures.term(g1, columns: ["(Intercept)"], data: data, text: "(1 | g1)"),
                                                 RemlFixtures.term(g2, columns: ["(Intercept)"], data: data, text: "(1 | g2)")],
                                         formula: "y ~ x + (1 | g1) + (1 | g2)")
        return (design, [sd1, sd2, sigma])
    }

    func testSimulatedCrossedAndNestedDesignsRecoverTruth() throws {
        for nested in [false, true] {
            let (design, truth) = simulated(nested: nested, seed: nested ? 5 : 4)
            let fit = try LinearMixedModel(design: design).fit(method: .reml, options: .init(conditionalVariances: false))
            let parameters = Dictionary(uniqueKeysWithValues: frequentistParameters(fit).map { ($0.name, $0) })
            let b = try XCTUnwrap(parameters["b_x"])
            XCTAssertEqual(b.estimate, 2, accuracy: 4 * b.standardError!)
            // SD of a variance-component estimate ≈ sd/√(2·levels): 1.5/20 and 0.8/√300 or 0.8/√2000.
            XCTAssertEqual(parameters["sd_g1__Intercept"]!.estimate, truth[0], accuracy: 4 * 1.5 / 20)
            let second = nested ? "sd_g1:g2__Intercept" : "sd_g2__Intercept"
            XCTAssertEqual(parameters[second]!.estimate, truth[1], accuracy: 0.25)
            XCTAssertEqual(fit.sigma, truth[2], accuracy: 0.03)
            XCTAssertFalse(fit.isSingular)
            XCTAssertTrue(fit.warnings.isEmpty, "\(fit.warnings)")
        }
    }

    /// The moment start of large intercept-only designs changes the optimiser's path, not its
    /// optimum: the fit from it matches the fit from lme4's θ = 1 start (on lme4's settings) in θ
    /// and criterion, in fewer evaluations; designs with other random effects have no moment start.
    func testMomentStartReachesTheOptimumOfLme4Start() throws {
        let (design, _) = simulated(nested: false, seed: 4)
        let model = try LinearMixedModel(design: design)
        let start = try XCTUnwrap(momentStartingTheta(design: model.design, terms: model.equations.terms))
        XCTAssertEqual(start.count, 2)
        let fromMoments = try model.fit(method: .reml, options: .init(conditionalVariances: false))
        let fromOnes = try model.fit(method: .reml, options: .init(
            optimizer: .init(initialRadius: 0.2, finalRadius: 1e-7, functionTolerance: 1e-12),
            conditionalVariances: false, startTheta: [1, 1]))
        for k in 0..<2 {
            XCTAssertEqual(fromMoments.theta[k], fromOnes.theta[k], accuracy: 1e-5)
            // The start is within a third of the optimum on this design.
            XCTAssertEqual(start[k], fromOnes.theta[k], accuracy: fromOnes.theta[k] / 3)
        }
        XCTAssertEqual(fromMoments.criterion, fromOnes.criterion, accuracy: 1e-6)
        XCTAssertLessThan(fromMoments.evaluations, fromOnes.evaluations)
        let slopes = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        XCTAssertNil(momentStartingTheta(design: slopes.design, terms: slopes.equations.terms))
    }

    func testRankDeficientFixedEffectsAreDroppedAndFitMatchesFullRank() throws {
        var design = try RemlFixtures.sleepstudy("slopes")
        let n = design.rowCount
        var x = DenseMatrix(rows: n, columns: 3)
        for i in 0..<n { x[i, 0] = 1; x[i, 1] = design.fixedEffects[i, 1]; x[i, 2] = 2 * design.fixedEffects[i, 1] - 3 }
        let reference = try LinearMixedModel(design: design).fit()
        design.fixedEffects = x
        design.fixedEffectNames = ["(Intercept)", "Days", "DaysAliased"]
        let model = try LinearMixedModel(design: design)
        XCTAssertEqual(model.aliasedColumns, ["DaysAliased"])
        let fit = try model.fit()
        XCTAssertEqual(fit.fixedEffectNames, ["(Intercept)", "Days"])
        XCTAssertEqual(fit.droppedFixedEffectNames, ["DaysAliased"])
        XCTAssertEqual(fit.criterion, reference.criterion, accuracy: 1e-8)
    }

    func testStoppedOptimizerIsReportedWithLme4ConvergenceWarnings() throws {
        let model = try LinearMixedModel(design: RemlFixtures.sleepstudy("slopes"))
        let fit = try model.fit(options: .init(optimizer: .init(maxEvaluations: 12), conditionalVariances: false))
        XCTAssertTrue(fit.warnings.contains { $0.hasPrefix("convergence failure") }, "\(fit.warnings)")
        XCTAssertTrue(fit.warnings.contains { $0.hasPrefix("Model failed to converge with max|grad| = ") }, "\(fit.warnings)")
        let converged = try model.fit()
        XCTAssertTrue(converged.warnings.isEmpty, "\(converged.warnings)")
    }

    func testLme4SanityChecks() throws {
        let base = try RemlFixtures.sleepstudy("slopes")
        // One-level grouping factor.
        var oneLevel = base
        oneLevel.randomTerms[0].grouping = GroupingFactor(name: "Subject", levels: ["all"], levelIndex: [Int](repeating: 0, count: base.rowCount))
        XCTAssertThrowsError(try LinearMixedModel(design: oneLevel)) { error in
            XCTAssertTrue("\(error)".contains("grouping factors must have > 1 sampled level"), "\(error)")
        }
        // More random effects than observations: (Days | obs) with 90 levels of 2 rows each → 180 effects.
        var tooMany = base
        tooMany.randomTerms[0].grouping = GroupingFactor(name: "pair", levels: (0..<90).map(String.init),
                                                         levelIndex: (0..<base.rowCount).map { $0 / 2 })
        XCTAssertThrowsError(try LinearMixedModel(design: tooMany)) { error in
            XCTAssertTrue("\(error)".contains("number of observations (=180) <= number of random effects (=180)"), "\(error)")
        }
        // As many levels as observations.
        var perRow = base
        perRow.randomTerms = [RemlFixtures.term(GroupingFactor(name: "row", levels: (0..<180).map(String.init), levelIndex: Array(0..<180)),
                                                columns: ["(Intercept)"], data: [:], text: "(1 | row)")]
        XCTAssertThrowsError(try LinearMixedModel(design: perRow)) { error in
            XCTAssertTrue("\(error)".contains("must be < number of observations"), "\(error)")
        }
        var none = base
        none.randomTerms = []
        XCTAssertThrowsError(try LinearMixedModel(design: none))
    }
}
