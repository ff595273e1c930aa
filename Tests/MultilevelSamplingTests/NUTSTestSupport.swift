import Foundation
import MultilevelMath
import MultilevelSampling
import XCTest

// Test densities with known posteriors, a finite-difference gradient check, and ESS-based Monte
// Carlo standard errors for the sampler tests.

/// Independent normals N(mean, scale²) in `dimension` coordinates.
struct IndependentNormal: LogDensity {
    var means: [Double]
    var scales: [Double]
    var dimension: Int { means.count }

    init(means: [Double], scales: [Double]) {
        self.means = means
        self.scales = scales
    }

    init(dimension: Int) {
        self.init(means: [Double](repeating: 0, count: dimension), scales: [Double](repeating: 1, count: dimension))
    }

    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        var value = 0.0
        for i in 0..<means.count {
            let u = (position[i] - means[i]) / scales[i]
            value -= 0.5 * u * u
            gradient[i] = -u / scales[i]
        }
        return value
    }
}

/// A bivariate normal with unit variances and correlation ρ.
struct CorrelatedNormal2D: LogDensity {
    var correlation: Double
    var dimension: Int { 2 }

    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let x = position[0], y = position[1], r = correlation
        let c = 1 / (1 - r * r)
        gradient[0] = -c * (x - r * y)
        gradient[1] = -c * (y - r * x)
        return -0.5 * c * (x * x - 2 * r * x * y + y * y)
    }
}

/// Neal's funnel in non-centred form: v ~ N(0, 3²), zᵢ ~ N(0, 1), xᵢ = exp(v/2) zᵢ.
struct NonCentredFunnel: LogDensity {
    var latentCount: Int
    var dimension: Int { latentCount + 1 }

    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let v = position[0]
        var value = -v * v / 18
        gradient[0] = -v / 9
        for i in 1...latentCount {
            value -= 0.5 * position[i] * position[i]
            gradient[i] = -position[i]
        }
        return value
    }
}

/// N(0, 1) truncated to x < 1 by returning −∞ beyond: exercises non-finite rejection.
struct TruncatedNormal: LogDensity {
    var dimension: Int { 1 }
    mutating func logDensity(at position: UnsafeBufferPointer<Double>,
                             gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let x = position[0]
        gradient[0] = -x
        return x < 1 ? -0.5 * x * x : -.infinity
    }
}

/// Asserts that `density`'s gradient matches central finite differences at `point`.
func assertGradientMatchesFiniteDifferences<D: LogDensity>(_ density: D, at point: [Double],
                                                           step: Double = 1e-6, tolerance: Double = 1e-6,
                                                           file: StaticString = #filePath, line: UInt = #line) {
    var copy = density
    let analytic = copy.logDensityAndGradient(at: point).gradient
    for i in 0..<point.count {
        var plus = point, minus = point
        plus[i] += step
        minus[i] -= step
        let numeric = (copy.logDensityAndGradient(at: plus).value - copy.logDensityAndGradient(at: minus).value) / (2 * step)
        XCTAssertEqual(analytic[i], numeric, accuracy: tolerance * max(1, abs(numeric)),
                       "gradient component \(i)", file: file, line: line)
    }
}

/// Mean of the draws and its Monte Carlo standard error sd/√ESS, with the ESS of the split chains
/// (Vehtari et al. 2021; posterior's `mcse_mean`, from the diagnostics module).
func meanEstimate(_ chains: [[Double]]) -> (mean: Double, mcse: Double) {
    let sequences = ChainSequences(chains: chains)
    let mean = sequences.values.reduce(0, +) / Double(sequences.values.count)
    return (mean, meanMonteCarloStandardError(sequences))
}

/// Asserts |estimate − truth| ≤ `multiple` · MCSE for the estimate of E[f] from `chains` (the
/// values of f at each draw, one array per chain).
func assertWithinMCSE(_ chains: [[Double]], truth: Double, multiple: Double = 4, _ label: String,
                      file: StaticString = #filePath, line: UInt = #line) {
    let (mean, mcse) = meanEstimate(chains)
    XCTAssertLessThanOrEqual(abs(mean - truth), multiple * mcse,
                             "\(label): estimate \(mean), truth \(truth), MCSE \(mcse)", file: file, line: line)
    XCTAssertGreaterThan(mcse, 0, "\(label): zero MCSE", file: file, line: line)
}
