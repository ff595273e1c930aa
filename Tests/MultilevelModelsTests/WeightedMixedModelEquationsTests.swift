import Foundation
import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The in-place refill of PIRLS' weighted system (`WeightedMixedModelEquations`) against the
/// system built from scratch out of the √w-scaled rows (`BlockedMixedModelEquations.init`), on a
/// design with a correlated-slope first term, a crossed scalar term and X: same factor, same
/// solution, same log-determinant, for two different weight vectors in a row (the second refill
/// must not keep anything of the first).
final class WeightedMixedModelEquationsTests: XCTestCase {
    func testRefillMatchesSystemBuiltFromScaledRows() throws {
        var rng = Xoshiro256PlusPlus(seed: 7)
        let n = 240, groups = 30, raters = 8
        var x = DenseMatrix(rows: n, columns: 3)
        var slopeValues: [Double] = []
        let ones = [Double](repeating: 1, count: n)
        var g: [Int] = [], r: [Int] = []
        for row in 0..<n {
            let t = rng.nextNormal()
            x[row, 0] = 1; x[row, 1] = t; x[row, 2] = rng.nextUniform() < 0.5 ? 1 : 0
            slopeValues += [1, t]
            g.append(row % groups); r.append(Int(rng.nextUniform() * Double(raters)))
        }
        let terms = [
            RandomEffectTerm(grouping: GroupingFactor(name: "g", levels: (0..<groups).map(String.init), levelIndex: g),
                             columnNames: ["(Intercept)", "t"], values: slopeValues, text: "(t | g)"),
            RandomEffectTerm(grouping: GroupingFactor(name: "r", levels: (0..<raters).map(String.init), levelIndex: r),
                             columnNames: ["(Intercept)"], values: ones, text: "(1 | r)"),
        ]
        try checkRefill(terms: terms, x: x, theta: [0.9, -0.3, 0.4, 0.7], rng: &rng)
    }

    /// The all-scalar case (crossed intercepts, VerbAgg's shape), whose refill and factor take
    /// their own one-multiplication paths.
    func testScalarCrossedRefillMatchesSystemBuiltFromScaledRows() throws {
        var rng = Xoshiro256PlusPlus(seed: 11)
        let n = 300, groups = 40, raters = 9
        var x = DenseMatrix(rows: n, columns: 3)
        let ones = [Double](repeating: 1, count: n)
        var g: [Int] = [], r: [Int] = []
        for row in 0..<n {
            x[row, 0] = 1; x[row, 1] = rng.nextNormal(); x[row, 2] = rng.nextUniform() < 0.5 ? 1 : 0
            g.append(row % groups); r.append(Int(rng.nextUniform() * Double(raters)))
        }
        let terms = [
            RandomEffectTerm(grouping: GroupingFactor(name: "g", levels: (0..<groups).map(String.init), levelIndex: g),
                             columnNames: ["(Intercept)"], values: ones, text: "(1 | g)"),
            RandomEffectTerm(grouping: GroupingFactor(name: "r", levels: (0..<raters).map(String.init), levelIndex: r),
                             columnNames: ["(Intercept)"], values: ones, text: "(1 | r)"),
        ]
        try checkRefill(terms: terms, x: x, theta: [1.3, 0.6], rng: &rng)
    }

    func checkRefill(terms: [RandomEffectTerm], x: DenseMatrix, theta: [Double], rng: inout Xoshiro256PlusPlus) throws {
        let n = x.rows
        for joint in [true, false] {
            let system = WeightedMixedModelEquations(randomTerms: terms, fixedEffects: x, includingFixedEffects: joint)
            let refilled = system.makeEquations()
            for round in 0..<2 {
                let roots = (0..<n).map { _ in 0.2 + rng.nextUniform() * (round == 0 ? 1 : 3) }
                let response = (0..<n).map { roots[$0] * rng.nextNormal() }
                system.refill(refilled, rootWeights: roots, response: response, fixedEffects: x)
                try refilled.update(theta: theta)
                // From scratch: scaled copies of the rows.
                let scaledTerms = terms.map { term -> RandomEffectTerm in
                    var scaled = term
                    let q = term.columnCount
                    for row in 0..<n { for j in 0..<q { scaled.values[row * q + j] *= roots[row] } }
                    return scaled
                }
                var scaledX = DenseMatrix(rows: n, columns: joint ? 3 : 0)
                if joint { for j in 0..<3 { for i in 0..<n { scaledX[i, j] = x[i, j] * roots[i] } } }
                let built = BlockedMixedModelEquations(response: response, fixedEffects: scaledX, randomTerms: scaledTerms)
                try built.update(theta: theta)
                XCTAssertEqual(refilled.logDeterminantL, built.logDeterminantL, accuracy: 1e-11 * abs(built.logDeterminantL))
                XCTAssertEqual(refilled.penalizedResidualSumOfSquares, built.penalizedResidualSumOfSquares,
                               accuracy: 1e-11 * built.penalizedResidualSumOfSquares)
                let a = refilled.solution(), b = built.solution()
                XCTAssertEqual(a.fixedEffects.count, joint ? 3 : 0)
                for (u, v) in zip(a.fixedEffects, b.fixedEffects) { XCTAssertEqual(u, v, accuracy: 1e-11 * max(1, abs(v))) }
                for (blockA, blockB) in zip(a.spherical, b.spherical) {
                    XCTAssertEqual(blockA.count, blockB.count)
                    for (u, v) in zip(blockA, blockB) { XCTAssertEqual(u, v, accuracy: 1e-11 * max(1, abs(v))) }
                }
                // Not vacuous: the two rounds' weights give different systems.
                XCTAssertGreaterThan(abs(built.logDeterminantL), 1)
            }
        }
    }
}
