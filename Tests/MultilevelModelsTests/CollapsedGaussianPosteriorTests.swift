import XCTest
import MultilevelMath
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The collapsed gaussian posterior (every term's group-level effects integrated out through the
/// blocked Cholesky): analytic gradient against finite differences on crossed and nested models,
/// its value against the joint posterior through log p(θ | y) = log p(θ, z | y) − log p(z | θ, y)
/// with the conditional of z built densely from the raw rows, the one-term case against
/// `MarginalPosterior`, and the exact draws of z against that dense conditional.
final class CollapsedGaussianPosteriorTests: XCTestCase {
    static func posteriors(_ design: ModelDesign, scale: Double, location: Double) throws
        -> (CollapsedGaussianPosterior, GLMMPosterior) {
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: scale, location: location)
        return (try CollapsedGaussianPosterior(design: design, priors: priors),
                try GLMMPosterior(design: design, family: .gaussian, priors: priors))
    }

    static func nested() throws -> ModelDesign {
        try PosteriorTestData.built("nested", "y ~ z + (1 + z | batch) + (1 | batch:cask)")
    }

    private func checkGradient(_ design: ModelDesign, location: Double, logScale: Double,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (collapsed, joint) = try Self.posteriors(design, scale: 2, location: location)
        for seed in [1, 2, 3] as [UInt64] {
            let point = PosteriorTestData.point(for: joint, seed: seed, interceptGuess: location, logScaleGuess: logScale)
            let x = collapsed.jointIndex.map { point[$0] }
            var p = collapsed
            XCTAssertTrue(p.logDensityAndGradient(at: x).value.isFinite, file: file, line: line)
            let worst = GradientTests.gradientError(of: collapsed, at: x)
            XCTAssertLessThan(worst.error, 1e-6, "seed \(seed) coordinate \(worst.index)", file: file, line: line)
        }
    }

    func testGradientMatchesFiniteDifferencesCrossed() throws {
        try checkGradient(PosteriorTestData.crossed(family: .gaussian), location: 0.3, logScale: log(0.5))
    }

    func testGradientMatchesFiniteDifferencesNestedWithCorrelatedSlopes() throws {
        try checkGradient(try Self.nested(), location: 10, logScale: log(2))
    }

    /// A near-zero sd (10⁻⁶ of σ) beside a large one: the gradient stays exact where T⁻¹ is large.
    func testGradientAtNearZeroStandardDeviation() throws {
        let design = try PosteriorTestData.built("nested", "y ~ 1 + (1 | batch) + (1 | batch:cask)")
        let (collapsed, _) = try Self.posteriors(design, scale: 2, location: 10)
        // Reduced order: Intercept, sigma, sd_batch, sd_batch:cask.
        let x = [10.0, log(2.0), log(2e-6), log(3.0)]
        var p = collapsed
        let analytic = p.logDensityAndGradient(at: x)
        for i in x.indices {
            let h = 1e-4
            func f(_ delta: Double) -> Double { var y = x; y[i] += delta; return p.logDensityAndGradient(at: y).value }
            let numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h)
            XCTAssertEqual(analytic.gradient[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)), "coordinate \(i)")
        }
    }

    /// The dense conditional of z given θ from the raw rows: precision P = I + ΛᵀZᵀZΛ/σ² and mean
    /// μ = P⁻¹ΛᵀZᵀ(y − Fβ)/σ², z in the joint layout's order; returns (μ, lower Cholesky factor C of P).
    static func denseConditional(_ design: ModelDesign, _ joint: GLMMPosterior, _ x: [Double])
        -> (mean: [Double], factor: [Double], offsets: [Int]) {
        let layout = joint.layout
        var offsets: [Int] = [], d = 0
        for term in layout.terms { offsets.append(d); d += term.levelCount * term.columnCount }
        let sigma = exp(x[layout.auxiliaryOffset]), v = sigma * sigma
        var lambdas: [[Double]] = []
        for term in layout.terms {
            let q = term.columnCount
            var factor = [Double](repeating: 0, count: q * q)
            if q > 1 {
                x.withUnsafeBufferPointer { xp in
                    _ = CholeskyCorrelationTransform.constrain(xp.baseAddress! + term.correlationOffset, dimension: q, into: &factor)
                }
            } else { factor[0] = 1 }
            for k in 0..<q { for l in 0..<q { factor[k * q + l] *= exp(x[term.sdOffset + k]) } }
            lambdas.append(factor)
        }
        var precision = [Double](repeating: 0, count: d * d)
        var linear = [Double](repeating: 0, count: d)
        for i in 0..<design.rowCount {
            var fixed = x[layout.interceptOffset]
            for k in layout.coefficientNames.indices { fixed += (design.fixedEffects[i, k + 1] - joint.columnMeans[k]) * x[k] }
            var row: [(Int, Double)] = []
            for (t, term) in layout.terms.enumerated() {
                let q = term.columnCount, random = design.randomTerms[t]
                let level = random.grouping.levelIndex[i]
                for l in 0..<q {
                    var value = 0.0
                    for k in 0..<q { value += random.values[i * q + k] * lambdas[t][k * q + l] }
                    row.append((offsets[t] + level * q + l, value))
                }
            }
            for (a, va) in row {
                linear[a] += va * (design.response[i] - fixed) / v
                for (b, vb) in row { precision[a * d + b] += va * vb / v }
            }
        }
        for a in 0..<d { precision[a * d + a] += 1 }
        var c = [Double](repeating: 0, count: d * d)
        for a in 0..<d {
            for b in 0...a {
                var s = precision[a * d + b]
                for r in 0..<b { s -= c[a * d + r] * c[b * d + r] }
                c[a * d + b] = a == b ? s.squareRoot() : s / c[b * d + b]
            }
        }
        var mean = linear
        for a in 0..<d { for r in 0..<a { mean[a] -= c[a * d + r] * mean[r] }; mean[a] /= c[a * d + a] }
        for a in stride(from: d - 1, through: 0, by: -1) {
            for r in (a + 1)..<d { mean[a] -= c[r * d + a] * mean[r] }
            mean[a] /= c[a * d + a]
        }
        return (mean, c, offsets)
    }

    func testValueEqualsJointMinusDenseConditionalOfEffects() throws {
        let cases: [(ModelDesign, Double, Double)] = [
            (PosteriorTestData.crossed(family: .gaussian), 0.3, log(0.5)), (try Self.nested(), 10, log(2)),
        ]
        for (design, location, logScale) in cases {
            let (collapsed, joint) = try Self.posteriors(design, scale: 2, location: location)
            for seed in [4, 5] as [UInt64] {
                let x = PosteriorTestData.point(for: joint, seed: seed, interceptGuess: location, logScaleGuess: logScale)
                var m = collapsed, j = joint
                let collapsedValue = m.logDensityAndGradient(at: collapsed.jointIndex.map { x[$0] }).value
                let jointValue = j.logDensityAndGradient(at: x).value
                let (mean, c, offsets) = Self.denseConditional(design, joint, x)
                let d = mean.count
                var z = [Double](repeating: 0, count: d)
                for (t, term) in joint.layout.terms.enumerated() {
                    for k in 0..<(term.levelCount * term.columnCount) { z[offsets[t] + k] = x[term.zOffset + k] }
                }
                // log N(z; μ, (CCᵀ)⁻¹) = Σ log C_aa − ½‖Cᵀ(z − μ)‖² − (d/2) log 2π.
                var conditional = -0.5 * Double(d) * log(2 * Double.pi)
                for a in 0..<d {
                    conditional += log(c[a * d + a])
                    var s = 0.0
                    for r in a..<d { s += c[r * d + a] * (z[r] - mean[r]) }
                    conditional -= 0.5 * s * s
                }
                XCTAssertEqual(collapsedValue, jointValue - conditional, accuracy: 1e-8 * abs(collapsedValue),
                               "\(design.formulaText) seed \(seed)")
            }
        }
    }

    /// With one term the collapsed density is the per-level `MarginalPosterior` (another derivation).
    func testOneTermMatchesMarginalPosterior() throws {
        let design = try PosteriorTestData.sleepstudy()
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 59.3, location: 288.7)
        var collapsed = try CollapsedGaussianPosterior(design: design, priors: priors)
        var marginal = try MarginalPosterior(design: design, priors: priors)
        let joint = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        XCTAssertEqual(collapsed.jointIndex, marginal.jointIndex)
        for seed in [6, 7] as [UInt64] {
            let point = PosteriorTestData.point(for: joint, seed: seed, interceptGuess: 288.7, logScaleGuess: log(30))
            let x = collapsed.jointIndex.map { point[$0] }
            let a = collapsed.logDensityAndGradient(at: x), b = marginal.logDensityAndGradient(at: x)
            XCTAssertEqual(a.value, b.value, accuracy: 1e-9 * abs(b.value))
            for i in x.indices { XCTAssertEqual(a.gradient[i], b.gradient[i], accuracy: 1e-7 * max(1, abs(b.gradient[i]))) }
        }
    }

    /// Exact draws of z: their mean and the variance of each coordinate against the dense
    /// conditional N(μ, P⁻¹), within 4.5 Monte-Carlo standard errors per coordinate.
    func testEffectsDrawsFollowDenseConditional() throws {
        let design = try Self.nested()
        var (collapsed, joint) = try Self.posteriors(design, scale: 2, location: 10)
        let x = PosteriorTestData.point(for: joint, seed: 8, interceptGuess: 10, logScaleGuess: log(2))
        let (mean, c, offsets) = Self.denseConditional(design, joint, x)
        let d = mean.count
        // Var(z_a) = (P⁻¹)_aa = ‖C⁻¹ e_a‖² … computed as column norms of C⁻ᵀ: solve C w = e_a.
        var variance = [Double](repeating: 0, count: d)
        for a in 0..<d {
            var w = [Double](repeating: 0, count: d)
            w[a] = 1
            for r in 0..<d { for k in 0..<r { w[r] -= c[r * d + k] * w[k] }; w[r] /= c[r * d + r] }
            // (P⁻¹)_aa = ‖C⁻¹ e_a‖² since P⁻¹ = C⁻ᵀ C⁻¹.
            variance[a] = w.reduce(0) { $0 + $1 * $1 }
        }
        let draws = 4000
        var sums = [Double](repeating: 0, count: d), squares = [Double](repeating: 0, count: d)
        var generator = Xoshiro256PlusPlus(seed: 11)
        var jointVector = x
        let reduced = collapsed.jointIndex.map { x[$0] }
        var scratch = [Double](repeating: 0, count: 1)
        for _ in 0..<draws {
            reduced.withUnsafeBufferPointer { r in
                jointVector.withUnsafeMutableBufferPointer { j in
                    collapsed.drawStandardisedEffects(r.baseAddress!, into: j.baseAddress!, scratch: &scratch, using: &generator)
                }
            }
            for (t, term) in joint.layout.terms.enumerated() {
                for k in 0..<(term.levelCount * term.columnCount) {
                    let value = jointVector[term.zOffset + k] - mean[offsets[t] + k]
                    sums[offsets[t] + k] += value
                    squares[offsets[t] + k] += value * value
                }
            }
        }
        let n = Double(draws)
        for a in 0..<d {
            XCTAssertEqual(sums[a] / n, 0, accuracy: 4.5 * (variance[a] / n).squareRoot(), "mean of z[\(a)]")
            // Var of the sample variance ≈ 2σ⁴/n for a gaussian.
            XCTAssertEqual(squares[a] / n, variance[a], accuracy: 4.5 * variance[a] * (2 / n).squareRoot(), "variance of z[\(a)]")
        }
    }
}
