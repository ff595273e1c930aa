import Foundation
import XCTest

/// `fit --sampler gibbs --output DIR`: CmdStan-format chains with `lp__` as the only sampler column
/// (no NUTS-only columns), which `diagnose` reads back.
final class GibbsOutputTests: XCTestCase {
    func testGibbsChainsHaveOnlyLpAndAreReadByDiagnose() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gibbs-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        let output = directory.appendingPathComponent("chains").path
        let fit = try CommandLineRunner.run(["fit", "--data", data.path, "--formula", "Reaction ~ Days + (1 | Subject)",
                                             "--sampler", "gibbs", "--chains", "2", "--iter", "200", "--seed", "5",
                                             "--output", output])
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertTrue(fit.out.contains("Draws were sampled using Gibbs sampling"))
        let text = try String(contentsOfFile: output + "/chain-1.csv", encoding: .utf8)
        let header = try XCTUnwrap(text.split(separator: "\n").first { !$0.hasPrefix("#") })
        XCTAssertTrue(header.hasPrefix("lp__,b_Intercept,b_Days,sd_Subject__Intercept,sigma,r_Subject.1.1"), String(header))
        XCTAssertFalse(header.contains("accept_stat__"))
        XCTAssertTrue(text.contains("engine = gibbs"))
        let diagnose = try CommandLineRunner.run(["diagnose", output + "/chain-1.csv", output + "/chain-2.csv",
                                                  "--variables", "b_Days"])
        XCTAssertEqual(diagnose.status, 0, diagnose.err)
        XCTAssertTrue(diagnose.out.contains("2 chains × 100 draws"), diagnose.out)
    }
}
