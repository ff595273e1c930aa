import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// MCMCglmm-style covariance priors (inverse-Wishart, inverse-gamma) on the NUTS side
/// (`CovariancePriorPosterior`): the density against the inverse-Wishart and inverse-gamma densities
/// on Σ written independently with a numerical Jacobian, gradients against finite differences
/// (together with a Huang–Wand term), and the prior statements.
final class GibbsCovariancePriorTests: XCTestCase {
    // MARK: density

    /// The block's value for a prior on (log sd, correlation values) at x, with scratch.
    static func blockValue(_ prior: CovariancePrior, order q: Int, _ x: [Double]) -> Double {
        let block = CovariancePriorPosterior.Block(sdOffsets: Array(0..<q), correlationOffset: q > 1 ? q : nil,
                                                   prior: prior, constant: prior.logNormalizingConstant(order: q))
        var gradient = [Double](repeating: 0, count: x.count)
        var scratch = [Double](repeating: 0, count: 6 * q * q + 2 * q + q * q)
        return x.withUnsafeBufferPointer { xp in
            gradient.withUnsafeMutableBufferPointer { g in
                scratch.withUnsafeMutableBufferPointer { s in
                    CovariancePriorPosterior.addBlock(block, xp.baseAddress!, g.baseAddress!, s.baseAddress!)
                }
            }
        }
    }

    /// Σ (row-major q × q) from x = (log sd, correlation values), and the correlation transform's
    /// log-Jacobian and L.
    static func covariance(_ x: [Double], order q: Int) -> (sigma: [Double], logJacobian: Double, factor: [Double]) {
        var l = [Double](repeating: 0, count: q * q)
        var logJacobian = 0.0
        if q > 1 {
            logJacobian = Array(x[q...]).withUnsafeBufferPointer { y in
                l.withUnsafeMutableBufferPointer { CholeskyCorrelationTransform.constrain(y.baseAddress!, dimension: q, into: $0.baseAddress!) }
            }
        } else {
            l[0] = 1
        }
        var sigma = [Double](repeating: 0, count: q * q)
        for i in 0..<q { for j in 0..<q {
            var omega = 0.0
            for k in 0..<q { omega += l[i * q + k] * l[j * q + k] }
            sigma[i * q + j] = exp(x[i]) * exp(x[j]) * omega
        } }
        return (sigma, logJacobian, l)
    }

    /// log |det ∂vech(Σ)/∂x| by central differences (vech: lower triangle row by row).
    static func numericalLogJacobian(_ x: [Double], order q: Int) -> Double {
        func vech(_ x: [Double]) -> [Double] {
            let s = covariance(x, order: q).sigma
            return (0..<q).flatMap { i in (0...i).map { s[i * q + $0] } }
        }
        let m = x.count
        var j = DenseMatrix(rows: m, columns: m)
        for c in 0..<m {
            var plus = x, minus = x
            plus[c] += 1e-6; minus[c] -= 1e-6
            let a = vech(plus), b = vech(minus)
            for r in 0..<m { j[r, c] = (a[r] - b[r]) / 2e-6 }
        }
        // |det| through the Cholesky factor of JᵀJ.
        let jtj = j.crossProduct
        let l = try! jtj.choleskyLower()
        return (0..<m).reduce(0.0) { $0 + log(l[$1, $1]) }
    }

    /// The sampled density of (log sd, y) the posterior builds = block + the base's flat-sd
    /// Jacobians (Σ log sd) + LKJ(1) + the transform's log-Jacobian; it must equal
    /// log p(Σ) + log|∂vech Σ/∂x|.
    static func sampledLogDensity(_ prior: CovariancePrior, order q: Int, _ x: [Double]) -> Double {
        let (_, logJacobian, l) = covariance(x, order: q)
        var lkj = 0.0
        for k in 0..<q { lkj += Double(q - 1 - k) * log(l[k * q + k]) }
        return blockValue(prior, order: q, x) + x[0..<q].reduce(0, +) + lkj + logJacobian
    }

    /// log of the inverse-Wishart density IW(Σ; ν, Ψ) written from its definition with dense matrices.
    static func inverseWishartLogDensity(_ sigma: [Double], nu: Double, psi: [Double], order q: Int) throws -> Double {
        var s = DenseMatrix(rows: q, columns: q), p = DenseMatrix(rows: q, columns: q)
        for i in 0..<q { for j in 0..<q { s[i, j] = sigma[i * q + j]; p[i, j] = psi[i * q + j] } }
        let inverse = try s.symmetricPositiveDefiniteInverse()
        var trace = 0.0
        for i in 0..<q { for k in 0..<q { trace += p[i, k] * inverse[k, i] } }
        let ls = try s.choleskyLower(), lp = try p.choleskyLower()
        let logDetS = 2 * (0..<q).reduce(0.0) { $0 + log(ls[$1, $1]) }
        let logDetP = 2 * (0..<q).reduce(0.0) { $0 + log(lp[$1, $1]) }
        var logMultivariateGamma = Double(q * (q - 1)) / 4 * log(Double.pi)
        for j in 1...q { logMultivariateGamma += lgamma(nu / 2 + Double(1 - j) / 2) }
        return nu / 2 * logDetP - nu * Double(q) / 2 * log(2.0) - logMultivariateGamma
            - (nu + Double(q) + 1) / 2 * logDetS - trace / 2
    }

