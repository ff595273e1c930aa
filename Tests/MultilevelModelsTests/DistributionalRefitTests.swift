import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels
import Multilevel

/// The post-fit questions of a brms distributional fit `bf(y ~ …, sigma ~ …)` that refit or
/// replicate it (issue 20): K-fold and exact LOO by refitting (`DistributionalRefits`), against
/// brms 2.18's `kfold` with the same folds and against our own PSIS-LOO where Pareto k is small;
/// the posterior predictive of the fitted rows (`fit --predict`) against brms' `posterior_epred` /
/// `posterior_predict` (scripts/references/brms_distributional_refits_id.R,
/// scripts/references/brms_distributional_postfit.R).
final class DistributionalRefitTests: XCTestCase {
    static let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)"

    /// A distributional `FittedModel` of sleepstudy (its draws may be nil: refits need none).
    static func fitted(_ formula: String, draws: Draws?, settings: SamplerSettings) throws -> FittedModel {
        let table = try DistributionalRegressionTests.table("sleepstudy")
        let parsed = try DistributionalFormula.parse(formula)
        let design = try DistributionalDesign.build(formula: parsed, table: table, family: .gaussian)
        var fitted = FittedModel(kind: .bayesian, engine: "nuts", formula: parsed.mean, family: .gaussian, priors: [], factors: [],
                                 dataName: "sleepstudy", data: table, design: design.mean, settings: settings, draws: draws,
                                 mixedModelFit: nil)
        fitted.distributional = (parsed, design)
        return fitted
    }

    /// The full fit's draws (brms' constrained parameters only).
    static func fit(_ formula: String, settings: SamplerSettings) throws -> Draws {
        let fitted = try fitted(formula, draws: nil, settings: settings)
        let posterior = try DistributionalPosterior(design: fitted.distributional!.design, family: .gaussian)
        let run = try DistributionalFit.run(posterior: posterior, settings: settings)
        return run.draws.selecting(Array(run.draws.variableNames.dropFirst(TransitionStatistics.columnNames.count)))
    }

    /// brms' kfold(fit, folds = rep(1:5, length.out = 180)) of the same model: every held-out row's
    /// elpd within 5 combined MCSEs (180 rows), and elpd_kfold within 4 × the sum of the rows'
    /// combined MCSEs (the rows of a fold share the refit's draws, so their errors may add up).
    func testKFoldMatchesBrmsWithTheSameFolds() throws {
        let url = PosteriorTestData.fixtureURL("brms_distributional_kfold", "json")
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let folds = try XCTUnwrap(reference["folds"] as? [Int])
        let theirs = try XCTUnwrap(reference["pointwise_elpd_recomputed"] as? [Double])
        let theirMCSE = try XCTUnwrap(reference["pointwise_mcse"] as? [Double])
        XCTAssertEqual(folds.count, 180)
        var settings = SamplerSettings(iterations: 1500, warmup: 500, chains: 4, seed: 20261208)
        settings.cores = 1
        let refits = try DistributionalRefits(fitted: try Self.fitted(Self.formula, draws: nil, settings: settings), statements: [],
                                              options: DesignOptions(), settings: settings)
        let kfold = try KFold.run(folds: folds, seed: settings.seed, score: refits.scoring)
        XCTAssertEqual(kfold.newLevelRows, 0)
        var largest = 0.0, boundSum = 0.0, ourSum = 0.0, theirSum = 0.0
        for i in 0..<180 {
            let bound = (kfold.pointwiseMonteCarloError[i] * kfold.pointwiseMonteCarloError[i] + theirMCSE[i] * theirMCSE[i]).squareRoot()
            XCTAssertGreaterThan(kfold.pointwiseMonteCarloError[i], 0)
            let z = abs(kfold.pointwiseElpd[i] - theirs[i]) / bound
            largest = max(largest, z)
            XCTAssertLessThanOrEqual(z, 5, "row \(i + 1) (fold \(folds[i])): elpd \(kfold.pointwiseElpd[i]) vs brms \(theirs[i]) (combined MCSE \(bound))")
            boundSum += bound
            ourSum += kfold.pointwiseElpd[i]
            theirSum += theirs[i]
        }
        XCTAssertLessThanOrEqual(abs(ourSum - theirSum), 4 * boundSum)
        let brmsTotal = try XCTUnwrap(reference["elpd_kfold"] as? Double)
        print(String(format: "kfold (5 folds, bf sigma ~ Days): elpd_kfold %.2f (SE %.2f) vs brms %.2f (its pointwise recomputed %.2f); difference %.2f, root-sum-square MCSE %.3f, sum of MCSEs %.3f; largest row |z| %.2f",
                     kfold.elpd.estimate, kfold.elpd.standardError, brmsTotal, theirSum, ourSum - theirSum,
                     kfold.pointwiseMonteCarloError.indices.map { kfold.pointwiseMonteCarloError[$0] * kfold.pointwiseMonteCarloError[$0] + theirMCSE[$0] * theirMCSE[$0] }.reduce(0, +).squareRoot(),
                     boundSum, largest))
    }

    /// Exact LOO by refitting where PSIS is reliable (k < 0.5): the refit's elpd of each of the two
    /// rows with the smallest k agrees with PSIS-LOO's within 4 combined MCSEs.
    func testExactLeaveOneOutAgreesWithPSISWhereParetoKIsSmall() throws {
        var settings = SamplerSettings(iterations: 1500, warmup: 500, chains: 4, seed: 31)
        settings.cores = 1
        let draws = try Self.fit(Self.formula, settings: settings)
        let fitted = try Self.fitted(Self.formula, draws: draws, settings: settings)
        let loo = try LeaveOneOutCriteria(try fitted.distributionalLogLikelihood()).leaveOneOut
        let rows = Array(loo.paretoK.indices.sorted { loo.paretoK[$0] < loo.paretoK[$1] }.prefix(2))
        XCTAssertTrue(rows.allSatisfy { loo.paretoK[$0] < 0.5 }, "\(rows.map { loo.paretoK[$0] })")
        let refits = try DistributionalRefits(fitted: fitted, statements: [], options: DesignOptions(), settings: settings)
        let exact = try ExactLeaveOneOut.apply(to: loo, rows: rows, seed: settings.seed, score: refits.scoring)
        XCTAssertEqual(exact.exactlyRefitted, rows.sorted())
        var report: [String] = []
        for row in rows {
            let bound = (exact.pointwiseMonteCarloError[row] * exact.pointwiseMonteCarloError[row]
                + loo.pointwiseMonteCarloError[row] * loo.pointwiseMonteCarloError[row]).squareRoot()
            XCTAssertNotEqual(exact.pointwiseElpd[row], loo.pointwiseElpd[row])
            XCTAssertLessThanOrEqual(abs(exact.pointwiseElpd[row] - loo.pointwiseElpd[row]), 4 * bound,
                                     "row \(row + 1): exact \(exact.pointwiseElpd[row]) vs PSIS \(loo.pointwiseElpd[row])")
            report.append(String(format: "row %d (k %.2f): exact %.4f vs PSIS %.4f (combined MCSE %.4f, z %.2f)", row + 1, loo.paretoK[row],
                                 exact.pointwiseElpd[row], loo.pointwiseElpd[row], bound, (exact.pointwiseElpd[row] - loo.pointwiseElpd[row]) / bound))
        }
        print("exact LOO refits vs PSIS-LOO: " + report.joined(separator: "; "))
    }

    /// A refit that would lose a population-level factor's level is refused in one line.
    func testRefitLosingAColumnIsRefused() throws {
        let table = try DistributionalRegressionTests.table("sleepstudy")
        let parsed = try DistributionalFormula.parse("bf(Reaction ~ Days + Subject, sigma ~ Days)")
        let design = try DistributionalDesign.build(formula: parsed, table: table, family: .gaussian)
        var fitted = FittedModel(kind: .bayesian, engine: "nuts", formula: parsed.mean, family: .gaussian, priors: [], factors: [],
                                 dataName: "sleepstudy", data: table, design: design.mean, settings: nil, draws: nil,
                                 mixedModelFit: nil)
        fitted.distributional = (parsed, design)
        let refits = try DistributionalRefits(fitted: fitted, statements: [], options: DesignOptions(),
                                              settings: SamplerSettings(iterations: 20, warmup: 10, chains: 1, seed: 1))
        let heldOut = Array(170..<180)       // every row of the last subject
        XCTAssertThrowsError(try refits.heldOutLogLikelihood(kept: Array(0..<170), heldOut: heldOut, seed: 1)) { error in
            XCTAssertTrue("\(error)".contains("loses the column Subject372"), "\(error)")
        }
    }

    /// `fit --predict` of a distributional fit: E(y | θ) and y_rep of the fitted rows (308, Days 0)
    /// and (308, Days 9) against brms' posterior_epred / posterior_predict of the same rows given as
    /// new data (the postfit fixture, 4 × 1,500 draws), mean, SD and 2.5%/97.5% quantiles within 4
    /// combined MCSEs; y_rep's spread at Days 9 about twice that at Days 0 (σ = exp(η_σ)).
    func testPosteriorPredictiveOfTheFittedRowsMatchesBrms() throws {
        let url = PosteriorTestData.fixtureURL("brms_distributional_postfit", "json")
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let predictions = try XCTUnwrap(reference["predictions"] as? [String: Any])
        let settings = SamplerSettings(iterations: 2000, warmup: 500, chains: 4, seed: 20261207)
        let draws = try Self.fit(Self.formula, settings: settings)
        let fitted = try Self.fitted(Self.formula, draws: draws, settings: settings)
        let predictive = try fitted.distributionalPosteriorPredictive(seed: 5, keepExpected: true)
        XCTAssertEqual(predictive.observationCount, 180)
        XCTAssertEqual(predictive.drawCount, 4 * 1500)
        XCTAssertEqual(predictive.drawChains.last, 4)
        XCTAssertEqual(predictive.drawIterations.last, 1500)
        let n = 180, perChain = 1500
        var report: [String] = []
        var spread: [Double] = []
        for (key, values) in [("epred_full", predictive.expected), ("prediction_full", predictive.replicates)] {
            let rows = try XCTUnwrap(predictions[key] as? [[String: Any]], key)
            var worst = 0.0
            for (k, row) in [0, 9].enumerated() {
                let column = (0..<(4 * perChain)).map { values[$0 * n + row] }
                let sequences = ChainSequences(chains: (0..<4).map { Array(column[($0 * perChain)..<(($0 + 1) * perChain)]) })
                let summary = PredictionSummary(draws: column, probabilities: [0.025, 0.975])
                if key == "prediction_full" { spread.append(summary.sd) }
                if key == "epred_full" {
                    XCTAssertEqual(predictive.fittedMean[row], summary.mean, accuracy: 1e-9)
                    XCTAssertEqual(predictive.fittedLower[row], summary.quantiles[0], accuracy: 1e-9)
                    XCTAssertEqual(predictive.fittedUpper[row], summary.quantiles[1], accuracy: 1e-9)
                }
                let checks: [(String, Double, Double, String)] = [
                    ("mean", summary.mean, meanMonteCarloStandardError(sequences), "mcse_mean"),
                    ("sd", summary.sd, standardDeviationMonteCarloStandardError(sequences), "mcse_sd"),
                    ("q2.5", summary.quantiles[0], quantileMonteCarloStandardError(sequences, probability: 0.025), "mcse_q2.5"),
                    ("q97.5", summary.quantiles[1], quantileMonteCarloStandardError(sequences, probability: 0.975), "mcse_q97.5"),
                ]
                for (name, value, mcse, mcseKey) in checks {
                    let theirs = try XCTUnwrap(rows[k][name] as? Double), theirMCSE = try XCTUnwrap(rows[k][mcseKey] as? Double)
                    let bound = (mcse * mcse + theirMCSE * theirMCSE).squareRoot()
                    worst = max(worst, abs(value - theirs) / bound)
                    XCTAssertLessThanOrEqual(abs(value - theirs), 4 * bound, "\(key) row \(row + 1) \(name): \(value) vs brms \(theirs)")
                }
            }
            report.append(String(format: "%@ largest |z| %.2f", key, worst))
        }
        XCTAssertGreaterThan(spread[1], 1.6 * spread[0], "\(spread)")
        print("fit --predict of the fitted rows vs brms: " + report.joined(separator: "; ")
              + String(format: "; y_rep SD at Days 0 %.1f, at Days 9 %.1f", spread[0], spread[1]))
    }
}

