import XCTest
@testable import MultilevelMath

/// The FFT against a direct O(n²) discrete Fourier transform, and its inverse.
final class FFTTests: XCTestCase {
    func directTransform(_ re: [Double], _ im: [Double], inverse: Bool) -> ([Double], [Double]) {
        let n = re.count
        let sign: Double = inverse ? 1 : -1
        var outRe = [Double](repeating: 0, count: n), outIm = [Double](repeating: 0, count: n)
        for k in 0..<n {
            for j in 0..<n {
                let angle = sign * 2 * Double.pi * Double(j * k % n) / Double(n)
                outRe[k] += re[j] * cos(angle) - im[j] * sin(angle)
                outIm[k] += re[j] * sin(angle) + im[j] * cos(angle)
            }
        }
        return (outRe, outIm)
    }

    func testMatchesDirectTransform() {
        var g = Xoshiro256PlusPlus(seed: 11)
        for n in [1, 2, 4, 8, 64, 256] {
            let re = (0..<n).map { _ in g.nextNormal() }
            let im = (0..<n).map { _ in g.nextNormal() }
            for inverse in [false, true] {
                var r = re, i = im
                FastFourierTransform(length: n).transform(real: &r, imaginary: &i, inverse: inverse)
                let (dr, di) = directTransform(re, im, inverse: inverse)
                let scale = (re.map { $0 * $0 }.reduce(0, +) * Double(n)).squareRoot()
                for k in 0..<n {
                    XCTAssertEqual(r[k], dr[k], accuracy: 1e-13 * scale, "n=\(n) k=\(k)")
                    XCTAssertEqual(i[k], di[k], accuracy: 1e-13 * scale, "n=\(n) k=\(k)")
                }
            }
        }
    }

    func testInverseOfForwardIsLengthTimesInput() {
        var g = Xoshiro256PlusPlus(seed: 5)
        let n = 4096
        let re = (0..<n).map { _ in g.nextNormal() }
        var r = re, i = [Double](repeating: 0, count: n)
        let plan = FastFourierTransform(length: n)
        plan.transform(real: &r, imaginary: &i)
        plan.transform(real: &r, imaginary: &i, inverse: true)
        for k in 0..<n {
            XCTAssertEqual(r[k] / Double(n), re[k], accuracy: 1e-12)
            XCTAssertEqual(i[k] / Double(n), 0, accuracy: 1e-12)
        }
        XCTAssertEqual(FastFourierTransform.powerOfTwoLength(atLeast: 100_001), 131_072)
        XCTAssertEqual(FastFourierTransform.powerOfTwoLength(atLeast: 1), 1)
    }
}
