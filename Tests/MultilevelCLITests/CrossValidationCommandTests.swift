import Foundation
import XCTest

/// `multilevel loo` and `kfold` end to end: fold jobs merged equal one run, a comparison of fits of
/// different rows is refused, bad options are usage errors.
final class CrossValidationCommandTests: XCTestCase {
    private func sleepstudy() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
    }

    private func model(_ data: URL, _ formula: String = "Reaction ~ Days + (Days | Subject)") -> [String] {
        ["--data", data.path, "--formula", formula, "--iter", "600", "--warmup", "300", "--seed", "5"]
    }

    /// Three `--fold` jobs merged print exactly what one 3-fold run prints.
    func testFoldJobsMergeToTheSingleRun() throws {
        let data = try sleepstudy()
        let work = try CommandLineRunner.temporaryDirectory(prefix: "kfold")
        defer { try? FileManager.default.removeItem(at: work) }
        let folds = ["kfold"] + model(data) + ["--k", "3", "--group", "Subject"]
        let whole = try CommandLineRunner.run(folds, in: work)
        XCTAssertEqual(whole.status, 0, whole.err)
        XCTAssertTrue(whole.out.contains("elpd_kfold"), whole.out)
        var files: [String] = []
        for k in 1...3 {
            let job = try CommandLineRunner.run(folds + ["--fold", String(k)], in: work)
            XCTAssertEqual(job.status, 0, job.err)
            let file = "fold-\(k).csv"
            try Data(job.out.utf8).write(to: work.appendingPathComponent(file))
            files.append(file)
        }
        let merged = try CommandLineRunner.run(folds + files.flatMap { ["--merge", $0] }, in: work)
        XCTAssertEqual(merged.status, 0, merged.err)
        // The merged run has no per-row new-level counts from the jobs; the estimates are the same.
        let estimates = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("elpd_kfold") || $0.hasPrefix("kfoldic") || $0.hasPrefix("p_kfold") } }
        XCTAssertEqual(estimates(merged.out), estimates(whole.out))
        XCTAssertEqual(estimates(whole.out).count, 3)
    }

    func testLooComparesTwoModelsAndRefusesDifferentRows() throws {
        let data = try sleepstudy()
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo")
        defer { try? FileManager.default.removeItem(at: work) }
        let slopes = "formula: Reaction ~ Days + (Days | Subject)\ndata: \(data.path)\n"
        let intercepts = "formula: Reaction ~ Days + (1 | Subject)\ndata: \(data.path)\n"
        var subset = try String(contentsOf: data, encoding: .utf8).split(separator: "\n").prefix(150).joined(separator: "\n") + "\n"
        try subset.write(to: work.appendingPathComponent("fewer.csv"), atomically: true, encoding: .utf8)
        subset = "formula: Reaction ~ Days + (1 | Subject)\ndata: fewer.csv\n"
        for (name, text) in [("slopes.model", slopes), ("intercepts.model", intercepts), ("fewer.model", subset)] {
            try text.write(to: work.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let options = ["--iter", "600", "--warmup", "300", "--seed", "5", "--reloo", "0"]
        let both = try CommandLineRunner.run(["loo", "slopes.model", "intercepts.model"] + options, in: work)
        XCTAssertEqual(both.status, 0, both.err)
        XCTAssertTrue(both.out.contains("Model comparison (loo_compare):"), both.out)
        XCTAssertTrue(both.out.contains("stacking pseudo-BMA+"), both.out)
        let refused = try CommandLineRunner.run(["loo", "slopes.model", "fewer.model"] + options, in: work)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.err.split(separator: "\n").last.map(String.init),
                       "multilevel loo: fits use different rows: slopes has 180 observations of Reaction, fewer 149 of Reaction; compare fits of the same data")
    }

    func testBadOptionsAreUsageErrors() throws {
        let data = try sleepstudy()
        let group = try CommandLineRunner.run(["kfold"] + model(data) + ["--group", "Days"])
        XCTAssertEqual(group.status, 2)
        XCTAssertTrue(group.err.contains("option --group: 'Days' is not a grouping factor of the model (grouping factors: Subject)"), group.err)
        let k = try CommandLineRunner.run(["kfold"] + model(data) + ["--k", "1"])
        XCTAssertEqual(k.status, 2)
        let fold = try CommandLineRunner.run(["kfold"] + model(data) + ["--k", "3", "--fold", "4"])
        XCTAssertEqual(fold.status, 2)
        XCTAssertTrue(fold.err.contains("option --fold: must be in 1...3, got 4"), fold.err)
    }

    /// Writes `slopes.model`, `intercepts.model` (sleepstudy) and `fewer.model` (its first 149
    /// rows) into `work`.
    private func sleepstudyModels(in work: URL) throws {
        let data = try sleepstudy()
        let subset = try String(contentsOf: data, encoding: .utf8).split(separator: "\n").prefix(150).joined(separator: "\n") + "\n"
        try subset.write(to: work.appendingPathComponent("fewer.csv"), atomically: true, encoding: .utf8)
        for (name, text) in [("slopes.model", "formula: Reaction ~ Days + (Days | Subject)\ndata: \(data.path)\n"),
                             ("intercepts.model", "formula: Reaction ~ Days + (1 | Subject)\ndata: \(data.path)\n"),
                             ("fewer.model", "formula: Reaction ~ Days + (1 | Subject)\ndata: fewer.csv\n")] {
            try text.write(to: work.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    /// A fit directory gives the numbers its model file gives with the same settings and seed: the
    /// draws round-trip exactly through the chain files, and the refits (exact LOO, K-fold) use the
    /// model, priors, sampler and settings stored in the directory.
    func testFitDirectoriesGiveWhatTheirModelFilesGive() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo-fitdir")
        defer { try? FileManager.default.removeItem(at: work) }
        try sleepstudyModels(in: work)
        let settings = ["--iter", "600", "--warmup", "300", "--seed", "5"]
        for name in ["slopes", "intercepts"] {
            let fit = try CommandLineRunner.run(["fit", "\(name).model", "--output", "\(name)-fit"] + settings, in: work)
            XCTAssertEqual(fit.status, 0, fit.err)
        }
        let fromDirectories = try CommandLineRunner.run(["loo", "slopes-fit", "intercepts-fit", "--reloo", "5", "--json"], in: work)
        XCTAssertEqual(fromDirectories.status, 0, fromDirectories.err)
        let fromFiles = try CommandLineRunner.run(["loo", "slopes.model", "intercepts.model", "--reloo", "5", "--json"] + settings, in: work)
        XCTAssertEqual(fromFiles.status, 0, fromFiles.err)
        let a = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fromDirectories.out.utf8)) as? [String: Any])
        let b = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(fromFiles.out.utf8)) as? [String: Any])
        let modelsA = try XCTUnwrap(a["models"] as? [[String: Any]]), modelsB = try XCTUnwrap(b["models"] as? [[String: Any]])
        XCTAssertEqual(modelsA.map { $0["model"] as? String }, ["slopes-fit", "intercepts-fit"])
        for (x, y) in zip(modelsA, modelsB) {
            for key in ["elpd_loo", "p_loo", "looic", "elpd_waic"] {
                XCTAssertEqual(x[key] as? [String: Double], y[key] as? [String: Double], key)
            }
            XCTAssertEqual(x["refitted"] as? [Int], y["refitted"] as? [Int])
            XCTAssertEqual(x["pareto_k_counts"] as? [String: Int], y["pareto_k_counts"] as? [String: Int])
        }
        let elpd = { (json: [String: Any]) in (json["loo_compare"] as? [[String: Any]])?.map { $0["elpd_diff"] as? Double } }
        XCTAssertEqual(elpd(a), elpd(b))

        let kfoldOptions = ["--k", "3", "--group", "Subject"]
        let kfoldDirectory = try CommandLineRunner.run(["kfold", "slopes-fit"] + kfoldOptions, in: work)
        XCTAssertEqual(kfoldDirectory.status, 0, kfoldDirectory.err)
        let kfoldFile = try CommandLineRunner.run(["kfold", "slopes.model"] + kfoldOptions + settings, in: work)
        XCTAssertEqual(kfoldFile.status, 0, kfoldFile.err)
        XCTAssertEqual(kfoldDirectory.out.replacingOccurrences(of: "slopes-fit", with: "slopes"), kfoldFile.out)
        XCTAssertTrue(kfoldDirectory.out.contains("elpd_kfold"), kfoldDirectory.out)
        // A fold job of a fit directory needs no --seed: the stored one makes the folds.
        let job = try CommandLineRunner.run(["kfold", "slopes-fit", "--fold", "2"] + kfoldOptions, in: work)
        XCTAssertEqual(job.status, 0, job.err)
        XCTAssertTrue(job.out.contains("seed 5"), job.out)
    }

    /// Fits of different rows are refused in one line also across a model file and a fit
    /// directory, and a model option given with a fit directory is a usage error.
    func testFitDirectoryAgainstModelFileOfOtherRowsIsRefused() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo-rows")
        defer { try? FileManager.default.removeItem(at: work) }
        try sleepstudyModels(in: work)
        let settings = ["--iter", "300", "--warmup", "150", "--seed", "5"]
        let fit = try CommandLineRunner.run(["fit", "slopes.model", "--output", "slopes-fit"] + settings, in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let refused = try CommandLineRunner.run(["loo", "slopes-fit", "fewer.model", "--reloo", "0"], in: work)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.err.split(separator: "\n").last.map(String.init),
                       "multilevel loo: fits use different rows: slopes-fit has 180 observations of Reaction, fewer 149 of Reaction; compare fits of the same data")
        let option = try CommandLineRunner.run(["kfold", "slopes-fit", "--iter", "100"], in: work)
        XCTAssertEqual(option.status, 2)
        XCTAssertTrue(option.err.contains("option --iter applies to model files, and 'slopes-fit' is a fit directory"), option.err)
        // Same row count, another response: the first differing row is named.
        var shuffled = try String(contentsOf: sleepstudy(), encoding: .utf8).split(separator: "\n").map(String.init)
        shuffled.swapAt(1, 2)
        try (shuffled.joined(separator: "\n") + "\n").write(to: work.appendingPathComponent("swapped.csv"), atomically: true, encoding: .utf8)
        try "formula: Reaction ~ Days + (1 | Subject)\ndata: swapped.csv\n".write(to: work.appendingPathComponent("swapped.model"),
                                                                             atomically: true, encoding: .utf8)
        let swapped = try CommandLineRunner.run(["loo", "slopes-fit", "swapped.model", "--reloo", "0"], in: work)
        XCTAssertEqual(swapped.status, 1)
        XCTAssertTrue(swapped.err.contains("slopes-fit and swapped have 180 observations each, but row 1 differs"), swapped.err)
    }

    /// compare on a binomial model (cbpp) prints PSIS-LOO and WAIC, the very numbers `loo` gives for
    /// the same model and seed (one code path: LeaveOneOutCriteria on the family's pointwise
    /// log-likelihood), and glmer's logLik beside them.
    func testCompareOfBinomialModelHasLooOfTheLooCommand() throws {
        let cbpp = try XCTUnwrap(Bundle.module.url(forResource: "cbpp", withExtension: "csv", subdirectory: "Fixtures"))
        let model = ["--data", cbpp.path, "--formula", "incidence | trials(size) ~ period + (1 | herd)", "--family", "binomial",
                     "--iter", "600", "--warmup", "300", "--seed", "3"]
        let compare = try CommandLineRunner.run(["compare"] + model + ["--json"])
        XCTAssertEqual(compare.status, 0, compare.err)
        let loo = try CommandLineRunner.run(["loo"] + model + ["--json", "--reloo", "0"])
        XCTAssertEqual(loo.status, 0, loo.err)
        let c = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(compare.out.utf8)) as? [String: Any])
        let l = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(loo.out.utf8)) as? [String: Any])?["models"] as? [[String: Any]]).first
        let models = try XCTUnwrap(c["models"] as? [String: Any])
        let cLoo = try XCTUnwrap(models["loo"] as? [String: Any]), cWaic = try XCTUnwrap(models["waic"] as? [String: Any])
        let lLoo = try XCTUnwrap(l)
        for (ours, key) in [("elpd_loo", "elpd_loo"), ("p_loo", "p_loo"), ("looic", "looic")] {
            let pair = try XCTUnwrap(lLoo[key] as? [String: Double])
            XCTAssertEqual(cLoo[ours] as? Double, pair["estimate"], key)
            XCTAssertEqual(cLoo[ours + "_se"] as? Double, pair["se"], key)
        }
        let waic = try XCTUnwrap(lLoo["waic"] as? [String: Double])
        XCTAssertEqual(cWaic["waic"] as? Double, waic["estimate"])
        // glmer's logLik of cbpp is lme4's −92.0267 (the glmer tests check it to 1e-4 against R).
        let fits = try XCTUnwrap(models["fits"] as? [[String: Any]])
        XCTAssertEqual(try XCTUnwrap(fits.first?["logLik"] as? Double), -92.0267, accuracy: 1e-3)
        let text = try CommandLineRunner.run(["compare"] + model)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("PSIS-LOO (Bayesian fit): elpd_loo = "), text.out)
        // --replicates adds the parametric bootstrap of the glmer fit (GlmerBootstrapCommandTests
        // checks its intervals); --plots is still for gaussian models only.
        let bootstrap = try CommandLineRunner.run(["compare"] + model + ["--replicates", "10"])
        XCTAssertEqual(bootstrap.status, 0, bootstrap.err)
        XCTAssertTrue(bootstrap.out.contains("bootstrap [percentile]"), bootstrap.out)
        let plots = try CommandLineRunner.run(["compare"] + model + ["--plots", FileManager.default.temporaryDirectory.path])
        XCTAssertEqual(plots.status, 2, plots.err)
        XCTAssertEqual(plots.err.split(separator: "\n").count, 1, plots.err)
        // A family the response simulator lacks is refused in one line before anything samples
        // (it was caught with the Laplace fit's errors and printed as a glmer failure).
        let gamma = ["--data", cbpp.path, "--formula", "size ~ period + (1 | herd)", "--family", "Gamma",
                     "--iter", "600", "--warmup", "300", "--seed", "3"]
        let refused = try CommandLineRunner.run(["compare"] + gamma + ["--replicates", "10"])
        XCTAssertEqual(refused.status, 2, refused.err)
        XCTAssertEqual(refused.err, "multilevel compare: option --replicates: the glmer bootstrap simulates bernoulli, binomial, poisson and negbinomial responses, not 'Gamma'\n")
    }

    /// Refits sample with the fit's parameterisation: a joint NUTS fit written with
    /// `--parameterization noncentered` records it in fit.json, and `kfold` of the fit directory
    /// prints what `kfold` of the model file with that flag prints — not what the automatic rule's
    /// refits give.
    func testRefitsUseTheStoredParameterization() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "kfold-parameterization")
        defer { try? FileManager.default.removeItem(at: work) }
        try sleepstudyModels(in: work)
        let settings = ["--iter", "400", "--warmup", "200", "--seed", "9", "--sampler", "nuts"]
        let fit = try CommandLineRunner.run(["fit", "intercepts.model", "--output", "fit", "--parameterization", "noncentered"] + settings, in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        let index = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("fit/fit.json"))) as? [String: Any])
        let stored = ((index["model"] as? [String: Any])?["settings"] as? [String: Any])?["parameterization"] as? String
        XCTAssertEqual(stored, "noncentered")
        let folds = ["--k", "3", "--group", "Subject"]
        let fromDirectory = try CommandLineRunner.run(["kfold", "fit", "--json"] + folds, in: work)
        XCTAssertEqual(fromDirectory.status, 0, fromDirectory.err)
        let nonCentred = try CommandLineRunner.run(["kfold", "intercepts.model", "--json", "--parameterization", "noncentered"] + folds + settings, in: work)
        XCTAssertEqual(nonCentred.status, 0, nonCentred.err)
        let centred = try CommandLineRunner.run(["kfold", "intercepts.model", "--json", "--parameterization", "centered"] + folds + settings, in: work)
        XCTAssertEqual(centred.status, 0, centred.err)
        let pointwise = { (text: String) throws -> [Double] in
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return try XCTUnwrap(((json["models"] as? [[String: Any]])?.first?["pointwise_elpd_kfold"]) as? [Double])
        }
        XCTAssertEqual(try pointwise(fromDirectory.out), try pointwise(nonCentred.out))
        XCTAssertNotEqual(try pointwise(centred.out), try pointwise(nonCentred.out))
        let unknown = try CommandLineRunner.run(["kfold", "intercepts.model", "--centered", "Nobody"] + folds + settings, in: work)
        XCTAssertEqual(unknown.status, 2, unknown.err)
    }

    /// A rate model with `offset(log(e))`: loo and kfold accept it, and the offset changes elpd.
    func testLooAndKFoldOfAnOffsetModel() throws {
        let work = try CommandLineRunner.temporaryDirectory(prefix: "loo-offset")
        defer { try? FileManager.default.removeItem(at: work) }
        var csv = "y,x,e,g\n"
        for i in 0..<60 {
            let x = Double(i % 7) / 3 - 1, e = Double(1 + i % 5)
            let y = Int((e * exp(0.3 + 0.5 * x + Double(i % 6 - 3) / 10)).rounded()) + i % 3
            csv += "\(y),\(x),\(e),g\(i % 6)\n"
        }
        try csv.write(to: work.appendingPathComponent("rates.csv"), atomically: true, encoding: .utf8)
        let common = ["--data", "rates.csv", "--family", "poisson", "--iter", "400", "--warmup", "200", "--seed", "3", "--json"]
        let elpd = { (formula: String) throws -> Double in
            let run = try CommandLineRunner.run(["loo", "--formula", formula, "--reloo", "0"] + common, in: work)
            XCTAssertEqual(run.status, 0, run.err)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
            return try XCTUnwrap(((json["models"] as? [[String: Any]])?.first?["elpd_loo"] as? [String: Double])?["estimate"])
        }
        let withOffset = try elpd("y ~ x + offset(log(e)) + (1 | g)")
        let without = try elpd("y ~ x + (1 | g)")
        XCTAssertGreaterThan(withOffset, without)
        let kfold = try CommandLineRunner.run(["kfold", "--formula", "y ~ x + offset(log(e)) + (1 | g)", "--k", "3"] + common, in: work)
        XCTAssertEqual(kfold.status, 0, kfold.err)
    }
}
