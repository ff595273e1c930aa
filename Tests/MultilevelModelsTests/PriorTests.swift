import XCTest
import MultilevelData
@testable import MultilevelModels

final class PriorTests: XCTestCase {
    // MARK: default priors against brms 2.18's prior_summary in the reference files

    func testDefaultPriorsSleepstudySlopes() throws {
        let set = PriorSet.defaults(for: try PosteriorTestData.sleepstudy(), family: .gaussian)
        XCTAssertEqual(set.brmsRows, try PosteriorTestData.brmsPriorRows("brms_sleepstudy_slopes"))
    }

    func testDefaultPriorsSleepstudyIntercepts() throws {
        let set = PriorSet.defaults(for: try PosteriorTestData.sleepstudy(slopes: false), family: .gaussian)
        XCTAssertEqual(set.brmsRows, try PosteriorTestData.brmsPriorRows("brms_sleepstudy_intercepts"))
    }

    func testDefaultPriorsDyestuff() throws {
        let set = PriorSet.defaults(for: try PosteriorTestData.dyestuff(), family: .gaussian)
        XCTAssertEqual(set.brmsRows, try PosteriorTestData.brmsPriorRows("brms_dyestuff"))
    }

    func testDefaultPriorsCbpp() throws {
        let set = PriorSet.defaults(for: try PosteriorTestData.cbpp(), family: .binomial)
        XCTAssertEqual(set.brmsRows, try PosteriorTestData.brmsPriorRows("brms_cbpp_binomial"))
    }

    /// Log-link families put y on the log scale (zeros → 0.1) before median and mad (brms'
    /// def_scale_prior); family parameters get gamma priors.
    func testDefaultPriorsLogLinkAndFamilyParameters() throws {
        let y: [Double] = [0, 1, 3, 8, 20]
        // log(0.1), 0, log 3, log 8, log 20 → median log 3 = 1.0986 → 1.1;
        // |dev| = 3.40, 1.10, 0, 0.98, 1.90 → median 1.10 · 1.4826 = 1.63 → scale max(2.5, 1.6) = 2.5.
        let (location, scale) = PriorSet.defaultScaleLocation(response: y, link: .log, isFactor: false)
        XCTAssertEqual(location, 1.1)
        XCTAssertEqual(scale, 2.5)
        let design = PosteriorTestData.crossed(family: .negativeBinomial)
        let set = PriorSet.defaults(for: design, family: .negativeBinomial)
        XCTAssertEqual(set.effectivePrior(.shape), .gamma(shape: 0.01, rate: 0.01))
        let student = PriorSet.defaults(for: PosteriorTestData.crossed(family: .student), family: .student)
        XCTAssertEqual(student.effectivePrior(.nu), .gamma(shape: 2, rate: 0.1))
        XCTAssertEqual(student.rows.last?.parameterClass, .sigma)
    }

    func testRRounding() {
        XCTAssertEqual(PriorSet.roundR(59.3041, digits: 1), 59.3)
        XCTAssertEqual(PriorSet.roundR(0.15, digits: 1), 0.1)     // 0.15 is 0.1499999… in binary
        XCTAssertEqual(PriorSet.roundR(2.25, digits: 1), 2.2)     // exact tie → even
        XCTAssertEqual(PriorSet.roundR(-1.26, digits: 1), -1.3)
    }

    // MARK: parsing

