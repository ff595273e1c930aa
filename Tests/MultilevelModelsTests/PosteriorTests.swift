import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The GLMM log posterior against an independent, straightforward row-by-row implementation
/// written here from the model's definition (densities from their textbook formulas, the LKJ
/// density on the correlation matrix with the Jacobian of L ↦ L Lᵀ, the correlation transform's
/// log-Jacobian from a numerical Jacobian determinant), compared up to an additive constant.
final class PosteriorTests: XCTestCase {
    // MARK: reference implementation

    static func studentT(_ x: Double, _ nu: Double, _ mu: Double, _ s: Double) -> Double {
        let z = (x - mu) / s
        return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi * s * s) - (nu + 1) / 2 * log(1 + z * z / nu)
    }

    static func prior(_ d: PriorDistribution, _ x: Double) -> Double {
        switch d {
        case .flat: return 0
        case let .normal(m, s): return -0.5 * log(2 * Double.pi * s * s) - (x - m) * (x - m) / (2 * s * s)
        case let .studentT(nu, m, s): return studentT(x, nu, m, s)
        case let .cauchy(m, s): return -log(Double.pi * s * (1 + pow((x - m) / s, 2)))
        case let .gamma(a, b): return a * log(b) - lgamma(a) + (a - 1) * log(x) - b * x
        case let .beta(a, b): return lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) * log(x) + (b - 1) * log(1 - x)
        default: fatalError("not used in these tests")
        }
    }

    /// Strictly-lower entries of L (row by row) from the unconstrained values, by the explicit
    /// formula of the Stan reference manual.
    static func choleskyFactor(_ y: [Double], _ k: Int) -> [[Double]] {
        var l = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var position = 0
        l[0][0] = 1
        for i in 1..<k {
            for j in 0..<i {
                let z = tanh(y[position]); position += 1
                let used = (0..<j).reduce(0.0) { $0 + l[i][$1] * l[i][$1] }
                l[i][j] = z * (1 - used).squareRoot()
            }
            l[i][i] = (1 - (0..<i).reduce(0.0) { $0 + l[i][$1] * l[i][$1] }).squareRoot()
        }
        return l
    }

    /// log |det ∂(strict lower L)/∂y| by central differences and Gaussian elimination.
    static func numericalLogJacobian(_ y: [Double], _ k: Int) -> Double {
        numericalLogJacobian(of: { y in
            let l = choleskyFactor(y, k)
            return (1..<k).flatMap { i in (0..<i).map { l[i][$0] } }
        }, at: y)
    }

    /// log |det ∂f/∂v| of a square map by central differences and Gaussian elimination.
    static func numericalLogJacobian(of f: ([Double]) -> [Double], at v: [Double]) -> Double {
        let m = v.count
        var jacobian = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for c in 0..<m {
            var plus = v, minus = v
            plus[c] += 1e-6; minus[c] -= 1e-6
            let a = f(plus), b = f(minus)
            for r in 0..<m { jacobian[r][c] = (a[r] - b[r]) / 2e-6 }
        }
        var logDet = 0.0
        for c in 0..<m {
            let pivot = (c..<m).max { abs(jacobian[$0][c]) < abs(jacobian[$1][c]) }!
            jacobian.swapAt(c, pivot)
            logDet += log(abs(jacobian[c][c]))
            for r in (c + 1)..<m {
                let f = jacobian[r][c] / jacobian[c][c]
                for cc in c..<m { jacobian[r][cc] -= f * jacobian[c][cc] }
            }
        }
        return logDet
    }

    /// Σ = diag(e^u) L Lᵀ diag(e^u) with L from the correlation values y.
    static func covariance(_ u: [Double], _ y: [Double], _ q: Int) -> [[Double]] {
        let l = q > 1 ? choleskyFactor(y, q) : [[1.0]]
        return (0..<q).map { i in (0..<q).map { j in
            exp(u[i] + u[j]) * (0..<q).reduce(0.0) { $0 + l[i][$1] * l[j][$1] }
        } }
    }

    /// Huang & Wand (2013) eq. 2 up to a constant: −(ν+2q)/2 log|Σ| − (ν+q)/2 Σ_k log(ν (Σ⁻¹)_kk + 1/A_k²),
    /// with |Σ| and Σ⁻¹ by Gauss–Jordan elimination.
    static func huangWandLogDensity(_ sigma: [[Double]], nu: Double, scales: [Double]) -> Double {
        let q = sigma.count
        var a = sigma
        var inverse = (0..<q).map { i in (0..<q).map { $0 == i ? 1.0 : 0.0 } }
        var logDet = 0.0
        for c in 0..<q {
            let pivot = a[c][c]
            logDet += log(pivot)
            for j in 0..<q { a[c][j] /= pivot; inverse[c][j] /= pivot }
            for r in 0..<q where r != c {
                let f = a[r][c]
                for j in 0..<q { a[r][j] -= f * a[c][j]; inverse[r][j] -= f * inverse[c][j] }
            }
        }
        let qd = Double(q)
        return -(nu + 2 * qd) / 2 * logDet
            - (nu + qd) / 2 * (0..<q).reduce(0.0) { $0 + log(nu * inverse[$1][$1] + 1 / (scales[$1] * scales[$1])) }
    }

    /// log NB(y | μ, φ) from its definition.
    static func negativeBinomial(_ y: Double, mu: Double, phi: Double) -> Double {
        lgamma(y + phi) - lgamma(y + 1) - lgamma(phi) + phi * log(phi / (mu + phi)) + y * log(mu / (mu + phi))
    }

    static func referenceLogPosterior(design: ModelDesign, family: Family, priors: PosteriorPriors, x: [Double]) -> Double {
        let layout = ParameterLayout(design: design, family: family)
        let n = design.rowCount
        let p = design.fixedEffectCount
        let beta = Array(x[0..<layout.coefficientNames.count])
        let intercept = layout.hasIntercept ? x[layout.interceptOffset] : 0
        var lp = 0.0
        var aux: [Double] = []
        for (a, parameter) in layout.auxiliaryParameters.enumerated() {
            let u = x[layout.auxiliaryOffset + a]
            if parameter.isUnbounded {
                aux.append(u)
                lp += prior(priors.auxiliary[a], u)
                continue
            }
            if parameter.isProbability {
                let probability = 1 / (1 + exp(-u))
                aux.append(probability)
                lp += log(probability * (1 - probability)) + prior(priors.auxiliary[a], probability)
                continue
            }
            aux.append(parameter.lowerBound + exp(u))
            lp += u + prior(priors.auxiliary[a], aux[a])
        }
        // r[t][level][k]
        var effects: [[[Double]]] = []
        for (t, term) in layout.terms.enumerated() {
            let q = term.columnCount
            let sd = (0..<q).map { exp(x[term.sdOffset + $0]) }
            let y = Array(x[term.correlationOffset..<(term.correlationOffset + term.correlationCount)])
            let l = q > 1 ? choleskyFactor(y, q) : [[1.0]]
            if case let .huangWand(nu, scales)? = priors.covariance[t] {
                let u = Array(x[term.sdOffset..<(term.sdOffset + q)])
                lp += huangWandLogDensity(covariance(u, y, q), nu: nu,
                                          scales: scales.count == q ? scales : Array(repeating: scales[0], count: q))
                lp += numericalLogJacobian(of: { v in
                    let c = covariance(Array(v[0..<q]), Array(v[q...]), q)
                    return (0..<q).flatMap { i in (0...i).map { c[i][$0] } }
                }, at: u + y)
            } else {
                for k in 0..<q { lp += x[term.sdOffset + k] + prior(priors.standardDeviations[t][k], sd[k]) }
                if q > 1 {
                    lp += numericalLogJacobian(y, q)
                    let eta = priors.correlationEta[t]
                    let logDetCor = 2 * (0..<q).reduce(0.0) { $0 + log(l[$1][$1]) }
                    lp += (eta - 1) * logDetCor
                    for k in 0..<q { lp += Double(q - 1 - k) * log(l[k][k]) }   // Jacobian of L ↦ L Lᵀ
                }
            }
            var levels: [[Double]] = []
            for j in 0..<term.levelCount {
                let z = (0..<q).map { x[term.zOffset + j * q + $0] }
                for v in z { lp += -0.5 * log(2 * Double.pi) - 0.5 * v * v }
                levels.append((0..<q).map { k in sd[k] * (0...k).reduce(0.0) { $0 + l[k][$1] * z[$1] } })
            }
            effects.append(levels)
        }
        if layout.hasIntercept { lp += prior(priors.intercept, intercept) }
        for (k, b) in beta.enumerated() { lp += prior(priors.coefficients[k], b) }
        let offset = layout.hasIntercept ? 1 : 0
        let means = (0..<p).map { c in (0..<n).reduce(0.0) { $0 + design.fixedEffects[$1, c] } / Double(n) }
        for i in 0..<n {
            var eta = intercept
            for k in 0..<beta.count { eta += (design.fixedEffects[i, k + offset] - (offset == 1 ? means[k + offset] : 0)) * beta[k] }
            for (t, term) in design.randomTerms.enumerated() {
                let level = term.grouping.levelIndex[i]
                for k in 0..<term.columnCount { eta += term.values[i * term.columnCount + k] * effects[t][level][k] }
            }
            let y = design.response[i]
            switch family.kind {
            case .cumulative:
                // Thresholds relative to the first, D_k (`CumulativeFamily`); the joint threshold prior
                // is not this reference's (CumulativeFamilyTests has the whole Stan program).
                var thresholds = [0.0]
                for gap in aux { thresholds.append(thresholds[thresholds.count - 1] + gap) }
                lp += CumulativeFamilyTests.referenceLogProbability(Int(y), thresholds: thresholds, mu: eta,
                                                                    probit: family.link == .probit)
            case .gaussian:
                lp += -0.5 * log(2 * Double.pi * aux[0] * aux[0]) - (y - eta) * (y - eta) / (2 * aux[0] * aux[0])
            case .student:
                lp += studentT(y, aux[1], eta, aux[0])
            case .lognormal:
                lp += -log(y) - 0.5 * log(2 * Double.pi * aux[0] * aux[0]) - pow(log(y) - eta, 2) / (2 * aux[0] * aux[0])
            case .bernoulli:
                let mu = 1 / (1 + exp(-eta))
                lp += y == 1 ? log(mu) : log(1 - mu)
            case .binomial:
                let trials = design.trials![i]
                let mu = 1 / (1 + exp(-eta))
                lp += lgamma(trials + 1) - lgamma(y + 1) - lgamma(trials - y + 1) + y * log(mu) + (trials - y) * log(1 - mu)
            case .poisson:
                lp += y * eta - exp(eta) - lgamma(y + 1)
            case .negativeBinomial:
                let mu = exp(eta), phi = aux[0]
                lp += lgamma(y + phi) - lgamma(y + 1) - lgamma(phi) + phi * log(phi / (mu + phi)) + y * log(mu / (mu + phi))
            case .gamma:
                let mu = exp(eta), alpha = aux[0]
                lp += alpha * log(alpha / mu) - lgamma(alpha) + (alpha - 1) * log(y) - alpha * y / mu
            case .zeroInflatedPoisson:
                let mu = exp(eta), zi = aux[0]
                let poisson = exp(y * eta - mu - lgamma(y + 1))
                lp += log((y == 0 ? zi : 0) + (1 - zi) * poisson)
            case .zeroInflatedNegativeBinomial:
                let zi = aux[1]
                let count = exp(negativeBinomial(y, mu: exp(eta), phi: aux[0]))
                lp += log((y == 0 ? zi : 0) + (1 - zi) * count)
            case .hurdlePoisson:
                let mu = exp(eta), hu = aux[0]
                lp += y == 0 ? log(hu) : log(1 - hu) + y * eta - mu - lgamma(y + 1) - log(1 - exp(-mu))
            case .hurdleNegativeBinomial:
                let mu = exp(eta), hu = aux[1]
                lp += y == 0 ? log(hu) : log(1 - hu) + negativeBinomial(y, mu: mu, phi: aux[0])
                    - log(1 - exp(negativeBinomial(0, mu: mu, phi: aux[0])))
            case .exponential:
                let mu = exp(eta)
                lp += -log(mu) - y / mu
            case .weibull:
                let k = aux[0], scale = exp(eta) / tgamma(1 + 1 / k)
                lp += log(k / scale) + (k - 1) * log(y / scale) - pow(y / scale, k)
            case .beta:
                let mu = 1 / (1 + exp(-eta)), phi = aux[0]
                lp += lgamma(phi) - lgamma(mu * phi) - lgamma((1 - mu) * phi)
                    + (mu * phi - 1) * log(y) + ((1 - mu) * phi - 1) * log(1 - y)
            case .skewNormal:
                // Stan's skew_normal(ξ, ω, α) with brms' ω = σ/√(1 − 2δ²/π), ξ = μ − ωδ√(2/π).
                let sigma = aux[0], alpha = aux[1], delta = alpha / (1 + alpha * alpha).squareRoot()
                let omega = sigma / (1 - 2 / Double.pi * delta * delta).squareRoot()
                let xi = eta - omega * delta * (2 / Double.pi).squareRoot()
                let z = (y - xi) / omega
                lp += -log(omega) - 0.5 * log(2 * Double.pi) - 0.5 * z * z + log(erfc(-alpha * z / 2.0.squareRoot()))
            case .hurdleLognormal:
                let sigma = aux[0], hu = aux[1]
                lp += y == 0 ? log(hu) : log(1 - hu) - log(y) - 0.5 * log(2 * Double.pi * sigma * sigma)
                    - pow(log(y) - eta, 2) / (2 * sigma * sigma)
            }
        }
        return lp
    }

    func checkAgainstReference(_ design: ModelDesign, family: Family, location: Double, logScale: Double,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let layout = ParameterLayout(design: design, family: family)
        let priors = GradientTests.testPriors(layout, family: family, scale: 5, location: location)
        var posterior = try GLMMPosterior(design: design, family: family, priors: priors)
        var rowByRow = try GLMMPosterior(design: design, family: family, priors: priors, useSufficientStatistics: false)
        let points = (1...3).map { PosteriorTestData.point(for: posterior, seed: UInt64($0), interceptGuess: location,
                                                            logScaleGuess: logScale) }
        let values = points.map { posterior.logDensityAndGradient(at: $0) }
        let references = points.map { Self.referenceLogPosterior(design: design, family: family, priors: priors, x: $0) }
        for i in 1..<points.count {
            let difference = values[i].value - values[0].value
            let referenceDifference = references[i] - references[0]
            XCTAssertEqual(difference, referenceDifference, accuracy: 1e-7 * max(1, abs(references[i])),
                           "\(family): log density differences", file: file, line: line)
        }
        // The sufficient-statistics path (gaussian, lognormal) equals the row-by-row path.
        for (point, value) in zip(points, values) {
            let rows = rowByRow.logDensityAndGradient(at: point)
            XCTAssertEqual(rows.value, value.value, accuracy: 1e-9 * max(1, abs(value.value)), file: file, line: line)
            for (a, b) in zip(rows.gradient, value.gradient) {
                XCTAssertEqual(a, b, accuracy: 1e-8 * max(1, abs(b)), file: file, line: line)
            }
        }
    }

    func testSleepstudySlopesAgainstReference() throws {
        try checkAgainstReference(PosteriorTestData.sleepstudy(), family: .gaussian, location: 288.7, logScale: log(30))
    }

    func testDyestuffAgainstReference() throws {
        try checkAgainstReference(PosteriorTestData.dyestuff(), family: .gaussian, location: 1527, logScale: log(50))
    }

    func testCbppAgainstReference() throws {
        try checkAgainstReference(PosteriorTestData.cbpp(), family: .binomial, location: -1.4, logScale: log(0.7))
    }

    func testCrossedFamiliesAgainstReference() throws {
        // cumulative's joint threshold prior has its own reference (CumulativeFamilyTests).
        for family in Family.allCases where family.kind != .cumulative {
            try checkAgainstReference(PosteriorTestData.crossed(family: family, rows: 120), family: family,
                                      location: 0.3, logScale: log(0.5))
        }
    }

    /// Bernoulli, binomial and Poisson rows with identical predictors and levels are merged; the
    /// merged posterior still equals the reference written on the original rows.
    func testMergedRowsAgainstReference() throws {
        for family in [Family.bernoulli, .binomial, .poisson] {
            var design = PosteriorTestData.crossed(family: family, rows: 200)
            // Discrete predictors and two crossed random intercepts with replicated cells.
            design.fixedEffects = DenseMatrix(rowMajor: (0..<200).map { [1, Double($0 % 2), Double(($0 / 2) % 3)] })
            let g1 = PosteriorTestData.grouping("g1", (0..<200).map { "a\($0 % 5)" })
            let g2 = PosteriorTestData.grouping("g2", (0..<200).map { "b\(($0 / 7) % 4)" })
            design.randomTerms = [
                RandomEffectTerm(grouping: g1, columnNames: ["(Intercept)"], values: Array(repeating: 1, count: 200), text: "(1 | g1)"),
                RandomEffectTerm(grouping: g2, columnNames: ["(Intercept)"], values: Array(repeating: 1, count: 200), text: "(1 | g2)"),
            ]
            let layout = ParameterLayout(design: design, family: family)
            let posterior = try GLMMPosterior(design: design, family: family,
                                              priors: GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3))
            XCTAssertTrue(posterior.data.isCollapsed)
            XCTAssertLessThanOrEqual(posterior.data.rowCount, 120, "\(family): rows merged")
            try checkAgainstReference(design, family: family, location: 0.3, logScale: log(0.5))
            let x = PosteriorTestData.point(for: posterior, seed: 3, interceptGuess: 0.3, logScaleGuess: log(0.5))
            XCTAssertLessThanOrEqual(GradientTests.gradientError(posterior, at: x).error, 1e-6)
        }
    }

    /// Huang–Wand covariance priors on every term of the crossed model (3 × 3, scalar, 2 × 2):
    /// the posterior equals the reference built from p(Σ) and a numerical Jacobian of Σ.
    func testHuangWandAgainstReference() throws {
        let design = PosteriorTestData.crossed(family: .gaussian, rows: 120)
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 5, location: 0.3)
        priors.covariance = [.huangWand(degreesOfFreedom: 2, scales: [1, 2, 0.5]),
                             .huangWand(degreesOfFreedom: 3, scales: [1.5]),
                             .huangWand(degreesOfFreedom: 2, scales: [2])]
        var posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        let points = (1...3).map { PosteriorTestData.point(for: posterior, seed: UInt64($0), interceptGuess: 0.3,
                                                            logScaleGuess: log(0.5)) }
        let values = points.map { posterior.logDensityAndGradient(at: $0).value }
        let references = points.map { Self.referenceLogPosterior(design: design, family: .gaussian, priors: priors, x: $0) }
        for i in 1..<points.count {
            XCTAssertEqual(values[i] - values[0], references[i] - references[0], accuracy: 1e-6 * max(1, abs(references[i])))
        }
        for x in points {
            let (error, name) = GradientTests.gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "worst coordinate \(name)")
        }
    }

    /// For a scalar term the Huang–Wand prior is half-t(ν, A) on the sd (Huang & Wand 2013, §2).
    func testHuangWandScalarIsHalfT() throws {
        let design = try PosteriorTestData.dyestuff()
        let layout = ParameterLayout(design: design, family: .gaussian)
        var halfT = GradientTests.testPriors(layout, family: .gaussian, scale: 50, location: 1527)
        halfT.standardDeviations = [[.studentT(degreesOfFreedom: 3, location: 0, scale: 40)]]
        var huangWand = halfT
        huangWand.covariance = [.huangWand(degreesOfFreedom: 3, scales: [40])]
        var a = try GLMMPosterior(design: design, family: .gaussian, priors: halfT)
        var b = try GLMMPosterior(design: design, family: .gaussian, priors: huangWand)
        let points = (1...3).map { PosteriorTestData.point(for: a, seed: UInt64($0), interceptGuess: 1527, logScaleGuess: log(50)) }
        let differences = points.map { a.logDensityAndGradient(at: $0).value - b.logDensityAndGradient(at: $0).value }
        for d in differences { XCTAssertEqual(d, differences[0], accuracy: 1e-9) }
        for x in points {
            for (u, v) in zip(a.logDensityAndGradient(at: x).gradient, b.logDensityAndGradient(at: x).gradient) {
                XCTAssertEqual(u, v, accuracy: 1e-9 * max(1, abs(u)))
            }
        }
    }

    /// The gaussian sufficient statistics keep precision for a response with a large mean
    /// (the response is centred before the cross-products are formed).
    func testSufficientStatisticsWithLargeResponseMean() throws {
        var design = PosteriorTestData.crossed(family: .gaussian, rows: 200)
        design.response = design.response.map { $0 + 1e6 }
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 5, location: 1e6)
        var fast = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        var slow = try GLMMPosterior(design: design, family: .gaussian, priors: priors, useSufficientStatistics: false)
        let x = PosteriorTestData.point(for: fast, seed: 4, interceptGuess: 1e6 + 0.3, logScaleGuess: log(0.5))
        let a = fast.logDensityAndGradient(at: x), b = slow.logDensityAndGradient(at: x)
        XCTAssertEqual(a.value, b.value, accuracy: 1e-9 * abs(b.value))
        for (u, v) in zip(a.gradient, b.gradient) { XCTAssertEqual(u, v, accuracy: 1e-7 * max(1, abs(v))) }
    }

    // MARK: constrained outputs

    func testConstrainedNamesMatchBrms() throws {
        for (fixture, design) in [("brms_sleepstudy_slopes", try PosteriorTestData.sleepstudy()),
                                  ("brms_sleepstudy_intercepts", try PosteriorTestData.sleepstudy(slopes: false)),
                                  ("brms_dyestuff", try PosteriorTestData.dyestuff())] {
            let data = try Data(contentsOf: PosteriorTestData.fixtureURL(fixture, "json"))
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let expected = Set((object["parameters"] as! [String: Any]).keys)
            let map = ConstrainedParameters(layout: ParameterLayout(design: design, family: .gaussian), columnMeans: [4.5])
            XCTAssertEqual(Set(map.names), expected, fixture)
        }
        let map = ConstrainedParameters(layout: ParameterLayout(design: try PosteriorTestData.sleepstudy(), family: .gaussian),
                                        columnMeans: [4.5])
        XCTAssertEqual(Array(map.names.prefix(7)), ["b_Intercept", "b_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                                                    "cor_Subject__Intercept__Days", "sigma", "r_Subject[308,Intercept]"])
        XCTAssertEqual(map.cmdStanNames[6], "r_Subject.1.1")
        XCTAssertEqual(map.cmdStanNames.last, "r_Subject.18.2")
        XCTAssertEqual(map.names.last, "r_Subject[372,Days]")
    }

    func testConstrainedValues() throws {
        let design = PosteriorTestData.crossed(family: .gaussian)
        let layout = ParameterLayout(design: design, family: .gaussian)
        let priors = GradientTests.testPriors(layout, family: .gaussian, scale: 5, location: 0)
        let posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors)
        let x = PosteriorTestData.point(for: posterior, seed: 9, interceptGuess: 0.3, logScaleGuess: log(0.5))
        var map = ConstrainedParameters(posterior: posterior)
        let values = map.constrained(x)
        func value(_ name: String) -> Double { values[map.names.firstIndex(of: name)!] }
        let means = posterior.columnMeans
        XCTAssertEqual(value("b_Intercept"), x[layout.interceptOffset] - means[0] * x[0] - means[1] * x[1], accuracy: 1e-12)
        XCTAssertEqual(value("b_x2"), x[1])
        XCTAssertEqual(value("sigma"), exp(x[layout.auxiliaryOffset]), accuracy: 1e-12)
        let g1 = layout.terms[0]
        XCTAssertEqual(value("sd_g1__x1"), exp(x[g1.sdOffset + 1]), accuracy: 1e-12)
        // cor(Intercept, x2) = row 0 · row 2 of L = L₂₀.
        let l = Self.choleskyFactor(Array(x[g1.correlationOffset..<(g1.correlationOffset + 3)]), 3)
        XCTAssertEqual(value("cor_g1__Intercept__x2"), l[2][0], accuracy: 1e-12)
        XCTAssertEqual(value("cor_g1__x1__x2"), l[1][0] * l[2][0] + l[1][1] * l[2][1], accuracy: 1e-12)
        // r_g1[a3,x2] = sd₂ · (L z)₂ for level a3.
        let level = g1.levelNames.firstIndex(of: "a3")!
        let z = (0..<3).map { x[g1.zOffset + level * 3 + $0] }
        let expected = exp(x[g1.sdOffset + 2]) * (l[2][0] * z[0] + l[2][1] * z[1] + l[2][2] * z[2])
        XCTAssertEqual(value("r_g1[a3,x2]"), expected, accuracy: 1e-12)
    }

    // MARK: bad input

    func testResponseOutsideFamilySupportNamesTheLine() throws {
        var design = try PosteriorTestData.cbpp()
        design.response[3] = 100
        let layout = ParameterLayout(design: design, family: .binomial)
        let priors = PriorSet.defaults(for: design, family: .binomial).resolved(for: layout)
        XCTAssertThrowsError(try GLMMPosterior(design: design, family: .binomial, priors: priors)) { error in
            XCTAssertTrue("\(error)".hasSuffix("line 5: successes 100 exceed the number of trials 5 for family binomial"), "\(error)")
        }
        var counts = PosteriorTestData.crossed(family: .poisson)
        counts.response[0] = 1.5
        let countLayout = ParameterLayout(design: counts, family: .poisson)
        XCTAssertThrowsError(try GLMMPosterior(design: counts, family: .poisson,
                                               priors: PriorSet.defaults(for: counts, family: .poisson).resolved(for: countLayout))) {
            XCTAssertTrue("\($0)".contains("line 2: count 1.5 is not a non-negative integer"), "\($0)")
        }
        XCTAssertThrowsError(try Family(name: "no_such_family")) { XCTAssertTrue("\($0)".contains("unknown family 'no_such_family'")) }
    }
}
