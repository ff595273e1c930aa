import XCTest
import MultilevelData
@testable import MultilevelModels

/// The separation test by linear programming (`separationDirection`, `separationFindings`) on data
/// whose separation is known in closed form (each case's argument is in its comment), and the
/// refusal of a flat prior on the coefficients it names.
final class SeparationDirectionTests: XCTestCase {
    private func design(_ csv: String, _ formula: String) throws -> ModelDesign {
        try ModelDesign.build(formula: Formula.parse(formula), table: DataTable(csv: csv, fileName: "sep.csv"))
    }

    /// x1, x2 on the grid {0…4}², y = 1 exactly when x1 + x2 > 3.5. θ = (−3.5, 1, 1) on
    /// (Intercept, x1, x2) is strict for every row: complete separation. Neither column alone
    /// separates (x1 = 0 has both outcomes, as does x2 = 0), so the one-column checks say nothing.
    private var combinationCSV: String {
        var lines = ["y,x1,x2,g"]
        for x1 in 0...4 { for x2 in 0...4 { lines.append("\(x1 + x2 > 3 ? 1 : 0),\(x1),\(x2),g\((x1 + x2) % 3)") } }
        return lines.joined(separator: "\n")
    }

    func testCompleteSeparationByACombinationOfTwoColumns() throws {
        let d = try design(combinationCSV, "y ~ x1 + x2 + (1 | g)")
        let found = try XCTUnwrap(separationDirection(d, family: .bernoulli))
        XCTAssertTrue(found.complete)
        XCTAssertEqual(found.divergentColumns.map { d.fixedEffectNames[$0] }, ["(Intercept)", "x1", "x2"])
        // The direction found separates: x̃ᵢᵀθ ≥ 0 on every row.
        for i in 0..<d.rowCount {
            let eta = (0..<3).map { d.fixedEffects[i, $0] * found.direction[$0] }.reduce(0, +)
            XCTAssertGreaterThanOrEqual(d.response[i] > 0 ? eta : -eta, -1e-9)
        }
        XCTAssertEqual(separationWarnings(d, family: .bernoulli),
                       ["complete separation: a linear combination of 'x1' and 'x2' with the intercept separates the outcomes; b_x1, b_x2 are identified only by their priors"])
    }

    /// As above, but the three points on the line x1 + x2 = 3 — (0,3), (1,2), (2,1), (3,0) — carry
    /// both outcomes. A strict direction would need xᵢᵀθ > 0 and < 0 at once there, so the
    /// separation is quasi-complete; θ ∝ (−3, 1, 1) still separates the other rows.
    func testQuasiCompleteSeparationByACombination() throws {
        var lines = ["y,x1,x2,g"]
        for x1 in 0...4 { for x2 in 0...4 {
            let s = x1 + x2
            lines.append("\(s > 3 ? 1 : 0),\(x1),\(x2),g\(s % 3)")
            if s == 3 { lines.append("1,\(x1),\(x2),g\(s % 3)") }
        } }
        let d = try design(lines.joined(separator: "\n"), "y ~ x1 + x2 + (1 | g)")
        let found = try XCTUnwrap(separationDirection(d, family: .bernoulli))
        XCTAssertFalse(found.complete)
        XCTAssertEqual(found.divergentColumns.map { d.fixedEffectNames[$0] }, ["(Intercept)", "x1", "x2"])
        XCTAssertEqual(separationWarnings(d, family: .bernoulli).first?.hasPrefix("quasi-complete separation: a linear combination of 'x1' and 'x2'"), true)
    }

    /// y = x1 XOR x2 on the 2×2 design (each cell three times): the four sign conditions
    /// θ₀ ≤ 0, θ₀+θ₁+θ₂ ≤ 0, θ₀+θ₁ ≥ 0, θ₀+θ₂ ≥ 0 sum to 0 ≤ 2θ₀+θ₁+θ₂ ≤ 0, which forces every one to
    /// be 0 and θ = 0: no separation at all.
    func testExclusiveOrIsNotSeparated() throws {
        var lines = ["y,x1,x2,g"]
        for rep in 0..<3 { for x1 in 0...1 { for x2 in 0...1 { lines.append("\(x1 ^ x2),\(x1),\(x2),g\(rep)") } } }
        let d = try design(lines.joined(separator: "\n"), "y ~ x1 + x2 + (1 | g)")
        XCTAssertNil(separationDirection(d, family: .bernoulli))
        XCTAssertEqual(separationWarnings(d, family: .bernoulli), [])
    }

