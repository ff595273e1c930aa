import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// Numerical edge cases of issue 10: each either fits correctly or fails / warns with a message that
/// names the problem, never traps and never returns a silently different model.
final class HardeningNumericalTests: XCTestCase {
    private func design(_ csv: String, _ formula: String) throws -> ModelDesign {
        try ModelDesign.build(formula: Formula.parse(formula), table: DataTable(csv: csv, fileName: "edge.csv"))
    }

    private func settings(seed: UInt64 = 3) -> SamplerSettings {
        var settings = SamplerSettings()
        settings.chains = 2
        settings.iterations = 300
        settings.warmup = 150
        settings.seed = seed
        return settings
    }

    /// Eight groups of one row each: lme4 refuses (check.nobs.vs.nlev, its wording); the Bayesian
    /// posterior is proper through the priors and samples to finite draws.
    func testOneObservationPerGroup() throws {
        let csv = "y,x,g\n" + (0..<8).map { "\(Double($0) * 0.7 + sin(Double($0))),\($0),g\($0)" }.joined(separator: "\n")
        let d = try design(csv, "y ~ x + (1 | g)")
        XCTAssertThrowsError(try LinearMixedModel(design: d)) { error in
            XCTAssertTrue(String(describing: error).contains("number of levels of each grouping factor must be < number of observations"),
                          String(describing: error))
        }
        let fit = try BayesianFit.run(design: d, family: .gaussian, settings: settings())
        XCTAssertEqual(fit.draws.drawsPerChain, 150)
        for chain in fit.draws.chains { XCTAssertTrue(chain.allSatisfy(\.isFinite)) }
    }

    /// x2 = 2·x + 1 is aliased with the intercept and x: the design drops it by name (lme4's
    /// "rank deficient so dropping 1 column") and the fit equals the fit without it.
    func testPerfectlyCollinearPredictorIsDroppedByName() throws {
        var rows: [String] = []
        for i in 0..<24 {
            let x = Double(i % 6), g = "g\(i % 4)"
            rows.append("\(1 + 0.5 * x + sin(Double(i)) + Double(i % 4) * 0.3),\(x),\(2 * x + 1),\(g)")
        }
        let csv = "y,x,x2,g\n" + rows.joined(separator: "\n")
        let withAlias = try design(csv, "y ~ x + x2 + (1 | g)")
        XCTAssertEqual(withAlias.fixedEffectNames, ["(Intercept)", "x"])
        XCTAssertEqual(withAlias.droppedFixedEffectNames, ["x2"])
        let reference = try design(csv, "y ~ x + (1 | g)")
        let a = try LinearMixedModel(design: withAlias).fit()
        let b = try LinearMixedModel(design: reference).fit()
        XCTAssertEqual(a.fixedEffects.count, 2)
        for (u, v) in zip(a.fixedEffects, b.fixedEffects) { XCTAssertEqual(u, v, accuracy: 1e-10 * max(1, abs(v))) }
    }

    /// A predictor with one value everywhere is aliased with the intercept and dropped by name.
    func testZeroVariancePredictorIsDroppedByName() throws {
        let csv = "y,x,z,g\n" + (0..<12).map { "\(sin(Double($0)) + Double($0 % 3)),\($0 % 5),4.2,g\($0 % 3)" }.joined(separator: "\n")
        let d = try design(csv, "y ~ x + z + (1 | g)")
        XCTAssertEqual(d.fixedEffectNames, ["(Intercept)", "x"])
        XCTAssertEqual(d.droppedFixedEffectNames, ["z"])
        XCTAssertNoThrow(try LinearMixedModel(design: d).fit())
    }

