import Foundation
import XCTest

/// Which sampler `fit` uses when none is named: marginal NUTS for a gaussian model with one
/// group-level term or several cheap ones (`SamplerRule`), joint NUTS when a huang_wand covariance prior is given (the marginal density
/// does not take it) or when `--sampler nuts` asks for it, and joint NUTS for other families.
final class DefaultSamplerTests: XCTestCase {
    func summaryLine(_ extra: [String], formula: String = "Reaction ~ Days + (Days | Subject)") throws -> String {
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        let fit = try CommandLineRunner.run(["fit", "--data", data.path, "--formula", formula,
                                             "--chains", "2", "--iter", "200", "--seed", "3"] + extra)
        XCTAssertEqual(fit.status, 0, fit.err)
        return try XCTUnwrap(fit.out.split(separator: "\n").first { $0.hasPrefix("Draws were sampled using") }.map(String.init))
    }

    func testGaussianWithOneTermDefaultsToTheMarginalSampler() throws {
        XCTAssertEqual(try summaryLine([]), "Draws were sampled using sampling(NUTS) of the marginal posterior.")
    }

    func testHuangWandPriorAndExplicitNutsUseJointNUTS() throws {
        let joint = "Draws were sampled using sampling(NUTS). For each parameter, Bulk_ESS"
        XCTAssertEqual(try summaryLine(["--prior", "cov:Subject ~ huang_wand(2, 25, 5)"]), joint)
        XCTAssertEqual(try summaryLine(["--sampler", "nuts"]), joint)
    }

    func testGaussianWithTwoSmallTermsDefaultsToTheCollapsedSampler() throws {
        XCTAssertEqual(try summaryLine([], formula: "Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)"),
                       "Draws were sampled using sampling(NUTS) of the marginal posterior.")
    }
}
