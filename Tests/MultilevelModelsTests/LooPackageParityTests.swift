import Foundation
import XCTest
import MultilevelMath
@testable import MultilevelModels

/// PSIS-LOO, relative efficiency, WAIC, loo_compare and loo_model_weights against loo 2.5.1 on the
/// same pointwise log-likelihood matrices (scripts/references/loo_matrices.R → Fixtures/
/// loo_matrices.json: three models, 4 chains × 250 autocorrelated draws, 20 observations, one of
/// them an outlier with Pareto k > 0.7).
final class LooPackageParityTests: XCTestCase {
    private static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "loo_matrices", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    private func model(_ name: String) throws -> (json: [String: Any], matrix: DenseMatrix) {
        let json = try XCTUnwrap(Self.fixture[name] as? [String: Any])
        let s = try XCTUnwrap(Self.fixture["draws"] as? Int), n = try XCTUnwrap(Self.fixture["observations"] as? Int)
        let values = try XCTUnwrap(json["log_lik_column_major"] as? [Double])
        return (json, DenseMatrix(rows: s, columns: n, columnMajor: values))
    }

    private func relativeEfficiencies(_ matrix: DenseMatrix) -> [Double] {
        (0..<matrix.columns).map { i in
            matrix.column(i).withUnsafeBufferPointer { RelativeEfficiency.ofLikelihood(logLikelihood: $0, chains: 4) }
        }
    }

    private func leaveOneOut(_ name: String) throws -> PSISLeaveOneOut {
        let (_, matrix) = try model(name)
        return try PSISLeaveOneOut(logLikelihood: matrix, relativeEfficiency: relativeEfficiencies(matrix))
    }

    func testRelativeEfficiencyMatchesLoo() throws {
        for name in ["A", "B", "C"] {
            let (json, matrix) = try model(name)
            let expected = try XCTUnwrap(json["r_eff"] as? [Double])
            for (i, r) in relativeEfficiencies(matrix).enumerated() {
                XCTAssertEqual(r, expected[i], accuracy: 1e-6 * max(1, expected[i]), "\(name) r_eff \(i)")
            }
        }
    }

    func testLeaveOneOutMatchesLoo() throws {
        for name in ["A", "B", "C"] {
            let (json, _) = try model(name)
            let loo = try leaveOneOut(name)
            let pointwise = try XCTUnwrap(json["pointwise"] as? [[String: Double]])
            for (i, row) in pointwise.enumerated() {
                XCTAssertEqual(loo.pointwiseElpd[i], row["elpd_loo"]!, accuracy: 1e-6, "\(name) elpd_loo \(i)")
                XCTAssertEqual(loo.pointwiseEffectiveParameters[i], row["p_loo"]!, accuracy: 1e-6, "\(name) p_loo \(i)")
                XCTAssertEqual(loo.paretoK[i], row["influence_pareto_k"]!, accuracy: 1e-6, "\(name) k \(i)")
                XCTAssertEqual(loo.pointwiseMonteCarloError[i], row["mcse_elpd_loo"]!, accuracy: 1e-6, "\(name) mcse \(i)")
            }
            for (key, value) in [("elpd_loo", loo.elpd), ("p_loo", loo.effectiveParameters), ("looic", loo.looic)] {
                let expected = try XCTUnwrap(json[key] as? [Double])
                XCTAssertEqual(value.estimate, expected[0], accuracy: 1e-6, "\(name) \(key)")
                XCTAssertEqual(value.standardError, expected[1], accuracy: 1e-6, "\(name) se \(key)")
            }
            let counts = try XCTUnwrap(json["pareto_k_counts"] as? [Int])
            XCTAssertEqual([loo.paretoKCounts.good, loo.paretoKCounts.ok, loo.paretoKCounts.bad, loo.paretoKCounts.veryBad], counts, name)
        }
    }

    /// The one-pass computation `LeaveOneOutCriteria` uses (r_eff, PSIS-LOO and WAIC per column
    /// from two exponentials per draw) against loo 2.5.1 at 1e-6 and against the separate passes
    /// at 1e-10.
    func testFusedPassMatchesLoo() throws {
        var scratch: [Double] = []
        for name in ["A", "B", "C"] {
            let (json, matrix) = try model(name)
            let pointwise = try XCTUnwrap(json["pointwise"] as? [[String: Double]])
            let expectedEfficiency = try XCTUnwrap(json["r_eff"] as? [Double])
            let separate = try leaveOneOut(name)
            var waicPoints: [(elpd: Double, effectiveParameters: Double)] = []
            for (i, row) in pointwise.enumerated() {
                let fused = matrix.column(i).withUnsafeBufferPointer {
                    PSISLeaveOneOut.pointWithWAIC(logLikelihood: $0, chains: 4, scratch: &scratch)
                }
                waicPoints.append(fused.waic)
                XCTAssertEqual(fused.relativeEfficiency, expectedEfficiency[i], accuracy: 1e-6 * max(1, expectedEfficiency[i]), "\(name) r_eff \(i)")
                XCTAssertEqual(fused.loo.elpd, row["elpd_loo"]!, accuracy: 1e-6, "\(name) elpd_loo \(i)")
                XCTAssertEqual(fused.loo.effectiveParameters, row["p_loo"]!, accuracy: 1e-6, "\(name) p_loo \(i)")
                XCTAssertEqual(fused.loo.paretoK, row["influence_pareto_k"]!, accuracy: 1e-6, "\(name) k \(i)")
                XCTAssertEqual(fused.loo.monteCarloError, row["mcse_elpd_loo"]!, accuracy: 1e-6, "\(name) mcse \(i)")
                XCTAssertEqual(fused.loo.elpd, separate.pointwiseElpd[i], accuracy: 1e-10, "\(name) elpd_loo \(i)")
                XCTAssertEqual(fused.loo.monteCarloError, separate.pointwiseMonteCarloError[i], accuracy: 1e-10, "\(name) mcse \(i)")
            }
            let waic = WAIC(points: waicPoints)
            let expected = try XCTUnwrap(json["waic"] as? [String: Any])
            for (key, value) in [("elpd_waic", waic.elpd), ("p_waic", waic.effectiveParameters)] {
                let reference = try XCTUnwrap(expected[key] as? [Double])
                XCTAssertEqual(value.estimate, reference[0], accuracy: 1e-6, "\(name) \(key)")
                XCTAssertEqual(value.standardError, reference[1], accuracy: 1e-6, "\(name) se \(key)")
            }
        }
        // Draws spanning more than 600 nats take the separate passes and give their values.
        var wide = (0..<400).map { -Double($0 % 97) * 7.5 }
        wide[3] = -2000
        let fused = wide.withUnsafeBufferPointer { PSISLeaveOneOut.pointWithWAIC(logLikelihood: $0, chains: 4, scratch: &scratch) }
        let plain = wide.withUnsafeBufferPointer {
            PSISLeaveOneOut.point(logLikelihood: $0, relativeEfficiency: RelativeEfficiency.ofLikelihood(logLikelihood: $0, chains: 4))
        }
        XCTAssertEqual(fused.loo, plain)
    }