    /// y = 1 exactly when x > 0 separates the outcomes: a warning names x. A factor level whose
    /// rows are all 0 is quasi-complete separation. Overlapping outcomes give no warning.
    func testSeparationInALogisticModelIsWarned() throws {
        let separated = "y,x,g\n" + (0..<16).map { i -> String in
            let x = Double(i) - 7.5
            return "\(x > 0 ? 1 : 0),\(x),g\(i % 4)"
        }.joined(separator: "\n")
        let warnings = separationWarnings(try design(separated, "y ~ x + (1 | g)"), family: .bernoulli)
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].hasPrefix("complete separation: 'x' separates the outcomes (0 at x ≤ -0.5, 1 at x ≥ 0.5)"), warnings[0])

        let level = "y,f,g\n" + (0..<18).map { i -> String in
            let f = ["a", "b", "c"][i % 3]
            return "\(f == "c" ? 0 : (i / 3) % 2),\(f),g\(i % 3)"
        }.joined(separator: "\n")
        let levelWarnings = separationWarnings(try design(level, "y ~ f + (1 | g)"), family: .bernoulli)
        XCTAssertEqual(levelWarnings, ["separation: every row with fc = 1 is 0; b_fc is identified only by its prior"])

        let mixed = "y,x,g\n" + (0..<16).map { "\(($0 * 7) % 3 == 0 ? 1 : 0),\($0),g\($0 % 4)" }.joined(separator: "\n")
        XCTAssertEqual(separationWarnings(try design(mixed, "y ~ x + (1 | g)"), family: .bernoulli), [])
        XCTAssertEqual(separationWarnings(try design(separated, "y ~ x + (1 | g)"), family: .gaussian), [])

        // The posterior still samples (the flat b prior is improper here, so only finiteness is checked).
        var narrow = settings()
        narrow.iterations = 100
        narrow.warmup = 50
        let fit = try BayesianFit.run(design: try design(separated, "y ~ x + (1 | g)"), family: .bernoulli,
                                      priors: PriorStatement.parseAll("b ~ normal(0, 5)"), settings: narrow)
        for chain in fit.draws.chains { XCTAssertTrue(chain.allSatisfy(\.isFinite)) }
    }

    /// Responses scaled to 1e150 fit exactly as the unscaled ones (lmer is scale-equivariant);
    /// responses near 1e300, whose squares overflow, are refused with a message to rescale
    /// instead of "the criterion could not be evaluated".
    func testResponsesNear1e300() throws {
        var rows: [String] = []
        for i in 0..<30 {
            rows.append("\(10 + Double(i % 5) + 2 * sin(Double(i)) + Double(i % 6)),\(i % 5),g\(i % 6)")
        }
        func scaled(_ factor: Double) -> String {
            "y,x,g\n" + rows.map { row -> String in
                let fields = row.split(separator: ",")
                return "\(Double(fields[0])! * factor),\(fields[1]),\(fields[2])"
            }.joined(separator: "\n")
        }
        let unit = try LinearMixedModel(design: design(scaled(1), "y ~ x + (1 | g)")).fit()
        let large = try LinearMixedModel(design: design(scaled(1e150), "y ~ x + (1 | g)")).fit()
        for (u, v) in zip(unit.fixedEffects, large.fixedEffects) { XCTAssertEqual(v / 1e150, u, accuracy: 1e-6 * max(1, abs(u))) }
        let huge = try design(scaled(1e299), "y ~ x + (1 | g)")
        XCTAssertThrowsError(try LinearMixedModel(design: huge)) { error in
            XCTAssertTrue(String(describing: error).contains("overflows double precision; rescale it"), String(describing: error))
        }
        XCTAssertThrowsError(try BayesianFit.run(design: huge, family: .gaussian, settings: settings())) { error in
            XCTAssertTrue(error is ResponseError, String(describing: error))
        }
    }

    /// A constant response and a factor response fitted as gaussian are refused by name.
    func testConstantAndFactorResponsesAreRefused() throws {
        let constant = try design("y,x,g\n" + (0..<9).map { "5,\($0),g\($0 % 3)" }.joined(separator: "\n"), "y ~ x + (1 | g)")
        XCTAssertThrowsError(try LinearMixedModel(design: constant)) { error in
            XCTAssertEqual(String(describing: error), "response 'y' is constant (5 in all 9 rows used): family gaussian needs a response that varies")
        }
        let factor = try design("y,x,g\n" + (0..<9).map { "\($0 % 2 == 0 ? "low" : "high"),\($0),g\($0 % 3)" }.joined(separator: "\n"), "y ~ x + (1 | g)")
        XCTAssertThrowsError(try completePoolingFit(factor))
        XCTAssertThrowsError(try BayesianFit.run(design: factor, family: .poisson, settings: settings()))
        XCTAssertNoThrow(try checkResponse(factor, family: .bernoulli))
    }

    /// A log density that is NaN or −∞ on part of the space: NUTS rejects those proposals, counts
    /// them per chain and keeps sampling; every kept draw is inside the finite region.
    func testNonFiniteLogDensityIsRejectedCountedAndReported() throws {
        struct Truncated: LogDensity {
            var dimension: Int { 2 }
            mutating func logDensity(at x: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>) -> Double {
                gradient[0] = -x[0]
                gradient[1] = -x[1]
                if x[0] > 1 { return .nan }
                if x[1] < -1 { return -.infinity }
                return -0.5 * (x[0] * x[0] + x[1] * x[1])
            }
        }
        var s = settings(seed: 9)
        s.iterations = 600
        s.warmup = 300
        let (draws, summaries) = try NUTSSampler.sample(Truncated(), settings: s)
        XCTAssertGreaterThan(summaries.map(\.nonFiniteRejections).reduce(0, +), 0)
        let first = try XCTUnwrap(draws.index(of: "theta[1]")), second = try XCTUnwrap(draws.index(of: "theta[2]"))
        for chain in draws.chains {
            for row in 0..<(chain.count / draws.variableCount) {
                let a = chain[row * draws.variableCount + first], b = chain[row * draws.variableCount + second]
                XCTAssertTrue(a.isFinite && b.isFinite && a <= 1 && b >= -1, "draw (\(a), \(b)) outside the support")
            }
        }
    }
}
