import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// What a user does with a brms distributional fit `bf(y ~ …, sigma ~ …)` afterwards (issue 20,
/// point 4): the pointwise log-likelihood (each row with its own σ) and predictions with the dpars'
/// own linear predictors, against closed forms for fixed draws (to 1e-10) and against brms 2.18
/// (`loo`, `posterior_epred`/`posterior_predict`/`posterior_linpred(dpar = "sigma")`;
/// scripts/references/brms_distributional_postfit.R).
final class DistributionalPostFitTests: XCTestCase {
    static let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))"

    /// The designs, and draws made of random points of the posterior mapped to brms' constrained
    /// names (2 chains × 3 draws): the values are arbitrary, the names and layout those of a fit.
    static func fixedDraws(_ formula: String) throws -> (DataTable, DistributionalFormula, DistributionalDesign, Draws) {
        let table = try DistributionalRegressionTests.table("sleepstudy")
        let parsed = try DistributionalFormula.parse(formula)
        let design = try DistributionalDesign.build(formula: parsed, table: table, family: .gaussian)
        let posterior = try DistributionalPosterior(design: design, family: .gaussian)
        let names = posterior.parameterNames.names
        var chains: [[Double]] = []
        for chain in 0..<2 {
            var values: [Double] = []
            for draw in 0..<3 {
                let x = DistributionalRegressionTests.point(posterior, seed: UInt64(10 * chain + draw + 1), location: 280,
                                                            dparIntercept: 3.2, spread: 0.3)
                values += posterior.constrained(x)
            }
            chains.append(values)
        }
        return (table, parsed, design, Draws(variableNames: names, chains: chains))
    }

    /// The prediction of `newData` for the fit of `design` (every dpar from its own formula).
    static func prediction(_ table: DataTable, _ parsed: DistributionalFormula, _ design: DistributionalDesign, draws: Draws,
                           newData: DataTable, type: PredictionType, groupTerms: NewDataDesign.GroupTerms = .all,
                           dpar: AuxiliaryParameter? = nil, seed: UInt64 = 1) throws -> PosteriorPrediction {
        // Each part's fitted rows with the columns its formula uses (as FittedModel.posteriorPrediction).
        func columns(_ formula: Formula) -> DataTable {
            var names: [String] = []
            for (name, _) in formula.referencedColumns where !names.contains(name) { names.append(name) }
            return table.subset(rows: Array(0..<table.rowCount), columns: names)
        }
        let mean = try NewDataDesign.build(formula: parsed.mean, fitted: design.mean, fittedData: columns(parsed.mean), factors: [],
                                           newData: newData, groupTerms: groupTerms, allowNewLevels: true)
        let parts = try zip(parsed.parameters, design.parameters).map { part, fitted in
            (parameter: fitted.parameter, fitted: fitted.design,
             newData: try NewDataDesign.build(formula: part.formula, fitted: fitted.design, fittedData: columns(part.formula),
                                              factors: [], newData: newData, groupTerms: groupTerms, allowNewLevels: true))
        }
        return try PosteriorPrediction(draws: draws, fitted: design.mean, family: .gaussian, newData: mean, parameters: parts,
                                       type: type, dpar: dpar, seed: seed)
    }

    static func labels(_ table: DataTable, _ name: String) -> [String] {
        switch table.column(named: name)! {
        case .numeric(let values): return values.map { RCollation.label(of: $0) }
        case .factor(let levels, let codes): return codes.map { levels[Int($0)] }
        }
    }

    static func numbers(_ table: DataTable, _ name: String) -> [Double] {
        guard case .numeric(let values)? = table.column(named: name) else { return [] }
        return values
    }

    /// For fixed draws the pointwise log-likelihood matrix equals, to 1e-10, the direct evaluation
    /// of log N(yᵢ | μᵢ, σᵢ) with μᵢ = b_Intercept + b_Days·Daysᵢ + r_Subject[j,Intercept] +
    /// r_Subject[j,Days]·Daysᵢ and σᵢ = exp(b_sigma_Intercept + b_sigma_Days·Daysᵢ +
    /// r_Subject__sigma[j,Intercept]), every value read by its brms name.
    func testPointwiseLogLikelihoodEqualsClosedForm() throws {
        let (table, parsed, design, draws) = try Self.fixedDraws(Self.formula)
        let prediction = try Self.prediction(table, parsed, design, draws: draws, newData: table, type: .epred)
        let logLikelihood = DistributionalLogLikelihood(prediction: prediction, response: design.mean.response, trials: nil,
                                                        chainLengths: [3, 3])
        let matrix = logLikelihood.matrix()
        XCTAssertEqual(matrix.rows, 6)
        XCTAssertEqual(matrix.columns, 180)
        let days = Self.numbers(table, "Days"), subjects = Self.labels(table, "Subject"), reaction = Self.numbers(table, "Reaction")
        var largest = 0.0
        var sigmas = Set<Double>()
        for s in 0..<6 {
            let chain = draws.chains[s / 3], base = (s % 3) * draws.variableCount
            func value(_ name: String) -> Double { chain[base + draws.index(of: name)!] }
            for i in 0..<180 {
                let j = subjects[i]
                let mu = value("b_Intercept") + value("b_Days") * days[i] + value("r_Subject[\(j),Intercept]")
                    + value("r_Subject[\(j),Days]") * days[i]
                let sigma = exp(value("b_sigma_Intercept") + value("b_sigma_Days") * days[i] + value("r_Subject__sigma[\(j),Intercept]"))
                sigmas.insert(sigma)
                let z = (reaction[i] - mu) / sigma
                let expected = -0.5 * log(2 * Double.pi) - log(sigma) - 0.5 * z * z
                largest = max(largest, abs(matrix[s, i] - expected) / max(1, abs(expected)))
            }
        }
        XCTAssertLessThanOrEqual(largest, 1e-10)
        XCTAssertGreaterThan(sigmas.count, 1000, "each row and draw has its own sigma")
        let criteria = try LeaveOneOutCriteria(logLikelihood, relativeEfficiency: false)
        XCTAssertTrue(criteria.leaveOneOut.elpd.estimate.isFinite)
    }

    /// brms' posterior_linpred/posterior_epred with `dpar = "sigma"` and the mean's epred on new rows
    /// (a known subject, a new one and re_formula NA) against the closed forms for fixed draws; a new
    /// level's sigma effect is one of the fitted levels' (sample_new_levels = "uncertainty").
    func testDparPredictionsEqualClosedForm() throws {
        let (table, parsed, design, draws) = try Self.fixedDraws(Self.formula)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bf-new-\(UUID().uuidString).csv")
        try "Days,Subject\n0,308\n9,308\n4.5,335\n2,new1\n".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let newData = try DataTable.read(contentsOf: url)
        let days = [0, 9, 4.5, 2.0], subjects = ["308", "308", "335", "new1"]
        let fittedLevels = Set(Self.labels(table, "Subject"))
        let linpred = try Self.prediction(table, parsed, design, draws: draws, newData: newData, type: .linpred, dpar: .sigma)
        let sigma = try Self.prediction(table, parsed, design, draws: draws, newData: newData, type: .epred, dpar: .sigma)
        let population = try Self.prediction(table, parsed, design, draws: draws, newData: newData, type: .linpred,
                                             groupTerms: .none, dpar: .sigma)
        let epred = try Self.prediction(table, parsed, design, draws: draws, newData: newData, type: .epred)
        var a: [Double] = [], b: [Double] = [], c: [Double] = [], d: [Double] = []
        for i in 0..<4 {
            linpred.values(row: i, into: &a)
            sigma.values(row: i, into: &b)
            population.values(row: i, into: &c)
            epred.values(row: i, into: &d)
            for s in 0..<6 {
                let chain = draws.chains[s / 3], base = (s % 3) * draws.variableCount
                func value(_ name: String) -> Double { chain[base + draws.index(of: name)!] }
                let fixed = value("b_sigma_Intercept") + value("b_sigma_Days") * days[i]
                XCTAssertEqual(c[s], fixed, accuracy: 1e-12)
                XCTAssertEqual(b[s], exp(a[s]), accuracy: 1e-12 * exp(a[s]))
                if fittedLevels.contains(subjects[i]) {
                    let j = subjects[i]
                    XCTAssertEqual(a[s], fixed + value("r_Subject__sigma[\(j),Intercept]"), accuracy: 1e-12)
                    XCTAssertEqual(d[s], value("b_Intercept") + value("b_Days") * days[i] + value("r_Subject[\(j),Intercept]")
                                   + value("r_Subject[\(j),Days]") * days[i], accuracy: 1e-9)
                } else {
                    let effect = a[s] - fixed
                    XCTAssertTrue(fittedLevels.contains { abs(value("r_Subject__sigma[\($0),Intercept]") - effect) < 1e-12 },
                                  "a new level takes a fitted level's sigma effect")
                }
            }
        }
        XCTAssertThrowsError(try Self.prediction(table, parsed, design, draws: draws, newData: newData, type: .prediction, dpar: .sigma))
    }

    /// The draws renamed to the mean's names for one dpar (brms' names, `DistributionalDrawNames`).
    func testDparDrawNames() {
        XCTAssertEqual(DistributionalDrawNames.renamed("b_sigma_Days", parameter: .sigma), "b_Days")
        XCTAssertEqual(DistributionalDrawNames.renamed("r_Subject__sigma[308,Intercept]", parameter: .sigma), "r_Subject[308,Intercept]")
        XCTAssertEqual(DistributionalDrawNames.renamed("sd_Subject__sigma_Days", parameter: .sigma), "sd_Subject__Days")
        XCTAssertEqual(DistributionalDrawNames.renamed("cor_Subject__sigma_Intercept__sigma_Days", parameter: .sigma),
                       "cor_Subject__Intercept__Days")
        XCTAssertTrue(DistributionalDrawNames.renamed("b_Days", parameter: .sigma).hasPrefix("\u{1}"))
        XCTAssertTrue(DistributionalDrawNames.renamed("r_Subject[308,Intercept]", parameter: .sigma).hasPrefix("\u{1}"))
        XCTAssertTrue(DistributionalDrawNames.renamed("cor_Subject__Intercept__Days", parameter: .sigma).hasPrefix("\u{1}"))
    }
}