    /// inverse-gamma(a, b) on a variance: the density of sd² times |d sd²/d sd| (the block carries the
    /// Jacobian of Σ ↦ sd; the posterior adds that of sd ↦ log sd).
    func testInverseGammaIsTheDensityOfTheVariance() {
        for sd in [0.3, 4.0, 60.0] {
            let ig = PriorDistribution.inverseGamma(shape: 2.5, scale: 3)
            XCTAssertEqual(Self.blockValue(.inverseGamma(shape: 2.5, scale: 3), order: 1, [log(sd)]),
                           ig.logDensity(sd * sd) + log(2 * sd), accuracy: 1e-12)
            // q = 1 inverse-Wishart(ν, ψ) is inverse-gamma(ν/2, ψ/2).
            XCTAssertEqual(Self.blockValue(.inverseWishart(degreesOfFreedom: 5, scaleDiagonal: [6]), order: 1, [log(sd)]),
                           Self.blockValue(.inverseGamma(shape: 2.5, scale: 3), order: 1, [log(sd)]), accuracy: 1e-12)
        }
    }

    func testInverseWishartDensityOnTheUnconstrainedScale() throws {
        let q = 3, nu = 5.5
        let psiDiagonal = [2.0, 0.7, 1.3]
        var psi = [Double](repeating: 0, count: 9)
        for k in 0..<q { psi[k * q + k] = psiDiagonal[k] }
        for x in [[0.1, -0.4, 0.3, 0.5, -0.2, 0.9], [-1.0, 0.8, 0.0, -1.3, 0.4, 0.1]] {
            let sigma = Self.covariance(x, order: q).sigma
            let expected = try Self.inverseWishartLogDensity(sigma, nu: nu, psi: psi, order: q) + Self.numericalLogJacobian(x, order: q)
            let actual = Self.sampledLogDensity(.inverseWishart(degreesOfFreedom: nu, scaleDiagonal: psiDiagonal), order: q, x)
            XCTAssertEqual(actual, expected, accuracy: 1e-6)
        }
    }

    // MARK: gradient

