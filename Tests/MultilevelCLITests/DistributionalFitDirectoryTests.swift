import Foundation
import XCTest

/// A brms distributional fit `bf(y ~ …, sigma ~ …)` written with `fit --output DIR` and read back:
/// the chains are CmdStan CSV with brms' names (`b_sigma_Intercept`, `sd_Subject__sigma_Intercept`,
/// `r_Subject__sigma.1.1` with its index comments), the draws read back are the fit's to the last
/// digit, `model.txt` refits the same model, and `predict` (with `--dpar sigma`), `loo` and `kfold`
/// read the directory.
final class DistributionalFitDirectoryTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Fixtures"))
    }

    private let formula = "bf(Reaction ~ Days + (Days | Subject), sigma ~ Days + (1 | Subject))"

    private func json(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    private func means(_ object: [String: Any]) throws -> [String: Double] {
        let parameters = try XCTUnwrap(object["parameters"] as? [String: Any])
        return parameters.compactMapValues { ($0 as? [String: Any])?["mean"] as? Double }
    }

    func testFitDirectoryRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bf-fit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fit = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula", formula, "--iter", "400",
                                             "--warmup", "200", "--chains", "2", "--seed", "11", "--output", directory.path,
                                             "--json", "--ranef"])
        XCTAssertEqual(fit.status, 0, fit.err)
        for file in ["chain-1.csv", "chain-2.csv", "data.csv", "model.txt", "fit.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), file)
        }
        let chain = try String(contentsOf: directory.appendingPathComponent("chain-1.csv"), encoding: .utf8)
        let header = try XCTUnwrap(chain.split(separator: "\n").first { !$0.hasPrefix("#") }).split(separator: ",").map(String.init)
        XCTAssertEqual(Array(header.prefix(7)), ["lp__", "accept_stat__", "stepsize__", "treedepth__", "n_leapfrog__",
                                                 "divergent__", "energy__"])
        for name in ["b_Intercept", "b_sigma_Intercept", "b_Days", "b_sigma_Days", "sd_Subject__Intercept", "sd_Subject__Days",
                     "sd_Subject__sigma_Intercept", "cor_Subject__Intercept__Days", "r_Subject.1.1", "r_Subject.18.2",
                     "r_Subject__sigma.1.1", "r_Subject__sigma.18.1"] {
            XCTAssertTrue(header.contains(name), "\(name) in \(header.prefix(12))")
        }
        XCTAssertFalse(header.contains("sigma"), "sigma is predicted, not a parameter")
        XCTAssertTrue(chain.contains("# index: r_Subject__sigma dim 1 position 1 = 308\n"), String(chain.prefix(3000)))
        XCTAssertTrue(chain.contains("# Adaptation terminated\n"))
        let model = try String(contentsOf: directory.appendingPathComponent("model.txt"), encoding: .utf8)
        XCTAssertTrue(model.contains("formula: \(formula)\n"), model)

        // The draws read back (diagnose reads the CSV files) are the fit's: every mean to 1e-12.
        let written = try means(try json(fit.out))
        let diagnose = try CommandLineRunner.run(["diagnose", directory.appendingPathComponent("chain-1.csv").path,
                                                  directory.appendingPathComponent("chain-2.csv").path, "--json"])
        XCTAssertEqual(diagnose.status, 0, diagnose.err)
        let read = try means(try json(diagnose.out))
        XCTAssertGreaterThan(written.count, 50)
        for (name, value) in written {
            let back = try XCTUnwrap(read[name], "\(name) read back from the CSV")
            XCTAssertEqual(back, value, accuracy: 1e-12 * max(1, abs(value)), name)
        }

        // model.txt refits the same model with the same settings: the same draws.
        let refit = try CommandLineRunner.run(["fit", directory.appendingPathComponent("model.txt").path, "--json", "--ranef"])
        XCTAssertEqual(refit.status, 0, refit.err)
        let again = try means(try json(refit.out))
        for (name, value) in written { XCTAssertEqual(again[name], value, name) }

        // predict reads the bf() model: the dpar's value (brms' posterior_epred(dpar = "sigma")) and
        // the mean's epred; loo reads it.
        let newData = directory.appendingPathComponent("new.csv")
        try "Days,Subject\n0,308\n9,308\n2,new1\n".write(to: newData, atomically: true, encoding: .utf8)
        let sigma = try CommandLineRunner.run(["predict", directory.path, "--newdata", newData.path, "--dpar", "sigma",
                                               "--allow-new-levels", "--json"])
        XCTAssertEqual(sigma.status, 0, sigma.err)
        XCTAssertTrue(sigma.out.contains("\"Estimate\""), sigma.out)
        let epred = try CommandLineRunner.run(["predict", directory.path, "--newdata", newData.path, "--allow-new-levels"])
        XCTAssertEqual(epred.status, 0, epred.err)
        XCTAssertEqual(epred.out.split(separator: "\n").count, 4, epred.out)
        let loo = try CommandLineRunner.run(["loo", directory.path])
        XCTAssertEqual(loo.status, 0, loo.err)
        XCTAssertTrue(loo.out.contains("elpd_loo"), loo.out)
        XCTAssertTrue(loo.out.contains("Computed from 400 by 180 log-likelihood matrix"), loo.out)
        // kfold refits the bf() model stored there (DistributionalRefits).
        let kfold = try CommandLineRunner.run(["kfold", directory.path, "--k", "2"])
        XCTAssertEqual(kfold.status, 0, kfold.err)
        XCTAssertTrue(kfold.out.contains("elpd_kfold"), kfold.out)
        // --dpar needs a bf() fit's predicted parameter.
        let shape = try CommandLineRunner.run(["predict", directory.path, "--newdata", newData.path, "--dpar", "shape",
                                               "--allow-new-levels"])
        XCTAssertEqual(shape.status, 1)
        XCTAssertEqual(shape.err.split(separator: "\n").count, 1, shape.err)
    }

    /// brms' dpar = as a class suffix on --prior: --show-priors lists the user rows as
    /// prior_summary does; a prior on the predicted sigma itself is one line.
    func testDparPriorsOnTheCommandLine() throws {
        let result = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula", formula,
                                                "--prior", "b_sigma ~ normal(0, 1)", "--prior", "Intercept_sigma ~ normal(3, 1)",
                                                "--prior", "sd_sigma:Subject ~ exponential(2)", "--show-priors"])
        XCTAssertEqual(result.status, 0, result.err)
        let lines = result.out.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        for line in ["normal(0, 1) b sigma user", "normal(0, 1) b Days sigma (vectorized)", "normal(3, 1) Intercept sigma user",
                     "exponential(2) sd Subject sigma 0 user", "exponential(2) sd Intercept Subject sigma 0 (vectorized)",
                     "student_t(3, 0, 59.3) sd sigma 0 default"] {
            XCTAssertTrue(lines.contains(line), "\(line) in\n\(result.out)")
        }
        let bad = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula", formula,
                                             "--prior", "sigma ~ exponential(1)", "--show-priors"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.out, "")
        XCTAssertEqual(bad.err.split(separator: "\n").count, 1, bad.err)
        XCTAssertTrue(bad.err.contains("'sigma' is predicted by its own formula"), bad.err)
    }

    /// A new level of a grouping factor that the sigma formula does not use: the mean's prediction
    /// draws it, sigma's ignores it (each part judges the new rows by its own columns).
    func testNewLevelOnlyTheMeanUses() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bf-fit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fit = try CommandLineRunner.run(["fit", "--data", fixture("sleepstudy").path, "--formula",
                                             "bf(Reaction ~ Days + (1 | Subject), sigma ~ Days)", "--iter", "300", "--warmup", "150",
                                             "--chains", "2", "--seed", "3", "--output", directory.path])
        XCTAssertEqual(fit.status, 0, fit.err)
        let newData = directory.appendingPathComponent("new.csv")
        try "Days,Subject\n0,308\n9,new1\n".write(to: newData, atomically: true, encoding: .utf8)
        for type in ["epred", "prediction", "linpred"] {
            let result = try CommandLineRunner.run(["predict", directory.path, "--newdata", newData.path, "--allow-new-levels",
                                                    "--type", type])
            XCTAssertEqual(result.status, 0, "\(type): \(result.err)")
            XCTAssertEqual(result.out.split(separator: "\n").count, 3, result.out)
        }
        let sigma = try CommandLineRunner.run(["predict", directory.path, "--newdata", newData.path, "--dpar", "sigma"])
        XCTAssertEqual(sigma.status, 1, "the mean's new level still needs --allow-new-levels")
    }
}
