import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// brms' `y | trunc(lb, ub)` for the count families (poisson, negbinomial): the distribution
/// functions F(k) = P(Y ≤ k) and S(k) = P(Y > k) against direct sums of the mass function, far
/// into both tails; their derivatives in η and in the shape against central differences; a
/// truncated row's term against log p(y) − log Σ_{lb ≤ j ≤ ub} p(j) (inclusive integer bounds);
/// the posterior gradient with `trunc()` against finite differences; and the one-line errors.
final class CountTruncationTests: XCTestCase {
    /// log p(j) of the poisson (shape nil) or negative binomial, every constant included.
    private func logMass(_ j: Double, eta: Double, shape: Double?) -> Double {
        guard let shape else { return j * eta - exp(eta) - logGamma(j + 1) }
        let mu = exp(eta)
        return logGamma(j + shape) - logGamma(shape) - logGamma(j + 1)
            + shape * log(shape / (mu + shape)) + j * log(mu / (mu + shape))
    }

    /// log Σ_{j = from…to} p(j) by direct summation in log space.
    private func logSum(from: Int, to: Int, eta: Double, shape: Double?) -> Double {
        logSumExp((from...to).map { logMass(Double($0), eta: eta, shape: shape) })
    }

    private func distributionFunctions(_ shape: Double?) -> (cdf: (Double, Double) -> CensoredTerm, ccdf: (Double, Double) -> CensoredTerm) {
        let aux = [shape ?? 0, 0]
        if shape == nil {
            return ({ y, eta in aux.withUnsafeBufferPointer { PoissonFamily.logCDF(y, eta: eta, auxiliary: $0.baseAddress!) } },
                    { y, eta in aux.withUnsafeBufferPointer { PoissonFamily.logCCDF(y, eta: eta, auxiliary: $0.baseAddress!) } })
        }
        return ({ y, eta in aux.withUnsafeBufferPointer { NegativeBinomialFamily.logCDF(y, eta: eta, auxiliary: $0.baseAddress!) } },
                { y, eta in aux.withUnsafeBufferPointer { NegativeBinomialFamily.logCCDF(y, eta: eta, auxiliary: $0.baseAddress!) } })
    }

    /// log F(k) and log S(k) equal the direct sums (the upper one to 4000 terms, beyond which the
    /// masses are below 10⁻³⁰⁰ of the tail), also where one tail is below 10⁻⁴⁰.
    func testDistributionFunctionsAgainstSums() {
        for shape in [nil, 0.7, 3.0, 60.0] as [Double?] {
            let (cdf, ccdf) = distributionFunctions(shape)
            for mean in [0.4, 5.0, 40.0] {
                let eta = log(mean)
                for k in [0, 1, 3, 10, 25, 70, 160] {
                    let lower = logSum(from: 0, to: k, eta: eta, shape: shape)
                    let upper = logSum(from: k + 1, to: k + 4000, eta: eta, shape: shape)
                    let label = "shape \(shape.map { "\($0)" } ?? "poisson") mean \(mean) k \(k)"
                    XCTAssertEqual(cdf(Double(k), eta).value, lower, accuracy: 1e-11 * max(1, abs(lower)), label)
                    XCTAssertEqual(ccdf(Double(k), eta).value, upper, accuracy: 1e-11 * max(1, abs(upper)), label)
                }
            }
        }
    }

    /// ∂/∂η and ∂/∂φ of log F, log S and the row density match central differences.
    func testDerivativesAgainstCentralDifferences() {
        let h = 1e-6
        for shape in [nil, 0.7, 3.0, 60.0] as [Double?] {
            for mean in [0.4, 5.0, 40.0] {
                let eta = log(mean)
                for k in [0.0, 2, 10, 70] {
                    let label = "shape \(shape.map { "\($0)" } ?? "poisson") mean \(mean) k \(k)"
                    let (cdf, ccdf) = distributionFunctions(shape)
                    for (name, f) in [("F", cdf), ("S", ccdf)] {
                        let term = f(k, eta)
                        let numeric = (f(k, eta + h).value - f(k, eta - h).value) / (2 * h)
                        XCTAssertEqual(term.eta, numeric, accuracy: 1e-6 * max(1, abs(numeric)), "\(label) \(name) ∂η")
                        if let shape {
                            let up = distributionFunctions(shape + h), down = distributionFunctions(shape - h)
                            let g = name == "F" ? (up.cdf, down.cdf) : (up.ccdf, down.ccdf)
                            let numericShape = (g.0(k, eta).value - g.1(k, eta).value) / (2 * h)
                            XCTAssertEqual(term.auxiliary.0, numericShape, accuracy: 1e-6 * max(1, abs(numericShape)),
                                           "\(label) \(name) ∂φ")
                        }
                    }
                    // The row density.
                    let density: (Double, Double) -> CensoredTerm = { eta, phi in
                        [phi, 0].withUnsafeBufferPointer { aux in
                            shape == nil ? PoissonFamily.logDensityTerm(k, eta: eta, auxiliary: aux.baseAddress!)
                                         : NegativeBinomialFamily.logDensityTerm(k, eta: eta, auxiliary: aux.baseAddress!)
                        }
                    }
                    let phi = shape ?? 0
                    let term = density(eta, phi)
                    XCTAssertEqual(term.value, logMass(k, eta: eta, shape: shape), accuracy: 1e-10 * max(1, abs(term.value)), label)
                    XCTAssertEqual(term.value, (shape == nil ? Family.poisson : Family.negativeBinomial)
                                    .logLikelihood(response: k, trials: 1, eta: eta, auxiliary: shape.map { [$0] } ?? []),
                                   accuracy: 1e-10 * max(1, abs(term.value)), label)
                    let numericEta = (density(eta + h, phi).value - density(eta - h, phi).value) / (2 * h)
                    XCTAssertEqual(term.eta, numericEta, accuracy: 1e-6 * max(1, abs(numericEta)), "\(label) density ∂η")
                    if shape != nil {
                        let numericShape = (density(eta, phi + h).value - density(eta, phi - h).value) / (2 * h)
                        XCTAssertEqual(term.auxiliary.0, numericShape, accuracy: 1e-6 * max(1, abs(numericShape)), "\(label) density ∂φ")
                    }
                }
            }
        }
    }

