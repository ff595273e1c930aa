import XCTest
@testable import MultilevelSampling
import MultilevelMath

/// Pieces of the diagnostics checked against closed forms, R's definitions and brute force.
final class DiagnosticsUnitTests: XCTestCase {
    func testQuantileType7AndMADAsR() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0, 0.05, 0.5, 0.9, 1)) = 1, 1.2, 3, 7.6, 10 (the 90% one
        // is 7.5999999999999979 at 17 digits, as here); mad(...) = 1.4826.
        let sorted: [Double] = [1, 2, 3, 4, 10]
        let expected: [Double] = [1, 1.2, 3, 7.5999999999999979, 10]
        for (p, q) in zip([0, 0.05, 0.5, 0.9, 1], expected) {
            XCTAssertEqual(quantileType7(sorted, probability: p), q, accuracy: 1e-15)
        }
        XCTAssertEqual(medianAbsoluteDeviation([10, 1, 4, 3, 2]), 1.4826, accuracy: 1e-15)
        // Even count: median is the mean of the middle two; R: mad(c(1, 2, 4, 8)) = 1.4826 * 1.5.
        XCTAssertEqual(medianAbsoluteDeviation([8, 1, 4, 2]), 1.4826 * 1.5, accuracy: 1e-15)
        XCTAssertEqual(quantiles([3, .nan], probabilities: [0.5]).first.map { $0.isNaN }, true)
    }

    func testHighestDensityIntervalIsTheShortestAgainstBruteForce() {
        var g = SplitMix(state: 3)
        let draws = (0..<501).map { _ in -log(1 - g.next()) }  // exponential: the HDI starts at the minimum
        let sorted = draws.sorted()
        let hdi = try! XCTUnwrap(highestDensityInterval(draws, probability: 0.9))
        let span = Int((0.9 * 501).rounded(.down))
        var bestWidth = Double.infinity
        for i in 0..<(501 - span) { bestWidth = min(bestWidth, sorted[i + span] - sorted[i]) }
        XCTAssertEqual(hdi.upper - hdi.lower, bestWidth)
        XCTAssertEqual(hdi.lower, sorted[0])
        XCTAssertEqual(draws.filter { $0 >= hdi.lower && $0 <= hdi.upper }.count, span + 1)
        XCTAssertNil(highestDensityInterval([], probability: 0.9))
        XCTAssertNil(highestDensityInterval([1, 2], probability: 1.5))
    }

    func testAutocovarianceMatchesDirectSumsOnBothPaths() {
        var g = SplitMix(state: 8)
        for phi in [0.0, 0.95] {  // white noise stays on direct sums; φ = 0.95 switches to the FFT
            var x = [Double](repeating: 0, count: 3001)
            for i in 1..<x.count { x[i] = phi * x[i - 1] + g.next() - 0.5 }
            let n = x.count
            let mean = x.reduce(0, +) / Double(n)
            func direct(_ t: Int) -> Double {
                var s = 0.0
                for i in 0..<(n - t) { s += (x[i] - mean) * (x[i + t] - mean) }
                return s / Double(n)
            }
            let scale = direct(0)
            let fft = autocovariance(x)
            for t in [0, 1, 2, 7, 30, 47, 48, 200, 2999, 3000] {
                XCTAssertEqual(fft[t], direct(t), accuracy: 1e-12 * scale, "FFT lag \(t)")
            }
            var lazy = AutocovarianceEstimator(sequences: ChainSequences(values: x, chainCount: 1, length: n))
            for t in [0, 1, 5, 9, 20, 47, 100, 159, 160, 400] {
                XCTAssertEqual(lazy(t), direct(t), accuracy: 1e-12 * scale, "φ \(phi) lag \(t)")
            }
        }
        XCTAssertEqual(autocovariance([2, 2, 2]), [0, 0, 0])
    }

    /// For an AR(1) process the ESS of the mean is close to N (1 − φ)/(1 + φ).
    func testEffectiveSampleSizeOfAR1() {
        var g = SplitMix(state: 21)
        let phi = 0.6, n = 20_000
        func normal() -> Double { (-2 * log(g.next())).squareRoot() * cos(2 * Double.pi * g.next()) }
        let chains = (0..<4).map { _ -> [Double] in
            var x = [Double](repeating: 0, count: n)
            x[0] = normal()
            for i in 1..<n { x[i] = phi * x[i - 1] + (1 - phi * phi).squareRoot() * normal() }
            return x
        }
        let ess = basicEffectiveSampleSize(ChainSequences(chains: chains))
        let expected = Double(4 * n) * (1 - phi) / (1 + phi)
        XCTAssertEqual(ess, expected, accuracy: 0.1 * expected)
        let iid = (0..<4).map { _ in (0..<n).map { _ in normal() } }
        XCTAssertEqual(basicRhat(ChainSequences(chains: iid)), 1, accuracy: 0.005)
    }

    func testRadixSortPermutationSortsEverythingStably() {
        var g = SplitMix(state: 1)
        var values = (0..<5000).map { _ in (g.next() - 0.5) * 1e6 }
        values += [0, -0.0, .infinity, -.infinity, Double.leastNormalMagnitude / 64, -Double.leastNormalMagnitude / 64, 3, 3, 3]
        let order = sortPermutation(values)
        let sorted = order.map { values[Int($0)] }
        XCTAssertEqual(sorted, values.sorted())
        let threes = order.filter { values[Int($0)] == 3 }
        XCTAssertEqual(threes, threes.sorted(), "ties keep their original order")
        XCTAssertEqual(sortPermutation([Double]()), [])
    }

    /// Values that agree in their high bits (the sort keys only) and differ in the last bits of
    /// the significand — a run the radix sort leaves in index order and then sorts by full value —
    /// and long runs of exact ties.
    func testRadixSortOrdersValuesThatDifferOnlyInTheirLastBits() {
        var g = SplitMix(state: 7)
        for n in [1, 2, 3, 40, 5000, 70_000] {
            var values = (0..<n).map { _ in 1 + Double(Int(g.next() * 4000)) * Double.ulpOfOne }
            values += (0..<(n / 2)).map { _ in Double(Int(g.next() * 3)) }
            values += (0..<(n / 4)).map { _ in -(1 + Double(Int(g.next() * 50)) * Double.ulpOfOne) }
            let (sorted, order) = values.withUnsafeBufferPointer { sortedWithPermutation($0) }
            XCTAssertEqual(sorted, values.sorted(), "n = \(n)")
            XCTAssertEqual(order.map { values[Int($0)] }, sorted)
            // Stable: within each run of equal values the indices increase.
            for p in order.indices.dropFirst() where sorted[p] == sorted[p - 1] {
                XCTAssertLessThan(order[p - 1], order[p], "n = \(n): tie at \(p) out of index order")
            }
        }
    }

    /// mcse_quantile's beta quantiles (MultilevelMath's inverse incomplete beta) at the shapes
    /// ESS·p + 1, ESS·(1 − p) + 1 it meets.
    func testBetaQuantileAtQuantileMCSEShapes() {
        // R 4.2: print(qbeta(0.1586553, 3, 5), digits = 17) = 0.2060838414582668.
        XCTAssertEqual(inverseRegularizedIncompleteBeta(3, 5, 0.1586553), 0.2060838414582668, accuracy: 1e-15)
        for (a, b) in [(1.0, 1.0), (2.5, 7.0), (200.0, 3800.0), (95_001.0, 5001.0)] {
            for p in [0.001, 0.1586553, 0.5, 0.8413447, 0.999] {
                let x = inverseRegularizedIncompleteBeta(a, b, p)
                XCTAssertEqual(regularizedIncompleteBeta(a, b, x), p, accuracy: 1e-12, "a=\(a) b=\(b) p=\(p)")
            }
        }
        XCTAssertEqual(inverseRegularizedIncompleteBeta(1, 1, 0.3), 0.3, accuracy: 1e-15)
    }
}
