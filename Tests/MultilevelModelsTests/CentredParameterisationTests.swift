import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The centred parameterisation of group-level terms (`CentredGroupEffects`): analytic gradients
/// against finite differences, the closed-form relation to the non-centred density (they differ by
/// the log-Jacobian of r = diag(sd) L z), identical constrained outputs, the automatic rule's
/// choice, and brms parity of centred fits.
final class CentredParameterisationTests: XCTestCase {
    /// Gradient of the posterior with every term (or the terms in `centred`) centred.
    func checkGradient(_ design: ModelDesign, family: Family, scale: Double, location: Double, logScale: Double,
                       centred: [Bool]? = nil, sufficient: Bool = true,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        try GradientTests.checkGradient(design, family: family, scale: scale, location: location, logScale: logScale,
                                        centred: centred ?? design.randomTerms.map { _ in true },
                                        sufficient: sufficient, file: file, line: line)
    }

    func testGradientSleepstudySlopesSufficientStatistics() throws {
        try checkGradient(PosteriorTestData.sleepstudy(), family: .gaussian, scale: 59.3, location: 288.7, logScale: log(30))
    }

    func testGradientSleepstudySlopesRowPass() throws {
        try checkGradient(PosteriorTestData.sleepstudy(), family: .gaussian, scale: 59.3, location: 288.7, logScale: log(30),
                          sufficient: false)
    }

    func testGradientSleepstudyIntercepts() throws {
        try checkGradient(PosteriorTestData.sleepstudy(slopes: false), family: .gaussian, scale: 59.3, location: 288.7,
                          logScale: log(30))
    }

    func testGradientCrossedFamilies() throws {
        // q = 3, 1 and 2 with correlations; mixed centred and non-centred terms too.
        for family in [Family.gaussian, .bernoulli, .poisson, .binomial, .negativeBinomial, .student] {
            try checkGradient(PosteriorTestData.crossed(family: family), family: family, scale: 2.5, location: 0.3,
                              logScale: log(0.5))
            try checkGradient(PosteriorTestData.crossed(family: family), family: family, scale: 2.5, location: 0.3,
                              logScale: log(0.5), centred: [true, false, true])
        }
        try checkGradient(PosteriorTestData.crossed(family: .gaussian), family: .gaussian, scale: 2.5, location: 0.3,
                          logScale: log(0.5), sufficient: false)
    }

    func testGradientHuangWandPrior() throws {
        let design = try PosteriorTestData.sleepstudy()
        let layout = ParameterLayout(design: design, family: .gaussian)
        var priors = GradientTests.testPriors(layout, family: .gaussian, scale: 59.3, location: 288.7)
        priors.covariance = [.huangWand(degreesOfFreedom: 2, scales: [40, 10])]
        let posterior = try GLMMPosterior(design: design, family: .gaussian, priors: priors, centred: [true])
        for seed in [4, 5] as [UInt64] {
            let x = PosteriorTestData.point(for: posterior, seed: seed, interceptGuess: 288.7, logScaleGuess: log(30))
            let (error, name) = GradientTests.gradientError(posterior, at: x)
            XCTAssertLessThanOrEqual(error, 1e-6, "worst coordinate \(name)")
        }
    }

    /// The non-centred point x and the centred point with r_j = diag(sd) L z_j in place of z_j.
    static func centredPoint(_ x: [Double], layout: ParameterLayout) -> (point: [Double], logJacobian: Double) {
        var centred = x
        var logJacobian = 0.0
        for term in layout.terms {
            let q = term.columnCount
            var factor = [Double](repeating: 0, count: q * q)
            if q > 1 {
                x.withUnsafeBufferPointer { xp in
                    factor.withUnsafeMutableBufferPointer {
                        _ = CholeskyCorrelationTransform.constrain(xp.baseAddress! + term.correlationOffset,
                                                                   dimension: q, into: $0.baseAddress!)
                    }
                }
            } else {
                factor[0] = 1
            }
            let sd = (0..<q).map { exp(x[term.sdOffset + $0]) }
            for j in 0..<term.levelCount {
                for k in 0..<q {
                    var w = 0.0
                    for l in 0...k { w += factor[k * q + l] * x[term.zOffset + j * q + l] }
                    centred[term.zOffset + j * q + k] = sd[k] * w
                }
            }
            for k in 0..<q { logJacobian += Double(term.levelCount) * (log(sd[k]) + log(factor[k * q + k])) }
        }
        return (centred, logJacobian)
    }

