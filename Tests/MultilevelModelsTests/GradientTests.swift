import XCTest
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// Analytic gradients of the GLMM log posterior against central finite differences (fourth-order
/// stencil), for every parameter kind: b, Intercept, auxiliary (sigma, nu, shape), sd, z and the
/// correlation factor, with one and with several (crossed, 3 × 3 correlated) grouping terms.
final class GradientTests: XCTestCase {
    static func testPriors(_ layout: ParameterLayout, family: Family, scale: Double, location: Double) -> PosteriorPriors {
        PosteriorPriors(
            intercept: .studentT(degreesOfFreedom: 3, location: location, scale: scale),
            coefficients: layout.coefficientNames.indices.map { _ in .normal(mean: 0, sd: 10) },
            standardDeviations: layout.terms.map { term in
                (0..<term.columnCount).map { k in k == 0 ? .studentT(degreesOfFreedom: 3, location: 0, scale: scale)
                                                         : .cauchy(location: 0, scale: scale) }
            },
            correlationEta: layout.terms.map { _ in 2 },
            auxiliary: layout.auxiliaryParameters.map { p in
                switch p {
                case .sigma: return .studentT(degreesOfFreedom: 3, location: 0, scale: scale)
                case .nu: return .gamma(shape: 2, rate: 0.1)
                case .shape, .phi: return .gamma(shape: 0.01, rate: 0.01)
                case .zi, .hu: return .beta(alpha: 2, beta: 3)
                case .thresholdGap: return .flat
                case .alpha: return .normal(mean: 0, sd: 4)
                }
            })
    }

    /// A family's row pass against `PosteriorTests.referenceLogPosterior` (the log density written
    /// out term by term): differences between three typical points (`PosteriorTestData.point`,
    /// `adjust` may move them) to 1e-9, and the gradient against finite differences to 1e-6.
    static func assertMatchesReferenceLogPosterior(design: ModelDesign, family: Family, priors: PosteriorPriors,
                                                   adjust: (inout [[Double]]) -> Void = { _ in },
                                                   file: StaticString = #filePath, line: UInt = #line) throws {
        var posterior = try GLMMPosterior(design: design, family: family, priors: priors, useSufficientStatistics: false)
        var points = (1...3).map { PosteriorTestData.point(for: posterior, seed: UInt64($0), interceptGuess: 0.3,
                                                            logScaleGuess: log(0.5)) }
        adjust(&points)
        let values = points.map { posterior.logDensityAndGradient(at: $0).value }
        let references = points.map { PosteriorTests.referenceLogPosterior(design: design, family: family, priors: priors, x: $0) }
        for i in 1..<points.count {
            XCTAssertEqual(values[i] - values[0], references[i] - references[0], accuracy: 1e-9 * max(1, abs(references[i])),
                           file: file, line: line)
        }
        for point in points {
            let gradient = gradientError(posterior, at: point)
            XCTAssertLessThanOrEqual(gradient.error, 1e-6, gradient.name, file: file, line: line)
        }
    }

    /// Largest |analytic − numeric| / max(1, |analytic|) over all coordinates, with the name of
    /// the worst coordinate.
    static func gradientError(_ posterior: GLMMPosterior, at x: [Double]) -> (error: Double, name: String) {
        let worst = gradientError(of: posterior, at: x)
        return (worst.error, worst.index >= 0 ? posterior.layout.unconstrainedNames[worst.index] : "")
    }

