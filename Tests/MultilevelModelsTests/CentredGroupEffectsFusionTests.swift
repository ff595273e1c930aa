@testable import MultilevelModels
import MultilevelMath
import XCTest

/// `CentredGroupEffects.addLogDensity(…likelihoodGradient:…parentGradient:…)`, the one pass
/// `GLMMPosterior` makes for a centred term, against the three passes it replaces (copy of the
/// likelihood gradient, `addLogDensity`, the shear's pull-back onto the Intercept): the same bits.
final class CentredGroupEffectsFusionTests: XCTestCase {
    func assertFusedMatchesSeparate(q: Int, withParent: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let levels = 37
        var rng = Xoshiro256PlusPlus(seed: UInt64(3 + q))
        let effects = (0..<(levels * q)).map { _ in rng.nextNormal() }
        let likelihood = (0..<(levels * q)).map { _ in 3 * rng.nextNormal() }
        let sd = (0..<q).map { _ in 0.2 + rng.nextUniform() }
        var factor = [Double](repeating: 0, count: q * q)
        for k in 0..<q {
            for l in 0..<k { factor[k * q + l] = 0.3 * rng.nextNormal() }
            factor[k * q + k] = 0.5 + rng.nextUniform()
        }
        let parentStart = rng.nextNormal()

        var separateGradient = likelihood
        var separateSD = [Double](repeating: 0.25, count: q), separateFactor = [Double](repeating: -0.5, count: q * q)
        var work = [Double](repeating: 0, count: 2 * q)
        let separateValue = CentredGroupEffects.addLogDensity(
            effects: effects, levelCount: levels, dimension: q, sd: sd, factor: factor,
            effectGradient: &separateGradient, sdAdjoint: &separateSD, factorAdjoint: &separateFactor, work: &work)
        var separateParent = parentStart
        if withParent { for j in 0..<(levels * q) { separateParent -= separateGradient[j] } }

        var fusedGradient = [Double](repeating: .nan, count: levels * q)
        var fusedSD = [Double](repeating: 0.25, count: q), fusedFactor = [Double](repeating: -0.5, count: q * q)
        var fusedParent = parentStart
        let fusedValue = withUnsafeMutablePointer(to: &fusedParent) { parent in
            CentredGroupEffects.addLogDensity(
                effects: effects, levelCount: levels, dimension: q, sd: sd, factor: factor,
                likelihoodGradient: likelihood, effectGradient: &fusedGradient,
                parentGradient: withParent ? parent : nil, sdAdjoint: &fusedSD, factorAdjoint: &fusedFactor,
                work: &work)
        }
        XCTAssertEqual(fusedValue.bitPattern, separateValue.bitPattern, file: file, line: line)
        XCTAssertEqual(fusedGradient.map(\.bitPattern), separateGradient.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(fusedSD.map(\.bitPattern), separateSD.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(fusedFactor.map(\.bitPattern), separateFactor.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(fusedParent.bitPattern, separateParent.bitPattern, file: file, line: line)
        if withParent { XCTAssertNotEqual(fusedParent, parentStart, file: file, line: line) }
    }

    func testInterceptTermCentredOnTheInterceptIsBitIdentical() {
        assertFusedMatchesSeparate(q: 1, withParent: true)
    }

    func testInterceptTermIsBitIdentical() {
        assertFusedMatchesSeparate(q: 1, withParent: false)
    }

    func testCorrelatedTermIsBitIdentical() {
        assertFusedMatchesSeparate(q: 3, withParent: false)
    }

    /// q = 2 takes the written-out `addLogDensityOfPairs`.
    func testCorrelatedPairIsBitIdentical() {
        assertFusedMatchesSeparate(q: 2, withParent: false)
    }
}

/// `GLMMPosterior` zeroes only the gradient entries it accumulates into (`gradientZeroRanges`)
/// and assigns the others: whatever the buffer held before (the sampler passes the previous
/// point's gradient), the value and the gradient are the same bits.
final class GLMMPosteriorGradientBufferTests: XCTestCase {
    func assertIndependentOfBuffer(_ posterior: GLMMPosterior, file: StaticString = #filePath, line: UInt = #line) {
        var density = posterior
        let x = PosteriorTestData.point(for: posterior, seed: 5, interceptGuess: 0.3, logScaleGuess: log(0.5))
        var results: [(Double, [Double])] = []
        for fill in [0.0, .nan, 1e300] {
            var gradient = [Double](repeating: fill, count: posterior.dimension)
            let value = x.withUnsafeBufferPointer { position in
                gradient.withUnsafeMutableBufferPointer { density.logDensity(at: position, gradient: $0) }
            }
            results.append((value, gradient))
        }
        for (value, gradient) in results.dropFirst() {
            XCTAssertEqual(value.bitPattern, results[0].0.bitPattern, file: file, line: line)
            XCTAssertEqual(gradient.map(\.bitPattern), results[0].1.map(\.bitPattern), file: file, line: line)
        }
        XCTAssertTrue(results[0].1.allSatisfy(\.isFinite), file: file, line: line)
    }

    func testGradientDoesNotDependOnTheBuffersContents() throws {
        for family in [Family.gaussian, .bernoulli] {
            for onIntercept in [true, false] {
                let (plain, sheared) = try HierarchicalCentringTests.posteriors(
                    HierarchicalCentringTests.miniInstEval(family: family), family: family, centreOnIntercept: onIntercept)
                assertIndependentOfBuffer(plain)
                assertIndependentOfBuffer(sheared)
            }
        }
        let design = HierarchicalCentringTests.miniInstEval(family: .bernoulli)
        let layout = ParameterLayout(design: design, family: .bernoulli)
        let priors = GradientTests.testPriors(layout, family: .bernoulli, scale: 2.5, location: 0.3)
        // Non-centred terms (accumulated z gradients) and a mixture of centred and non-centred ones.
        assertIndependentOfBuffer(try GLMMPosterior(design: design, family: .bernoulli, priors: priors))
        assertIndependentOfBuffer(try GLMMPosterior(design: design, family: .bernoulli, priors: priors,
                                                    centred: design.randomTerms.indices.map { $0 == 1 }))
        // A correlated slope term (accumulated correlation gradient), centred and not.
        let sleep = try PosteriorTestData.sleepstudy()
        let sleepPriors = GradientTests.testPriors(ParameterLayout(design: sleep, family: .gaussian), family: .gaussian,
                                                   scale: 59.3, location: 288.7)
        for centred in [false, true] {
            assertIndependentOfBuffer(try GLMMPosterior(design: sleep, family: .gaussian, priors: sleepPriors,
                                                        useSufficientStatistics: false, centred: [centred]))
        }
    }
}