/// brms' `|ID|` syntax across the parts of a bf() formula: `bf(y ~ x + (1 |p| g), sigma ~ (1 |p| g))`
/// correlates the group-level effects of the mean and of σ (one correlation block).
final class DistributionalCorrelationIDTests: XCTestCase {
    func testParsesTheIDAndRejectsMalformedBars() throws {
        let formula = try Formula.parse("y ~ x + (1 + x |p| g) + (1 | h)")
        XCTAssertEqual(formula.randomTerms.map(\.id), ["p", nil])
        XCTAssertEqual(formula.randomTerms[0].text, "(1 + x |p| g)")
        XCTAssertEqual(formula.randomTerms[0].groupingName, "g")
        for (text, column) in [("y ~ (1 |p|| g)", 10), ("y ~ (1 |a + b| g)", 9), ("y ~ (1 |p| )", 12), ("y ~ (1 || p | g)", 13)] {
            XCTAssertThrowsError(try Formula.parse(text), text) { error in
                XCTAssertEqual((error as? FormulaError)?.column, column, "\(text): \(error)")
            }
        }
    }

    func testNamesDimensionAndBlockLayout() throws {
        let posterior = try DistributionalRegressionTests.posterior(
            "sleepstudy", "bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject))", family: .gaussian)
        let names = posterior.parameterNames.names
        for name in ["sd_Subject__Intercept", "sd_Subject__Days", "sd_Subject__sigma_Intercept",
                     "cor_Subject__Intercept__Days", "cor_Subject__Intercept__sigma_Intercept", "cor_Subject__Days__sigma_Intercept",
                     "r_Subject[308,Intercept]", "r_Subject__sigma[372,Intercept]"] {
            XCTAssertTrue(names.contains(name), name)
        }
        XCTAssertEqual(names.filter { $0.hasPrefix("cor_") }.count, 3)
        // b (1 + 1), Intercepts 2, sd 3, correlations 3, z 18 × 3.
        XCTAssertEqual(posterior.dimension, 2 + 2 + 3 + 3 + 54)
        XCTAssertEqual(posterior.blocks.count, 1)
        XCTAssertEqual(posterior.blocks[0].columnNames, ["Intercept", "Days", "sigma_Intercept"])
        XCTAssertEqual(names.count, posterior.constrained([Double](repeating: 0.1, count: posterior.dimension)).count)
    }

