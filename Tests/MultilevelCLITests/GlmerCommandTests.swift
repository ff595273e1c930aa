import Foundation
import XCTest

/// `multilevel lmer --family binomial|poisson`: glmer's summary as R 4.2 / lme4 1.1-31 prints it for
/// cbpp, the JSON shape, and one-line errors naming the offending data line.
final class GlmerCommandTests: XCTestCase {
    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    func testCbppSummaryMatchesGlmer() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("cbpp").path, "--formula",
                                                "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial"])
        XCTAssertEqual(result.status, 0, result.err)
        // From print(summary(glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial))).
        let expected = """
        Generalized linear mixed model fit by maximum likelihood (Laplace
          Approximation) [glmerMod]
         Family: binomial  ( logit )
        """
        XCTAssertTrue(result.out.hasPrefix(expected), result.out)
        // glmer's SE of period2 is 0.303150656, a hair above a rounding boundary: a Hessian-based
        // SE within 2e-6 relative of it may print 0.3031 or 0.3032.
        let period2SE = result.out.contains("period2      -0.9919     0.3031") ? "1" : "2"
        // period4's estimate lies on a rounding boundary: glmer −1.5797454, ours −1.57975 (4.6e-6 apart,
        // at a Laplace deviance 2.7e-7 lower than glmer's default fit): either last digit is the same number.
        let period4 = result.out.contains("period4      -1.5798") ? "8" : "7"
        for block in ["""
             AIC      BIC   logLik deviance df.resid 
           194.1    204.2    -92.0    184.1       51 
        """, """
        Fixed effects:
                    Estimate Std. Error z value Pr(>|z|)    
        (Intercept)  -1.3983     0.2312  -6.048 1.47e-09 ***
        period2      -0.9919     0.303\(period2SE)  -3.272 0.001068 ** 
        period3      -1.1282     0.3228  -3.495 0.000474 ***
        period4      -1.579\(period4)     0.4220  -3.743 0.000182 ***
        ---
        Signif. codes:  0 ‘***’ 0.001 ‘**’ 0.01 ‘*’ 0.05 ‘.’ 0.1 ‘ ’ 1
        """, """
        Correlation of Fixed Effects:
                (Intr) perid2 perid3
        period2 -0.363              
        period3 -0.340  0.280       
        period4 -0.260  0.213  0.198
        """, "Number of obs: 56, groups:  herd, 15\n", " herd   (Intercept) 0.412"] {
            XCTAssertTrue(result.out.contains(block), "missing:\n\(block)\nin:\n\(result.out)")
        }
    }

    func testJSONHasLaplaceMethodAndDeviance() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("cbpp").path, "--formula",
                                                "cbind(incidence, size - incidence) ~ period + (1 | herd)",
                                                "--family", "binomial", "--json"])
        XCTAssertEqual(result.status, 0, result.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        XCTAssertEqual(object["method"] as? String, "Laplace")
        XCTAssertEqual(try XCTUnwrap(object["deviance"] as? Double), 73.4742836870994, accuracy: 1e-3)
        let parameters = try XCTUnwrap(object["parameters"] as? [String: [String: Double]])
        XCTAssertEqual(try XCTUnwrap(parameters["sd_herd__Intercept"]?["estimate"]), 0.642069921824523, accuracy: 1e-3)
        XCTAssertNotNil((object["ranef"] as? [String: Any])?["herd"])
    }

    /// `--ranef` prints the conditional modes and SDs for a Laplace fit as for an lmer fit; herd 1
    /// and herd 10 from lme4's `ranef(fit, condVar = TRUE)` (cbpp_binomial.json: 0.5896, 0.3482;
    /// -0.5411, 0.3706), to the printed 4 digits.
    func testRanefPrintsConditionalModes() throws {
        let result = try CommandLineRunner.run(["lmer", "--data", fixture("cbpp").path, "--formula",
                                                "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial",
                                                "--ranef"])
        XCTAssertEqual(result.status, 0, result.err)
        let text = try XCTUnwrap(result.out.components(separatedBy: "Conditional modes (conditional SDs) of the random effects:\n").last)
        XCTAssertTrue(text.hasPrefix("$herd\n"), text)
        let rows = text.split(separator: "\n").dropFirst(2).filter { !$0.isEmpty }
        XCTAssertEqual(rows.count, 15, text)
        let byLevel = Dictionary(uniqueKeysWithValues: rows.map { row -> (String, [Double]) in
            let fields = row.split(separator: " ")
            return (String(fields[0]), fields.dropFirst().compactMap { Double($0) })
        })
        let herd1 = try XCTUnwrap(byLevel["1"]), herd10 = try XCTUnwrap(byLevel["10"])
        XCTAssertEqual(herd1[0], 0.5896, accuracy: 2e-4)
        XCTAssertEqual(herd1[1], 0.3482, accuracy: 2e-4)
        XCTAssertEqual(herd10[0], -0.5411, accuracy: 2e-4)
        XCTAssertEqual(herd10[1], 0.3706, accuracy: 2e-4)
    }

    func testBadResponsesNameTheLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("glmer-bad-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = (0..<12).map { i in "\(i % 5),\(i % 3 == 0 ? 2 : 4),g\(i % 3),\(Double(i) / 10)" }
        func write(_ lines: [String]) throws -> String {
            let url = directory.appendingPathComponent("d\(lines.hashValue).csv")
            try (["y,n,g,x"] + lines).joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        // Successes above trials: data line 3 (row 2: y = 1 ≤ 4 …); make row 4 (line 5) y = 3 > n = 2.
        var lines = rows
        lines[3] = "3,2,g0,0.3"
        let binomial = try CommandLineRunner.run(["lmer", "--data", write(lines), "--formula", "y | trials(n) ~ x + (1 | g)",
                                                  "--family", "binomial"])
        XCTAssertEqual(binomial.status, 1)
        XCTAssertTrue(binomial.err.contains("line 5: successes 3 exceed the number of trials 2"), binomial.err)
        lines = rows
        lines[6] = "-1,4,g0,0.6"
        let poisson = try CommandLineRunner.run(["lmer", "--data", write(lines), "--formula", "y ~ x + (1 | g)", "--family", "poisson"])
        XCTAssertEqual(poisson.status, 1)
        XCTAssertTrue(poisson.err.contains("line 8: count -1 is not a non-negative integer"), poisson.err)
        lines = rows
        lines[1] = "0.5,4,g1,0.1"
        let continuous = try CommandLineRunner.run(["lmer", "--data", write(lines), "--formula", "y ~ x + (1 | g)", "--family", "binomial"])
        XCTAssertEqual(continuous.status, 1)
        XCTAssertTrue(continuous.err.contains("line 3: response 0.5 is not 0 or 1"), continuous.err)
        let bernoulli = try CommandLineRunner.run(["lmer", "--data", write(rows), "--formula", "y ~ x + (1 | g)", "--family", "bernoulli"])
        XCTAssertEqual(bernoulli.status, 1)
        XCTAssertTrue(bernoulli.err.contains("line 4: response 2 is not 0 or 1"), bernoulli.err)
    }
}
