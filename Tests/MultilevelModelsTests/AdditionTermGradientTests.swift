import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The likelihood pieces of brms' addition terms and offsets against independent computations:
/// every family's full row density (`logDensityTerm`) equals its pointwise log-likelihood and its
/// η / auxiliary derivatives match central differences; the posterior gradient with `cens()`
/// (left, right and interval rows), `weights()`, `trunc()`, `se()` and `offset()` matches the
/// fourth-order finite differences of `GradientTests` at three points per model.
final class AdditionTermGradientTests: XCTestCase {
    /// A design from CSV text (rows generated below).
    static func design(_ formula: String, _ csv: String) throws -> ModelDesign {
        let table = try DataTable.read(data: Data(csv.utf8), fileName: "additions.csv")
        return try ModelDesign.build(formula: try Formula.parse(formula), table: table)
    }

    /// 40 rows in 5 groups: positive y, y2 = 1.6 y + 0.2, codes −1/0/1/2 and the same as words,
    /// weights in [0.3, 2.5], truncation bounds 0.05 and 30 around every y, known SDs, an offset.
    static func rows() -> String {
        var rng = Xoshiro256PlusPlus(seed: 42)
        var lines = ["y,y2,code,status,w,lb,ub,s,off,x,g"]
        let words = ["left", "none", "right", "interval"]
        for i in 0..<40 {
            let x = rng.nextNormal()
            let y = exp(0.4 + 0.5 * x + 0.6 * rng.nextNormal())
            let code = i % 4 - 1
            let w = 0.3 + 2.2 * rng.nextUniform()
            let s = 0.5 + rng.nextUniform()
            let off = 0.3 * rng.nextNormal()
            lines.append("\(y),\(1.6 * y + 0.2),\(code),\"\(words[code + 1])\",\(w),0.05,30,\(s),\(off),\(x),\"g\(i % 5)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func checkPosterior(_ formula: String, _ family: Family, location: Double = 0.4, logScale: Double = log(0.7),
                                file: StaticString = #filePath, line: UInt = #line) throws {
        let design = try Self.design(formula, Self.rows())
        try GradientTests.checkGradient(design, family: family, scale: 2.5, location: location, logScale: logScale,
                                        file: file, line: line)
    }

    func testCensoringEveryFamily() throws {
        for family in [Family.gaussian, .student, .lognormal, .gamma, .exponential, .weibull] {
            try checkPosterior("y | cens(code, y2) ~ x + (1 | g)", family)
        }
    }

    func testCensoringWordsGiveTheNumericCodes() throws {
        let words = try Self.design("y | cens(status, y2) ~ x + (1 | g)", Self.rows())
        let numbers = try Self.design("y | cens(code, y2) ~ x + (1 | g)", Self.rows())
        XCTAssertEqual(words.additions?.censoring, numbers.additions?.censoring)
        XCTAssertEqual(numbers.additions?.censoring?.prefix(4).map(\.rawValue), [-1, 0, 1, 2])
    }

    func testWeightsAndTruncation() throws {
        for family in [Family.gaussian, .student, .lognormal, .gamma, .exponential, .weibull] {
            try checkPosterior("y | weights(w) + trunc(lb = lb, ub = ub) ~ x + (1 | g)", family)
        }
        try checkPosterior("y | trunc(lb = 0.05) ~ x + (1 | g)", .gaussian)
        try checkPosterior("y | trunc(ub = 30) + cens(code, y2) ~ x + (1 | g)", .weibull)
    }

    func testKnownStandardErrors() throws {
        try checkPosterior("y | se(s) ~ x + (1 | g)", .gaussian)
        try checkPosterior("y | se(s, sigma = TRUE) ~ x + (1 | g)", .gaussian)
        let design = try Self.design("y | se(s) ~ x + (1 | g)", Self.rows())
        XCTAssertEqual(ParameterLayout(design: design, family: .gaussian).auxiliaryParameters, [])
    }

    func testOffsetEveryPass() throws {
        try checkPosterior("y ~ x + offset(off) + (1 | g)", .gamma)
        try checkPosterior("y | cens(code, y2) ~ x + offset(off) + (1 | g)", .weibull)
        let counts = PosteriorTestData.crossed(family: .poisson)
        var withOffset = counts
        withOffset.offset = (0..<counts.rowCount).map { 0.1 * Double($0 % 7) - 0.3 }
        try GradientTests.checkGradient(withOffset, family: .poisson, scale: 2.5, location: 0.5, logScale: log(0.5))
        // Bernoulli of the fused shape takes the general pass once it has an offset.
        var binary = PosteriorTestData.crossed(family: .bernoulli)
        binary.randomTerms = [binary.randomTerms[0]]
        binary.offset = (0..<binary.rowCount).map { 0.2 * Double($0 % 5) - 0.4 }
        try GradientTests.checkGradient(binary, family: .bernoulli, scale: 2.5, location: 0, logScale: log(0.5))
    }

    /// An offset o is the same model as the response y − o for the gaussian family (sufficient
    /// statistics) and as η + o in the row pass: both posteriors agree at every point.
    func testGaussianOffsetIsAShiftedResponse() throws {
        let rows = Self.rows()
        let shifted = try Self.design("I(y - off) ~ x + (1 | g)", rows)
        let offset = try Self.design("y ~ x + offset(off) + (1 | g)", rows)
        let layout = ParameterLayout(design: offset, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 2.5, location: 0.4)
        var a = try GLMMPosterior(design: shifted, family: .gaussian, priors: priors)
        var b = try GLMMPosterior(design: offset, family: .gaussian, priors: priors)
        var c = try GLMMPosterior(design: offset, family: .gaussian, priors: priors, useSufficientStatistics: false)
        for seed in [1, 2] as [UInt64] {
            let x = PosteriorTestData.point(for: a, seed: seed, interceptGuess: 0.4, logScaleGuess: log(0.7))
            let reference = a.logDensityAndGradient(at: x)
            for other in [b.logDensityAndGradient(at: x), c.logDensityAndGradient(at: x)] {
                XCTAssertEqual(other.value, reference.value, accuracy: 1e-9 * abs(reference.value))
                for i in x.indices { XCTAssertEqual(other.gradient[i], reference.gradient[i], accuracy: 1e-8 * max(1, abs(reference.gradient[i]))) }
            }
        }
    }

    /// Weights of 1 and no censoring give the plain model's log density up to its data constant
    /// (the addition pass includes every constant): equal gradients, values differing by a
    /// constant.
    func testUnitWeightsAreThePlainModel() throws {
        for family in [Family.gaussian, .gamma, .weibull, .student] {
            let plain = try Self.design("y ~ x + (1 | g)", Self.rows())
            var weighted = plain
            var additions = RowAdditions()
            additions.weights = [Double](repeating: 1, count: plain.rowCount)
            weighted.additions = additions
            let layout = ParameterLayout(design: plain, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.4)
            var a = try GLMMPosterior(design: plain, family: family, priors: priors, useSufficientStatistics: false)
            var b = try GLMMPosterior(design: weighted, family: family, priors: priors)
            var differences: [Double] = []
            for seed in [1, 2, 3] as [UInt64] {
                let x = PosteriorTestData.point(for: a, seed: seed, interceptGuess: 0.4, logScaleGuess: log(0.7))
                let u = a.logDensityAndGradient(at: x), v = b.logDensityAndGradient(at: x)
                differences.append(u.value - v.value)
                for i in x.indices { XCTAssertEqual(u.gradient[i], v.gradient[i], accuracy: 1e-9 * max(1, abs(u.gradient[i])), "\(family)") }
            }
            XCTAssertEqual(differences[0], differences[1], accuracy: 1e-8, "\(family)")
            XCTAssertEqual(differences[0], differences[2], accuracy: 1e-8, "\(family)")
        }
    }

    /// Each family's `logDensityTerm` is its pointwise log-likelihood, with derivatives matching
    /// central differences in η and in each auxiliary parameter.
    func testRowDensityTerms() {
        func check<F: CensoredResponseFamily>(_ family: F.Type, _ name: Family, y: Double, eta: Double, auxiliary: [Double]) {
            let term = F.logDensityTerm(y, eta: eta, auxiliary: auxiliary)
            XCTAssertEqual(term.value, name.logLikelihood(response: y, trials: 1, eta: eta, auxiliary: auxiliary), accuracy: 1e-12, "\(name)")
            let h = 1e-5
            let numericEta = (F.logDensityTerm(y, eta: eta + h, auxiliary: auxiliary).value
                              - F.logDensityTerm(y, eta: eta - h, auxiliary: auxiliary).value) / (2 * h)
            XCTAssertEqual(term.eta, numericEta, accuracy: 1e-7 * max(1, abs(numericEta)), "\(name) ∂η")
            for a in auxiliary.indices {
                var up = auxiliary, down = auxiliary
                up[a] += h; down[a] -= h
                let numeric = (F.logDensityTerm(y, eta: eta, auxiliary: up).value - F.logDensityTerm(y, eta: eta, auxiliary: down).value) / (2 * h)
                XCTAssertEqual(a == 0 ? term.auxiliary.0 : term.auxiliary.1, numeric, accuracy: 1e-7 * max(1, abs(numeric)), "\(name) ∂aux \(a)")
            }
        }
        check(GaussianFamily.self, .gaussian, y: 1.9, eta: 1.2, auxiliary: [0.7])
        check(StudentFamily.self, .student, y: 1.9, eta: 1.2, auxiliary: [0.7, 4.5])
        check(LognormalFamily.self, .lognormal, y: 2.5, eta: 0.4, auxiliary: [0.6])
        check(GammaFamily.self, .gamma, y: 2.5, eta: 0.4, auxiliary: [3.2])
        check(ExponentialFamily.self, .exponential, y: 1.3, eta: log(2.0), auxiliary: [])
        check(WeibullFamily.self, .weibull, y: 2.2, eta: log(3.0), auxiliary: [1.7])
    }

    /// log(F(b) − F(a)) of the interval rows against the difference of the CDFs, in the lower and
    /// the upper tail, with central-difference derivatives.
    func testIntervalProbability() {
        for (a, b) in [(0.5, 1.1), (3.0, 4.5), (9.0, 12.0)] {
            let aux = [1.7]
            let term = AdditionColumns.logProbability(WeibullFamily.self, between: a, and: b, eta: log(3.0), auxiliary: aux)
            let direct = log(exp(WeibullFamily.logCDF(b, eta: log(3.0), auxiliary: aux).value) - exp(WeibullFamily.logCDF(a, eta: log(3.0), auxiliary: aux).value))
            XCTAssertEqual(term.value, direct, accuracy: 1e-9 * max(1, abs(direct)))
            let h = 1e-5
            let numericEta = (AdditionColumns.logProbability(WeibullFamily.self, between: a, and: b, eta: log(3.0) + h, auxiliary: aux).value
                              - AdditionColumns.logProbability(WeibullFamily.self, between: a, and: b, eta: log(3.0) - h, auxiliary: aux).value) / (2 * h)
            XCTAssertEqual(term.eta, numericEta, accuracy: 1e-6 * max(1, abs(numericEta)))
            let numericShape = (AdditionColumns.logProbability(WeibullFamily.self, between: a, and: b, eta: log(3.0), auxiliary: [1.7 + h]).value
                                - AdditionColumns.logProbability(WeibullFamily.self, between: a, and: b, eta: log(3.0), auxiliary: [1.7 - h]).value) / (2 * h)
            XCTAssertEqual(term.auxiliary.0, numericShape, accuracy: 1e-6 * max(1, abs(numericShape)))
        }
    }

    /// se(): the normal density with SD √(σ² + s²), its derivatives by central differences.
    func testKnownStandardDeviationTerm() {
        let term = AdditionColumns.knownStandardDeviation(1.3, eta: 0.2, standardError: 0.8, sigma: 0.5)
        let tau = (0.64 + 0.25).squareRoot()
        XCTAssertEqual(term.value, -log(tau) - 0.5 * log(2 * Double.pi) - 0.5 * 1.1 * 1.1 / (tau * tau), accuracy: 1e-14)
        let h = 1e-6
        let numeric = (AdditionColumns.knownStandardDeviation(1.3, eta: 0.2, standardError: 0.8, sigma: 0.5 + h).value
                       - AdditionColumns.knownStandardDeviation(1.3, eta: 0.2, standardError: 0.8, sigma: 0.5 - h).value) / (2 * h)
        XCTAssertEqual(term.auxiliary.0, numeric, accuracy: 1e-8)
        XCTAssertEqual(AdditionColumns.knownStandardDeviation(1.3, eta: 0.2, standardError: 0.8, sigma: nil).auxiliary.0, 0)
    }
}