    /// A lone ID changes nothing: `(1 |p| Subject)` in one part is the plain term (same density and
    /// gradient at the same point); two IDs with different grouping factors are refused.
    func testLoneIDIsThePlainTermAndDifferentGroupsAreRefused() throws {
        let plain = try DistributionalRegressionTests.posterior("sleepstudy", "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)",
                                                              family: .gaussian)
        let tagged = try DistributionalRegressionTests.posterior("sleepstudy", "bf(Reaction ~ Days + (Days |q| Subject), sigma ~ Days)",
                                                               family: .gaussian)
        XCTAssertEqual(plain.dimension, tagged.dimension)
        let x = DistributionalRegressionTests.point(plain, seed: 4, location: 280, dparIntercept: 3.2, spread: 0.3)
        var a = plain, b = tagged
        let left = a.logDensityAndGradient(at: x), right = b.logDensityAndGradient(at: x)
        XCTAssertEqual(left.value, right.value)
        XCTAssertEqual(left.gradient, right.gradient)
        XCTAssertEqual(plain.parameterNames.names, tagged.parameterNames.names)
        let table = try DistributionalRegressionTests.table("sleepstudy")
        let parsed = try DistributionalFormula.parse("bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Days))")
        let design = try DistributionalDesign.build(formula: parsed, table: table, family: .gaussian)
        XCTAssertThrowsError(try DistributionalPosterior(design: design, family: .gaussian)) { error in
            XCTAssertEqual("\(error)", "bf(): |p| joins group-level terms of different grouping factors (Subject and Days); an ID correlates the terms of one grouping factor")
        }
    }