    /// Binomial counts: every trial a success where x1 + x2 > 3, every one a failure where it is
    /// < 3, a mix on the line = 3. The mixed rows force xᵢᵀθ = 0 there, so again quasi-complete
    /// in the direction (−3, 1, 1).
    func testBinomialQuasiCompleteSeparation() throws {
        var lines = ["k,n,x1,x2,g"]
        for x1 in 0...4 { for x2 in 0...4 {
            let s = x1 + x2
            lines.append("\(s > 3 ? 5 : (s == 3 ? 2 : 0)),5,\(x1),\(x2),g\(s % 3)")
        } }
        let d = try design(lines.joined(separator: "\n"), "k | trials(n) ~ x1 + x2 + (1 | g)")
        let found = try XCTUnwrap(separationDirection(d, family: .binomial))
        XCTAssertFalse(found.complete)
        XCTAssertEqual(found.divergentColumns.map { d.fixedEffectNames[$0] }, ["(Intercept)", "x1", "x2"])
        XCTAssertGreaterThan(found.direction[1], 0)
        XCTAssertEqual(found.direction[1], found.direction[2], accuracy: 1e-9 * abs(found.direction[1]))
        XCTAssertEqual(found.direction[0], -3 * found.direction[1], accuracy: 1e-9 * abs(found.direction[1]))
    }

    /// Poisson counts with one factor level whose counts are all 0: its coefficient runs to −∞
    /// along θ = −e_level (that level's rows alone get xᵢᵀθ < 0); the other columns stay finite
    /// because every other level has a positive count. Without the zero level there is nothing.
    func testPoissonLevelWithOnlyZeroCounts() throws {
        let counts = ["a": [3, 0, 2, 5], "b": [1, 4, 0, 2], "c": [0, 0, 0, 0]]
        var lines = ["y,f,g"]
        for level in ["a", "b", "c"] { for (k, y) in counts[level]!.enumerated() { lines.append("\(y),\(level),g\(k % 2)") } }
        let d = try design(lines.joined(separator: "\n"), "y ~ f + (1 | g)")
        let found = try XCTUnwrap(separationDirection(d, family: .poisson))
        XCTAssertEqual(found.divergentColumns.map { d.fixedEffectNames[$0] }, ["fc"])
        XCTAssertLessThan(found.direction[2], 0)
        XCTAssertEqual(separationWarnings(d, family: .poisson),
                       ["separation: 'fc' sets apart rows whose counts are all 0 (the maximum-likelihood rate there is 0); b_fc is identified only by its prior"])
        let positive = lines.enumerated().map { $0.offset > 0 && $0.element.hasPrefix("0,") ? "1" + $0.element.dropFirst(1) : $0.element }
        XCTAssertNil(separationDirection(try design(positive.joined(separator: "\n"), "y ~ f + (1 | g)"), family: .poisson))
    }

    /// Flat priors on the diverging coefficients are refused, naming them; a proper prior on b
    /// (all of them) lets the fit go on; a proper prior on one leaves the other named.
    func testFlatPriorOnDivergingCoefficientsIsRefused() throws {
        let d = try design(combinationCSV, "y ~ x1 + x2 + (1 | g)")
        func priors(_ text: String) throws -> PriorSet {
            var set = PriorSet.defaults(for: d, family: .bernoulli)
            if !text.isEmpty { try set.apply(PriorStatement.parseAll(text)) }
            return set
        }
        XCTAssertThrowsError(try requireProperPosteriorUnderSeparation(d, family: .bernoulli, priors: try priors(""))) { error in
            XCTAssertTrue(String(describing: error).contains("the priors of b_x1, b_x2 are flat, so the posterior is improper; give them a proper prior, e.g. --prior 'b ~ normal(0, 2.5)'"),
                          String(describing: error))
        }
        XCTAssertNoThrow(try requireProperPosteriorUnderSeparation(d, family: .bernoulli, priors: try priors("b ~ normal(0, 2.5)")))
        XCTAssertThrowsError(try requireProperPosteriorUnderSeparation(d, family: .bernoulli, priors: try priors("b:x1 ~ normal(0, 2.5)"))) { error in
            XCTAssertTrue(String(describing: error).contains("and the prior of b_x2 is flat, so the posterior is improper; give b_x2 a proper prior"),
                          String(describing: error))
        }
    }
}