    func testParsesValidForms() throws {
        let cases: [(String, PriorClass, String, PriorDistribution)] = [
            ("b ~ normal(0, 10)", .b, "", .normal(mean: 0, sd: 10)),
            ("b:Days ~ normal(0, 5)", .b, "Days", .normal(mean: 0, sd: 5)),
            ("Intercept ~ student_t(3, 250, 50)", .intercept, "", .studentT(degreesOfFreedom: 3, location: 250, scale: 50)),
            ("sd ~ cauchy(0, 2.5)", .sd, "", .cauchy(location: 0, scale: 2.5)),
            ("sd:Subject ~ student_t(3, 0, 50)", .sd, "Subject", .studentT(degreesOfFreedom: 3, location: 0, scale: 50)),
            ("sd:Subject:Days ~ exponential(1)", .sd, "Subject:Days", .exponential(rate: 1)),
            ("sigma ~ exponential(0.1)", .sigma, "", .exponential(rate: 0.1)),
            ("cor ~ lkj(2)", .cor, "", .lkj(eta: 2)),
            ("cor:Subject ~ lkj(2)", .cor, "Subject", .lkj(eta: 2)),
            ("shape ~ gamma(0.01, 0.01)", .shape, "", .gamma(shape: 0.01, rate: 0.01)),
            ("nu ~ gamma(2, 0.1)", .nu, "", .gamma(shape: 2, rate: 0.1)),
            ("  sigma~inv_gamma( 1 ,1e-2 ) ", .sigma, "", .inverseGamma(shape: 1, scale: 0.01)),
            ("b ~ uniform(-5, 5)", .b, "", .uniform(lower: -5, upper: 5)),
            ("sd ~ lognormal(0, 1)", .sd, "", .lognormal(meanLog: 0, sdLog: 1)),
            ("b:x ~ beta(2, 3)", .b, "x", .beta(alpha: 2, beta: 3)),
        ]
        for (text, cls, target, distribution) in cases {
            let statement = try PriorStatement.parse(text)
            XCTAssertEqual(statement.parameterClass, cls, text)
            XCTAssertEqual(statement.target, target, text)
            XCTAssertEqual(statement.distribution, distribution, text)
        }
        let several = try PriorStatement.parseAll("b ~ normal(0, 1); sigma ~ exponential(1)\n# comment\nsd ~ normal(0, 5)")
        XCTAssertEqual(several.map(\.parameterClass), [.b, .sigma, .sd])
    }

