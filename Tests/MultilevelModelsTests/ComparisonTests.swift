import Foundation
import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// `ModelComparison` on sleepstudy against lme4/lm (sleepstudy_slopes_reml.json, _ml.json,
/// sleepstudy_pooling.json, sleepstudy_confint.json), and the shrinkage weight against its closed
/// form and against the conditional modes of a random-intercept fit.
final class ComparisonTests: XCTestCase {
    /// One small comparison shared by the tests (few replicates and draws: the numbers checked
    /// here are deterministic; the bootstrap and posterior parts are checked for shape only).
    static let sleepstudy: ModelComparison? = {
        guard let design = try? RemlFixtures.sleepstudy("slopes") else { return nil }
        var sampler = SamplerSettings(iterations: 200, warmup: 100, chains: 2)
        sampler.seed = 11
        return try? ModelComparison.run(design: design, settings: ComparisonSettings(replicates: 20, bootstrapSeed: 5, sampler: sampler))
    }()

    func testParametersMatchLmLmerAndProfileReferences() throws {
        let c = try XCTUnwrap(Self.sleepstudy)
        let reml = try RemlFixtures.reference("sleepstudy_slopes_reml")["parameters"] as! [String: [String: Double]]
        let confint = (try RemlFixtures.reference("sleepstudy_confint")["slopes"] as! [String: Any])["intervals"] as! [String: [String: Any]]
        let pooling = (try RemlFixtures.reference("sleepstudy_pooling")["complete"] as! [String: Any])["coefficients"] as! [String: [String: Double]]
        XCTAssertEqual(c.parameters.map(\.name), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                                                  "cor_Subject__Intercept__Days", "sigma"])
        for p in c.parameters {
            let estimate = reml[p.name]!["estimate"]!
            XCTAssertEqual(p.restrictedMaximumLikelihood.estimate, estimate, accuracy: 2e-4 * max(abs(estimate), 1e-3), p.name)
            let profile = RemlFixtures.numbers(confint[p.name]!["profile"])
            XCTAssertEqual(p.restrictedMaximumLikelihood.lower, profile[0], accuracy: 2e-3 * abs(profile[0]), "\(p.name) lower")
            XCTAssertEqual(p.restrictedMaximumLikelihood.upper, profile[1], accuracy: 2e-3 * abs(profile[1]), "\(p.name) upper")
            if p.name.hasPrefix("b_") {
                let column = p.name == "b_Intercept" ? "(Intercept)" : String(p.name.dropFirst(2))
                let ols = try XCTUnwrap(p.ordinaryLeastSquares)
                XCTAssertEqual(ols.estimate, pooling[column]!["estimate"]!, accuracy: 1e-8 * abs(ols.estimate))
                XCTAssertEqual(ols.lower, pooling[column]!["lower"]!, accuracy: 1e-7 * abs(ols.lower))
                XCTAssertEqual(ols.upper, pooling[column]!["upper"]!, accuracy: 1e-7 * abs(ols.upper))
            } else {
                XCTAssertNil(p.ordinaryLeastSquares, p.name)
            }
            let boot = try XCTUnwrap(p.bootstrap, p.name)
            XCTAssertEqual(boot.estimate, p.restrictedMaximumLikelihood.estimate)
            XCTAssertLessThan(boot.lower, boot.upper)
            let bayes = try XCTUnwrap(p.bayes, p.name)
            XCTAssertTrue(bayes.lower <= bayes.median && bayes.median <= bayes.upper, p.name)
            XCTAssertTrue(bayes.hdiLower <= bayes.hdiUpper, p.name)
        }
    }

    func testGroupsMatchNoPoolingAndConditionalModes() throws {
        let c = try XCTUnwrap(Self.sleepstudy)
        let ranef = (try RemlFixtures.reference("sleepstudy_slopes_reml")["ranef"] as! [String: [String: [String: [String: Double]]]])["Subject"]!
        let none = (try RemlFixtures.reference("sleepstudy_pooling")["none"] as! [String: Any])["coefficients"] as! [String: [String: Double]]
        let fixed = ["Intercept": 251.405104848485, "Days": 10.467285959596]
        XCTAssertEqual(c.groups.count, 36)
        for g in c.groups {
            let expected = ranef[g.level]![g.term]!
            XCTAssertEqual(g.partialPooling.conditionalMode, expected["mode"]!, accuracy: 1e-3 * max(1, abs(expected["mode"]!)))
            XCTAssertEqual(g.partialPooling.conditionalSD, expected["condsd"]!, accuracy: 1e-3 * expected["condsd"]!)
            XCTAssertEqual(g.partialPooling.coefficient, fixed[g.term]! + g.partialPooling.conditionalMode, accuracy: 1e-6)
            let name = g.term == "Intercept" ? "Subject\(g.level)" : "Subject\(g.level):Days"
            let own = try XCTUnwrap(g.noPooling)
            XCTAssertEqual(own.estimate, none[name]!["estimate"]!, accuracy: 1e-8 * max(1, abs(own.estimate)))
            XCTAssertEqual(own.standardError, none[name]!["se"]!, accuracy: 1e-8 * own.standardError)
            XCTAssertEqual(g.size, 10)
            XCTAssertNil(g.shrinkageWeight, "correlated slopes: no scalar weight")
            let bayes = try XCTUnwrap(g.bayes)
            XCTAssertTrue(bayes.lower < bayes.mean && bayes.mean < bayes.upper)
        }
    }

    /// radon, log_radon ~ floor + (1 | county): county intercepts with one common floor slope, as
    /// R's lm(log_radon ~ floor + factor(county) - 1) (scripts/references/radon_pooling.R); with
    /// (Days | Subject) every column varies and the fit is `noPoolingFit`'s separate lines.
    func testNoPoolingOfVaryingTermsMatchesLm() throws {
        let reference = try RemlFixtures.reference("radon_pooling")
        let counties = reference["county"] as! [String: [String: Double]]
        let floor = reference["floor"] as! [String: Double]
        let fit = try noPoolingFit(RemlFixtures.radon(uranium: false))
        XCTAssertEqual(fit.termNames, ["Intercept", "floor"])
        XCTAssertEqual(fit.levels.count, 85)
        XCTAssertEqual(fit.leastSquares.sigma, reference["sigma"] as! Double, accuracy: 1e-10)
        XCTAssertEqual(fit.leastSquares.residualDegreesOfFreedom, reference["df_residual"] as! Int)
        for (level, label) in fit.levels.enumerated() {
            let expected = try XCTUnwrap(counties[label], label)
            let own = try XCTUnwrap(fit.perGroup[level][0], label)
            XCTAssertEqual(own.estimate, expected["estimate"]!, accuracy: 1e-9, label)
            XCTAssertEqual(try XCTUnwrap(own.standardError), expected["se"]!, accuracy: 1e-9, label)
            let slope = try XCTUnwrap(fit.perGroup[level][1], label)
            XCTAssertEqual(slope.estimate, floor["estimate"]!, accuracy: 1e-10, "one floor slope for every county")
            XCTAssertEqual(try XCTUnwrap(slope.standardError), floor["se"]!, accuracy: 1e-10)
        }
        XCTAssertEqual(fit.formula, "y ~ floor + county - 1")
        XCTAssertEqual(try noPoolingFit(RemlFixtures.sleepstudy("slopes")).formula, "y ~ Subject + Subject:Days - 1")
        // A random-intercept model pools only the intercepts: one common Days slope.
        let intercepts = try noPoolingFit(RemlFixtures.sleepstudy("intercepts"))
        XCTAssertEqual(intercepts.formula, "y ~ Days + Subject - 1")
        XCTAssertEqual(intercepts.leastSquares.coefficients.count, 19)
        // The random-effects structure decides: a term column that is not a fixed effect still gets
        // one coefficient per level (the fixed ones stay common).
        var noFixed = try RemlFixtures.sleepstudy("slopes")
        let days = (0..<noFixed.rowCount).map { noFixed.fixedEffects[$0, 1] }
        noFixed.randomTerms[0].columnNames = ["Other"]
        noFixed.randomTerms[0].values = days.map { $0 * $0 }
        let termOnly = try noPoolingFit(noFixed)
        XCTAssertEqual(termOnly.formula, "y ~ Days + Subject:Other")
        XCTAssertEqual(termOnly.termNames, ["Intercept", "Days", "Other"])
        XCTAssertEqual(termOnly.leastSquares.coefficients.count, 20)
        XCTAssertEqual(termOnly.perGroup[0][2]?.name, "Subject308:Other")
    }

    func testModelsAndLikelihoodRatioTest() throws {
        let c = try XCTUnwrap(Self.sleepstudy)
        let ml = try RemlFixtures.reference("sleepstudy_slopes_ml")
        let ols = try RemlFixtures.reference("sleepstudy_pooling")["complete"] as! [String: Any]
        XCTAssertEqual(c.models[0].logLikelihood, ols["logLik"] as! Double, accuracy: 1e-8)
        XCTAssertEqual(c.models[0].akaikeInformationCriterion, ols["AIC"] as! Double, accuracy: 1e-8)
        XCTAssertEqual(c.models[1].logLikelihood, ml["logLik"] as! Double, accuracy: 1e-3)
        XCTAssertEqual(c.models[1].akaikeInformationCriterion, ml["AIC"] as! Double, accuracy: 1e-3)
        XCTAssertEqual(c.models[1].bayesianInformationCriterion, ml["BIC"] as! Double, accuracy: 1e-3)
        XCTAssertEqual(c.models.map(\.parameterCount), [3, 6])
        let statistic = 2 * ((ml["logLik"] as! Double) - (ols["logLik"] as! Double))
        XCTAssertEqual(c.likelihoodRatioTest.statistic, statistic, accuracy: 2e-3)
        XCTAssertEqual(c.likelihoodRatioTest.degreesOfFreedom, 3)
        XCTAssertLessThan(c.likelihoodRatioTest.pValue, 1e-15)
    }

    /// χ² upper tails: df 3 in closed form, P(χ²₃ ≥ x) = erfc(√(x/2)) + √(2x/π) e^(−x/2); df 2 is
    /// e^(−x/2); qchisq(0.95, 1) = 3.841458820694124.
    func testChiSquareUpperTailClosedForms() {
        for x in [0.3, 1.0, 4.0, 7.814727903251178, 20.0] {
            let df3 = erfc((x / 2).squareRoot()) + (2 * x / Double.pi).squareRoot() * exp(-x / 2)
            XCTAssertEqual(chiSquareUpperTail(x, degreesOfFreedom: 3), df3, accuracy: 1e-12 + 1e-10 * df3)
            XCTAssertEqual(chiSquareUpperTail(x, degreesOfFreedom: 2), exp(-x / 2), accuracy: 1e-12 + 1e-10 * exp(-x / 2))
        }
        XCTAssertEqual(chiSquareUpperTail(3.841458820694124, degreesOfFreedom: 1), 0.05, accuracy: 1e-12)
        XCTAssertEqual(chiSquareUpperTail(0, degreesOfFreedom: 4), 1)
    }

    /// Gelman & Hill eq. 12.4 by hand, and its meaning in a random-intercept model with no
    /// predictors (Dyestuff): the conditional mode is w_j(ȳ_j − β̂) and the conditional variance is
    /// w_j σ²/n_j, exactly.
    func testShrinkageWeightClosedFormAndConditionalModes() throws {
        XCTAssertEqual(shrinkageWeight(groupSize: 5, residualSD: 2, groupSD: 1), 5.0 / 9.0, accuracy: 1e-15)
        XCTAssertEqual(shrinkageWeight(groupSize: 1, residualSD: 1, groupSD: 3), 0.9, accuracy: 1e-15)
        XCTAssertEqual(shrinkageWeight(groupSize: 4, residualSD: 1, groupSD: 0), 0)

        let design = try RemlFixtures.dyestuff()
        let reml = try LinearMixedModel(design: design).fit(method: .reml)
        let noPooling = try noPoolingFit(design)
        let draws = Draws(variableNames: [], chains: [])
        let groups = ModelComparison.groupRows(design: design, noPooling: noPooling, reml: reml, bayes: draws, level: 0.95)
        XCTAssertEqual(groups.count, 6)
        let sigmaAlpha = reml.varianceComponents[0].standardDeviations[0]
        for g in groups {
            let w = try XCTUnwrap(g.shrinkageWeight)
            let n = Double(g.size)
            let closed = (n / (reml.sigma * reml.sigma)) / (n / (reml.sigma * reml.sigma) + 1 / (sigmaAlpha * sigmaAlpha))
            XCTAssertEqual(w, closed, accuracy: 1e-14)
            XCTAssertTrue(w > 0 && w < 1)
            let own = try XCTUnwrap(g.noPooling).estimate
            XCTAssertEqual(g.partialPooling.conditionalMode, w * (own - reml.fixedEffects[0]), accuracy: 1e-6 * sigmaAlpha)
            XCTAssertEqual(g.partialPooling.conditionalSD, (w * reml.sigma * reml.sigma / n).squareRoot(), accuracy: 1e-6 * sigmaAlpha)
            XCTAssertNil(g.bayes)
        }
    }

    /// `compare` on sleepstudy's 4 × 4 block `(Days + I(Days^2) + I(Days^3) | Subject)`: every
    /// subject's row of every term, I(Days^2) and I(Days^3) included (not fixed effects), carries
    /// its no-pooling estimate, R's `lm` coefficient (Fixtures/sleepstudy_cubic_pooling.json).
    func testCompareRowsCarryNoPoolingOfTermOnlyColumns() throws {
        let design = try RemlFixtures.sleepstudy("cubic")
        let reml = try LinearMixedModel(design: design).fit(method: .reml, options: .init(conditionalVariances: false))
        let groups = ModelComparison.groupRows(design: design, noPooling: try noPoolingFit(design), reml: reml,
                                               bayes: Draws(variableNames: [], chains: []), level: 0.95)
        let none = try XCTUnwrap(try RemlFixtures.reference("sleepstudy_cubic_pooling")["none"] as? [String: Any])
        let coefficients = try XCTUnwrap(none["coefficients"] as? [String: [String: Double]])
        XCTAssertEqual(groups.count, 72)
        let suffix = ["Intercept": "", "Days": ":Days", "IDaysE2": ":I(Days^2)", "IDaysE3": ":I(Days^3)"]
        for g in groups {
            let name = "Subject\(g.level)" + (suffix[g.term] ?? "?")
            let expected = try XCTUnwrap(coefficients[name]?["estimate"], name)
            XCTAssertEqual(try XCTUnwrap(g.noPooling, name).estimate, expected, accuracy: 1e-8 * max(1, abs(expected)), name)
        }
    }

    /// One hand-made draw at the REML estimates (b = β̂, r = conditional modes, σ = σ̂): the
    /// pointwise log-likelihood is log N(yᵢ | fitted valueᵢ, σ̂) with lme4's fitted values.
    func testPointwiseLogLikelihoodAtTheRemlFit() throws {
        let design = try RemlFixtures.sleepstudy("slopes")
        let reml = try LinearMixedModel(design: design).fit(method: .reml)
        var names = ["b_Intercept", "b_Days", "sigma"]
        var values = reml.fixedEffects + [reml.sigma]
        for mode in conditionalModes(of: reml) {
            names.append("r_\(mode.group)[\(mode.level),\(mode.term)]")
            values.append(mode.mode)
        }
        let draws = Draws(variableNames: names, chains: [values, values])
        let matrix = try PointwiseLogLikelihood(design: design, family: .gaussian, draws: draws).matrix()
        XCTAssertEqual(matrix.rows, 2)
        XCTAssertEqual(matrix.columns, 180)
        for i in 0..<180 {
            let z = (design.response[i] - reml.fittedValues[i]) / reml.sigma
            XCTAssertEqual(matrix[1, i], -0.5 * log(2 * Double.pi) - log(reml.sigma) - 0.5 * z * z, accuracy: 1e-9)
        }
        let c = try XCTUnwrap(Self.sleepstudy)
        let loo = try XCTUnwrap(c.leaveOneOut)
        let waic = try XCTUnwrap(c.waic)
        XCTAssertEqual(loo.observations, 180)
        XCTAssertEqual(loo.looic.estimate, -2 * loo.elpd.estimate, accuracy: 1e-9)
        // elpd_loo ≤ elpd_waic ≲ the in-sample lpd, and the two agree within their SEs here.
        XCTAssertEqual(loo.elpd.estimate, waic.elpd.estimate, accuracy: loo.elpd.standardError)
    }
}
