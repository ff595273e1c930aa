import Foundation
import XCTest
import MultilevelData
import MultilevelMath
import MultilevelSampling
@testable import MultilevelModels

/// `mo(x)` interacting with a factor: brms 2.18 codes `mo(edu) * f` as
/// `(bsp[2]) * mo(simo_2, Xmo_2[n]) * Csp_1[n] + (bsp[3]) * mo(simo_3, Xmo_3[n]) * Csp_2[n]`, one
/// coefficient and simplex per column of f's treatment coding (`bsp_moedu:fb`, `bsp_moedu:fc`),
/// with R's `model.matrix` rule for the coding. The design, new rows, the gradient and brms' fit.
final class MonotonicFactorInteractionTests: XCTestCase {
    static let formula = "y ~ mo(edu) * f + (1 | g)"

    static func design(_ formula: String = formula) throws -> ModelDesign {
        try PosteriorTestData.built("monotonic_products", formula)
    }

    func testCodingFollowsModelMatrix() throws {
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("monotonic_products", "csv"))
        guard case .factor(let levels, let codes)? = table.column(named: "f") else { return XCTFail("f") }
        let design = try Self.design()
        XCTAssertEqual(design.monotonic.map(\.coefficientName), ["bsp_moedu", "bsp_moedu:fb", "bsp_moedu:fc"])
        XCTAssertEqual(design.monotonic.map(\.simplexName), ["simo_moedu1", "simo_moedu:fb1", "simo_moedu:fc1"])
        XCTAssertEqual(design.fixedEffectNames, ["(Intercept)", "fb", "fc"])
        for (m, level) in [(1, "b"), (2, "c")] {
            XCTAssertEqual(design.monotonic[m].covariateValues, codes.map { levels[Int($0)] == level ? 1 : 0 })
            XCTAssertEqual(design.monotonic[m].categories, design.monotonic[0].categories)
        }
        // Without mo(edu) alone every level has its column (R: `f + mo(edu):f` codes f:mo(edu) by
        // indicators); the label orders the variables by first appearance, as R's `f:mo(edu)`.
        let full = try Self.design("y ~ f + mo(edu):f + (1 | g)")
        XCTAssertEqual(full.monotonic.map(\.name), ["fa:moedu", "fb:moedu", "fc:moedu"])
        // With a numeric covariate as well: the product of f's indicator and w (R's label mo(edu):w:f).
        let withW = try Self.design("y ~ mo(edu) + mo(edu):w + mo(edu):f:w + (1 | g)")
        XCTAssertEqual(withW.monotonic.map(\.name), ["moedu", "moedu:w", "moedu:w:fb", "moedu:w:fc"])
        guard case .numeric(let w)? = table.column(named: "w") else { return XCTFail("w") }
        XCTAssertEqual(withW.monotonic[3].covariateValues, zip(codes, w).map { levels[Int($0.0)] == "c" ? $0.1 : 0 })
    }

    func testRefusals() {
        XCTAssertThrowsError(try Formula.parse("y ~ mo(edu) * mo(w)")) { error in
            XCTAssertTrue("\(error)".contains("product of monotonic effects"), "\(error)")
        }
        var options = DesignOptions(factors: [])
        options.contrasts["f"] = .sum
        XCTAssertThrowsError(try ModelDesign.build(formula: try Formula.parse("y ~ mo(edu) * f"),
                                                   table: try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("monotonic_products", "csv")),
                                                   options: options)) { error in
            XCTAssertTrue("\(error)".contains("treatment coding only"), "\(error)")
        }
    }

    /// New rows: each term's covariate is the indicator of its level; a level the fit lacks is refused.
    func testNewRows() throws {
        let table = try DataTable.read(contentsOf: PosteriorTestData.fixtureURL("monotonic_products", "csv"))
        let formula = try Formula.parse(Self.formula)
        let design = try ModelDesign.build(formula: formula, table: table)
        let rows = try DataTable(csv: "edu,w,f,g\n0,1,c,q01\n3,0,a,q02\n2,2,b,q03\n", fileName: "new.csv")
        let newData = try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [], newData: rows)
        XCTAssertEqual(newData.monotonicCategories[1], [0, 3, 2])
        XCTAssertEqual(newData.monotonicCovariates[1], [0, 0, 1])
        XCTAssertEqual(newData.monotonicCovariates[2], [1, 0, 0])
        let unknown = try DataTable(csv: "edu,w,f,g\n0,1,d,q01\n", fileName: "new.csv")
        XCTAssertThrowsError(try NewDataDesign.build(formula: formula, fitted: design, fittedData: table, factors: [],
                                                     newData: unknown)) { error in
            XCTAssertTrue("\(error)".contains("new.csv:2"), "\(error)")
        }
    }

    func testGradient() throws {
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9))
        try GradientTests.checkGradient(try Self.design(), family: .gaussian, scale: 2.5, location: 1.8, logScale: log(0.9),
                                        sufficient: false)
    }
}

/// `y ~ mo(edu) * f + (1 | g)` against brms 2.18 (scripts/references/brms_mo_products.R `mo_factor`,
/// 4 × 2000 draws, default priors): three bsp, three simplexes.
extension PosteriorBrmsParityTests {
    func testMonotonicFactorInteractionAgainstBrms() throws {
        try parity("brms_mo_factor", try MonotonicFactorInteractionTests.design(), family: .gaussian, seed: 54)
    }
}
