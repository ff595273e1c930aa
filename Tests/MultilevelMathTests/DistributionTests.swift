import XCTest
@testable import MultilevelMath

/// Student-t, χ², gamma, beta and F distributions against mpmath values
/// (scripts/references/special_functions.py and scripts/references/distributions.py).
final class DistributionTests: XCTestCase {
    /// |a − b| ≤ tolerance · max(1, |b|): relative for values of magnitude ≥ 1, absolute below
    /// (on the log scale this is the relative error of the probability).
    func assertClose(_ a: Double, _ b: Double, _ tolerance: Double, _ message: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        if a == b { return }
        XCTAssertLessThanOrEqual(abs(a - b), tolerance * max(1, abs(b)), "\(message): \(a) vs \(b)", file: file, line: line)
    }

    func testStudentT() {
        for row in Reference.studentT + Reference.studentTLargeDegrees {
            let t = StudentTDistribution(degreesOfFreedom: row.nu)
            let r = t.logCDFAndCCDF(row.t)
            assertClose(r.logCDF, row.logCDF, 1e-12, "log cdf t(\(row.nu)) at \(row.t)")
            assertClose(r.logCCDF, row.logCCDF, 1e-12, "log ccdf t(\(row.nu)) at \(row.t)")
            assertClose(t.logDensity(row.t), row.logDensity, 1e-13, "log density t(\(row.nu)) at \(row.t)")
            // Location-scale: X = 3 + 0.5 T.
            let shifted = StudentTDistribution(degreesOfFreedom: row.nu, location: 3, scale: 0.5)
            assertClose(shifted.logDensity(3 + 0.5 * row.t), row.logDensity - log(0.5), 1e-12, "shifted density")
        }
    }

    func testStudentTQuantile() {
        XCTAssertFalse(Reference.studentTQuantile.isEmpty)
        for row in Reference.studentTQuantile {
            let q = StudentTDistribution(degreesOfFreedom: row.nu).quantile(row.p)
            XCTAssertLessThanOrEqual(relativeError(q, row.quantile), 1e-12, "qt(\(row.p), \(row.nu)) = \(q) vs \(row.quantile)")
        }
        // qt(0.975, 10) and qt(0.975, 3) to 17 digits (mpmath).
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 10).quantile(0.975), 2.228138851986274, accuracy: 4e-15)
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 3).quantile(0.975), 3.1824463052837084, accuracy: 4e-15)
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 4, location: 1, scale: 2).quantile(0.5), 1)
    }

    /// brms' truncation constant for a half-t prior: student_t_lccdf(0 | ν, μ, σ).
    func testHalfStudentTNormalisingConstant() {
        XCTAssertEqual(StudentTDistribution(degreesOfFreedom: 3, location: 0, scale: 59.3).logCCDF(0), -log(2.0))
        // μ ≠ 0: P(X > 0) = P(T > −μ/σ) = cdf of T at μ/σ.
        let t = StudentTDistribution(degreesOfFreedom: 3, location: 1.5, scale: 2)
        let row = Reference.studentT.first { $0.nu == 3 && $0.t == 2 }!
        let viaReference = StudentTDistribution(degreesOfFreedom: 3, location: 4, scale: 2)  // P(X > 0) = P(T > −2)
        assertClose(viaReference.logCCDF(0), row.logCDF, 1e-13, "lccdf(0 | 3, 4, 2)")
        XCTAssertLessThan(t.logCCDF(0), 0)
    }

    func testChiSquaredGammaBetaF() {
        for row in DistributionReference.values {
            let r: (logCDF: Double, logCCDF: Double), density: Double
            switch row.kind {
            case "chisq":
                let d = ChiSquaredDistribution(degreesOfFreedom: row.p1)
                r = d.logCDFAndCCDF(row.x); density = d.logDensity(row.x)
            case "gamma":
                let d = GammaDistribution(shape: row.p1, rate: row.p2)
                r = d.logCDFAndCCDF(row.x); density = d.logDensity(row.x)
            case "beta":
                let d = BetaDistribution(alpha: row.p1, beta: row.p2)
                r = d.logCDFAndCCDF(row.x); density = d.logDensity(row.x)
            default:
                let d = FDistribution(numeratorDegreesOfFreedom: row.p1, denominatorDegreesOfFreedom: row.p2)
                r = d.logCDFAndCCDF(row.x); density = d.logDensity(row.x)
            }
            let label = "\(row.kind)(\(row.p1), \(row.p2)) at \(row.x)"
            assertClose(r.logCDF, row.logCDF, 1e-12, "log cdf \(label)")
            assertClose(r.logCCDF, row.logCCDF, 1e-12, "log ccdf \(label)")
            assertClose(density, row.logDensity, 1e-13, "log density \(label)")
        }
    }

    func testQuantiles() {
        for row in DistributionReference.quantiles {
            let q: Double
            switch row.kind {
            case "chisq": q = ChiSquaredDistribution(degreesOfFreedom: row.p1).quantile(row.p)
            case "beta": q = BetaDistribution(alpha: row.p1, beta: row.p2).quantile(row.p)
            default: q = FDistribution(numeratorDegreesOfFreedom: row.p1, denominatorDegreesOfFreedom: row.p2).quantile(row.p)
            }
            XCTAssertLessThanOrEqual(relativeError(q, row.quantile), 1e-12, "\(row.kind) quantile \(row.p): \(q) vs \(row.quantile)")
        }
        // Round trips in the far upper tail.
        let chi = ChiSquaredDistribution(degreesOfFreedom: 4)
        XCTAssertLessThanOrEqual(relativeError(chi.logCCDF(chi.upperQuantile(1e-200)), log(1e-200)), 1e-13)
        let gamma = GammaDistribution(shape: 0.2, rate: 3)
        XCTAssertLessThanOrEqual(relativeError(gamma.cdf(gamma.quantile(1e-30)), 1e-30), 1e-12)
    }

    func testInvalidParametersGiveNaN() {
        XCTAssert(StudentTDistribution(degreesOfFreedom: -1).cdf(0).isNaN)
        XCTAssert(StudentTDistribution(degreesOfFreedom: 3, scale: 0).logDensity(1).isNaN)
        XCTAssert(GammaDistribution(shape: 0).quantile(0.5).isNaN)
        XCTAssert(BetaDistribution(alpha: 1, beta: -2).cdf(0.5).isNaN)
        XCTAssert(ChiSquaredDistribution(degreesOfFreedom: 2).quantile(1.5).isNaN)
        XCTAssertEqual(GammaDistribution(shape: 2).logDensity(-1), -.infinity)
    }
}
