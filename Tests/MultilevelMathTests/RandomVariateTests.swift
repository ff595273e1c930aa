import XCTest
@testable import MultilevelMath

/// Goodness of fit of each generator against its exact distribution (fixed seeds):
/// Kolmogorov–Smirnov for continuous laws, Pearson χ² for discrete ones, moments within 5 SE.
final class RandomVariateTests: XCTestCase {
    let draws = 20_000

    /// The bound on √n·D_n for one of `testContinuousGenerators`' 15 Kolmogorov–Smirnov checks:
    /// Kolmogorov's limit law exceeds 2.511 with probability 10⁻⁴/15 (2 e^{−2x²}), so the 15 together
    /// fail spuriously with probability 10⁻⁴ (1.95, p = 0.001 each, made that 1.5%, and the gamma,
    /// beta and t generators call exp/log, whose last bits differ between CPUs). With n = 20,000 it
    /// still detects a CDF error of 0.018.
    let kolmogorovBound = 2.511

    /// √n · D_n for the sample against `cdf`.
    func kolmogorovSmirnov(_ sample: [Double], _ cdf: (Double) -> Double) -> Double {
        let sorted = sample.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, abs(f - Double(i) / n), abs(Double(i + 1) / n - f))
        }
        return d * n.squareRoot()
    }

    func assertFits(_ name: String, _ sample: [Double], _ cdf: (Double) -> Double, mean: Double? = nil,
                    variance: Double? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssert(sample.allSatisfy { $0.isFinite }, "\(name): non-finite draw", file: file, line: line)
        let ks = kolmogorovSmirnov(sample, cdf)
        XCTAssertLessThan(ks, kolmogorovBound, "\(name): KS statistic √n·D = \(ks)", file: file, line: line)
        let n = Double(sample.count)
        let m = sample.reduce(0, +) / n
        if let mean = mean, let variance = variance {
            XCTAssertEqual(m, mean, accuracy: 5 * (variance / n).squareRoot(), "\(name): mean", file: file, line: line)
        }
    }

    func testContinuousGenerators() {
        var g = Xoshiro256PlusPlus(seed: 2024)
        for shape in [0.05, 0.3, 1, 2.5, 40] {
            let gamma = GammaDistribution(shape: shape, rate: 2)
            assertFits("gamma(\(shape))", (0..<draws).map { _ in g.nextGamma(shape: shape, rate: 2) }, gamma.cdf,
                       mean: shape / 2, variance: shape / 4)
        }
        assertFits("exponential", (0..<draws).map { _ in g.nextExponential() },
                   { 1 - exp(-$0) }, mean: 1, variance: 1)
        for (a, b) in [(0.2, 0.4), (2.0, 5.0), (30.0, 0.7)] {
            let beta = BetaDistribution(alpha: a, beta: b)
            assertFits("beta(\(a), \(b))", (0..<draws).map { _ in g.nextBeta(a, b) }, beta.cdf,
                       mean: a / (a + b), variance: a * b / ((a + b) * (a + b) * (a + b + 1)))
        }
        let chi = ChiSquaredDistribution(degreesOfFreedom: 3.5)
        assertFits("chi-squared", (0..<draws).map { _ in g.nextChiSquared(degreesOfFreedom: 3.5) }, chi.cdf,
                   mean: 3.5, variance: 7)
        // Inverse gamma: P(X ≤ x) = Q(α, β/x).
        assertFits("inverse gamma", (0..<draws).map { _ in g.nextInverseGamma(shape: 5, scale: 2) },
                   { regularizedGammaQ(5, 2 / $0) }, mean: 0.5, variance: 4.0 / (16 * 3))
        for nu in [0.8, 3, 30.5] {
            let t = StudentTDistribution(degreesOfFreedom: nu, location: 1, scale: 2)
            assertFits("student-t(\(nu))", (0..<draws).map { _ in g.nextStudentT(degreesOfFreedom: nu, location: 1, scale: 2) },
                       t.cdf)
        }
    }

    /// Pearson χ² of counts against a pmf, merging bins with expectation below 5; asserts the
    /// statistic is below the 1 − 10⁻⁴/12 quantile of its χ² reference (12 such checks in
    /// `testDiscreteGenerators`, so 10⁻⁴ for the test; 0.9999 each made that 1.2·10⁻³).
    func assertDiscreteFits(_ name: String, _ sample: [Int], pmf: (Int) -> Double,
                            file: StaticString = #filePath, line: UInt = #line) {
        let n = Double(sample.count)
        guard let top = sample.max(), let bottom = sample.min(), bottom >= 0 else {
            return XCTFail("\(name): negative draw", file: file, line: line)
        }
        var counts = [Int](repeating: 0, count: top + 1)
        for k in sample { counts[k] += 1 }
        var statistic = 0.0, bins = 0
        var observed = 0.0, expected = 0.0, cumulative = 0.0
        for k in 0...top {
            observed += Double(counts[k])
            let e = n * pmf(k)
            expected += e
            cumulative += e
            if expected >= 5 && n - cumulative >= 5 {
                statistic += (observed - expected) * (observed - expected) / expected
                bins += 1
                observed = 0; expected = 0
            }
        }
        observed += 0
        expected += n - cumulative                 // the upper tail beyond `top`
        statistic += (observed - expected) * (observed - expected) / max(expected, 1e-300)
        bins += 1
        let critical = ChiSquaredDistribution(degreesOfFreedom: Double(bins - 1)).quantile(1 - 1e-4 / 12)
        XCTAssertLessThan(statistic, critical, "\(name): χ² = \(statistic) on \(bins - 1) df", file: file, line: line)
        XCTAssertGreaterThan(bins, 2, file: file, line: line)
    }

    func testDiscreteGenerators() {
        var g = Xoshiro256PlusPlus(seed: 99)
        for lambda in [0.7, 9.5, 10, 37.2, 4000] {
            assertDiscreteFits("poisson(\(lambda))", (0..<draws).map { _ in g.nextPoisson(mean: lambda) }) { k in
                exp(Double(k) * log(lambda) - lambda - logGamma(Double(k) + 1))
            }
        }
        for (n, p) in [(20, 0.3), (1000, 0.004), (1000, 0.4), (60, 0.85), (100_000, 0.5)] {
            assertDiscreteFits("binomial(\(n), \(p))", (0..<draws).map { _ in g.nextBinomial(trials: n, probability: p) }) { k in
                guard k <= n else { return 0 }
                let kd = Double(k), nd = Double(n)
                return exp(logGamma(nd + 1) - logGamma(kd + 1) - logGamma(nd - kd + 1) + kd * log(p) + (nd - kd) * log1p(-p))
            }
        }
        for (mu, phi) in [(4.0, 0.5), (30.0, 8.0)] {
            assertDiscreteFits("negative binomial(\(mu), \(phi))",
                               (0..<draws).map { _ in g.nextNegativeBinomial(mean: mu, shape: phi) }) { k in
                let kd = Double(k)
                return exp(logGamma(kd + phi) - logGamma(phi) - logGamma(kd + 1)
                           + phi * log(phi / (mu + phi)) + kd * log(mu / (mu + phi)))
            }
        }
        XCTAssertEqual(g.nextBinomial(trials: 10, probability: 1), 10)
        XCTAssertEqual(g.nextPoisson(mean: 0), 0)
    }

    /// An overflowing mean (e^η of a wild draw: 1e30, 1e300, the largest double) gives a draw, not a
    /// trap: the normal limit λ + √λ Z, capped at Int.max; at λ = 2⁶¹ the draws' mean and SD are
    /// λ and √λ within 5 SE.
    func testPoissonOfHugeMeanDoesNotTrap() {
        var g = Xoshiro256PlusPlus(seed: 5)
        for lambda in [1e30, 1e300, Double.greatestFiniteMagnitude] { XCTAssertEqual(g.nextPoisson(mean: lambda), Int.max) }
        let lambda = 0x1p61
        let sample = (0..<4000).map { _ in Double(g.nextPoisson(mean: lambda)) - lambda }
        let mean = sample.reduce(0, +) / 4000
        let sd = (sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 3999).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 5 * lambda.squareRoot() / 4000.0.squareRoot())
        XCTAssertEqual(sd / lambda.squareRoot(), 1, accuracy: 5 / (2 * 4000.0).squareRoot())
    }

    /// Σ = L Lᵀ with L = [[2, 0, 0], [0.6, 1.5, 0], [-1, 0.3, 0.8]].
    let factor: [Double] = [2, 0.6, -1, 0, 1.5, 0.3, 0, 0, 0.8]
    var sigma: [Double] {
        var s = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { s[i + 3 * j] += factor[i + 3 * k] * factor[j + 3 * k] } } }
        return s
    }

    func testMultivariateNormalCovariance() {
        var g = Xoshiro256PlusPlus(seed: 5)
        let n = draws
        var sum = [Double](repeating: 0, count: 3), cross = [Double](repeating: 0, count: 9)
        for _ in 0..<n {
            let x = g.nextMultivariateNormal(mean: [1, -2, 3], choleskyFactor: factor)
            for i in 0..<3 { sum[i] += x[i] }
            let c = [x[0] - 1, x[1] + 2, x[2] - 3]
            for i in 0..<3 { for j in 0..<3 { cross[i + 3 * j] += c[i] * c[j] } }
        }
        let s = sigma
        for i in 0..<3 {
            XCTAssertEqual(sum[i] / Double(n), [1, -2, 3][i], accuracy: 5 * (s[i * 4] / Double(n)).squareRoot())
            for j in 0..<3 {
                let se = ((s[i * 4] * s[j * 4] + s[i + 3 * j] * s[i + 3 * j]) / Double(n)).squareRoot()
                XCTAssertEqual(cross[i + 3 * j] / Double(n), s[i + 3 * j], accuracy: 5 * se)
            }
        }
    }

    func testWishartMoments() {
        var g = Xoshiro256PlusPlus(seed: 6)
        let nu = 7.5, n = 10_000
        var total = [Double](repeating: 0, count: 9)
        for _ in 0..<n {
            let w = g.nextWishart(degreesOfFreedom: nu, scaleCholeskyFactor: factor, dimension: 3)
            XCTAssertEqual(w[1], w[3])
            for k in 0..<9 { total[k] += w[k] }
        }
        let s = sigma
        for i in 0..<3 {
            for j in 0..<3 {
                // Var(W_ij) = ν (Σ_ij² + Σ_ii Σ_jj).
                let se = (nu * (s[i + 3 * j] * s[i + 3 * j] + s[i * 4] * s[j * 4]) / Double(n)).squareRoot()
                XCTAssertEqual(total[i + 3 * j] / Double(n), nu * s[i + 3 * j], accuracy: 5 * se, "W[\(i),\(j)]")
            }
        }
        // The diagonal of a Wishart(ν, Σ) is Σ_ii · χ²_ν: KS on the (0,0) entry.
        let diagonal = (0..<2000).map { _ in g.nextWishart(degreesOfFreedom: nu, scaleCholeskyFactor: factor, dimension: 3)[0] / s[0] }
        XCTAssertLessThan(kolmogorovSmirnov(diagonal, ChiSquaredDistribution(degreesOfFreedom: nu).cdf), kolmogorovBound)
    }

    func testInverseWishartMoments() {
        var g = Xoshiro256PlusPlus(seed: 8)
        let nu = 12.0, n = 20_000, p = 3.0
        var total = [Double](repeating: 0, count: 9), squares = [Double](repeating: 0, count: 9)
        var firstDiagonal: [Double] = []
        for _ in 0..<n {
            let x = g.nextInverseWishart(degreesOfFreedom: nu, scaleCholeskyFactor: factor, dimension: 3)
            for k in 0..<9 { total[k] += x[k]; squares[k] += x[k] * x[k] }
            if firstDiagonal.count < 2000 { firstDiagonal.append(x[0]) }
        }
        let s = sigma
        for k in 0..<9 {
            let mean = total[k] / Double(n)
            let se = ((squares[k] / Double(n) - mean * mean) / Double(n)).squareRoot()
            XCTAssertEqual(mean, s[k] / (nu - p - 1), accuracy: 5 * se, "E X[\(k)]")
        }
        // X_00 ~ inverse-gamma((ν − p + 1)/2, Ψ_00/2).
        let shape = (nu - p + 1) / 2
        XCTAssertLessThan(kolmogorovSmirnov(firstDiagonal) { regularizedGammaQ(shape, s[0] / 2 / $0) }, kolmogorovBound)
    }

    func testDeterministicGivenTheStream() {
        var a = Xoshiro256PlusPlus.stream(seed: 3, index: 1)
        var b = Xoshiro256PlusPlus.stream(seed: 3, index: 1)
        let x = (0..<50).map { _ in a.nextGamma(shape: 0.7) + Double(a.nextBinomial(trials: 500, probability: 0.3)) }
        let y = (0..<50).map { _ in b.nextGamma(shape: 0.7) + Double(b.nextBinomial(trials: 500, probability: 0.3)) }
        XCTAssertEqual(x, y)
    }
}
