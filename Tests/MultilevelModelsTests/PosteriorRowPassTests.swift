import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The blocked row pass (`PosteriorColumns`, the families' `addBlock`) and the arithmetic
/// exponential it relies on.
final class PosteriorRowPassTests: XCTestCase {
    /// Arguments for an exponential's accuracy test: small and simple values, `extra`, each
    /// reduction point k log 2 (k in `reductions`) and the boundaries k log 2 ± ½ log 2 between
    /// them, 20,000 uniform on [−708, `upper`] and 20,000 on [−5, 5].
    static func exponentialArguments(_ extra: [Double], reductions: ClosedRange<Int>, seed: UInt64,
                                     upper: Double) -> [Double] {
        var arguments: [Double] = [0, -0.0, 1e-300, -1e-300, 1e-10, -1e-10, 0.5, -0.5, 1, -1, 700, -700] + extra
        for k in reductions {
            let center = Double(k) * 0.693_147_180_559_945_3
            arguments += [center, center + 0.346_573_590_279_972_6, center - 0.346_573_590_279_972_6]
        }
        var rng = Xoshiro256PlusPlus(seed: seed)
        for _ in 0..<20_000 { arguments.append(rng.nextUniform(-708, upper)) }
        for _ in 0..<20_000 { arguments.append(rng.nextUniform(-5, 5)) }
        return arguments
    }

    /// `posteriorExp` against glibc's `exp` over its whole range, including the reduction's
    /// boundaries (k log 2 ± ½ log 2) and tiny arguments; within 4 units in the last place.
    func testArithmeticExponentialMatchesLibm() {
        let arguments = Self.exponentialArguments([-707.9, 708.9], reductions: -1020...1020, seed: 11, upper: 709)
        for x in arguments where x >= -708 && x <= 709 {
            let expected = exp(x)
            let error = abs(posteriorExp(x) - expected) / expected
            XCTAssertLessThanOrEqual(error, 4 * Double.ulpOfOne, "exp(\(x))")
        }
        XCTAssertTrue(posteriorExp(.nan).isNaN)
        XCTAssertEqual(posteriorExp(-1e6), exp(-708.0), accuracy: 4 * Double.ulpOfOne * exp(-708.0))
        XCTAssertEqual(posteriorExp(-.infinity), exp(-708.0), accuracy: 4 * Double.ulpOfOne * exp(-708.0))
    }

    /// More rows than one block (1,303 = 2 × 512 + 279, not a multiple of four), a continuous
    /// predictor (nothing to merge), random slopes (Z columns other than ones) and crossed terms:
    /// the log density against the reference written row by row, and the gradient against finite
    /// differences, for the families whose rows are visited one by one.
    func testSeveralBlocksAgainstReference() throws {
        for family in [Family.bernoulli, .binomial, .poisson, .negativeBinomial, .student, .gamma] {
            let design = PosteriorTestData.crossed(family: family, rows: 1_303)
            let layout = ParameterLayout(design: design, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 5, location: 0.3)
            var posterior = try GLMMPosterior(design: design, family: family, priors: priors,
                                              useSufficientStatistics: false)
            XCTAssertGreaterThan(posterior.data.rowCount, 2 * PosteriorColumns.blockSize, "\(family)")
            let points = (1...3).map { PosteriorTestData.point(for: posterior, seed: UInt64($0), interceptGuess: 0.3,
                                                                logScaleGuess: log(0.5)) }
            let values = points.map { posterior.logDensityAndGradient(at: $0).value }
            let references = points.map { PosteriorTests.referenceLogPosterior(design: design, family: family,
                                                                               priors: priors, x: $0) }
            for i in 1..<points.count {
                XCTAssertEqual(values[i] - values[0], references[i] - references[0],
                               accuracy: 1e-9 * max(1, abs(references[i])), "\(family)")
            }
            let gradient = GradientTests.gradientError(posterior, at: points[0])
            XCTAssertLessThanOrEqual(gradient.error, 1e-6, "\(family): \(gradient.name)")
        }
    }

    /// Bernoulli rows of one trial each sum their logarithms as the logarithm of products; the
    /// binomial rows take log(1 + e) row by row. Both against y η − n log(1 + e^η) and
    /// y − n·logistic(η) from glibc's log1p and exp, over η from −800 to 800, on a block that is
    /// not a multiple of four.
    func testBlockLikelihoodsAgainstLibm() {
        var rng = Xoshiro256PlusPlus(seed: 5)
        let count = PosteriorColumns.blockSize - 3
        let eta = (0..<count).map { i in i % 7 == 0 ? rng.nextUniform(-800, 800) : 4 * rng.nextNormal() }
        let response = (0..<count).map { _ in rng.nextUniform() < 0.4 ? 1.0 : 0.0 }
        let trials = (0..<count).map { _ in Double(1 + Int(rng.nextUniform() * 6)) }
        let successes = zip(response, trials).map { y, n in y * (n - 1) + (n > 1 ? 1 : y) }
        func reference(_ y: [Double], _ n: [Double]) -> (value: Double, derivatives: [Double]) {
            var value = 0.0
            var derivatives: [Double] = []
            for i in 0..<count {
                let logOnePlus = eta[i] > 0 ? eta[i] + log1p(exp(-eta[i])) : log1p(exp(eta[i]))
                value += y[i] * eta[i] - n[i] * logOnePlus
                derivatives.append(y[i] - n[i] / (1 + exp(-eta[i])))
            }
            return (value, derivatives)
        }
        func run<Rows: RowLikelihood>(_ type: Rows.Type, _ y: [Double], _ n: [Double]) -> (value: Double, derivatives: [Double]) {
            var rows = Rows(auxiliary: [0.0], rowCount: count, sumLogResponse: 0)
            var derivatives = eta
            var work = [Double](repeating: 0, count: 2 * count)
            let value = derivatives.withUnsafeMutableBufferPointer { d in
                work.withUnsafeMutableBufferPointer { w in
                    rows.addBlock(count: count, response: y, trials: n, eta: d.baseAddress!, work: w.baseAddress!)
                }
            }
            return (value, derivatives)
        }
        let ones = [Double](repeating: 1, count: count)
        // y − n·p loses up to n ulps of n·p to cancellation.
        for (label, result, expected, n) in [("bernoulli", run(BernoulliRows.self, response, ones), reference(response, ones), ones),
                                             ("binomial", run(BinomialRows.self, successes, trials), reference(successes, trials), trials)] {
            XCTAssertEqual(result.value, expected.value, accuracy: 1e-12 * abs(expected.value), label)
            for (i, (a, b)) in zip(result.derivatives, expected.derivatives).enumerated() {
                XCTAssertEqual(a, b, accuracy: 4e-16 * max(n[i], abs(b)), label)
            }
        }
    }
}
