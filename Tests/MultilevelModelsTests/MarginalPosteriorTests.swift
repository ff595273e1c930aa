import XCTest
import MultilevelMath
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// The marginal (group-level effects integrated out) gaussian posterior: analytic gradient against
/// central finite differences, and its value against the joint posterior through the identity
/// log p(θ | y) = log p(θ, z | y) − log p(z | θ, y) with the conditional of z built independently
/// from the raw rows (dense per-level algebra, no sufficient statistics).
final class MarginalPosteriorTests: XCTestCase {
    private func posteriors(_ design: ModelDesign) throws -> (MarginalPosterior, GLMMPosterior) {
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 59.3, location: 288.7)
        return (try MarginalPosterior(design: design, priors: priors),
                try GLMMPosterior(design: design, family: .gaussian, priors: priors))
    }

    private func reduced(_ joint: [Double], _ marginal: MarginalPosterior) -> [Double] {
        marginal.jointIndex.map { joint[$0] }
    }

    private func checkGradient(_ design: ModelDesign, interceptGuess: Double = 288.7, logScaleGuess: Double = log(30),
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let (marginal, joint) = try posteriors(design)
        XCTAssertEqual(marginal.dimension, joint.dimension - design.randomTerms[0].grouping.levelCount * design.randomTerms[0].columnCount)
        for seed in [1, 2, 3] as [UInt64] {
            let x = reduced(PosteriorTestData.point(for: joint, seed: seed, interceptGuess: interceptGuess,
                                                    logScaleGuess: logScaleGuess), marginal)
            let worst = GradientTests.gradientError(of: marginal, at: x)
            XCTAssertLessThan(worst.error, 1e-6, "seed \(seed) coordinate \(worst.index)", file: file, line: line)
        }
    }

    func testGradientMatchesFiniteDifferencesCorrelatedSlopes() throws {
        try checkGradient(PosteriorTestData.sleepstudy())
    }

    func testGradientMatchesFiniteDifferencesInterceptOnly() throws {
        try checkGradient(PosteriorTestData.sleepstudy(slopes: false))
    }

    /// Three effects per level (1 + x1 + x2 | g1): the per-level loops for a q known only at run
    /// time (q = 1 and 2 run specialised copies).
    func testGradientMatchesFiniteDifferencesThreeEffectsPerLevel() throws {
        var design = PosteriorTestData.crossed(family: .gaussian)
        design.randomTerms = [design.randomTerms[0]]
        XCTAssertEqual(design.randomTerms[0].columnNames.count, 3)
        try checkGradient(design, interceptGuess: 0.3, logScaleGuess: log(0.5))
    }

    /// log p(θ|y) + const = lp_joint(θ, z) − log N(z; μ_z, P_z⁻¹), for any z; the conditional
    /// (P_z = I + Λᵀ Z_jᵀ Z_j Λ / σ², μ_z = P_z⁻¹ Λᵀ Z_jᵀ (y_j − η_fixed) / σ²) from the raw rows.
    func testValueEqualsJointMinusConditionalOfEffects() throws {
        for slopes in [true, false] {
            let design = try PosteriorTestData.sleepstudy(slopes: slopes)
            let (marginal, joint) = try posteriors(design)
            let layout = joint.layout
            let term = layout.terms[0], random = design.randomTerms[0]
            let q = term.columnCount
            for seed in [4, 5] as [UInt64] {
                let x = PosteriorTestData.point(for: joint, seed: seed, interceptGuess: 288.7, logScaleGuess: log(30))
                var m = marginal, j = joint
                let marginalValue = m.logDensityAndGradient(at: reduced(x, marginal)).value
                let jointValue = j.logDensityAndGradient(at: x).value
                // Λ = diag(sd) L.
                var factor = [Double](repeating: 0, count: q * q)
                if q > 1 {
                    x.withUnsafeBufferPointer { xp in
                        _ = CholeskyCorrelationTransform.constrain(xp.baseAddress! + term.correlationOffset, dimension: q,
                                                                   into: &factor)
                    }
                } else { factor[0] = 1 }
                var lambda = factor
                for k in 0..<q { for l in 0..<q { lambda[k * q + l] *= exp(x[term.sdOffset + k]) } }
                let sigma = exp(x[layout.auxiliaryOffset])
                let v = sigma * sigma
                var conditional = 0.0
                for level in 0..<term.levelCount {
                    var precision = [Double](repeating: 0, count: q * q)
                    var linear = [Double](repeating: 0, count: q)
                    for i in 0..<design.rowCount where random.grouping.levelIndex[i] == level {
                        var fixed = x[layout.interceptOffset]
                        for k in layout.coefficientNames.indices {
                            fixed += (design.fixedEffects[i, k + 1] - joint.columnMeans[k]) * x[k]
                        }
                        // ZΛ row.
                        var zl = [Double](repeating: 0, count: q)
                        for l in 0..<q { for k in 0..<q { zl[l] += random.values[i * q + k] * lambda[k * q + l] } }
                        for a in 0..<q {
                            linear[a] += zl[a] * (design.response[i] - fixed) / v
                            for b in 0..<q { precision[a * q + b] += zl[a] * zl[b] / v }
                        }
                    }
                    for a in 0..<q { precision[a * q + a] += 1 }
                    // Dense Cholesky, mean and log density of z at x's z.
                    var c = [Double](repeating: 0, count: q * q)
                    var logDet = 0.0
                    for a in 0..<q {
                        for b in 0...a {
                            var s = precision[a * q + b]
                            for r in 0..<b { s -= c[a * q + r] * c[b * q + r] }
                            c[a * q + b] = a == b ? s.squareRoot() : s / c[b * q + b]
                        }
                        logDet += 2 * log(c[a * q + a])
                    }
                    var mean = linear
                    for a in 0..<q { for r in 0..<a { mean[a] -= c[a * q + r] * mean[r] }; mean[a] /= c[a * q + a] }
                    for a in stride(from: q - 1, through: 0, by: -1) {
                        for r in (a + 1)..<q { mean[a] -= c[r * q + a] * mean[r] }
                        mean[a] /= c[a * q + a]
                    }
                    var quadratic = 0.0
                    for a in 0..<q {
                        for b in 0..<q {
                            quadratic += (x[term.zOffset + level * q + a] - mean[a]) * precision[a * q + b]
                                * (x[term.zOffset + level * q + b] - mean[b])
                        }
                    }
                    conditional += 0.5 * logDet - 0.5 * quadratic - Double(q) * 0.5 * log(2 * Double.pi)
                }
                XCTAssertEqual(marginalValue, jointValue - conditional, accuracy: 1e-8 * abs(marginalValue),
                               "slopes \(slopes) seed \(seed)")
            }
        }
    }

    func testModelsWithoutOneGroupingTermAreRefused() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 1, location: 0)
        XCTAssertThrowsError(try MarginalPosterior(design: design, priors: priors)) { error in
            XCTAssertTrue("\(error)".contains("exactly one group-level term"), "\(error)")
        }
    }
}
