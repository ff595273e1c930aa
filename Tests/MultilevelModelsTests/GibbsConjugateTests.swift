import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// Closed-form checks of the Gibbs updates: the joint (β, b) draw against the dense
/// normal-normal posterior (exact), the variates and conjugate variance updates against their
/// exact moments (within Monte Carlo error).
final class GibbsConjugateTests: XCTestCase {
    /// A small design with a two-column term crossed with a one-column term.
    static func crossedDesign() -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: 99)
        var x: [[Double]] = [], y: [Double] = [], g1: [String] = [], g2: [String] = []
        var v1: [Double] = [], v2: [Double] = []
        for i in 0..<40 {
            let x1 = rng.nextNormal(), x2 = rng.nextUniform(-1, 1)
            x.append([1, x1, x2])
            g1.append("a\(i % 5)"); g2.append("b\((i * 7) % 3)")
            v1 += [1, x1]; v2 += [1]
            y.append(2 + 0.5 * x1 - x2 + rng.nextNormal())
        }
        let terms = [
            RandomEffectTerm(grouping: PosteriorTestData.grouping("g2", g2), columnNames: ["(Intercept)"], values: v2, text: "(1 | g2)"),
            RandomEffectTerm(grouping: PosteriorTestData.grouping("g1", g1), columnNames: ["(Intercept)", "x1"], values: v1,
                             text: "(x1 | g1)"),
        ]
        return PosteriorTestData.design(formula: "y ~ x1 + x2 + (1 | g2) + (x1 | g1)", response: "y", y: y, x: x,
                                        names: ["(Intercept)", "x1", "x2"], terms: terms)
    }

    /// With σ, θ and normal priors on β₀ and β₂ fixed, (u, β) | y is normal with precision
    /// P = (1/σ²)[ΛᵀZᵀZΛ + I, ΛᵀZᵀX; XᵀZΛ, XᵀX] + diag(0, …, 1/d_k, …) and mean
    /// P⁻¹((1/σ²)[ΛᵀZᵀy; Xᵀy] + Σ_k e_k m_k/d_k). The draw is affine in its normal inputs: zero noise must give
    /// the mean, and the unit-noise responses J must satisfy J Jᵀ = P⁻¹.
    func testJointDrawHasTheClosedFormMeanAndCovariance() throws {
        let design = Self.crossedDesign()
        var draw = MixedModelEquationsDraw(response: design.response, fixedEffects: design.fixedEffects,
                                           randomTerms: design.randomTerms)
        let equations = draw.equations
        XCTAssertEqual(equations.termOrder, [1, 0], "the five-level term comes first")
        let sigma = 1.3
        let templates: [[Double]] = [[0.8, 0.3, 0.5], [0.6]]    // fitting order, lme4 θ layout
        let theta = templates.flatMap { $0 }
        let priors = [(index: 0, mean: 0.5, variance: 0.49), (index: 2, mean: -1.0, variance: 0.25)]
        let d = draw.dimension
        // Dense W = [ZΛ X] in the draw's coordinates.
        let n = design.rowCount
        var w = DenseMatrix(rows: n, columns: d)
        for (k, term) in equations.terms.enumerated() {
            let q = term.columnCount
            let t = templates[k]
            var template = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
            var position = 0
            for j in 0..<q { for i in j..<q { template[i][j] = t[position]; position += 1 } }
            for r in 0..<n {
                let level = term.grouping.levelIndex[r]
                for j in 0..<q {
                    var value = 0.0   // (Z Λ)_{r, level·q + j} = Σ_i z_ri T_ij
                    for i in 0..<q { value += term.values[r * q + i] * template[i][j] }
                    w[r, draw.termOffset(k) + level * q + j] = value
                }
            }
        }
        for r in 0..<n { for c in 0..<3 { w[r, draw.coefficientIndex(c)] = design.fixedEffects[r, c] } }
        var precision = DenseMatrix(rows: d, columns: d)
        var rightSide = [Double](repeating: 0, count: d)
        for a in 0..<d {
            for b in 0..<d {
                var sum = 0.0
                for r in 0..<n { sum += w[r, a] * w[r, b] }
                precision[a, b] = sum / (sigma * sigma)
            }
            var sum = 0.0
            for r in 0..<n { sum += w[r, a] * design.response[r] }
            rightSide[a] = sum / (sigma * sigma)
        }
        for a in 0..<draw.coefficientIndex(0) { precision[a, a] += 1 / (sigma * sigma) }
        for prior in priors {
            let i = draw.coefficientIndex(prior.index)
            precision[i, i] += 1 / prior.variance
            rightSide[i] += prior.mean / prior.variance
        }
        let covariance = try precision.symmetricPositiveDefiniteInverse()
        let mean = covariance.multiplied(by: rightSide)

        let inputs = d + priors.count
        try draw.draw(theta: theta, sigma: sigma, normalPriors: priors, noise: [Double](repeating: 0, count: inputs))
        let center = draw.solution
        for a in 0..<d { XCTAssertEqual(center[a], mean[a], accuracy: 1e-10 * max(1, abs(mean[a])), "mean[\(a)]") }
        var responses: [[Double]] = []
        for i in 0..<inputs {
            var unit = [Double](repeating: 0, count: inputs)
            unit[i] = 1
            try draw.draw(theta: theta, sigma: sigma, normalPriors: priors, noise: unit)
            responses.append(zip(draw.solution, center).map { $0 - $1 })
        }
        for a in 0..<d {
            for b in 0..<d {
                var sum = 0.0
                for i in 0..<inputs { sum += responses[i][a] * responses[i][b] }
                XCTAssertEqual(sum, covariance[a, b], accuracy: 1e-10 * max(1, abs(covariance[a, a])), "cov[\(a), \(b)]")
            }
        }
        // The flat-prior draw (no conditioning) against its own closed form.
        for prior in priors {
            let i = draw.coefficientIndex(prior.index)
            precision[i, i] -= 1 / prior.variance
            rightSide[i] -= prior.mean / prior.variance
        }
        let flatMean = try precision.symmetricPositiveDefiniteInverse().multiplied(by: rightSide)
        try draw.draw(theta: theta, sigma: sigma, normalPriors: [], noise: [Double](repeating: 0, count: d))
        for a in 0..<d { XCTAssertEqual(draw.solution[a], flatMean[a], accuracy: 1e-10 * max(1, abs(flatMean[a]))) }
    }

    /// Sample mean and variance of `count` draws within 4.5 standard errors of the exact moments
    /// (the variance's standard error from the exact fourth central moment `m4`).
    func assertMoments(_ draw: (inout Xoshiro256PlusPlus) -> Double, mean: Double, variance: Double, m4: Double,
                       count: Int = 200_000, seed: UInt64, _ label: String) {
        var rng = Xoshiro256PlusPlus(seed: seed)
        var sum = 0.0, sumSquares = 0.0
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count { values[i] = draw(&rng); sum += values[i] }
        let sampleMean = sum / Double(count)
        for v in values { sumSquares += (v - sampleMean) * (v - sampleMean) }
        let sampleVariance = sumSquares / Double(count - 1)
        XCTAssertEqual(sampleMean, mean, accuracy: 4.5 * (variance / Double(count)).squareRoot(), "\(label) mean")
        XCTAssertEqual(sampleVariance, variance, accuracy: 4.5 * ((m4 - variance * variance) / Double(count)).squareRoot(),
                       "\(label) variance")
    }

    func testGammaAndInverseGammaVariatesHaveExactMoments() {
        for (seed, shape) in [(UInt64(1), 0.4), (2, 1.0), (3, 3.5), (4, 40)] {
            // Gamma(α, 1): mean α, variance α, fourth central moment 3α² + 6α.
            assertMoments({ $0.nextGamma(shape: shape) }, mean: shape, variance: shape, m4: 3 * shape * shape + 6 * shape,
                          seed: seed, "Gamma(\(shape))")
        }
        // IG(α, β) with α = 12, β = 5: mean β/(α−1), variance β²/((α−1)²(α−2)); m4 from the raw moments
        // E X^k = β^k / ((α−1)…(α−k)).
        let a = 12.0, b = 5.0
        let raw = (1...4).map { k in pow(b, Double(k)) / (1...k).reduce(1.0) { $0 * (a - Double($1)) } }
        let mu = raw[0]
        let m4 = raw[3] - 4 * mu * raw[2] + 6 * mu * mu * raw[1] - 3 * pow(mu, 4)
        assertMoments({ $0.nextInverseGamma(shape: a, scale: b) }, mean: mu, variance: raw[1] - mu * mu, m4: m4,
                      seed: 5, "IG(12, 5)")
    }

    /// The conjugate inverse-gamma update of a variance given 10 normal values with sum of squares
    /// 7.3 under IG(3, 2): IG(3 + 5, 2 + 3.65) exactly.
    func testInverseGammaVarianceUpdateIsTheConjugatePosterior() {
        let a = 8.0, b = 5.65
        let raw = (1...4).map { k in pow(b, Double(k)) / (1...k).reduce(1.0) { $0 * (a - Double($1)) } }
        let mu = raw[0]
        let m4 = raw[3] - 4 * mu * raw[2] + 6 * mu * mu * raw[1] - 3 * pow(mu, 4)
        assertMoments({ rng in
            var prior = VariancePrior.inverseGamma(shape: 3, scale: 2)
            return prior.update(count: 10, sumOfSquares: 7.3, rng: &rng)
        }, mean: mu, variance: raw[1] - mu * mu, m4: m4, seed: 6, "IG update")
    }

    /// Inverse-Wishart(ν, Ψ) draws: E Σ = Ψ/(ν − q − 1), with Var Σ_ij =
    /// ((ν−q+1)ψ_ij² + (ν−q−1)ψ_ii ψ_jj) / ((ν−q)(ν−q−1)²(ν−q−3)) (Press 1982).
    func testInverseWishartDrawsHaveTheExactMean() {
        let q = 2, nu = 9.0
        let psi: [Double] = [2.0, 0.6, 0.6, 1.5]
        var rng = Xoshiro256PlusPlus(seed: 7)
        let count = 100_000
        var sums = [Double](repeating: 0, count: 4)
        var sigma = [Double](repeating: 0, count: 4), work = [Double](repeating: 0, count: 12)
        for _ in 0..<count {
            let ok = psi.withUnsafeBufferPointer { p in
                sigma.withUnsafeMutableBufferPointer { s in
                    work.withUnsafeMutableBufferPointer { w in
                        drawInverseWishart(degreesOfFreedom: nu, scale: p.baseAddress!, order: q, covariance: s.baseAddress!,
                                           workspace: w.baseAddress!, rng: &rng)
                    }
                }
            }
            XCTAssertTrue(ok)
            for k in 0..<4 { sums[k] += sigma[k] }
        }
        let divisor = nu - Double(q) - 1
        for (k, i, j) in [(0, 0, 0), (1, 1, 0), (3, 1, 1)] {
            let exact = psi[k] / divisor
            let qd = Double(q)
            let variance = ((nu - qd + 1) * psi[k] * psi[k] + (nu - qd - 1) * psi[i * 3] * psi[j * 3])
                / ((nu - qd) * divisor * divisor * (nu - qd - 3))
            let sd = variance.squareRoot()
            XCTAssertEqual(sums[k] / Double(count), exact, accuracy: 4.5 * sd / Double(count).squareRoot(), "E Σ[\(k)]")
        }
        XCTAssertEqual(sums[1], sums[2], accuracy: 1e-9 * abs(sums[1]), "symmetric")
    }
}
