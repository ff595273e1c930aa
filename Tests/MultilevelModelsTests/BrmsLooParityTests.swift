import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// PSIS-LOO and grouped K-fold of the two sleepstudy models against brms 2.18 / loo 2.5.1
/// (Fixtures/bayes_sleepstudy.json, copied from the shared v2 references: 4 × 5,000 draws per fit;
/// K = 5 folds by Subject from `fold_of_group`). Ours: the marginal sampler, 4 × (1000 + 1000).
/// Estimates agree within z combined Monte Carlo SEs (z the family-wise normal bound for the checks
/// made); brms' MCSE is theirs where reported, else ours scaled by √(our draws / their draws).
final class BrmsLooParityTests: XCTestCase {
    private static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "bayes_sleepstudy", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()
    private let referenceDraws = 20_000.0
    private let settings = SamplerSettings(iterations: 2000, warmup: 1000, chains: 4, seed: 20261206)

    private func fit(_ slopes: Bool) throws -> (design: ModelDesign, fit: BayesianFit) {
        let design = try PosteriorTestData.sleepstudy(slopes: slopes)
        return (design, try BayesianFit.runMarginal(design: design, settings: settings))
    }

    /// m1: elpd_loo within combined MCSEs (loo reports m1's); m2 (three k > 0.7, loo reports no
    /// MCSE): the sum over the observations whose k̂ is below 0.7 in both runs.
    func testLeaveOneOutMatchesBrms() throws {
        let z = MonteCarloTolerance.familyWiseZ(checks: 3)
        let loo = try XCTUnwrap(Self.reference["loo"] as? [String: Any])
        let scale = (4000 / referenceDraws).squareRoot()
        for (name, slopes) in [("m1", false), ("m2", true)] {
            let (design, fit) = try fit(slopes)
            let ours = try LeaveOneOutCriteria(PointwiseLogLikelihood(design: design, family: .gaussian, draws: fit.draws)).leaveOneOut
            let theirs = try XCTUnwrap(loo[name] as? [String: Any])
            let pointwise = try XCTUnwrap(theirs["pointwise"] as? [String: [Double]])
            let theirK = try XCTUnwrap(pointwise["pareto_k"]), theirElpd = try XCTUnwrap(pointwise["elpd_loo"])
            let kept = (0..<design.rowCount).filter { theirK[$0] <= 0.7 && ours.paretoK[$0] <= 0.7 }
            let difference = kept.reduce(0.0) { $0 + ours.pointwiseElpd[$1] - theirElpd[$1] }
            let ourError = kept.reduce(0.0) { $0 + ours.pointwiseMonteCarloError[$1] * ours.pointwiseMonteCarloError[$1] }.squareRoot()
            var theirError = ourError * scale
            if name == "m1", kept.count == design.rowCount, let reported = theirs["mcse_elpd_loo"] as? Double { theirError = reported }
            let bound = z * (ourError * ourError + theirError * theirError).squareRoot()
            print("\(name): elpd_loo \(ours.elpd.estimate) (brms \(theirs["elpd_loo"]!)), over \(kept.count) rows diff \(difference) bound \(bound); k > 0.7: \(ExactLeaveOneOut.candidates(ours).count)")
            XCTAssertLessThanOrEqual(abs(difference), bound, name)
            XCTAssertGreaterThanOrEqual(kept.count, design.rowCount - 6, name)
            // The SE of elpd_loo over the kept rows, √n·sd(pointwise): by the triangle inequality for
            // standard deviations, |SE_a − SE_b| ≤ √(n/(n − 1) · Σ δᵢ²) for pointwise differences δᵢ,
            // whose expected square is the sum of the two pointwise MCSEs squared (twice that
            // expectation bounds the sum of squares of n = 180 such terms far into its tail).
            func standardError(_ values: [Double]) -> Double {
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
                return (Double(values.count) * variance).squareRoot()
            }
            let squaredErrors = kept.reduce(0.0) { $0 + (1 + scale * scale) * ours.pointwiseMonteCarloError[$1] * ours.pointwiseMonteCarloError[$1] }
            let seBound = (2 * Double(kept.count) / Double(kept.count - 1) * squaredErrors).squareRoot()
            XCTAssertEqual(standardError(kept.map { ours.pointwiseElpd[$0] }), standardError(kept.map { theirElpd[$0] }),
                           accuracy: seBound, "\(name): SE of elpd_loo over the rows with k ≤ 0.7")
        }
    }

    /// Grouped 5-fold CV with brms' folds: elpd_kfold within combined MCSEs. Rows of one held-out
    /// subject share its new-level draws, so their errors add within a subject (a bound) and in
    /// quadrature across subjects.
    func testGroupedKFoldMatchesBrms() throws {
        let kfold = try XCTUnwrap(Self.reference["kfold"] as? [String: Any])
        let foldOfGroup = try XCTUnwrap(kfold["fold_of_group"] as? [String: Int])
        let results = try XCTUnwrap(kfold["results"] as? [String: [String: Any]])
        let z = MonteCarloTolerance.familyWiseZ(checks: 2)
        var refitSettings = settings
        refitSettings.cores = 1
        for (name, slopes) in [("m1", false), ("m2", true)] {
            let design = try PosteriorTestData.sleepstudy(slopes: slopes)
            let subject = design.randomTerms[0].grouping
            let folds = subject.levelIndex.map { foldOfGroup[subject.levels[$0]]! }
            let settings = refitSettings
            let result = try KFold.run(folds: folds, design: design, family: .gaussian, seed: 7) { training in
                try BayesianFit.runMarginal(design: training, settings: settings).draws
            }
            XCTAssertEqual(result.newLevelRows, design.rowCount)
            var perSubject = [Double](repeating: 0, count: subject.levelCount)
            for (i, level) in subject.levelIndex.enumerated() { perSubject[level] += result.pointwiseMonteCarloError[i] }
            let ourError = perSubject.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let theirError = ourError * (4000 / referenceDraws).squareRoot()
            let expected = try XCTUnwrap(results[name]?["elpd_kfold"] as? Double)
            let bound = z * (ourError * ourError + theirError * theirError).squareRoot()
            print("\(name): elpd_kfold \(result.elpd.estimate) (brms \(expected)) bound \(bound)")
            XCTAssertLessThanOrEqual(abs(result.elpd.estimate - expected), bound, name)
            // The SE, √n·sd(pointwise elpd): |SE_a − SE_b| ≤ √(n/(n − 1) · Σ δᵢ²) for pointwise
            // differences δᵢ, whose expected square is the sum of both runs' pointwise MCSEs
            // squared; twice that expectation bounds the sum far into its tail even when the
            // errors of one subject's rows move together (18 subjects: P(χ²₁₈ > 36) < 0.01).
            let n = Double(design.rowCount), squaredError = result.pointwiseMonteCarloError
                .reduce(0.0) { $0 + (1 + 4000 / referenceDraws) * $1 * $1 }
            let seBound = (2 * n / (n - 1) * squaredError).squareRoot()
            print("\(name): se_elpd_kfold \(result.elpd.standardError) (brms \(results[name]?["se_elpd_kfold"] ?? "?")) bound \(seBound)")
            XCTAssertEqual(result.elpd.standardError, try XCTUnwrap(results[name]?["se_elpd_kfold"] as? Double),
                           accuracy: seBound, name)
        }
    }
}