    func testCentredDensityIsNonCentredMinusLogJacobian() throws {
        for (design, family) in [(try PosteriorTestData.sleepstudy(), Family.gaussian),
                                 (PosteriorTestData.crossed(family: .bernoulli), .bernoulli),
                                 (PosteriorTestData.crossed(family: .poisson), .poisson)] {
            let layout = ParameterLayout(design: design, family: family)
            let priors = GradientTests.testPriors(layout, family: family, scale: 2.5, location: 0.3)
            var nonCentred = try GLMMPosterior(design: design, family: family, priors: priors)
            var centred = try GLMMPosterior(design: design, family: family, priors: priors,
                                            centred: design.randomTerms.map { _ in true })
            var nonCentredMap = ConstrainedParameters(posterior: nonCentred)
            var centredMap = ConstrainedParameters(posterior: centred)
            XCTAssertEqual(centredMap.names, nonCentredMap.names)
            XCTAssertEqual(centredMap.cmdStanNames, nonCentredMap.cmdStanNames)
            for seed in [1, 2] as [UInt64] {
                let x = PosteriorTestData.point(for: nonCentred, seed: seed, interceptGuess: 0.3, logScaleGuess: log(0.5))
                let (y, logJacobian) = Self.centredPoint(x, layout: layout)
                let a = nonCentred.logDensityAndGradient(at: x).value
                let b = centred.logDensityAndGradient(at: y).value
                XCTAssertEqual(b, a - logJacobian, accuracy: 1e-9 * max(1, abs(a)), "\(family) seed \(seed)")
                let u = nonCentredMap.constrained(x), v = centredMap.constrained(y)
                for i in u.indices { XCTAssertEqual(u[i], v[i], accuracy: 1e-12 * max(1, abs(u[i])), nonCentredMap.names[i]) }
            }
        }
    }

    func testUnconstrainedNamesOfCentredTerm() throws {
        let layout = ParameterLayout(design: try PosteriorTestData.sleepstudy(), family: .gaussian, centred: [true])
        XCTAssertTrue(layout.unconstrainedNames.contains("r_1[2,18]"))
        XCTAssertFalse(layout.unconstrainedNames.contains { $0.hasPrefix("z_") })
        XCTAssertEqual(layout.centredGroupNames, ["Subject"])
    }

    /// y ~ (1 | rich) + (1 | sparse): 10 levels of 400 rows with sd 1 and 800 levels of 5 rows with
    /// sd 0.2, σ = 1 — information ratios ≈ 400 and ≈ 0.2.
    static func richAndSparse(family: Family) -> ModelDesign {
        var rng = Xoshiro256PlusPlus(seed: 5)
        let n = 4000
        let rich = (0..<10).map { _ in rng.nextNormal() }
        let sparse = (0..<800).map { _ in 0.2 * rng.nextNormal() }
        var y: [Double] = [], a: [String] = [], b: [String] = []
        for i in 0..<n {
            let eta = 0.2 + rich[i % 10] + sparse[i / 5]
            a.append("a\(i % 10)"); b.append("b\(i / 5)")
            switch family {
            case .bernoulli: y.append(rng.nextUniform() < 1 / (1 + exp(-eta)) ? 1 : 0)
            case .poisson: y.append(Double(rng.nextPoisson(mean: exp(eta))))
            default: y.append(eta + rng.nextNormal())
            }
        }
        let terms = [
            RandomEffectTerm(grouping: PosteriorTestData.grouping("rich", a), columnNames: ["(Intercept)"],
                             values: [Double](repeating: 1, count: n), text: "(1 | rich)"),
            RandomEffectTerm(grouping: PosteriorTestData.grouping("sparse", b), columnNames: ["(Intercept)"],
                             values: [Double](repeating: 1, count: n), text: "(1 | sparse)"),
        ]
        return PosteriorTestData.design(formula: "y ~ 1 + (1 | rich) + (1 | sparse)", response: "y", y: y,
                                        x: (0..<n).map { _ in [1] }, names: ["(Intercept)"], terms: terms)
    }

