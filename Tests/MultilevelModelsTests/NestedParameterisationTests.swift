import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// The automatic parameterisation of a term with finer terms nested in it (issue 21 point 2):
/// its levels learn about their effects through the nested effects (`NestedLevelInformation`),
/// not from their rows directly.
final class NestedParameterisationTests: XCTestCase {
    static func term(_ name: String, _ labels: [String]) -> RandomEffectTerm {
        RandomEffectTerm(grouping: PosteriorTestData.grouping(name, labels), columnNames: ["(Intercept)"],
                         values: [Double](repeating: 1, count: labels.count), text: "(1 | \(name))")
    }

    /// Σ_{b ∈ k} 1/(1/I_b + sd²) by hand: locations of three broods (one brood singular), a
    /// three-level hierarchy (the coarsest sees its children's marginal information), a crossed
    /// term and a slope term left as given.
    func testMarginalInformationByHand() {
        // Two rows per brood; brood b lies in location b / 3 and region b / 6; the crossed factor
        // takes both its levels within every brood.
        let rows = 0..<24
        let broods = rows.map { "b\($0 / 2 < 10 ? "0" : "")\($0 / 2)" }
        let locations = rows.map { "l\($0 / 6)" }
        let regions = rows.map { "r\($0 / 12)" }
        let crossed = rows.map { "c\($0 % 2)" }
        let broodInformation = [1.0, 2, 4, 0.5, 8, 0, 3, 3, 3, 1, 1, 10]
        let locationRows = [7.0, 8.5, 9, 12]
        let given: [[Double]] = [broodInformation, locationRows, [50, 60], [1, 2]]
        let terms = [Self.term("brood", broods), Self.term("location", locations), Self.term("region", regions),
                     Self.term("crossed", crossed)]
        let result = NestedLevelInformation.marginalised(terms: terms, variances: [0.5, 0.25, 0.1, 0.3], information: given)
        XCTAssertEqual(result[0], broodInformation)
        XCTAssertEqual(result[3], given[3])
        XCTAssertEqual(result[1][0], 1 / 1.5 + 1 / 1.0 + 1 / 0.75, accuracy: 1e-14)
        XCTAssertEqual(result[1][1], 1 / 2.5 + 1 / (0.125 + 0.5), accuracy: 1e-14, "the singular brood adds nothing")
        let expectedLocation = (0..<4).map { k in
            broodInformation[(3 * k)..<(3 * k + 3)].filter { $0 > 0 }.reduce(0) { $0 + 1 / (1 / $1 + 0.5) }
        }
        for k in 0..<4 { XCTAssertEqual(result[1][k], expectedLocation[k], accuracy: 1e-14) }
        for r in 0..<2 {
            let expected = expectedLocation[(2 * r)..<(2 * r + 2)].reduce(0) { $0 + 1 / (1 / $1 + 0.25) }
            XCTAssertEqual(result[2][r], expected, accuracy: 1e-14)
        }
        // A slope term in which the broods are nested is not an intercept: left as given.
        var slope = Self.term("location", locations)
        slope.values = rows.map { Double($0) }
        let withSlope = NestedLevelInformation.marginalised(terms: [terms[0], slope], variances: [0.5, 0.25],
                                                            information: [broodInformation, locationRows])
        XCTAssertEqual(withSlope[1], locationRows)
    }

    /// `CovariateCentringTests.miniGrouseticks` (poisson, 36 broods of 3 rows, sd 0.8, in 12
    /// locations, sd 0.5): by their rows' information the locations' data outweigh the prior, so
    /// the rule used to centre them (both terms centred); through their three broods each they
    /// learn much less, and the rule now samples them non-centred and the broods centred.
    func testMiniGrouseticksLeavesTheLocationsNonCentred() throws {
        let design = CovariateCentringTests.miniGrouseticks(family: .poisson)
        XCTAssertEqual(design.randomTerms.map(\.grouping.name), ["location", "brood"])
        let pilot = ParameterisationPilot(design: design, family: .poisson)
        print("mini grouseticks pilot: sd \(pilot.standardDeviations), ratios \(pilot.informationRatios), lower \(pilot.lowerInformationRatios)")
        try Self.assertMarginal(pilot, design: design, coarse: 0, fine: 1)
        XCTAssertLessThan(pilot.lowerInformationRatios[0], 1)
        XCTAssertGreaterThan(pilot.lowerInformationRatios[1], 1)
        XCTAssertEqual(try ParameterisationChoice.automatic.centredTerms(design: design, family: .poisson), [false, true])
    }