    /// A truncated row: log p(y) − log Σ_{j = lb…ub} p(j), the bounds inclusive; lb = 0 and an
    /// absent lb truncate nothing below.
    func testTruncatedRowAgainstTheNormaliserSum() {
        let cases: [(y: Double, lb: Double, ub: Double)] = [(3, 1, 10), (0, 0, 10), (7, -.infinity, 10), (5, 5, 5),
                                                            (12, 2, .infinity), (1, 1, 1000), (30, 25, 40)]
        for shape in [nil, 1.5] as [Double?] {
            for (y, lb, ub) in cases {
                var additions = RowAdditions()
                additions.truncationLower = [lb]
                additions.truncationUpper = [ub]
                let columns = AdditionColumns(additions: additions, response: [y], order: [0], auxiliaryCount: shape == nil ? 0 : 1)
                for mean in [0.8, 6.0, 35.0] {
                    let eta = log(mean)
                    let value = [shape ?? 0, 0].withUnsafeBufferPointer { aux in
                        shape == nil ? columns.term(PoissonFamily.self, row: 0, eta: eta, auxiliary: aux.baseAddress!).value
                                     : columns.term(NegativeBinomialFamily.self, row: 0, eta: eta, auxiliary: aux.baseAddress!).value
                    }
                    let from = lb.isFinite ? max(0, Int(lb)) : 0, to = ub.isFinite ? Int(ub) : Int(y) + 6000
                    let expected = logMass(y, eta: eta, shape: shape) - logSum(from: from, to: to, eta: eta, shape: shape)
                    XCTAssertEqual(value, expected, accuracy: 1e-10 * max(1, abs(expected)), "y \(y) [\(lb), \(ub)] mean \(mean) shape \(String(describing: shape))")
                }
            }
        }
    }

    /// 60 counts in 6 groups with bounds lb ∈ {0, 1, 2} ≤ y ≤ ub = 10.
    static func rows() -> String {
        var rng = Xoshiro256PlusPlus(seed: 20)
        var lines = ["y,x,lb,ub,w,g"]
        for i in 0..<60 {
            let x = rng.nextNormal()
            let y = min(10, rng.nextPoisson(mean: exp(1.3 + 0.4 * x)))
            let lb = min(y, i % 3)
            lines.append("\(y),\(x),\(lb),10,\(0.5 + rng.nextUniform()),\"g\(i % 6)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The posterior's gradient with `trunc()` (and weights) matches finite differences.
    func testPosteriorGradient() throws {
        let table = try DataTable.read(data: Data(Self.rows().utf8), fileName: "counts.csv")
        // trunc(lb = 1) keeps the rows with y ≥ 1.
        let positive = try DataTable.read(data: Data(Self.rows().split(separator: "\n").filter { !$0.hasPrefix("0,") }
                                                     .joined(separator: "\n").utf8), fileName: "counts.csv")
        for formula in ["y | trunc(ub = 10) ~ x + (1 | g)", "y | trunc(lb = lb, ub = ub) ~ x + (1 | g)",
                        "y | weights(w) + trunc(lb = 1) ~ x + (1 | g)"] {
            let parsed = try Formula.parse(formula)
            for family in [Family.poisson, .negativeBinomial] {
                let design = try ModelDesign.build(formula: parsed, table: formula.contains("lb = 1") ? positive : table)
                try checkResponse(design, family: family)
                try GradientTests.checkGradient(design, family: family, scale: 2.5, location: 1.2, logScale: log(2.0))
            }
        }
    }

    /// One line with the data line for a count outside its bounds and for empty bounds; cens()
    /// is refused for counts.
    func testBadInput() throws {
        func message(_ formula: String, _ csv: String, family: Family = .poisson) -> String? {
            do {
                let design = try ModelDesign.build(formula: Formula.parse(formula),
                                                   table: DataTable.read(data: Data(csv.utf8), fileName: "d.csv"))
                try checkResponse(design, family: family)
                return nil
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message("y | trunc(ub = 10) ~ 1", "y\n3\n11\n"),
                       "d.csv:3: response 11 is outside the truncation bounds [-Inf, 10]")
        XCTAssertEqual(message("y | trunc(lb = lb, ub = ub) ~ 1", "y,lb,ub\n3,0,10\n4,5,2\n"),
                       "d.csv:3: truncation bounds [5, 2] are empty: trunc() needs lb ≤ ub")
        XCTAssertEqual(message("y | cens(c) ~ 1", "y,c\n3,0\n4,1\n"),
                       "cens() is supported for the families gaussian, student, lognormal, Gamma, exponential and weibull, not poisson (counts take weights() and trunc())")
        XCTAssertEqual(message("y | trunc(ub = 10) ~ 1", "y\n3\n4\n", family: .binomial)?.contains("poisson and negbinomial"), true)
        XCTAssertNil(message("y | trunc(ub = 10) ~ 1", "y\n3\n4\n", family: .negativeBinomial))
    }
}
