import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The covariance priors (Huang–Wand, inverse-Wishart, inverse-gamma) on the NUTS side
/// (`CovariancePriorPosterior`): the density against independent computations (numerical
/// integration of the Huang–Wand mixture, the inverse-Wishart density on Σ with a numerical
/// Jacobian), gradients against finite differences, and the prior statements.
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

    /// Huang–Wand for q = 2: log p(Σ) = log ∫∫ IW(Σ; ν + 1, 2ν diag(1/a)) IG(a₁; ½, 1/A₁²) IG(a₂; ½, 1/A₂²) da
    /// by a product trapezoid rule on log a (the integrand as written, not factorised).
    func testHuangWandDensityMatchesTheIntegratedMixture() throws {
        let q = 2, nu = 2.0
        let scales = [25.0, 6.0]
        for x in [[log(20.0), log(5.0), 0.4], [log(3.0), log(9.0), -1.1]] {
            let sigma = Self.covariance(x, order: q).sigma
            func logInverseGamma(_ a: Double, _ scale: Double) -> Double {
                let shape = 0.5, rate = 1 / (scale * scale)
                return shape * log(rate) - lgamma(shape) - (shape + 1) * log(a) - rate / a
            }
            let grid = stride(from: -12.0, through: 12.0, by: 0.05).map { $0 }
            var terms: [Double] = []
            terms.reserveCapacity(grid.count * grid.count)
            for t1 in grid {
                for t2 in grid {
                    let a1 = exp(t1), a2 = exp(t2)
                    let psi = [2 * nu / a1, 0, 0, 2 * nu / a2]
                    terms.append(try Self.inverseWishartLogDensity(sigma, nu: nu + 1, psi: psi, order: q)
                                 + logInverseGamma(a1, scales[0]) + logInverseGamma(a2, scales[1]) + t1 + t2)
                }
            }
            let top = terms.max()!
            let integral = top + log(terms.reduce(0) { $0 + exp($1 - top) } * 0.05 * 0.05)
            let expected = integral + Self.numericalLogJacobian(x, order: q)
            let actual = Self.sampledLogDensity(.huangWand(degreesOfFreedom: nu, scales: scales), order: q, x)
            XCTAssertEqual(actual, expected, accuracy: 1e-5)
        }
    }

    /// For one column, Huang–Wand(ν, A) is the half-t(ν, 0, A) prior on the sd and
    /// inverse-gamma(a, b) on the variance has the density of sd² times |d sd²/d sd|.
    func testScalarCovariancePriorsAreTheirDensitiesOnTheStandardDeviation() {
        for sd in [0.3, 4.0, 60.0] {
            let t = PriorDistribution.studentT(degreesOfFreedom: 3, location: 0, scale: 7)
            XCTAssertEqual(Self.blockValue(.huangWand(degreesOfFreedom: 3, scales: [7]), order: 1, [log(sd)]),
                           log(2) + t.logDensity(sd), accuracy: 1e-12)
            let ig = PriorDistribution.inverseGamma(shape: 2.5, scale: 3)
            XCTAssertEqual(Self.blockValue(.inverseGamma(shape: 2.5, scale: 3), order: 1, [log(sd)]),
                           ig.logDensity(sd * sd) + log(2 * sd), accuracy: 1e-12)
        }
    }

    /// A Huang–Wand prior on a one-column term gives exactly the posterior with the equivalent
    /// half-t sd prior (value and gradient).
    func testHuangWandOnAScalarTermIsTheHalfTPosterior() throws {
        let design = try PosteriorTestData.sleepstudy(slopes: false)
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GibbsTestSupport.priors(design)
        priors.standardDeviations = [[.studentT(degreesOfFreedom: 4, location: 0, scale: 30)]]
        var plain = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        var covariance = CovariancePriors.none(for: layout)
        covariance.terms = [.huangWand(degreesOfFreedom: 4, scales: [30])]
        var wrapped = try CovariancePriorPosterior(design: design, family: .gaussian, priors: GibbsTestSupport.priors(design),
                                                   covariancePriors: covariance)
        let x = PosteriorTestData.point(for: plain, seed: 4, interceptGuess: 250, logScaleGuess: log(30))
        let a = plain.logDensityAndGradient(at: x), b = wrapped.logDensityAndGradient(at: x)
        XCTAssertEqual(a.value, b.value, accuracy: 1e-9 * abs(a.value))
        for i in x.indices { XCTAssertEqual(a.gradient[i], b.gradient[i], accuracy: 1e-9 * max(1, abs(a.gradient[i]))) }
    }

    // MARK: gradient

    func testGradientMatchesFiniteDifferencesWithEveryCovariancePrior() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)   // (1 + x1 + x2 | g1) + (1 | g2) + (x1 | g3)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let covariance = CovariancePriors(terms: [.huangWand(degreesOfFreedom: 2, scales: [1.5, 0.8, 2]),
                                                  .inverseGamma(shape: 2, scale: 0.5),
                                                  .inverseWishart(degreesOfFreedom: 4, scaleDiagonal: [0.5, 1.2])],
                                          residualVariance: .inverseGamma(shape: 3, scale: 1))
        let posterior = try CovariancePriorPosterior(design: design, family: .gaussian,
                                                     priors: GibbsTestSupport.priors(design), covariancePriors: covariance)
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
            cov:Subject ~ huang_wand(2, 25, 10)   # one scale per column
            sigma2 ~ inv_gamma(0.01, 0.01); sd ~ student_t(3, 0, 20)
            """
        let parsed = try CovariancePriorStatement.parseAll(text, origin: "model")
        XCTAssertEqual(parsed.statements.map(\.text), ["b ~ normal(0, 10)", "sd ~ student_t(3, 0, 20)"])
        XCTAssertEqual(parsed.covariance.map(\.group), ["Subject", nil])
        XCTAssertEqual(parsed.covariance.map(\.prior), [.huangWand(degreesOfFreedom: 2, scales: [25, 10]),
                                                        .inverseGamma(shape: 0.01, scale: 0.01)])
        let design = try PosteriorTestData.sleepstudy(slopes: true)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let resolved = try CovariancePriors.resolve(parsed.covariance, layout: layout)
        XCTAssertEqual(resolved.terms, [.huangWand(degreesOfFreedom: 2, scales: [25, 10])])
        XCTAssertEqual(resolved.residualVariance, .inverseGamma(shape: 0.01, scale: 0.01))
        // A class-wide statement is overridden by a group's.
        let both = try CovariancePriors.resolve(CovariancePriorStatement.parseAll("cov:Subject ~ inv_wishart(3, 1); cov ~ huang_wand(2, 5)").covariance,
                                                layout: layout)
        XCTAssertEqual(both.terms, [.inverseWishart(degreesOfFreedom: 3, scaleDiagonal: [1, 1])])
    }

    func testStatementErrorsNameThePositionOrTheProblem() throws {
        func message(_ text: String) -> String {
            do { _ = try CovariancePriorStatement.parseAll(text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("cov:Subject ~ huang_wond(2, 5)"),
                       "--prior: column 15: unknown covariance prior 'huang_wond' (known: huang_wand, inv_wishart, inv_gamma) in prior 'cov:Subject ~ huang_wond(2, 5)'")
        XCTAssertEqual(message("cov ~ huang_wand(2, x)"), "--prior: column 21: 'x' is not a number in prior 'cov ~ huang_wand(2, x)'")
        XCTAssertEqual(message("sigma2 ~ huang_wand(2, 5)"),
                       "--prior: column 10: sigma2 takes an inv_gamma(shape, scale) prior in prior 'sigma2 ~ huang_wand(2, 5)'")
        XCTAssertEqual(message("cov ~ inv_gamma(0, 1)"),
                       "--prior: column 7: inv_gamma(0, 1): the shape and scale must be positive in prior 'cov ~ inv_gamma(0, 1)'")
        // Errors from the brms statements keep their positions.
        XCTAssertEqual(message("cov ~ huang_wand(2, 5); b ~ normel(0, 1)"),
                       "--prior: column 29: unknown prior distribution 'normel' (known: normal, student_t, cauchy, exponential, gamma, inv_gamma, lognormal, uniform, beta, lkj) in prior 'b ~ normel(0, 1)'")
        let layout = ParameterLayout(design: try PosteriorTestData.sleepstudy(slopes: true), family: .gaussian)
        func resolveMessage(_ text: String) -> String {
            do { _ = try CovariancePriors.resolve(CovariancePriorStatement.parseAll(text).covariance, layout: layout); return "no error" }
            catch { return "\(error)" }
        }
        XCTAssertEqual(resolveMessage("cov:Batch ~ huang_wand(2, 5)"),
                       "--prior: prior 'cov:Batch ~ huang_wand(2, 5)': the model has no grouping factor 'Batch' (groups: Subject)")
        XCTAssertEqual(resolveMessage("cov:Subject ~ huang_wand(2, 5, 6, 7)"),
                       "--prior: prior 'cov:Subject ~ huang_wand(2, 5, 6, 7)': huang_wand takes 1 or 2 scales for a term with 2 columns, got 3")
        XCTAssertEqual(resolveMessage("cov:Subject ~ inv_gamma(1, 1)"),
                       "--prior: prior 'cov:Subject ~ inv_gamma(1, 1)': inv_gamma is a prior for a variance; a term with 2 columns takes huang_wand or inv_wishart")
        XCTAssertEqual(resolveMessage("cov ~ huang_wand(2, 5); cov ~ huang_wand(3, 5)"),
                       "--prior: prior 'cov ~ huang_wand(3, 5)' repeats an earlier statement for the same parameter")
    }
}
