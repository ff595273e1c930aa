import XCTest
@testable import MultilevelMath

/// The standard normal functions against 50-digit values from mpmath
/// (scripts/references/normal_distribution.py prints the tables below).
final class NormalDistributionTests: XCTestCase {
    let quantileReference: [(Double, Double)] = [
        (1e-300, -37.047096299361199237),
        (1e-100, -21.273453560965324294),
        (1e-20, -9.2623400897984075796),
        (1e-10, -6.3613409024040561991),
        (1e-5, -4.2648907939228246102),
        (0.001, -3.0902323061678135354),
        (0.02425, -1.9729610513118848376),
        (0.05, -1.644853626951472688),
        (0.075, -1.4395314709384559349),
        (0.1586553, -0.99999980961110624531),
        (0.25, -0.6744897501960817432),
        (0.4, -0.25334710313579974132),
        (0.5, 0.0),
        (0.6, 0.25334710313579974132),
        (0.75, 0.6744897501960817432),
        (0.8413447, 0.99999980961110601589),
        (0.925, 1.4395314709384562291),
        (0.95, 1.6448536269514722843),
        (0.975, 1.9599639845400538556),
        (0.999, 3.0902323061678132778),
        (0.99999, 4.2648907939238407699),
        (0.9999999999, 6.3613408896974218642),
    ]
    let cdfReference: [(x: Double, cdf: Double, logCDF: Double, density: Double)] = [
        (-40, 0, -804.60844201375378817, 0),
        (-38, 0, -726.5572160188201301, 0),
        (-30, 4.9067139271481870595e-198, -454.32124395634319711, 1.473646134878547519e-196),
        (-10, 7.619853024160526066e-24, -53.231285150512470578, 7.6945986267064193463e-23),
        (-5, 2.8665157187919391167e-7, -15.064998393988725736, 1.4867195147342977079e-6),
        (-2.5, 0.006209665325776135167, -5.0816482772786904984, 0.017528300493568537362),
        (-1, 0.15865525393145705141, -1.8410216450092635058, 0.2419707245191433498),
        (-0.3, 0.38208857781104736693, -0.96210281816885065666, 0.38138781546052408688),
        (0, 0.5, -0.69314718055994530942, 0.39894228040143267794),
        (0.3, 0.61791142218895263307, -0.48141016158848120517, 0.38138781546052408688),
        (1, 0.84134474606854294859, -0.17275377902344988953, 0.2419707245191433498),
        (2.5, 0.99379033467422386483, -0.006229025485860002381, 0.017528300493568537362),
        (5, 0.99999971334842812081, -2.8665161296376359338e-7, 1.4867195147342977079e-6),
        (8.3, 0.99999999999999994794, -5.2055697448902541601e-17, 4.3816394355093327219e-16),
        (10, 1.0, -7.619853024160526066e-24, 7.6945986267064193463e-23),
    ]

    func relativeError(_ a: Double, _ b: Double) -> Double {
        b == 0 ? abs(a) : abs(a - b) / abs(b)
    }

    func testQuantileMatchesMpmathToFullPrecision() {
        for (p, expected) in quantileReference {
            let q = NormalDistribution.quantile(p)
            XCTAssertLessThanOrEqual(relativeError(q, expected), 6e-16, "quantile(\(p)) = \(q), mpmath \(expected)")
        }
    }

    func testQuantileEdgesAndSymmetry() {
        XCTAssertEqual(NormalDistribution.quantile(0), -.infinity)
        XCTAssertEqual(NormalDistribution.quantile(1), .infinity)
        XCTAssert(NormalDistribution.quantile(-0.1).isNaN)
        XCTAssert(NormalDistribution.quantile(1.1).isNaN)
        XCTAssert(NormalDistribution.quantile(.nan).isNaN)
        for p in stride(from: 0.001, to: 0.5, by: 0.0137) {
            XCTAssertEqual(NormalDistribution.quantile(p), -NormalDistribution.quantile(1 - p), accuracy: 1e-15 * 4)
        }
    }

    func testCDFLogCDFAndDensityMatchMpmath() {
        for r in cdfReference {
            if r.cdf > 1e-300 {
                XCTAssertLessThanOrEqual(relativeError(NormalDistribution.cdf(r.x), r.cdf), 2e-15, "cdf(\(r.x))")
            }
            XCTAssertLessThanOrEqual(relativeError(NormalDistribution.logCDF(r.x), r.logCDF), 2e-15, "logCDF(\(r.x))")
            if r.density > 1e-300 {
                XCTAssertLessThanOrEqual(relativeError(NormalDistribution.density(r.x), r.density), 2e-15, "density(\(r.x))")
            }
        }
    }

    func testQuantileInvertsCDF() {
        for x in stride(from: -8.0, through: 4.0, by: 0.37) {
            XCTAssertEqual(NormalDistribution.quantile(NormalDistribution.cdf(x)), x, accuracy: 1e-9 * max(1, abs(x)))
        }
    }
}