/// brms 2.18 on sleepstudy `bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)`, 4 × 1,500 draws
/// each side (scripts/references/brms_distributional_postfit.R): loo's pointwise elpd_loo on every
/// row whose Pareto k is at most 0.7 on both sides, their sums (elpd_loo, p_loo), and the summaries of posterior_epred / posterior_predict /
/// posterior_linpred (dpar = "sigma" too) on new rows, each within a few combined MCSEs — ours from
/// our own draws (loo's MCSE of elpd_loo and its pointwise MCSEs; posterior's mcse_mean, mcse_sd and
/// quantile MCSEs of the prediction draws), brms' from its fixture.
final class DistributionalPostFitBrmsParityTests: XCTestCase {
    static let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)"

    func testLooAndPredictionsMatchBrms() throws {
        let url = PosteriorTestData.fixtureURL("brms_distributional_postfit", "json")
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let table = try DistributionalRegressionTests.table("sleepstudy")
        let parsed = try DistributionalFormula.parse(Self.formula)
        let design = try DistributionalDesign.build(formula: parsed, table: table, family: .gaussian)
        let posterior = try DistributionalPosterior(design: design, family: .gaussian)
        let fit = try DistributionalFit.run(posterior: posterior,
                                            settings: SamplerSettings(iterations: 2000, warmup: 500, chains: 4, seed: 20261207))
        let draws = fit.draws
        let chains = draws.chainCount, perChain = draws.drawsPerChain

        // loo
        let loo = try XCTUnwrap(reference["loo"] as? [String: Any])
        let prediction = try DistributionalPostFitTests.prediction(table, parsed, design, draws: draws, newData: table, type: .epred)
        let logLikelihood = DistributionalLogLikelihood(prediction: prediction, response: design.mean.response, trials: nil,
                                                        chainLengths: [Int](repeating: perChain, count: chains))
        let ours = try LeaveOneOutCriteria(logLikelihood).leaveOneOut
        let pointwise = try XCTUnwrap(loo["pointwise_elpd_loo"] as? [Double])
        let pointwiseMCSE = try XCTUnwrap(loo["pointwise_mcse_elpd_loo"] as? [Double])
        let pointwisePLoo = try XCTUnwrap(loo["pointwise_p_loo"] as? [Double])
        let paretoK = try XCTUnwrap(loo["pareto_k"] as? [Double])
        XCTAssertEqual(pointwise.count, 180)
        // PSIS's Monte Carlo error is known only where Pareto k ≤ 0.7 on both sides (brms has 5 rows
        // above it and reports no MCSE for elpd_loo): those rows are compared one by one and summed;
        // the others are reported.
        let reliable = (0..<180).filter { paretoK[$0] <= 0.7 && ours.paretoK[$0] <= 0.7 }
        XCTAssertGreaterThanOrEqual(reliable.count, 165)
        var largest = 0.0
        var ourSum = 0.0, theirSum = 0.0, ourP = 0.0, theirP = 0.0, variance = 0.0
        for i in reliable {
            let bound = (ours.pointwiseMonteCarloError[i] * ours.pointwiseMonteCarloError[i] + pointwiseMCSE[i] * pointwiseMCSE[i]).squareRoot()
            let z = abs(ours.pointwiseElpd[i] - pointwise[i]) / bound
            largest = max(largest, z)
            // ~170 rows: 5 combined MCSEs leave a false-failure chance near 1e-4.
            XCTAssertLessThanOrEqual(z, 5, "row \(i + 1): elpd_loo \(ours.pointwiseElpd[i]) vs brms \(pointwise[i])")
            ourSum += ours.pointwiseElpd[i]
            theirSum += pointwise[i]
            ourP += ours.pointwiseEffectiveParameters[i]
            theirP += pointwisePLoo[i]
            variance += bound * bound
        }
        let combined = variance.squareRoot()
        // p_loo = lpd − elpd_loo row by row: lpd's Monte Carlo error is far below elpd_loo's.
        XCTAssertLessThanOrEqual(abs(ourSum - theirSum), 4 * combined)
        XCTAssertLessThanOrEqual(abs(ourP - theirP), 4 * combined)
        let elpd = try XCTUnwrap(loo["elpd_loo"] as? Double), pLoo = try XCTUnwrap(loo["p_loo"] as? Double)
        let unreliable = (0..<180).filter { !reliable.contains($0) }
        print(String(format: "loo on %d rows with k <= 0.7: elpd %.3f vs brms %.3f (combined MCSE %.3f, z %.2f), p_loo %.3f vs %.3f (z %.2f); pointwise largest |z| %.2f",
                     reliable.count, ourSum, theirSum, combined, (ourSum - theirSum) / combined, ourP, theirP, (ourP - theirP) / combined, largest)
              + String(format: "; all rows: elpd_loo %.2f (SE %.2f) vs brms %.2f (SE %.2f), p_loo %.2f vs %.2f; ", ours.elpd.estimate,
                       ours.elpd.standardError, elpd, try XCTUnwrap(loo["se_elpd_loo"] as? Double), ours.effectiveParameters.estimate, pLoo)
              + "k > 0.7 rows " + unreliable.map { String(format: "%d: ours %.2f (k %.2f) brms %.2f (k %.2f)", $0 + 1, ours.pointwiseElpd[$0],
                                                          ours.paretoK[$0], pointwise[$0], paretoK[$0]) }.joined(separator: ", "))

        // Predictions on new rows.
        let newRows = try XCTUnwrap(reference["newdata"] as? [String: Any])
        let days = try XCTUnwrap(newRows["Days"] as? [Double]), subjects = try XCTUnwrap(newRows["Subject"] as? [String])
        let known = try XCTUnwrap(reference["known_rows"] as? Int)
        func newTable(_ count: Int) throws -> DataTable {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("bf-parity-\(UUID().uuidString).csv")
            let lines = ["Days,Subject"] + (0..<count).map { "\(days[$0]),\"\(subjects[$0])\"" }
            try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: url) }
            return try DataTable.read(contentsOf: url)
        }
        let all = try newTable(days.count), knownRows = try newTable(known)
        let predictions = try XCTUnwrap(reference["predictions"] as? [String: Any])
        let cases: [(String, DataTable, PredictionType, NewDataDesign.GroupTerms, AuxiliaryParameter?)] = [
            ("epred_full", all, .epred, .all, nil), ("epred_na", all, .epred, .none, nil),
            ("prediction_full", knownRows, .prediction, .all, nil), ("prediction_na", all, .prediction, .none, nil),
            ("linpred_full", knownRows, .linpred, .all, nil), ("linpred_sigma", all, .linpred, .none, .sigma),
            ("epred_sigma", all, .epred, .none, .sigma),
        ]
        var report: [String] = []
        var predictiveSD: [Double] = []
        for (key, newData, type, terms, dpar) in cases {
            let rows = try XCTUnwrap(predictions[key] as? [[String: Any]], key)
            XCTAssertEqual(rows.count, newData.rowCount, key)
            let prediction = try DistributionalPostFitTests.prediction(table, parsed, design, draws: draws, newData: newData, type: type,
                                                                        groupTerms: terms, dpar: dpar, seed: 99)
            var values: [Double] = []
            var worst = 0.0
            for (i, row) in rows.enumerated() {
                prediction.values(row: i, into: &values)
                let sequences = ChainSequences(chains: (0..<chains).map { Array(values[($0 * perChain)..<(($0 + 1) * perChain)]) })
                let summary = PredictionSummary(draws: values, probabilities: [0.025, 0.975])
                if key == "prediction_na" { predictiveSD.append(summary.sd) }
                let checks: [(String, Double, Double, String)] = [
                    ("mean", summary.mean, meanMonteCarloStandardError(sequences), "mcse_mean"),
                    ("sd", summary.sd, standardDeviationMonteCarloStandardError(sequences), "mcse_sd"),
                    ("q2.5", summary.quantiles[0], quantileMonteCarloStandardError(sequences, probability: 0.025), "mcse_q2.5"),
                    ("q97.5", summary.quantiles[1], quantileMonteCarloStandardError(sequences, probability: 0.975), "mcse_q97.5"),
                ]
                for (name, value, mcse, mcseKey) in checks {
                    let theirs = try XCTUnwrap(row[name] as? Double, "\(key) \(name)")
                    let theirMCSE = try XCTUnwrap(row[mcseKey] as? Double, "\(key) \(mcseKey)")
                    let bound = (mcse * mcse + theirMCSE * theirMCSE).squareRoot()
                    let z = abs(value - theirs) / bound
                    worst = max(worst, z)
                    XCTAssertLessThanOrEqual(z, 4, "\(key) row \(i + 1) \(name): \(value) vs brms \(theirs) (combined MCSE \(bound))")
                }
            }
            report.append(String(format: "%@ largest |z| %.2f", key, worst))
        }
        print("predictions vs brms: " + report.joined(separator: "; "))
        // sigma ~ Days: the predictive spread at Days 9 is about twice that at Days 0 (σ = e^{2.82} vs e^{2.82 + 9 · 0.084}).
        XCTAssertGreaterThan(predictiveSD[1], 1.6 * predictiveSD[0], "\(predictiveSD)")
    }
}