    func assertError(_ text: String, contains fragments: [String], column: Int? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try PriorStatement.parse(text), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(message.contains(fragment), "'\(message)' lacks '\(fragment)'", file: file, line: line)
            }
            if let column { XCTAssertEqual((error as? PriorSyntaxError)?.column, column, file: file, line: line) }
        }
    }

    func testSyntaxErrors() {
        assertError("b ~ nromal(0, 10)", contains: ["unknown prior distribution 'nromal'", "column 5"], column: 5)
        assertError("b ~ normal(0, -1)", contains: ["standard deviation must be positive", "-1"])
        assertError("sd ~ student_t(3, 0, -5)", contains: ["scale must be positive"])
        assertError("sigma ~ exponential(-0.1)", contains: ["rate must be positive"])
        assertError("b ~ normal(0)", contains: ["normal takes 2 arguments"])
        assertError("b normal(0, 1)", contains: ["expected '~'"])
        assertError("beta ~ normal(0, 1)", contains: ["unknown parameter class 'beta'"], column: 1)
        assertError("b ~ normal(0, 1", contains: ["expected ')'"])
        assertError("b ~ normal(0, x)", contains: ["expected a number"], column: 15)
        assertError("cor ~ normal(0, 1)", contains: ["lkj"])
        assertError("sd ~ lkj(2)", contains: ["correlation"])
        assertError("b ~ uniform(5, 1)", contains: ["lower bound must be below"])
    }

    // MARK: applying statements to a model

    func testApplyAndResolve() throws {
        let design = try PosteriorTestData.sleepstudy()
        var set = PriorSet.defaults(for: design, family: .gaussian)
        try set.apply(PriorStatement.parseAll("""
            b:Days ~ normal(0, 5)
            sd:Subject:Days ~ exponential(0.5)
            cor:Subject ~ lkj(2)
            sigma ~ exponential(0.1)
            """))
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = set.resolved(for: layout)
        XCTAssertEqual(priors.coefficients, [.normal(mean: 0, sd: 5)])
        XCTAssertEqual(priors.intercept, .studentT(degreesOfFreedom: 3, location: 288.7, scale: 59.3))
        XCTAssertEqual(priors.standardDeviations, [[.studentT(degreesOfFreedom: 3, location: 0, scale: 59.3),
                                                    .exponential(rate: 0.5)]])
        XCTAssertEqual(priors.correlationEta, [2])
        XCTAssertEqual(priors.auxiliary, [.exponential(rate: 0.1)])
        let table = set.summaryTable()
        XCTAssertTrue(table.contains("normal(0, 5)         b      Days"), table)
        XCTAssertTrue(table.contains("user"))
    }

    func assertApplyError(_ text: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var set = PriorSet.defaults(for: try PosteriorTestData.sleepstudy(), family: .gaussian)
        XCTAssertThrowsError(try set.apply(PriorStatement.parseAll(text)), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: line)
            XCTAssertFalse("\(error)".contains("\n"), file: file, line: line)
        }
    }

    func testApplyErrorsNameTheMissingParameter() throws {
        try assertApplyError("b:Dayz ~ normal(0, 5)", contains: "no population-level coefficient 'Dayz' (coefficients: Days)")
        try assertApplyError("sd:Subjct ~ normal(0, 5)", contains: "no grouping factor 'Subjct' (groups: Subject)")
        try assertApplyError("sd:Subject:Hours ~ normal(0, 5)", contains: "group 'Subject' has no group-level coefficient 'Hours'")
        try assertApplyError("cor:Batch ~ lkj(2)", contains: "no correlated group-level effects for group 'Batch'")
        try assertApplyError("shape ~ gamma(1, 1)", contains: "family has no parameter 'shape'")
        try assertApplyError("b:Intercept ~ normal(0, 5)", contains: "Intercept ~")
        try assertApplyError("b ~ normal(0, 1)\nb ~ normal(0, 2)", contains: "duplicated")
    }

    func testHuangWandStatements() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)
        var set = PriorSet.defaults(for: design, family: .gaussian)
        try set.apply(PriorStatement.parseAll("cov:g1 ~ huang_wand(2, 1, 2, 3)\ncov ~ huang_wand(2, 2.5)"))
        let priors = set.resolved(for: ParameterLayout(design: design, family: .gaussian))
        XCTAssertEqual(priors.covariance, [.huangWand(degreesOfFreedom: 2, scales: [1, 2, 3]),
                                           .huangWand(degreesOfFreedom: 2, scales: [2.5]),
                                           .huangWand(degreesOfFreedom: 2, scales: [2.5])])
        XCTAssertTrue(set.summaryTable().contains("huang_wand(2, 1, 2, 3)"))
        var other = PriorSet.defaults(for: design, family: .gaussian)
        XCTAssertThrowsError(try other.apply(PriorStatement.parseAll("cov:g2 ~ huang_wand(2, 1, 2)"))) {
            XCTAssertTrue("\($0)".contains("group 'g2' has 1 coefficient but the prior gives 2 scales"), "\($0)")
        }
        XCTAssertThrowsError(try other.apply(PriorStatement.parseAll("cov:g9 ~ huang_wand(2, 1)"))) {
            XCTAssertTrue("\($0)".contains("no grouping factor 'g9'"), "\($0)")
        }
        assertError("cov ~ lkj(2)", contains: ["huang_wand"])
        assertError("sd ~ huang_wand(2, 1)", contains: ["covariance"])
        assertError("cov ~ huang_wand(-2, 1)", contains: ["degrees of freedom must be positive"])
    }

    // MARK: distributions

    func testLogDensitiesAgainstClosedForms() {
        XCTAssertEqual(PriorDistribution.normal(mean: 0, sd: 1).logDensity(0), -0.918_938_533_204_672_7, accuracy: 1e-14)
        // student_t(3, 0, 1) at 0: log Γ(2) − log Γ(1.5) − ½ log(3π) = −1.00088884962351 (Python math.lgamma)
        XCTAssertEqual(PriorDistribution.studentT(degreesOfFreedom: 3, location: 0, scale: 1).logDensity(0),
                       -1.000_888_849_623_509_5, accuracy: 1e-12)
        XCTAssertEqual(PriorDistribution.cauchy(location: 0, scale: 2).logDensity(2), -log(4 * Double.pi), accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.exponential(rate: 0.1).logDensity(3), log(0.1) - 0.3, accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.gamma(shape: 2, rate: 0.1).logDensity(5), log(0.01 * 5) - 0.5, accuracy: 1e-13)
        XCTAssertEqual(PriorDistribution.inverseGamma(shape: 1, scale: 2).logDensity(4), log(2) - 2 * log(4) - 0.5, accuracy: 1e-13)
        XCTAssertEqual(PriorDistribution.lognormal(meanLog: 0, sdLog: 1).logDensity(1), -0.918_938_533_204_672_7, accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.uniform(lower: 0, upper: 4).logDensity(1), -log(4), accuracy: 1e-15)
        XCTAssertEqual(PriorDistribution.uniform(lower: 0, upper: 4).logDensity(5), -.infinity)
        XCTAssertEqual(PriorDistribution.beta(alpha: 2, beta: 3).logDensity(0.5), log(12 * 0.5 * 0.25), accuracy: 1e-13)
        XCTAssertEqual(PriorDistribution.gamma(shape: 2, rate: 1).logDensity(-1), -.infinity)
    }

    /// logistic(μ, s) (brms' default prior on a predicted zi/hu intercept): R's
    /// `dlogis(x, μ, s, log = TRUE)` = −log s − z − 2 log(1 + e^(−z)), z = (x − μ)/s, evaluated in
    /// Python's math (log 2 − 2 − 2 log1p(e^(−2)) at x = 2 of logistic(1, 0.5); −log 4 at the
    /// centre; −3 − 2 log1p(e^(−3)) far in the tail, where the naive form would lose digits).
    func testLogisticAgainstClosedForms() throws {
        XCTAssertEqual(PriorDistribution.logistic(location: 1, scale: 0.5).logDensity(2), -1.560_708_841_525_999_5, accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).logDensity(0), -1.386_294_361_119_890_6, accuracy: 1e-15)
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).logDensity(3), -3.097_174_703_147_484, accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).logDensity(-3), -3.097_174_703_147_484, accuracy: 1e-14)
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).logDensity(-800), -800, accuracy: 1e-12)
        // Symmetric about μ: the derivative vanishes there and is 1 − 2F(z) over s elsewhere.
        XCTAssertEqual(PriorDistribution.logistic(location: 2, scale: 3).logDensityAndDerivative(2).derivative, 0, accuracy: 1e-16)
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).logDensityAndDerivative(-800).derivative, 1, accuracy: 1e-15)
        // P(X > 0) for logistic(1, 0.5) is 1 − plogis(−2) = 1/(1 + e^(−2)): log −0.12692801104297252.
        XCTAssertEqual(PriorDistribution.logistic(location: 1, scale: 0.5).logProbabilityAbove(0), -0.126_928_011_042_972_52,
                       accuracy: 1e-15)
        // It integrates to 1 (trapezoid on [−40, 40]).
        var total = 0.0
        let h = 0.001
        for k in -40_000...40_000 { total += exp(PriorDistribution.logistic(location: 0.3, scale: 0.7).logDensity(Double(k) * h)) * h }
        XCTAssertEqual(total, 1, accuracy: 1e-9)
        XCTAssertEqual(try PriorDistribution.make(name: "logistic", arguments: [0, 1]), .logistic(location: 0, scale: 1))
        XCTAssertEqual(PriorDistribution.logistic(location: 0, scale: 1).description, "logistic(0, 1)")
        XCTAssertThrowsError(try PriorDistribution.make(name: "logistic", arguments: [0, -1])) {
            XCTAssertEqual(($0 as? PriorDistributionError)?.message, "logistic(0, -1): the scale must be positive, got -1")
        }
        XCTAssertThrowsError(try PriorDistribution.make(name: "logistic", arguments: [0])) {
            XCTAssertEqual(($0 as? PriorDistributionError)?.message, "logistic takes 2 arguments (location, scale), got 1")
        }
        let statement = try PriorStatement.parse("Intercept ~ logistic(0.5, 2)")
        XCTAssertEqual(statement.distribution, .logistic(location: 0.5, scale: 2))
    }

    func testDerivativesAgainstFiniteDifferences() {
        let cases: [(PriorDistribution, Double)] = [
            (.normal(mean: 1, sd: 2), 0.3), (.studentT(degreesOfFreedom: 3, location: 2, scale: 5), -4),
            (.cauchy(location: 0, scale: 2), 1.5), (.exponential(rate: 0.1), 3), (.gamma(shape: 2, rate: 0.1), 5),
            (.inverseGamma(shape: 3, scale: 2), 0.7), (.lognormal(meanLog: 0.5, sdLog: 0.8), 2.2),
            (.beta(alpha: 2, beta: 3), 0.35), (.uniform(lower: -1, upper: 1), 0.2),
            (.logistic(location: 0, scale: 1), 1.3), (.logistic(location: -1, scale: 0.4), -2.5),
        ]
        for (distribution, x) in cases {
            let h = 1e-5
            let numeric = (distribution.logDensity(x + h) - distribution.logDensity(x - h)) / (2 * h)
            XCTAssertEqual(distribution.logDensityAndDerivative(x).derivative, numeric, accuracy: 1e-7, "\(distribution)")
        }
    }

    /// −log(1 − F(bound)) terms brms adds for priors truncated at a parameter's bound.
    func testTruncationConstants() {
        XCTAssertEqual(PriorDistribution.studentT(degreesOfFreedom: 3, location: 0, scale: 59.3).logProbabilityAbove(0),
                       log(0.5), accuracy: 1e-15)
        // P(N(1, 2) > 0) = Φ(0.5) = 0.6914624612740131
        XCTAssertEqual(PriorDistribution.normal(mean: 1, sd: 2).logProbabilityAbove(0), log(0.691_462_461_274_013_1), accuracy: 1e-14)
        // P(t₃ > −1) = 1 − 0.19550110947788532 (scipy.stats.t.cdf(-1, 3))
        XCTAssertEqual(PriorDistribution.studentT(degreesOfFreedom: 3, location: 1, scale: 1).logProbabilityAbove(0),
                       log(1 - 0.195_501_109_477_885_32), accuracy: 1e-12)
        XCTAssertEqual(PriorDistribution.cauchy(location: 0, scale: 1).logProbabilityAbove(1), log(0.25), accuracy: 1e-15)
        // gamma(2, 0.1) above 1: e^(−0.1) · 1.1
        XCTAssertEqual(PriorDistribution.gamma(shape: 2, rate: 0.1).logProbabilityAbove(1), -0.1 + log(1.1), accuracy: 1e-13)
        XCTAssertEqual(PriorDistribution.exponential(rate: 2).logProbabilityAbove(0), 0)
        XCTAssertEqual(PriorDistribution.beta(alpha: 2, beta: 1).logProbabilityAbove(0.5), log(0.75), accuracy: 1e-13)
    }

    func testPrintsBrmsSyntax() {
        XCTAssertEqual(PriorDistribution.studentT(degreesOfFreedom: 3, location: 288.7, scale: 59.3).description,
                       "student_t(3, 288.7, 59.3)")
        XCTAssertEqual(PriorDistribution.lkj(eta: 1).description, "lkj_corr_cholesky(1)")
        XCTAssertEqual(PriorDistribution.gamma(shape: 0.01, rate: 0.01).description, "gamma(0.01, 0.01)")
    }
}
