import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The pointwise log-likelihood: each family's density against R (scripts/references/
/// family_log_density.R), blocks of rows against the whole matrix, and new levels.
final class PointwiseLogLikelihoodTests: XCTestCase {
    func testFamilyDensitiesMatchR() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "family_log_density", withExtension: "json", subdirectory: "Fixtures"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        // The eight families of the R fixture; the zero-inflated, hurdle, exponential and weibull
        // densities are checked for normalisation and means in FamilyLikelihoodNormalisationTests.
        XCTAssertEqual(Set(cases.compactMap { $0["family"] as? String }),
                       ["gaussian", "student", "bernoulli", "binomial", "poisson", "negbinomial", "lognormal", "Gamma"])
        for entry in cases {
            let family = try Family(name: try XCTUnwrap(entry["family"] as? String))
            let auxiliary = (entry["aux"] as? [Double]) ?? [(entry["aux"] as? Double)].compactMap { $0 }
            let value = family.logDensity(y: try XCTUnwrap(entry["y"] as? Double), trials: try XCTUnwrap(entry["trials"] as? Double),
                                          eta: try XCTUnwrap(entry["eta"] as? Double), auxiliary: auxiliary)
            XCTAssertEqual(value, try XCTUnwrap(entry["value"] as? Double), accuracy: 1e-12, family.name)
        }
    }

    /// A Poisson model y ~ x + (1 | g) with two chains of hand-made draws.
    private func example() throws -> (design: ModelDesign, draws: Draws) {
        let table = try DataTable(csv: "y,x,g\n3,0.5,a\n0,-1.0,a\n5,1.5,b\n2,0.0,c\n1,0.2,c\n")
        let design = try ModelDesign.build(formula: try Formula.parse("y ~ x + (1 | g)"), table: table)
        let names = ["b_Intercept", "b_x", "r_g[a,Intercept]", "r_g[b,Intercept]", "r_g[c,Intercept]"]
        var rng = Xoshiro256PlusPlus(seed: 3)
        let chains = (0..<2).map { _ in (0..<(7 * names.count)).map { _ in rng.nextNormal() * 0.5 } }
        return (design, Draws(variableNames: names, chains: chains))
    }

    func testBlocksEqualTheWholeMatrixAndTheDensity() throws {
        let (design, draws) = try example()
        let ll = try PointwiseLogLikelihood(design: design, family: .poisson, draws: draws)
        XCTAssertEqual(ll.drawCount, 14)
        XCTAssertEqual(ll.chainIDs, [Int](repeating: 1, count: 7) + [Int](repeating: 2, count: 7))
        let whole = ll.matrix()
        var block = [Double](repeating: 0, count: 2 * 14)
        block.withUnsafeMutableBufferPointer { ll.block(rows: 2..<4, into: $0) }
        for j in 0..<2 { for s in 0..<14 { XCTAssertEqual(block[j * 14 + s], whole[s, 2 + j]) } }
        // Draw 9 (chain 2, draw 2), row 2 (level b): η = b0 + b1 x + r_b.
        let d = draws.chains[1], w = 5, base = 2 * w
        let eta = d[base] + d[base + 1] * 1.5 + d[base + 3]
        XCTAssertEqual(whole[9, 2], 5 * eta - exp(eta) - logGamma(6), accuracy: 1e-12)
    }

    /// An `offset()` enters η of every row: log p(y | η + offset).
    func testOffsetEntersTheLinearPredictor() throws {
        let (plain, draws) = try example()
        let table = try DataTable(csv: "y,x,g,e\n3,0.5,a,2\n0,-1.0,a,1\n5,1.5,b,4\n2,0.0,c,0.5\n1,0.2,c,1\n")
        let design = try ModelDesign.build(formula: try Formula.parse("y ~ x + (1 | g) + offset(log(e))"), table: table)
        XCTAssertEqual(design.offset?.count, 5)
        let withOffset = try PointwiseLogLikelihood(design: design, family: .poisson, draws: draws).matrix()
        let without = try PointwiseLogLikelihood(design: plain, family: .poisson, draws: draws).matrix()
        for s in 0..<14 {
            let d = draws.chains[s / 7], base = (s % 7) * 5
            let eta = d[base] + d[base + 1] * 1.5 + d[base + 3] + log(4.0)
            XCTAssertEqual(withOffset[s, 2], 5 * eta - exp(eta) - logGamma(6), accuracy: 1e-12)
            XCTAssertNotEqual(withOffset[s, 2], without[s, 2])
        }
    }

    /// A row of a level the fit does not have takes, draw by draw, the effect of one fitted level.
    func testNewLevelsBorrowAFittedLevelPerDraw() throws {
        let (design, draws) = try example()
        let ll = try PointwiseLogLikelihood(design: design, family: .poisson, draws: draws, fittedLevels: ["g": ["a", "c"]], seed: 5)
        XCTAssertEqual(ll.newLevelRowCount, 1)
        let matrix = ll.matrix()
        var used = Set<String>()
        for s in 0..<14 {
            let chain = draws.chains[s / 7], base = (s % 7) * 5
            let candidates = [("a", 2), ("c", 4)].map { level, column -> (String, Double) in
                let eta = chain[base] + chain[base + 1] * 1.5 + chain[base + column]
                return (level, 5 * eta - exp(eta) - logGamma(6))
            }
            let match = candidates.first { abs($0.1 - matrix[s, 2]) < 1e-12 }
            XCTAssertNotNil(match, "draw \(s)")
            if let match { used.insert(match.0) }
        }
        XCTAssertEqual(used, ["a", "c"])
    }
}
