import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// User priors of a distributional model with brms' `dpar =` (written `b_sigma ~ …`,
/// `Intercept_sigma ~ …`, `sd_sigma:Subject ~ …`): the prior table against brms 2.18's
/// prior_summary (scripts/references/brms_distributional_postfit.R, `priors`), the priors the
/// posterior evaluates, the one-line refusals, and a tight prior's pull against brms' fit under the
/// same priors (`tight`).
final class DistributionalPriorStatementTests: XCTestCase {
    static let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))"

    static func statements(_ texts: [String]) throws -> [PriorStatement] {
        try texts.map { try PriorStatement.parse($0, origin: "test") }
    }

    static func design(_ formula: String) throws -> DistributionalDesign {
        try DistributionalDesign.build(formula: DistributionalFormula.parse(formula),
                                       table: try DistributionalRegressionTests.table("sleepstudy"), family: .gaussian)
    }

    /// brms: prior(normal(0, 1), class = b, dpar = sigma) + prior(normal(3, 1), class = Intercept,
    /// dpar = sigma) + prior(exponential(2), class = sd, dpar = sigma, group = Subject) +
    /// prior(normal(10, 5), class = b, coef = Days).
    static let userPriors = ["b_sigma ~ normal(0, 1)", "Intercept_sigma ~ normal(3, 1)", "sd_sigma:Subject ~ exponential(2)",
                             "b:Days ~ normal(10, 5)"]

    func testParsesDparSuffix() throws {
        let statement = try PriorStatement.parse("b_sigma:Days ~ normal(0.2, 0.01)")
        XCTAssertEqual(statement.parameterClass, .b)
        XCTAssertEqual(statement.dpar, "sigma")
        XCTAssertEqual(statement.target, "Days")
        XCTAssertEqual(try PriorStatement.parse("sd_sigma:Subject ~ exponential(2)").parameterClass, .sd)
        XCTAssertEqual(try PriorStatement.parse("Intercept_shape ~ normal(0, 1)").dpar, "shape")
        XCTAssertEqual(try PriorStatement.parse("b:Days ~ normal(0, 1)").dpar, "")
        XCTAssertThrowsError(try PriorStatement.parse("b_foo ~ normal(0, 1)"))
    }

    func testPriorSummaryMatchesBrms() throws {
        let url = PosteriorTestData.fixtureURL("brms_distributional_user_priors", "json")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let rows = try XCTUnwrap(object["prior_summary"] as? [String: [String: String]])
        func key(_ r: [String]) -> String { r.joined(separator: "|") }
        let theirs = Set(rows.values.map { key([$0["prior"]!, $0["class"]!, $0["coef"]!, $0["group"]!, $0["dpar"]!]) })
        let theirUser = Set(rows.values.filter { $0["source"] == "user" }.map { key([$0["class"]!, $0["coef"]!, $0["group"]!, $0["dpar"]!]) })
        let design = try Self.design(Self.formula)
        let statements = try Self.statements(Self.userPriors)
        let posterior = try DistributionalPosterior(design: design, family: .gaussian, statements: statements)
        let table = posterior.priorSummaryRows(design: design, statements: statements).rows
        let ours = Set(table.map { key([$0[0], $0[1], $0[2], $0[3], $0[4]]) })
        let ourUser = Set(table.filter { $0[6] == "user" }.map { key([$0[1], $0[2], $0[3], $0[4]]) })
        XCTAssertEqual(ours, theirs, "ours only \(ours.subtracting(theirs)), brms only \(theirs.subtracting(ours))")
        XCTAssertEqual(ourUser, theirUser)
        // The priors the posterior evaluates.
        XCTAssertEqual(posterior.priors.coefficients, [[.normal(mean: 10, sd: 5)], [.normal(mean: 0, sd: 1)]])
        XCTAssertEqual(posterior.priors.intercept, [.studentT(degreesOfFreedom: 3, location: 288.7, scale: 59.3), .normal(mean: 3, sd: 1)])
        XCTAssertEqual(posterior.priors.standardDeviations[1], [[try PriorStatement.parse("sd ~ exponential(2)").distribution]])
        XCTAssertEqual(posterior.priors.standardDeviations[0], [[.studentT(degreesOfFreedom: 3, location: 0, scale: 59.3),
                                                                 .studentT(degreesOfFreedom: 3, location: 0, scale: 59.3)]])
        // Without statements: the defaults, as before.
        let defaults = try DistributionalPosterior(design: design, family: .gaussian)
        XCTAssertEqual(try DistributionalPosterior(design: design, family: .gaussian, statements: []).priors, defaults.priors)
        XCTAssertEqual(defaults.priorSummary(design: design), defaults.priorSummary(design: design, statements: []))
    }

    func testRefusalsAreOneLine() throws {
        let design = try Self.design(Self.formula)
        func message(_ texts: [String]) -> String? {
            do {
                _ = try DistributionalPosterior(design: design, family: .gaussian, statements: try Self.statements(texts))
                return nil
            } catch let error as PriorError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(message(["sigma ~ exponential(1)"]),
                       "test: prior 'sigma ~ exponential(1)': 'sigma' is predicted by its own formula; give priors on its coefficients (b_sigma, Intercept_sigma, sd_sigma), as brms' dpar = sigma")
        XCTAssertEqual(message(["b_shape ~ normal(0, 1)"]),
                       "test: prior 'b_shape ~ normal(0, 1)': the model does not predict 'shape' (its formula predicts sigma)")
        XCTAssertTrue(message(["b_sigma:Foo ~ normal(0, 1)"])?.contains("no population-level coefficient 'Foo'") == true)
        XCTAssertTrue(message(["sd_sigma:Item ~ normal(0, 1)"]) != nil)
        XCTAssertTrue(message(["b_sigma ~ normal(0, 1)", "b_sigma ~ normal(0, 2)"])?.contains("duplicated") == true)
        // A dpar prior on a model that predicts no dpar.
        var set = PriorSet.defaults(for: design.mean, family: .gaussian)
        XCTAssertThrowsError(try set.apply(try Self.statements(["b_sigma ~ normal(0, 1)"]))) {
            XCTAssertEqual(($0 as? PriorError)?.message,
                           "test: prior 'b_sigma ~ normal(0, 1)': the model does not predict 'sigma' (brms' dpar = sigma needs a formula bf(y ~ …, sigma ~ …))")
        }
        for text in Self.userPriors { XCTAssertNoThrow(try PriorStatement.parse(text)) }
    }

    /// A user prior enters the log density exactly: with b_sigma:Days ~ normal(0.2, 0.01) and
    /// Intercept_sigma ~ normal(3, 0.5) (brms' Intercept prior is on the centred intercept), the
    /// log density minus the default-prior one is log N(b | 0.2, 0.01) + log N(Intercept | 3, 0.5)
    /// − log student_t(Intercept | 3, 0, 2.5) at any point, and so is its gradient.
    func testUserPriorEntersTheLogDensityExactly() throws {
        let design = try Self.design("bf(Reaction ~ Days + (Days | Subject), sigma ~ Days)")
        var base = try DistributionalPosterior(design: design, family: .gaussian)
        var tight = try DistributionalPosterior(design: design, family: .gaussian,
                                                statements: try Self.statements(["b_sigma:Days ~ normal(0.2, 0.01)",
                                                                                 "Intercept_sigma ~ normal(3, 0.5)"]))
        let slopePrior = PriorDistribution.normal(mean: 0.2, sd: 0.01), interceptPrior = PriorDistribution.normal(mean: 3, sd: 0.5)
        let defaultIntercept = PriorDistribution.studentT(degreesOfFreedom: 3, location: 0, scale: 2.5)
        for seed in [1, 2, 3] as [UInt64] {
            let x = DistributionalRegressionTests.point(base, seed: seed, location: 280, dparIntercept: 3, spread: 0.2)
            let dpar = base.predictors[1]
            let slope = x[dpar.coefficientOffset], intercept = x[dpar.interceptOffset]
            let expected = slopePrior.logDensity(slope) + interceptPrior.logDensity(intercept) - defaultIntercept.logDensity(intercept)
            let a = tight.logDensityAndGradient(at: x), b = base.logDensityAndGradient(at: x)
            XCTAssertEqual(a.value - b.value, expected, accuracy: 1e-9 * max(1, abs(b.value)))
            XCTAssertEqual(expected, -0.5 * log(2 * Double.pi) - log(0.01) - 0.5 * pow((slope - 0.2) / 0.01, 2)
                           + interceptPrior.logDensity(intercept) - defaultIntercept.logDensity(intercept), accuracy: 1e-9)
            XCTAssertEqual(a.gradient[dpar.coefficientOffset] - b.gradient[dpar.coefficientOffset], -(slope - 0.2) / (0.01 * 0.01),
                           accuracy: 1e-6 * max(1, abs(b.gradient[dpar.coefficientOffset])))
            for k in a.gradient.indices where k != dpar.coefficientOffset && k != dpar.interceptOffset {
                XCTAssertEqual(a.gradient[k], b.gradient[k], accuracy: 1e-12 * max(1, abs(b.gradient[k])))
            }
        }
    }
}
