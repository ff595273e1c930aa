#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// brms' ordinal `cumulative` family (`CumulativeFamily`, `OrdinalThresholds`): category
/// probabilities against the distribution functions written out (logistic, and the normal through
/// erfc), in the tails too; the inhaler model's log posterior against a reference written from
/// brms 2.18's generated Stan code (make_stancode: ordered Intercept, Xc b, student_t(3, 0, 2.5) on
/// every threshold, b_Intercept = Intercept + means_X · b); its gradient against finite differences;
/// the one-line errors for ratings that are not categories. brms parity of the inhaler fit is
/// PosteriorBrmsParityTests.testCumulativeInhaler.
final class CumulativeFamilyTests: XCTestCase {
    static func cdf(_ x: Double, probit: Bool) -> Double { probit ? 0.5 * erfc(-x / 2.0.squareRoot()) : 1 / (1 + exp(-x)) }
    static func complement(_ x: Double, probit: Bool) -> Double { probit ? 0.5 * erfc(x / 2.0.squareRoot()) : 1 / (1 + exp(x)) }

    /// log P(y = k) = log(F(τ_k − μ) − F(τ_{k−1} − μ)), on the complements when both cut points
    /// are above 0 (where the difference of two values near 1 would lose its digits).
    static func referenceLogProbability(_ k: Int, thresholds: [Double], mu: Double, probit: Bool) -> Double {
        let u = k <= thresholds.count ? thresholds[k - 1] - mu : Double.infinity
        let l = k >= 2 ? thresholds[k - 2] - mu : -Double.infinity
        if l > 0 { return log(complement(l, probit: probit) - (u.isFinite ? complement(u, probit: probit) : 0)) }
        return log((u.isFinite ? cdf(u, probit: probit) : 1) - (l.isFinite ? cdf(l, probit: probit) : 0))
    }

    func testCategoryProbabilitiesAgainstDistributionFunctions() throws {
        for (name, probit) in [("cumulative", false), ("cumulative(\"probit\")", true), ("cumulative(link = \"logit\")", false)] {
            let family = try Family(name: name)
            XCTAssertEqual(family.kind, .cumulative)
            XCTAssertEqual(family.link, probit ? .probit : .logit)
            let gaps = [1.1, 0.4, 2.0]                  // K = 5 categories
            let tau1 = 0.3
            let thresholds = [tau1, tau1 + 1.1, tau1 + 1.5, tau1 + 3.5]
            for eta in [-30.0, -3, -0.7, 0, 0.9, 2.5, 25] {
                // The family reads η = −τ₁ + μ and the gaps (`CumulativeFamily`).
                let mu = eta + tau1
                var total = 0.0
                for k in 1...5 {
                    let value = family.logLikelihood(response: Double(k), trials: 1, eta: eta, auxiliary: gaps)
                    let expected = Self.referenceLogProbability(k, thresholds: thresholds, mu: mu, probit: probit)
                    XCTAssertEqual(value, expected, accuracy: 1e-10 * max(1, abs(expected)), "\(name) k = \(k) η = \(eta)")
                    total += exp(value)
                }
                XCTAssertEqual(total, 1, accuracy: 1e-12, "\(name) η = \(eta)")
                XCTAssertEqual(family.logLikelihood(response: 6, trials: 1, eta: eta, auxiliary: gaps), -.infinity)
            }
        }
    }

    static func inhaler() throws -> ModelDesign {
        try PosteriorTestData.built("inhaler", "rating ~ treat + period + carry + (1 | subject)")
    }

    static func studentT3(_ x: Double, scale: Double) -> Double {
        lgamma(2) - lgamma(1.5) - 0.5 * log(3 * Double.pi) - log(scale) - 2 * log(1 + (x / scale) * (x / scale) / 3)
    }