    func testWAICMatchesLoo() throws {
        for name in ["A", "B", "C"] {
            let (json, matrix) = try model(name)
            let waic = try WAIC(logLikelihood: matrix)
            let expected = try XCTUnwrap(json["waic"] as? [String: Any])
            for (key, value) in [("elpd_waic", waic.elpd), ("p_waic", waic.effectiveParameters), ("waic", waic.waic)] {
                let reference = try XCTUnwrap(expected[key] as? [Double])
                XCTAssertEqual(value.estimate, reference[0], accuracy: 1e-6, "\(name) \(key)")
                XCTAssertEqual(value.standardError, reference[1], accuracy: 1e-6, "\(name) se \(key)")
            }
        }
    }

    func testCompareAndWeightsMatchLoo() throws {
        let fits = try ["A", "B", "C"].map { try leaveOneOut($0) }
        let comparison = try LooComparison(names: ["A", "B", "C"], pointwiseElpd: fits.map(\.pointwiseElpd))
        let reference = try XCTUnwrap(Self.fixture["loo_compare"] as? [String: Any])
        XCTAssertEqual(comparison.rows.map(\.name), try XCTUnwrap(reference["models"] as? [String]))
        let differences = try XCTUnwrap(reference["elpd_diff"] as? [Double])
        let errors = try XCTUnwrap(reference["se_diff"] as? [Double])
        for (k, row) in comparison.rows.enumerated() {
            XCTAssertEqual(row.elpdDifference, differences[k], accuracy: 1e-6)
            XCTAssertEqual(row.standardErrorOfDifference, errors[k], accuracy: 1e-6)
        }
        // Stacking: loo's constrOptim stops at its log barrier, within ~1e-4 of the maximiser.
        for (key, indices) in [("stacking", [0, 1]), ("stacking_ac", [0, 2]), ("stacking_abc", [0, 1, 2])] {
            let expected = try XCTUnwrap(Self.fixture[key] as? [Double])
            let weights = ModelWeights.stacking(pointwiseElpd: indices.map { fits[$0].pointwiseElpd })
            for (w, e) in zip(weights, expected) { XCTAssertEqual(w, e, accuracy: 2e-4, key) }
        }
        let pseudo = ModelWeights.pseudoBMA(pointwiseElpd: [fits[0].pointwiseElpd, fits[1].pointwiseElpd])
        for (w, e) in zip(pseudo, try XCTUnwrap(Self.fixture["pseudobma"] as? [Double])) { XCTAssertEqual(w, e, accuracy: 1e-9) }
    }

    /// Pseudo-BMA+ averages 1,000 Bayesian-bootstrap replicates (loo's and ours use different
    /// random streams): the two means agree within the Monte Carlo error of two such means, from
    /// the spread of the replicate weights (estimated from 20 runs of ours).
    func testPseudoBMAPlusMatchesLooWithinMonteCarloError() throws {
        let lpd = try ["A", "B"].map { try leaveOneOut($0).pointwiseElpd }
        let runs = (1...20).map { ModelWeights.pseudoBMAPlus(pointwiseElpd: lpd, replicates: 1000, seed: UInt64($0))[0] }
        let mean = runs.reduce(0, +) / Double(runs.count)
        let sd = (runs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(runs.count - 1)).squareRoot()
        let expected = try XCTUnwrap(Self.fixture["pseudobma_bb"] as? [Double])
        let z = MonteCarloTolerance.familyWiseZ(checks: 1)
        XCTAssertEqual(runs[0], expected[0], accuracy: z * sd * 2.0.squareRoot())
        XCTAssertGreaterThan(sd, 0)
    }

    func testCompareRefusesDifferentRows() {
        XCTAssertThrowsError(try LooComparison(names: ["a", "b"], pointwiseElpd: [[1, 2, 3], [1, 2]])) { error in
            XCTAssertEqual((error as? ComparisonError)?.description,
                           "fits use different rows: a has 3 observations, b 2; compare fits of the same data")
        }
    }
}