    /// The block's gradient matches central differences for 1 + 1 and 2 + 1 columns.
    func testGradientMatchesFiniteDifferences() throws {
        for formula in ["bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject))",
                        "bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject))"] {
            let posterior = try DistributionalRegressionTests.posterior("sleepstudy", formula, family: .gaussian)
            for seed in [1, 2, 3] as [UInt64] {
                let x = DistributionalRegressionTests.point(posterior, seed: seed, location: 280, dparIntercept: 3.2, spread: 0.15)
                let (error, index) = DistributionalRegressionTests.gradientError(posterior, at: x)
                XCTAssertLessThanOrEqual(error, 1e-6, "\(formula), seed \(seed): coordinate \(index)")
            }
        }
    }

    /// The block's r = diag(sd) L z: at ρ = 0 (L = I) each r is its own sd times its z, and the
    /// block's density equals that of the separate terms at the matching point.
    func testUncorrelatedPointEqualsSeparateTerms() throws {
        let joint = try DistributionalRegressionTests.posterior(
            "sleepstudy", "bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject))", family: .gaussian)
        let separate = try DistributionalRegressionTests.posterior(
            "sleepstudy", "bf(Reaction ~ Days + (1 | Subject), sigma ~ (1 | Subject))", family: .gaussian)
        XCTAssertEqual(joint.dimension, separate.dimension + 1)
        let y = DistributionalRegressionTests.point(separate, seed: 8, location: 280, dparIntercept: 3.2, spread: 0.3)
        // Map the separate layout onto the joint one: sd_μ, sd_σ, the one correlation (0: L = I), z of the block.
        var x = [Double](repeating: 0, count: joint.dimension)
        let m = separate.predictors[0], s = separate.predictors[1]
        let jm = joint.predictors[0], js = joint.predictors[1]
        x[jm.coefficientOffset] = y[m.coefficientOffset]
        x[jm.interceptOffset] = y[m.interceptOffset]
        x[js.interceptOffset] = y[s.interceptOffset]
        x[jm.terms[0].sdOffset] = y[m.terms[0].sdOffset]
        x[js.terms[0].sdOffset] = y[s.terms[0].sdOffset]
        x[joint.blocks[0].correlationOffset] = 0
        for j in 0..<18 {
            x[joint.blocks[0].zOffset + 2 * j] = y[m.terms[0].zOffset + j]
            x[joint.blocks[0].zOffset + 2 * j + 1] = y[s.terms[0].zOffset + j]
        }
        var a = joint, b = separate
        // LKJ(1) up to its constant is Σ (K − k + 2η − 2) log L_kk = 0 for K = 2, and the tanh
        // transform's log-Jacobian at 0 is log(1 − 0²) = 0: the block adds nothing at ρ = 0.
        XCTAssertEqual(a.logDensityAndGradient(at: x).value, b.logDensityAndGradient(at: y).value, accuracy: 1e-8)
        let constrained = joint.constrained(x), names = joint.parameterNames.names
        let cor = try XCTUnwrap(names.firstIndex(of: "cor_Subject__Intercept__sigma_Intercept"))
        XCTAssertEqual(constrained[cor], 0, accuracy: 1e-15)
        let r = try XCTUnwrap(names.firstIndex(of: "r_Subject__sigma[309,Intercept]"))
        XCTAssertEqual(constrained[r], exp(y[s.terms[0].sdOffset]) * y[s.terms[0].zOffset + 1], accuracy: 1e-12)
    }
}