    func testAutomaticRuleCentresDataRichTermOnly() throws {
        for family in [Family.gaussian, .bernoulli, .poisson] {
            let design = Self.richAndSparse(family: family)
            let pilot = ParameterisationPilot(design: design, family: family)
            XCTAssertGreaterThan(pilot.informationRatios[0], 10, "\(family): \(pilot.informationRatios)")
            XCTAssertLessThan(pilot.informationRatios[1], 1, "\(family): \(pilot.informationRatios) \(pilot.standardDeviations)")
            XCTAssertEqual(try ParameterisationChoice.automatic.centredTerms(design: design, family: family), [true, false])
        }
        // Dyestuff: 6 batches of 5, sd̂² · I ≈ 3 but sd̂² at its lower 95% bound gives < 1.
        let dyestuff = try PosteriorTestData.dyestuff()
        let dyestuffPilot = ParameterisationPilot(design: dyestuff, family: .gaussian)
        XCTAssertGreaterThan(dyestuffPilot.informationRatios[0], 1)
        XCTAssertLessThan(dyestuffPilot.lowerInformationRatios[0], 1)
        XCTAssertEqual(try ParameterisationChoice.automatic.centredTerms(design: dyestuff, family: .gaussian), [false])
        let design = Self.richAndSparse(family: .gaussian)
        let pilot = ParameterisationPilot(design: design, family: .gaussian)
        XCTAssertEqual(pilot.standardDeviations[0][0], 1, accuracy: 0.5)
        XCTAssertEqual(pilot.standardDeviations[1][0], 0.2, accuracy: 0.15)
        XCTAssertEqual(try ParameterisationChoice.centredGroups(["sparse"]).centredTerms(design: design, family: .gaussian),
                       [false, true])
        XCTAssertEqual(try ParameterisationChoice.nonCentred.centredTerms(design: design, family: .gaussian), [false, false])
        XCTAssertThrowsError(try ParameterisationChoice.centredGroups(["herd"]).centredTerms(design: design, family: .gaussian)) {
            XCTAssertEqual("\($0)", "centred group 'herd' is not a grouping factor of the model (its groups: rich, sparse)")
        }
    }
}

extension CentredParameterisationTests {
    /// Instructors nested in departments (InstEval's shape): y ~ 1 + (1 | d) + (1 | dept), 100
    /// instructors of 40 rows (sd 0.5) in 5 departments (sd 0.3), σ = 1. The pilot estimates the
    /// coarse term first, so the nested one does not absorb it (sd̂_dept = 0 before that fix).
    func testPilotEstimatesACoarseTermWithANestedOne() throws {
        var rng = Xoshiro256PlusPlus(seed: 9)
        let d = (0..<100).map { _ in 0.5 * rng.nextNormal() }
        let dept = (0..<5).map { _ in 0.3 * rng.nextNormal() }
        var y: [Double] = [], di: [String] = [], depti: [String] = []
        for i in 0..<4000 {
            let instructor = i % 100
            y.append(1 + d[instructor] + dept[instructor % 5] + rng.nextNormal())
            di.append("d\(instructor)"); depti.append("dept\(instructor % 5)")
        }
        let ones = [Double](repeating: 1, count: y.count)
        let design = PosteriorTestData.design(
            formula: "y ~ 1 + (1 | d) + (1 | dept)", response: "y", y: y, x: y.map { _ in [1] }, names: ["(Intercept)"],
            terms: [RandomEffectTerm(grouping: PosteriorTestData.grouping("d", di), columnNames: ["(Intercept)"],
                                     values: ones, text: "(1 | d)"),
                    RandomEffectTerm(grouping: PosteriorTestData.grouping("dept", depti), columnNames: ["(Intercept)"],
                                     values: ones, text: "(1 | dept)")])
        let pilot = ParameterisationPilot(design: design, family: .gaussian)
        XCTAssertEqual(pilot.standardDeviations[0][0], 0.5, accuracy: 0.15, "\(pilot.standardDeviations)")
        XCTAssertGreaterThan(pilot.standardDeviations[1][0], 0.1, "\(pilot.standardDeviations)")
        XCTAssertEqual(try ParameterisationChoice.automatic.centredTerms(design: design, family: .gaussian), [true, true])
    }
}

extension PosteriorBrmsParityTests {
    // The same brms references sampled with every term centred and every term non-centred.

    func testSleepstudySlopesCentred() throws {
        try parity("brms_sleepstudy_slopes", PosteriorTestData.sleepstudy(), family: .gaussian, seed: 31,
                   parameterisation: .centred)
    }

    func testSleepstudySlopesNonCentred() throws {
        try parity("brms_sleepstudy_slopes", PosteriorTestData.sleepstudy(), family: .gaussian, seed: 32,
                   parameterisation: .nonCentred)
    }

    func testCbppBinomialCentred() throws {
        try parity("brms_cbpp_binomial", PosteriorTestData.cbpp(), family: .binomial, seed: 33, parameterisation: .centred)
    }
}
