import XCTest
import MultilevelData
import MultilevelMath
@testable import MultilevelModels

/// The analytic gradient of the profiled criterion (`profiledCriterionGradient`) against
/// Richardson-extrapolated central differences of the criterion itself (`CriterionDerivatives`,
/// h = 1e-3, truncation error O(h⁴)), REML and ML, on scalar, vector (2 × 2, 3 × 3, 4 × 4),
/// crossed and nested designs, at lme4's start θ and at a perturbed point off the optimum; and
/// the selected inverse (`inverseDiagonalBlocks`) against the dense inverse of Ω.
final class ProfiledCriterionGradientTests: XCTestCase {
    private func designs() throws -> [(String, ModelDesign)] {
        [("sleepstudy intercepts", try RemlFixtures.sleepstudy("intercepts")),
         ("sleepstudy slopes", try RemlFixtures.sleepstudy("slopes")),
         ("sleepstudy uncorrelated", try RemlFixtures.sleepstudy("uncorrelated")),
         ("sleepstudy quadratic", try RemlFixtures.sleepstudy("quadratic")),
         ("sleepstudy cubic", try RemlFixtures.sleepstudy("cubic")),
         ("dyestuff", try RemlFixtures.dyestuff()),
         ("crossed", try RemlFixtures.crossed()),
         ("nested", try RemlFixtures.nested("nested"))]
    }

    func testGradientMatchesCriterionDifferences() throws {
        for (name, design) in try designs() {
            let equations = try LinearMixedModel(design: design).equations
            let factor = equations.covarianceFactor
            // lme4's start, and a point with every entry moved (off-diagonals away from 0).
            let start = factor.initialTheta
            let moved = start.enumerated().map { k, value in value + 0.13 + 0.07 * Double(k % 3) }
            for method in [EstimationMethod.reml, .ml] {
                for theta in [start, moved] {
                    try equations.update(theta: theta)
                    let value = equations.profiledCriterion(method)
                    let analytic = try XCTUnwrap(equations.profiledCriterionGradient(method), name)
                    let differences = CriterionDerivatives(theta: theta, lowerBounds: factor.lowerBounds, center: value) {
                        equations.criterion(at: $0, method)
                    }
                    XCTAssertEqual(differences.free.count, theta.count, name)
                    let scale = max(1, analytic.map(abs).max() ?? 0)
                    var worst = 0.0
                    for (a, i) in differences.free.enumerated() {
                        worst = max(worst, abs(analytic[i] - differences.gradient[a]) / scale)
                    }
                    XCTAssertLessThan(worst, 1e-7, "\(name) \(method.rawValue) θ \(theta): \(analytic) vs \(differences.gradient)")
                }
            }
        }
    }

    /// A diagonal θ entry on its bound: no analytic gradient (the caller differences instead).
    func testGradientIsNilOnTheBoundary() throws {
        let equations = try LinearMixedModel(design: RemlFixtures.nested("nested")).equations
        try equations.update(theta: [0, 1])
        XCTAssertNil(equations.profiledCriterionGradient(.reml))
    }

    /// Ω⁻¹'s diagonal blocks per level against the dense inverse of Ω = [ZΛ X]ᵀ[ZΛ X] + diag(I, 0)
    /// (REML) and of ΛᵀZᵀZΛ + I (ML), built from the design.
    func testInverseDiagonalBlocksMatchDenseInverse() throws {
        for (name, design) in try designs() where name == "crossed" || name == "sleepstudy quadratic" {
            let model = try LinearMixedModel(design: design)
            let equations = model.equations
            let factor = equations.covarianceFactor
            let theta = factor.initialTheta.enumerated().map { k, value in value + 0.2 + 0.05 * Double(k) }
            try equations.update(theta: theta)
            // Dense ZΛ in fitting order.
            let n = design.rowCount, p = design.fixedEffectCount
            var columns: [[Double]] = []
            for (k, term) in equations.terms.enumerated() {
                let q = term.columnCount
                let t = factor.template(ofTerm: k, theta: theta)
                for level in 0..<term.grouping.levelCount {
                    for j in 0..<q {
                        var column = [Double](repeating: 0, count: n)
                        for r in 0..<n where term.grouping.levelIndex[r] == level {
                            for i in j..<q { column[r] += term.values[r * q + i] * t[i + j * q] }
                        }
                        columns.append(column)
                    }
                }
            }
            let randomCount = columns.count
            for includeFixed in [false, true] {
                var all = columns
                if includeFixed { for j in 0..<p { all.append((0..<n).map { design.fixedEffects[$0, j] }) } }
                let size = all.count
                var omega = DenseMatrix(rows: size, columns: size)
                for a in 0..<size { for b in 0..<size {
                    var sum = 0.0
                    for r in 0..<n { sum += all[a][r] * all[b][r] }
                    omega[a, b] = sum + (a == b && a < randomCount ? 1 : 0)
                } }
                let inverse = try omega.symmetricPositiveDefiniteInverse()
                let blocks = equations.inverseDiagonalBlocks(includingFixedEffects: includeFixed, perLevel: true)
                let sums = equations.inverseDiagonalBlocks(includingFixedEffects: includeFixed, perLevel: false)
                var offset = 0
                for (k, term) in equations.terms.enumerated() {
                    let q = term.columnCount
                    var sum = [Double](repeating: 0, count: q * q)
                    for level in 0..<term.grouping.levelCount {
                        for j in 0..<q { for i in 0..<q {
                            let expected = inverse[offset + i, offset + j]
                            XCTAssertEqual(blocks[k][level * q * q + i + j * q], expected, accuracy: 1e-10 * max(1, abs(expected)),
                                           "\(name) term \(k) level \(level) (\(i), \(j)) fixed \(includeFixed)")
                            sum[i + j * q] += expected
                        } }
                        offset += q
                    }
                    for e in sum.indices { XCTAssertEqual(sums[k][e], sum[e], accuracy: 1e-9 * max(1, abs(sum[e])), "\(name) sum") }
                }
            }
        }
    }

    /// The blocked triangular inverse against the column-by-column one, past the parallel order.
    func testLowerTriangularInverse() {
        var rng = Xoshiro256PlusPlus(seed: 22)
        for n in [1, 7, 64, 65, 130, 300] {
            var l = DenseMatrix(rows: n, columns: n)
            for j in 0..<n { for i in j..<n { l[i, j] = i == j ? 1 + rng.nextUniform() : rng.nextUniform() - 0.5 } }
            var blocked = [Double](repeating: .nan, count: n * n)
            l.elements.withUnsafeBufferPointer { source in
                blocked.withUnsafeMutableBufferPointer { target in
                    lowerTriangularInverse(source.baseAddress!, order: n, leadingDimension: n, into: target.baseAddress!)
                }
            }
            let reference = l.lowerTriangularInverse
            for e in 0..<(n * n) {
                XCTAssertEqual(blocked[e], reference.elements[e], accuracy: 1e-9 * max(1, abs(reference.elements[e])), "n \(n) entry \(e)")
            }
        }
    }
}