/// brms 2.18 with the |ID| block (scripts/references/brms_distributional_refits_id.R id, 4 × 2,000
/// draws each side, default priors): every b_, sd_ and cor_ mean within 4 combined MCSEs and the
/// 2.5%/97.5% quantiles within 4 (`parity`).
extension DistributionalBrmsParityTests {
    func testIDInterceptsCorrelatedAcrossMeanAndSigma() throws {
        try parity("brms_distributional_id_intercepts", csv: "sleepstudy",
                   formula: "bf(Reaction ~ Days + (1 |p| Subject), sigma ~ (1 |p| Subject))", family: .gaussian, seed: 211)
    }

    func testIDSlopesAndSigmaInterceptCorrelated() throws {
        try parity("brms_distributional_id_slopes", csv: "sleepstudy",
                   formula: "bf(Reaction ~ Days + (Days |p| Subject), sigma ~ Days + (1 |p| Subject))", family: .gaussian, seed: 212)
    }
}

/// brms' `weights(w)` with a predicted σ: each row's log-likelihood (constant included) times wᵢ,
/// in the posterior and in the pointwise log-likelihood (brms' `log_lik`), and brms 2.18's fit of
/// `bf(y | weights(w) ~ x + (1 | g), sigma ~ x)` (scripts/references/brms_distributional_refits_id.R weights).
final class DistributionalWeightsTests: XCTestCase {
    static let formula = "bf(y | weights(w) ~ x + (1 | g), sigma ~ x)"