    /// Largest |analytic − numeric| / max(1, |analytic|) of ∇ log p at `x` over all coordinates,
    /// the numeric derivative by the five-point central difference (Richardson's extrapolation of
    /// two central differences, error O(h⁴)) with h = 1e-4 max(1, |xᵢ|); with the worst coordinate's
    /// index (−1 when every error is 0); a non-finite gradient or value gives an infinite error.
    static func gradientError<Density: LogDensity>(of density: Density, at x: [Double]) -> (error: Double, index: Int) {
        var p = density
        let analytic = p.logDensityAndGradient(at: x).gradient
        var worst = (0.0, -1)
        for i in x.indices {
            let h = 1e-4 * max(1, abs(x[i]))
            func f(_ delta: Double) -> Double {
                var y = x
                y[i] += delta
                return p.logDensityAndGradient(at: y).value
            }
            let numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h)
            let error = abs(analytic[i] - numeric) / max(1, abs(analytic[i]))
            if !(error <= worst.0) { worst = (error.isNaN ? .infinity : error, i) }  // a NaN counts as the worst
        }
        return worst
    }

    func check(_ design: ModelDesign, family: Family, scale: Double, location: Double, logScale: Double,
               sufficient: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        try Self.checkGradient(design, family: family, scale: scale, location: location, logScale: logScale,
                               sufficient: sufficient, file: file, line: line)
    }

    /// Analytic against finite-difference gradient of the posterior at three random points, with
    /// the terms flagged in `centred` sampled centred (nil: brms' non-centred layout).
    static func checkGradient(_ design: ModelDesign, family: Family, scale: Double, location: Double, logScale: Double,
                              centred: [Bool]? = nil, sufficient: Bool = true,
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let layout = ParameterLayout(design: design, family: family)
        let priors = testPriors(layout, family: family, scale: scale, location: location)
        let posterior = try GLMMPosterior(design: design, family: family, priors: priors,
                                          useSufficientStatistics: sufficient, centred: centred)
        if let centred { XCTAssertEqual(posterior.layout.terms.map(\.isCentred), centred, file: file, line: line) }
        for seed in [1, 2, 3] as [UInt64] {
            let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: location, logScaleGuess: logScale)
            var p = posterior
            XCTAssertTrue(p.logDensityAndGradient(at: x).value.isFinite, file: file, line: line)
            let (error, name) = gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "\(family) seed \(seed): worst coordinate \(name)", file: file, line: line)
        }
    }

    func testSleepstudySlopesGaussianSufficientStatistics() throws {
        try check(PosteriorTestData.sleepstudy(), family: .gaussian, scale: 59.3, location: 288.7, logScale: log(30))
    }

    func testSleepstudySlopesGaussianRowByRow() throws {
        try check(PosteriorTestData.sleepstudy(), family: .gaussian, scale: 59.3, location: 288.7, logScale: log(30),
                  sufficient: false)
    }

    func testSleepstudyInterceptsGaussian() throws {
        try check(PosteriorTestData.sleepstudy(slopes: false), family: .gaussian, scale: 59.3, location: 288.7,
                  logScale: log(30))
    }

    func testCrossedGaussianSufficientStatistics() throws {
        try check(PosteriorTestData.crossed(family: .gaussian), family: .gaussian, scale: 2.5, location: 0.3,
                  logScale: log(0.5))
    }

    func testCrossedGaussianRowByRow() throws {
        try check(PosteriorTestData.crossed(family: .gaussian), family: .gaussian, scale: 2.5, location: 0.3,
                  logScale: log(0.5), sufficient: false)
    }

    /// The crossed simulated model under a non-gaussian family (row-by-row likelihood).
    func checkCrossed(_ family: Family, file: StaticString = #filePath, line: UInt = #line) throws {
        try check(PosteriorTestData.crossed(family: family), family: family, scale: 2.5, location: 0.3,
                  logScale: log(0.5), file: file, line: line)
    }

    func testCrossedStudent() throws { try checkCrossed(.student) }
    func testCrossedBernoulli() throws { try checkCrossed(.bernoulli) }
    func testCrossedBinomial() throws { try checkCrossed(.binomial) }
    func testCrossedPoisson() throws { try checkCrossed(.poisson) }
    func testCrossedNegativeBinomial() throws { try checkCrossed(.negativeBinomial) }
    func testCrossedLognormal() throws { try checkCrossed(.lognormal) }
    func testCrossedGamma() throws { try checkCrossed(.gamma) }
    func testCrossedZeroInflatedPoisson() throws { try checkCrossed(.zeroInflatedPoisson) }
    func testCrossedZeroInflatedNegativeBinomial() throws { try checkCrossed(.zeroInflatedNegativeBinomial) }
    func testCrossedHurdlePoisson() throws { try checkCrossed(.hurdlePoisson) }
    func testCrossedHurdleNegativeBinomial() throws { try checkCrossed(.hurdleNegativeBinomial) }
    func testCrossedExponential() throws { try checkCrossed(.exponential) }
    func testCrossedWeibull() throws { try checkCrossed(.weibull) }
    func testCrossedSkewNormal() throws { try checkCrossed(.skewNormal) }
    func testCrossedHurdleLognormal() throws { try checkCrossed(.hurdleLognormal) }

    func testCbppBinomial() throws {
        try check(PosteriorTestData.cbpp(), family: .binomial, scale: 2.5, location: -1.4, logScale: log(0.7))
    }
}
