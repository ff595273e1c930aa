import Foundation
import XCTest
import MultilevelMath
import MultilevelData
import MultilevelSampling
@testable import MultilevelModels

/// Simulation recovery for every family (issue 6): data simulated from y ~ x + (1 | g) with known
/// parameters, fitted by NUTS under brms' default priors; each true value must lie within 4
/// posterior standard deviations of the posterior mean (a miss has probability ≈ 6·10⁻⁵ per
/// parameter when the posterior is close to normal and the sampler is right). Positive
/// parameters (the group SD, sigma, nu, shape) are compared on the log scale — the sampler's
/// unconstrained scale, where their posteriors are close to normal. On the natural scale a
/// right-skewed posterior has a short lower tail, so a data set with a low estimate puts the
/// truth many of its (small) standard deviations away: the negative binomial's seed-27 data give
/// shape 2.06 ± 0.23 against 3 (z = −4.04, failing on about a quarter of 20 sampler seeds with
/// Stan's adaptation and with ours), while data seeds 1–30 give z from −4.04 to +1.57 (mean +0.25).
/// On the log scale that data set is at z ≈ −3.3.
final class FamilyTests: XCTestCase {
    struct Truth {
        var intercept: Double, slope: Double, sd: Double
        var auxiliary: [String: Double]
    }

    static func simulate(_ family: Family, truth: Truth, rows: Int = 600, groups: Int = 30, seed: UInt64) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: seed)
        let effects = (0..<groups).map { _ in truth.sd * rng.nextNormal() }
        var x: [[Double]] = [], y: [Double] = [], trials: [Double] = [], labels: [String] = []
        func gammaDraw(shape: Double) -> Double {
            // Marsaglia & Tsang (2000) for shape ≥ 1, boosted for shape < 1.
            if shape < 1 { return gammaDraw(shape: shape + 1) * pow(rng.nextUniform(), 1 / shape) }
            let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
            while true {
                let z = rng.nextNormal()
                let v = pow(1 + c * z, 3)
                if v > 0, log(rng.nextUniform()) < 0.5 * z * z + d - d * v + d * log(v) { return d * v }
            }
        }
        func poissonDraw(_ mean: Double) -> Double {
            var k = 0.0, p = 1.0
            let limit = exp(-mean)
            while true { p *= rng.nextUniform(); if p <= limit { return k }; k += 1 }
        }
        for i in 0..<rows {
            let g = i % groups
            let xi = rng.nextNormal()
            let eta = truth.intercept + truth.slope * xi + effects[g]
            x.append([1, xi])
            labels.append("g\(g)")
            let n = Double(2 + i % 6)
            trials.append(n)
            switch family {
            case .gaussian: y.append(eta + truth.auxiliary["sigma"]! * rng.nextNormal())
            case .student:
                let nu = truth.auxiliary["nu"]!
                let chi2 = 2 * gammaDraw(shape: nu / 2)
                y.append(eta + truth.auxiliary["sigma"]! * rng.nextNormal() / (chi2 / nu).squareRoot())
            case .lognormal: y.append(exp(eta + truth.auxiliary["sigma"]! * rng.nextNormal()))
            case .bernoulli: y.append(rng.nextUniform() < 1 / (1 + exp(-eta)) ? 1 : 0)
            case .binomial:
                let p = 1 / (1 + exp(-eta))
                y.append(Double((0..<Int(n)).filter { _ in rng.nextUniform() < p }.count))
            case .poisson: y.append(poissonDraw(exp(eta)))
            case .negativeBinomial:
                let shape = truth.auxiliary["shape"]!
                y.append(poissonDraw(exp(eta) * gammaDraw(shape: shape) / shape))
            case .gamma:
                let shape = truth.auxiliary["shape"]!
                y.append(exp(eta) * gammaDraw(shape: shape) / shape)
            }
        }
        let term = RandomEffectTerm(grouping: PosteriorTestData.grouping("g", labels), columnNames: ["(Intercept)"],
                                    values: Array(repeating: 1, count: rows), text: "(1 | g)")
        return PosteriorTestData.design(formula: "y ~ x + (1 | g)", response: "y", y: y,
                                        trials: family == .binomial ? trials : nil, x: x, names: ["(Intercept)", "x"],
                                        terms: [term])
    }

    func recover(_ family: Family, _ truth: Truth, seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let design = Self.simulate(family, truth: truth, seed: seed)
        let settings = SamplerSettings(iterations: 1000, warmup: 500, chains: 2, seed: seed)
        let fit = try BayesianFit.run(design: design, family: family, settings: settings)
        var expected = ["b_Intercept": truth.intercept, "b_x": truth.slope, "sd_g__Intercept": truth.sd]
        for (name, value) in truth.auxiliary { expected[name] = value }
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard let chains = fit.draws.values(of: name) else {
                XCTFail("\(family): no draws of \(name)", file: file, line: line)
                continue
            }
            let positive = !name.hasPrefix("b_")
            let all = chains.flatMap { $0 }.map { positive ? log($0) : $0 }
            let truth = positive ? log(value) : value
            let mean = all.reduce(0, +) / Double(all.count)
            let sd = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(all.count - 1)).squareRoot()
            XCTAssertLessThanOrEqual(abs(mean - truth), 4 * sd,
                                     "\(family) \(positive ? "log " : "")\(name): posterior \(mean) ± \(sd), truth \(truth)",
                                     file: file, line: line)
        }
    }

    func testGaussianRecovery() throws {
        try recover(.gaussian, Truth(intercept: 1, slope: 0.7, sd: 0.6, auxiliary: ["sigma": 0.8]), seed: 21)
    }

    func testStudentRecovery() throws {
        try recover(.student, Truth(intercept: 1, slope: 0.7, sd: 0.6, auxiliary: ["sigma": 0.8, "nu": 4]), seed: 22)
    }

    func testLognormalRecovery() throws {
        try recover(.lognormal, Truth(intercept: 0.5, slope: 0.7, sd: 0.6, auxiliary: ["sigma": 0.5]), seed: 23)
    }

    func testBernoulliRecovery() throws {
        try recover(.bernoulli, Truth(intercept: -0.3, slope: 0.9, sd: 0.8, auxiliary: [:]), seed: 24)
    }

    func testBinomialRecovery() throws {
        try recover(.binomial, Truth(intercept: -0.3, slope: 0.9, sd: 0.8, auxiliary: [:]), seed: 25)
    }

    func testPoissonRecovery() throws {
        try recover(.poisson, Truth(intercept: 0.8, slope: 0.5, sd: 0.5, auxiliary: [:]), seed: 26)
    }

    func testNegativeBinomialRecovery() throws {
        try recover(.negativeBinomial, Truth(intercept: 0.8, slope: 0.5, sd: 0.5, auxiliary: ["shape": 3]), seed: 27)
    }

    func testGammaRecovery() throws {
        try recover(.gamma, Truth(intercept: 0.8, slope: 0.5, sd: 0.5, auxiliary: ["shape": 4]), seed: 28)
    }

    func testFamilyNamesAndLinks() throws {
        XCTAssertEqual(try Family(name: "Gamma"), .gamma)
        XCTAssertEqual(try Family(name: "negbinomial").link, .log)
        XCTAssertEqual(Family.student.auxiliaryParameters, [.sigma, .nu])
        XCTAssertEqual(Link.logit.inverse(Link.logit.apply(0.3)), 0.3, accuracy: 1e-15)
        XCTAssertEqual(Link.log.inverse(Link.log.apply(2.5)), 2.5, accuracy: 1e-15)
    }
}