    /// With every weight 2 the log posterior exceeds the unweighted one by exactly Σᵢ log p(yᵢ | θ)
    /// at the same point (the pointwise log-likelihood of the unweighted model), and the weighted
    /// pointwise log-likelihood is twice the unweighted one.
    func testWeightsMultiplyEachRowsLogLikelihood() throws {
        var table = try DistributionalRegressionTests.table("weights")
        let k = try XCTUnwrap(table.columnNames.firstIndex(of: "w"))
        table.columns[k] = .numeric([Double](repeating: 2, count: table.rowCount))
        let weighted = try DistributionalFormula.parse(Self.formula), plain = try DistributionalFormula.parse("bf(y ~ x + (1 | g), sigma ~ x)")
        let weightedDesign = try DistributionalDesign.build(formula: weighted, table: table, family: .gaussian)
        let plainDesign = try DistributionalDesign.build(formula: plain, table: table, family: .gaussian)
        var a = try DistributionalPosterior(design: weightedDesign, family: .gaussian)
        var b = try DistributionalPosterior(design: plainDesign, family: .gaussian)
        // The same priors (brms' defaults depend on y only), the same layout.
        XCTAssertEqual(a.priors, b.priors)
        XCTAssertEqual(a.dimension, b.dimension)
        let x = DistributionalRegressionTests.point(b, seed: 6, location: 3, dparIntercept: 0.1, spread: 0.3)
        let draws = Draws(variableNames: b.parameterNames.names, chains: [b.constrained(x)])
        let prediction = try DistributionalPostFitTests.prediction(table, plain, plainDesign, draws: draws, newData: table, type: .epred)
        var sum = 0.0
        var value = [0.0]
        for i in 0..<table.rowCount {
            value.withUnsafeMutableBufferPointer {
                prediction.logLikelihood(row: i, response: plainDesign.mean.response[i], trials: 1, into: $0)
            }
            sum += value[0]
        }
        XCTAssertEqual(a.logDensityAndGradient(at: x).value - b.logDensityAndGradient(at: x).value, sum,
                       accuracy: 1e-9 * abs(sum))
        let plainLL = DistributionalLogLikelihood(prediction: prediction, response: plainDesign.mean.response, trials: nil,
                                                  chainLengths: [1]).matrix()
        let weightedLL = DistributionalLogLikelihood(prediction: prediction, response: plainDesign.mean.response, trials: nil,
                                                     chainLengths: [1], weights: weightedDesign.mean.additions?.weights).matrix()
        for i in 0..<table.rowCount { XCTAssertEqual(weightedLL[0, i], 2 * plainLL[0, i], accuracy: 1e-12) }
    }

    func testGradientMatchesFiniteDifferences() throws {
        let posterior = try DistributionalRegressionTests.posterior("weights", Self.formula, family: .gaussian)
        for seed in [1, 2, 3] as [UInt64] {
            let x = DistributionalRegressionTests.point(posterior, seed: seed, location: 3, dparIntercept: 0.1, spread: 0.3)
            let (error, index) = DistributionalRegressionTests.gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "seed \(seed): coordinate \(index)")
        }
    }

    /// se(), cens() and trunc() with a predicted dpar are still refused in one line.
    func testOtherAdditionTermsAreRefused() throws {
        let parsed = try DistributionalFormula.parse("bf(y | trunc(lb = 0) ~ x + (1 | g), sigma ~ x)")
        let design = try DistributionalDesign.build(formula: parsed, table: try DistributionalRegressionTests.table("weights"),
                                                    family: .gaussian)
        XCTAssertThrowsError(try DistributionalPosterior(design: design, family: .gaussian)) { error in
            XCTAssertEqual("\(error)", "bf(): addition terms se(), cens() and trunc() are not supported with predicted auxiliary parameters yet (weights() is)")
        }
    }
}

extension DistributionalBrmsParityTests {
    func testWeightsWithPredictedSigma() throws {
        try parity("brms_distributional_weights", csv: "weights", formula: DistributionalWeightsTests.formula, family: .gaussian,
                   seed: 213)
    }
}
