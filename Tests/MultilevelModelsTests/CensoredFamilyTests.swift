import Foundation
import XCTest
@testable import MultilevelModels

/// The distribution functions for censored rows (`CensoredResponseFamily`): log F(y) equals the
/// log of the family's density integrated from 0 (or −∞) to y (Simpson's rule), log(1 − F) and
/// log F are complementary, and their η and auxiliary derivatives match central differences.
final class CensoredFamilyTests: XCTestCase {
    private func check<F: CensoredResponseFamily>(_ family: F.Type, _ name: Family, y: Double, eta: Double,
                                                  auxiliary: [Double], from lower: Double,
                                                  file: StaticString = #filePath, line: UInt = #line) {
        // F(y) by Simpson's rule on the density.
        let steps = 200_000
        let h = (y - lower) / Double(steps)
        var sum = 0.0
        for k in 0...steps {
            let x = lower + Double(k) * h
            let weight = (k == 0 || k == steps) ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
            // The log-scale families' densities are 0 at y = 0 (their formulas are not defined there).
            let atZero = x == 0 && (name == .lognormal || name == .weibull)
            let density = atZero ? 0 : exp(name.logLikelihood(response: x, trials: 1, eta: eta, auxiliary: auxiliary))
            sum += weight * density
        }
        let integral = sum * h / 3
        let lowerTail = F.logCDF(y, eta: eta, auxiliary: auxiliary)
        let upperTail = F.logCCDF(y, eta: eta, auxiliary: auxiliary)
        XCTAssertEqual(exp(lowerTail.value), integral, accuracy: 1e-8, "\(name) F(y)", file: file, line: line)
        XCTAssertEqual(exp(lowerTail.value) + exp(upperTail.value), 1, accuracy: 1e-14, "\(name)", file: file, line: line)
        for (term, function) in [(lowerTail, F.logCDF), (upperTail, F.logCCDF)] {
            let d = 1e-5
            let numericEta = (function(y, eta + d, auxiliary).value - function(y, eta - d, auxiliary).value) / (2 * d)
            XCTAssertEqual(term.eta, numericEta, accuracy: 1e-7 * max(1, abs(numericEta)), "\(name) ∂η", file: file, line: line)
            for a in auxiliary.indices {
                var up = auxiliary, down = auxiliary
                up[a] += d; down[a] -= d
                let numeric = (function(y, eta, up).value - function(y, eta, down).value) / (2 * d)
                XCTAssertEqual(a == 0 ? term.auxiliary.0 : term.auxiliary.1, numeric, accuracy: 1e-6 * max(1, abs(numeric)),
                               "\(name) ∂aux \(a)", file: file, line: line)
            }
        }
    }

    func testGaussian() { check(GaussianFamily.self, .gaussian, y: 1.9, eta: 1.2, auxiliary: [0.7], from: 1.2 - 12 * 0.7) }
    func testLognormal() { check(LognormalFamily.self, .lognormal, y: 2.5, eta: 0.4, auxiliary: [0.6], from: 0) }
    func testExponential() { check(ExponentialFamily.self, .exponential, y: 1.3, eta: log(2.0), auxiliary: [], from: 0) }
    func testStudent() { check(StudentFamily.self, .student, y: 1.9, eta: 1.2, auxiliary: [0.7, 4.5], from: 1.2 - 400 * 0.7) }
    func testGamma() { check(GammaFamily.self, .gamma, y: 2.5, eta: 0.4, auxiliary: [3.2], from: 0) }
    func testWeibull() { check(WeibullFamily.self, .weibull, y: 2.2, eta: log(3.0), auxiliary: [1.7], from: 0) }
}