    /// The log posterior of brms' generated Stan program for the inhaler model, written out:
    /// Σ log P(y_i) + Σ_k log t₃(τ_k; 0, 2.5) + log t₃(sd; 0, 2.5) + log 2 + log sd (Jacobian)
    /// + Σ log δ_k (ordered transform) + Σ log N(z_j; 0, 1), with τ₁ = −slot, τ_{k+1} = τ_k + δ_k,
    /// μ_i = Xc_i b + sd z_{g(i)}.
    static func referenceLogPosterior(_ design: ModelDesign, layout: ParameterLayout, x: [Double], probit: Bool) -> Double {
        let p = layout.coefficientNames.count
        var tau = [-x[layout.interceptOffset]]
        var lp = 0.0
        for a in 0..<layout.auxiliaryParameters.count {
            tau.append(tau[a] + exp(x[layout.auxiliaryOffset + a]))
            lp += x[layout.auxiliaryOffset + a]
        }
        for t in tau { lp += studentT3(t, scale: 2.5) }
        let term = layout.terms[0]
        let sd = exp(x[term.sdOffset])
        lp += studentT3(sd, scale: 2.5) + log(2) + x[term.sdOffset]
        for j in 0..<term.levelCount { let z = x[term.zOffset + j]; lp += -0.5 * z * z - 0.5 * log(2 * Double.pi) }
        var means = [Double](repeating: 0, count: p)
        for i in 0..<design.rowCount { for k in 0..<p { means[k] += design.fixedEffects[i, k + 1] / Double(design.rowCount) } }
        let grouping = design.randomTerms[0].grouping
        for i in 0..<design.rowCount {
            var mu = sd * x[term.zOffset + grouping.levelIndex[i]]
            for k in 0..<p { mu += (design.fixedEffects[i, k + 1] - means[k]) * x[k] }
            lp += referenceLogProbability(Int(design.response[i]), thresholds: tau, mu: mu, probit: probit)
        }
        return lp
    }