    /// The pilot's information of the coarse term is the marginal one: per location the sum over
    /// its broods of 1/(1/I_b + sd̂_brood²), less than the broods' own Σ I_b; its ratio is the
    /// median of sd̂² I_k.
    static func assertMarginal(_ pilot: ParameterisationPilot, design: ModelDesign, coarse: Int, fine: Int,
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let terms = design.randomTerms
        let map = try XCTUnwrap(HierarchicalCentring.parentLevels(of: terms[fine].grouping, in: terms[coarse].grouping))
        let variance = pilot.standardDeviations[fine][0] * pilot.standardDeviations[fine][0]
        XCTAssertGreaterThan(variance, 0, file: file, line: line)
        var marginal = [Double](repeating: 0, count: terms[coarse].grouping.levelCount)
        var rows = marginal
        for (b, k) in map.enumerated() {
            let information = pilot.levelInformation[fine][b]
            marginal[k] += 1 / (1 / information + variance)
            rows[k] += information
        }
        for k in marginal.indices {
            XCTAssertEqual(pilot.levelInformation[coarse][k], marginal[k], accuracy: 1e-12 * marginal[k], file: file, line: line)
            XCTAssertLessThan(marginal[k], rows[k], file: file, line: line)
        }
        let coarseVariance = pilot.standardDeviations[coarse][0] * pilot.standardDeviations[coarse][0]
        XCTAssertEqual(pilot.informationRatios[coarse], median(marginal.map { coarseVariance * $0 }),
                       accuracy: 1e-12 * pilot.informationRatios[coarse], file: file, line: line)
    }

    /// lme4's grouseticks `TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)` (118 broods in 63
    /// locations): the locations' information is the marginal one. At lme4's estimates (sd_BROOD
    /// 0.770, sd_LOCATION 0.574) the median of sd² I_j is 2.55 for broods, 3.43 for locations by
    /// their rows and 0.51 through their broods. Backfitting alone gave the locations most of the
    /// brood variance (sd̂ 1.14 and 0.38, LOCATION centred); the nested analysis of variance gives
    /// 0.75 and 0.62, and the rule centres the broods, not the locations; `automatic` partially
    /// centres both (nested terms).
    func testGrouseticksLocationsLearnThroughTheirBroods() throws {
        let design = try PosteriorTestData.built("grouseticks", "TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | LOCATION)")
        XCTAssertEqual(design.randomTerms.map(\.grouping.name), ["BROOD", "LOCATION"])
        let pilot = ParameterisationPilot(design: design, family: .poisson)
        print("grouseticks pilot: sd \(pilot.standardDeviations), ratios \(pilot.informationRatios), lower \(pilot.lowerInformationRatios)")
        try Self.assertMarginal(pilot, design: design, coarse: 1, fine: 0)
        XCTAssertEqual(pilot.standardDeviations[0][0], 0.77, accuracy: 0.25)
        XCTAssertEqual(pilot.standardDeviations[1][0], 0.57, accuracy: 0.25)
        XCTAssertEqual(try ParameterisationChoice.automatic.centredTerms(design: design, family: .poisson), [true, false])
        let chosen = try ParameterisationChoice.automatic.parameterisationWithWeights(design: design, family: .poisson)
        XCTAssertTrue(chosen.centringWeights.allSatisfy { $0 != nil }, "both terms partially centred")
    }
}
