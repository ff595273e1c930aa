import XCTest
@testable import MultilevelMath

/// The Student-t distribution as ν grows (1e5 … 1e300, ∞) against mpmath
/// (scripts/references/student_t_large_degrees.py): it must approach the normal distribution
/// without losing accuracy — the incomplete-beta route alone broke down beyond ν ≈ 1e16 (ν/2 + ½
/// not representable: P(T < −40) came out as ½) and its quantile beyond ν ≈ 1e16.
/// `testStudentT` checks the cdf and density rows of `Reference.studentTLargeDegrees` with the others.
extension DistributionTests {
    func testStudentTQuantileApproachesTheNormal() {
        XCTAssertEqual(Reference.studentTLargeDegreesQuantile.count, 84)
        for row in Reference.studentTLargeDegreesQuantile {
            let t = StudentTDistribution(degreesOfFreedom: row.nu)
            XCTAssertLessThanOrEqual(relativeError(t.quantile(row.p), row.quantile), 1e-13, "qt(\(row.p), \(row.nu))")
            // Upper quantiles by symmetry where 1 − p is a double close enough to the true value.
            if row.p >= 1e-3 {
                XCTAssertLessThanOrEqual(relativeError(t.quantile(1 - row.p), -row.quantile), 1e-12, "qt(1 − \(row.p), \(row.nu))")
            }
        }
    }

    /// The two routes meet at `largeDegreesOfFreedom` without a visible step, and ν = ∞ is the
    /// normal distribution (density, derivative, cdf, quantile, location and scale).
    func testStudentTSwitchToTheLargeDegreesFormIsSeamless() {
        let threshold = StudentTDistribution.largeDegreesOfFreedom
        let below = StudentTDistribution(degreesOfFreedom: threshold.nextDown)
        let above = StudentTDistribution(degreesOfFreedom: threshold)
        for x in [-30.0, -5, -1.5, 0.3, 4, 25] {
            assertClose(below.logCDF(x), above.logCDF(x), 2e-14, "log cdf at \(x) across the switch")
            assertClose(below.logCCDF(x), above.logCCDF(x), 2e-14, "log ccdf at \(x) across the switch")
        }
        for p in [1e-200, 1e-6, 0.2, 0.99] {
            XCTAssertLessThanOrEqual(relativeError(below.quantile(p), above.quantile(p)), 2e-14, "quantile \(p) across the switch")
        }
        let normal = StudentTDistribution(degreesOfFreedom: .infinity, location: 3, scale: 2)
        XCTAssertEqual(normal.logDensity(4), NormalDistribution.logDensity(0.5) - log(2), accuracy: 1e-15)
        XCTAssertEqual(normal.logDensityDerivative(4), -0.25, accuracy: 1e-15)
        XCTAssertEqual(normal.logCDF(4), NormalDistribution.logCDF(0.5), accuracy: 1e-15)
        XCTAssertEqual(normal.quantile(0.975), 3 + 2 * NormalDistribution.quantile(0.975), accuracy: 1e-14)
    }
}