    func testGradientMatchesFiniteDifferencesWithEveryCovariancePrior() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)   // (1 + x1 + x2 | g1) + (1 | g2) + (x1 | g3)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let covariance = CovariancePriors(terms: [nil, .inverseGamma(shape: 2, scale: 0.5),
                                                  .inverseWishart(degreesOfFreedom: 4, scaleDiagonal: [0.5, 1.2])],
                                          residualVariance: .inverseGamma(shape: 3, scale: 1))
        var priors = GibbsTestSupport.priors(design)
        priors.covariance[0] = .huangWand(degreesOfFreedom: 2, scales: [1.5, 0.8, 2])
        let posterior = try CovariancePriorPosterior(design: design, family: .gaussian, priors: priors,
                                                     covariancePriors: covariance)
        XCTAssertEqual(posterior.dimension, layout.dimension)
        // Directional derivatives along random directions (every coordinate enters each one).
        var rng = Xoshiro256PlusPlus(seed: 17)
        for seed in [1, 2, 3] as [UInt64] {
            let x = PosteriorTestData.point(for: posterior.base, seed: seed, interceptGuess: 0.3, logScaleGuess: log(0.5))
            var p = posterior
            let analytic = p.logDensityAndGradient(at: x).gradient
            for _ in 0..<8 {
                let direction = x.map { _ in rng.nextNormal() }
                let slope = zip(analytic, direction).reduce(0) { $0 + $1.0 * $1.1 }
                let h = 1e-4
                func f(_ t: Double) -> Double { p.logDensityAndGradient(at: zip(x, direction).map { $0 + t * $1 }).value }
                let numeric = (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h)
                XCTAssertEqual(slope, numeric, accuracy: 1e-6 * max(1, abs(slope)), "seed \(seed)")
            }
        }
    }

    // MARK: statements

    func testStatementsParseAndResolve() throws {
        let text = """
            b ~ normal(0, 10)
            cov:Subject ~ inv_wishart(3, 400, 40)   # one diagonal value per column
            sigma2 ~ inv_gamma(0.01, 0.01); sd ~ student_t(3, 0, 20)
            cov ~ huang_wand(2, 25)
            """
        let parsed = try CovariancePriorStatement.parseAll(text, origin: "model")
        XCTAssertEqual(parsed.statements.map(\.text), ["b ~ normal(0, 10)", "sd ~ student_t(3, 0, 20)", "cov ~ huang_wand(2, 25)"])
        XCTAssertEqual(parsed.statements.map(\.origin), ["model:1", "model:3", "model:4"])
        XCTAssertEqual(parsed.covariance.map(\.group), ["Subject", nil])
        XCTAssertEqual(parsed.covariance.map(\.prior), [.inverseWishart(degreesOfFreedom: 3, scaleDiagonal: [400, 40]),
                                                        .inverseGamma(shape: 0.01, scale: 0.01)])
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let resolved = try CovariancePriors.resolve(parsed.covariance, layout: layout)
        XCTAssertEqual(resolved.terms, [.inverseWishart(degreesOfFreedom: 3, scaleDiagonal: [400, 40])])
        XCTAssertEqual(resolved.residualVariance, .inverseGamma(shape: 0.01, scale: 0.01))
        // A class-wide statement is overridden by a group's; one value is used for every column.
        let both = try CovariancePriors.resolve(CovariancePriorStatement.parseAll("cov:Subject ~ inv_wishart(3, 1); cov ~ inv_wishart(4, 2)").covariance,
                                                layout: layout)
        XCTAssertEqual(both.terms, [.inverseWishart(degreesOfFreedom: 3, scaleDiagonal: [1, 1])])
        // With a Huang–Wand statement on the same group, the posterior refuses the pair.
        var set = PriorSet.defaults(for: design, family: .gaussian)
        try set.apply(parsed.statements)
        XCTAssertThrowsError(try CovariancePriorPosterior(design: design, family: .gaussian, priors: set.resolved(for: layout),
                                                          covariancePriors: resolved)) { error in
            XCTAssertEqual("\(error)", "group Subject has two covariance priors, huang_wand(2, 25) and inv_wishart(3, 400, 40)")
        }
    }

    func testStatementErrorsNameThePositionOrTheProblem() throws {
        func message(_ text: String) -> String {
            do { _ = try CovariancePriorStatement.parseAll(text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("sigma2 ~ inv_wishart(2, 5)"),
                       "--prior: column 10: sigma2 takes an inv_gamma(shape, scale) prior in prior 'sigma2 ~ inv_wishart(2, 5)'")
        XCTAssertEqual(message("cov ~ inv_wishart(2, x)"), "--prior: column 22: 'x' is not a number in prior 'cov ~ inv_wishart(2, x)'")
        XCTAssertEqual(message("sigma2 ~ gamma(2, 5)"),
                       "--prior: column 10: unknown covariance prior 'gamma' (known: inv_wishart, inv_gamma; huang_wand is a cov prior statement) in prior 'sigma2 ~ gamma(2, 5)'")
        XCTAssertEqual(message("cov ~ inv_gamma(0, 1)"),
                       "--prior: column 7: inv_gamma(0, 1): the shape and scale must be positive in prior 'cov ~ inv_gamma(0, 1)'")
        // Errors from the brms statements keep their positions.
        XCTAssertTrue(message("cov ~ inv_gamma(2, 5); b ~ normel(0, 1)")
                        .hasPrefix("--prior: column 28: unknown prior distribution 'normel'"), message("cov ~ inv_gamma(2, 5); b ~ normel(0, 1)"))
        let layout = ParameterLayout(design: try PosteriorTestData.sleepstudy(slopes: true), family: .gaussian)
        func resolveMessage(_ text: String) -> String {
            do { _ = try CovariancePriors.resolve(CovariancePriorStatement.parseAll(text).covariance, layout: layout); return "no error" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(resolveMessage("cov:Batch ~ inv_wishart(2, 5)"),
                       "--prior: prior 'cov:Batch ~ inv_wishart(2, 5)': the model has no grouping factor 'Batch' (groups: Subject)")
        XCTAssertEqual(resolveMessage("cov:Subject ~ inv_wishart(2, 5, 6, 7)"),
                       "--prior: prior 'cov:Subject ~ inv_wishart(2, 5, 6, 7)': inv_wishart takes 1 or 2 scales for a term with 2 columns, got 3")
        XCTAssertEqual(resolveMessage("cov:Subject ~ inv_wishart(0.5, 5)"),
                       "--prior: prior 'cov:Subject ~ inv_wishart(0.5, 5)': inv_wishart needs degrees of freedom above 1 for a 2 × 2 matrix")
        XCTAssertEqual(resolveMessage("cov:Subject ~ inv_gamma(1, 1)"),
                       "--prior: prior 'cov:Subject ~ inv_gamma(1, 1)': inv_gamma is a prior for a variance; a term with 2 columns takes huang_wand or inv_wishart")
        XCTAssertEqual(resolveMessage("cov ~ inv_wishart(2, 5); cov ~ inv_wishart(3, 5)"),
                       "--prior: prior 'cov ~ inv_wishart(3, 5)' repeats an earlier statement for the same parameter")
    }
}