    func testInhalerPosteriorAgainstStanProgramAndGradient() throws {
        let design = try Self.inhaler()
        for family in [Family.cumulative, try Family(name: "cumulative(\"probit\")")] {
            let layout = ParameterLayout(design: design, family: family)
            XCTAssertEqual(layout.thresholdCount, 3)
            XCTAssertEqual(layout.auxiliaryParameters, [.thresholdGap, .thresholdGap])
            let priors = PriorSet.defaults(for: design, family: family).resolved(for: layout)
            var posterior = try GLMMPosterior(design: design, family: family, priors: priors)
            for seed in 1...3 as ClosedRange<UInt64> {
                let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: -0.7, logScaleGuess: log(1.0))
                let value = posterior.logDensityAndGradient(at: x).value
                let expected = Self.referenceLogPosterior(design, layout: layout, x: x, probit: family.link == .probit)
                XCTAssertEqual(value, expected, accuracy: 1e-9 * abs(expected), "\(family) seed \(seed)")
                let gradient = GradientTests.gradientError(posterior, at: x)
                XCTAssertLessThanOrEqual(gradient.error, 1e-6, "\(family) seed \(seed): \(gradient.name)")
            }
        }
    }

    /// The draws' outputs are brms' b_Intercept[k] = τ_k + x̄ · b (uncentred thresholds), no Intercept or gap.
    func testConstrainedThresholds() throws {
        let design = try Self.inhaler()
        let layout = ParameterLayout(design: design, family: .cumulative)
        let priors = PriorSet.defaults(for: design, family: .cumulative).resolved(for: layout)
        let posterior = try GLMMPosterior(design: design, family: .cumulative, priors: priors)
        var map = ConstrainedParameters(posterior: posterior)
        XCTAssertEqual(Array(map.names.prefix(7)),
                       ["b_Intercept[1]", "b_Intercept[2]", "b_Intercept[3]", "b_treat", "b_period", "b_carry", "sd_subject__Intercept"])
        XCTAssertFalse(map.names.contains { $0.contains("gap") })
        let x = PosteriorTestData.point(for: posterior, seed: 9, interceptGuess: -0.7, logScaleGuess: 0)
        let out = map.constrained(x)
        let shift = (0..<3).reduce(0.0) { $0 + posterior.columnMeans[$1] * x[$1] }
        let tau1 = -x[layout.interceptOffset]
        XCTAssertEqual(out[0], tau1 + shift, accuracy: 1e-12)
        XCTAssertEqual(out[1], tau1 + exp(x[layout.auxiliaryOffset]) + shift, accuracy: 1e-12)
        XCTAssertEqual(out[2], tau1 + exp(x[layout.auxiliaryOffset]) + exp(x[layout.auxiliaryOffset + 1]) + shift, accuracy: 1e-12)
    }

    /// brms' default priors for the inhaler model: Intercept ~ student_t(3, 0, 2.5) (on every
    /// threshold, listed as coef 1 … 3), b flat, sd ~ student_t(3, 0, 2.5); no prior of its own for
    /// the thresholds' gaps. Every row of brms' prior_summary (class, coef, group, prior) is ours,
    /// and ours has no other.
    func testDefaultPriors() throws {
        let rows = PriorSet.defaults(for: try Self.inhaler(), family: .cumulative).rows
        let intercept = rows.filter { $0.parameterClass == .intercept }
        XCTAssertEqual(intercept.map(\.coefficient), ["", "1", "2", "3"])
        XCTAssertEqual(intercept.first?.prior, .studentT(degreesOfFreedom: 3, location: 0, scale: 2.5))
        XCTAssertEqual(rows.filter { $0.parameterClass == .sd && $0.group.isEmpty }.first?.prior,
                       .studentT(degreesOfFreedom: 3, location: 0, scale: 2.5))
        let brms = try PosteriorTestData.brmsPriorRows("brms_cumulative_inhaler")
            .map { [$0[1], $0[2], $0[3], $0[0]].joined(separator: "|") }
        let ours = rows.map { row in
            [row.parameterClass.rawValue, row.coefficient, row.group,
             row.prior.map { "\($0)" }.map { $0 == "(flat)" ? "" : $0 } ?? ""].joined(separator: "|")
        }
        XCTAssertEqual(Set(ours), Set(brms))
    }

    func testRatingThatIsNotACategoryIsAOneLineError() throws {
        for (bad, shown) in [("0", "0"), ("2.5", "2.5"), ("-1", "-1")] {
            let csv = "rating,x,g\n1,0.5,a\n2,0.1,a\n\(bad),0.3,b\n3,0.2,b\n"
            let table = try DataTable.read(data: Data(csv.utf8), fileName: "ratings.csv")
            let design = try ModelDesign.build(formula: Formula.parse("rating ~ x + (1 | g)"), table: table)
            let layout = ParameterLayout(design: design, family: .cumulative)
            let priors = PriorSet.defaults(for: design, family: .cumulative).resolved(for: layout)
            XCTAssertThrowsError(try GLMMPosterior(design: design, family: .cumulative, priors: priors)) { error in
                XCTAssertEqual("\(error)", "ratings.csv line 4: rating \(shown) is not a category 1, 2, … for family cumulative")
            }
        }
        let table = try DataTable.read(data: Data("rating,x\n1,0.5\n2,0.1\n3,0.3\n".utf8), fileName: "r.csv")
        let noIntercept = try ModelDesign.build(formula: Formula.parse("rating ~ 0 + x"), table: table)
        XCTAssertThrowsError(try checkResponse(noIntercept, family: .cumulative)) { error in
            XCTAssertTrue("\(error)".hasPrefix("family cumulative needs the formula's intercept"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
        let single = try ModelDesign.build(formula: Formula.parse("rating ~ x"),
                                           table: try DataTable.read(data: Data("rating,x\n1,0.5\n1,0.1\n".utf8), fileName: "s.csv"))
        XCTAssertThrowsError(try checkResponse(single, family: .cumulative)) { error in
            XCTAssertTrue("\(error)".contains("at least 2 categories"), "\(error)")
        }
        XCTAssertThrowsError(try Family(name: "cumulative(\"log\")")) { error in
            XCTAssertEqual("\(error)", "family cumulative has no link 'log' (its links: logit, probit)")
        }
    }
}
