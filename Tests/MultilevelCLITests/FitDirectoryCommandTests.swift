import Foundation
import XCTest

/// Fit directories end to end (issue 17): `fit --output` / `lmer --output` write them, `predict`
/// and `effects` read them after the data file has moved, and give byte for byte what the same
/// command gives when handed the model file (which it fits first with the same seed).
final class FitDirectoryCommandTests: XCTestCase {
    private func workDirectory() throws -> URL {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "fitdir")
        let data = try XCTUnwrap(Bundle.module.url(forResource: "sleepstudy", withExtension: "csv", subdirectory: "Fixtures"))
        try FileManager.default.copyItem(at: data, to: directory.appendingPathComponent("sleepstudy.csv"))
        try "data: sleepstudy.csv\nformula: Reaction ~ Days + (Days | Subject)\nchains: 2\niter: 400\nseed: 3\n"
            .write(to: directory.appendingPathComponent("sleep.model"), atomically: true, encoding: .utf8)
        var newData = "Days,Subject\n"
        for subject in ["308", "new"] { for days in [0, 4, 9] { newData += "\(days),\"\(subject)\"\n" } }
        try newData.write(to: directory.appendingPathComponent("nd.csv"), atomically: true, encoding: .utf8)
        return directory
    }

    func testPredictFromFitDirectoriesAfterTheDataMoved() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fit = try CommandLineRunner.run(["fit", "sleep.model", "--output", "bayes", "--hypothesis", "Days > 8", "--bayes-r2"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertTrue(fit.out.contains("Hypothesis Tests for class b:") && fit.out.contains("(Days)-(8) > 0"), fit.out)
        XCTAssertTrue(fit.out.contains("\nR2 "), fit.out)
        let lmer = try CommandLineRunner.run(["lmer", "sleep.model", "--output", "reml"], in: work)
        XCTAssertEqual(lmer.status, 0, lmer.err)
        let names = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("bayes").path).sorted()
        XCTAssertEqual(names, ["chain-1.csv", "chain-2.csv", "data.csv", "fit.json", "model.txt"])

        // From the model file (fitted first, same seed) and from the directory: the same bytes.
        let arguments = ["--newdata", "nd.csv", "--allow-new-levels", "--type", "prediction"]
        let fromModel = try CommandLineRunner.run(["predict", "sleep.model"] + arguments + ["--prediction-seed", "3"], in: work)
        XCTAssertEqual(fromModel.status, 0, fromModel.err)
        let lmerFromModel = try CommandLineRunner.run(["predict", "sleep.model", "--lmer", "--newdata", "nd.csv",
                                                       "--allow-new-levels", "--interval", "confidence"], in: work)
        XCTAssertEqual(lmerFromModel.status, 0, lmerFromModel.err)
        try FileManager.default.moveItem(at: work.appendingPathComponent("sleepstudy.csv"), to: work.appendingPathComponent("moved.csv"))

        let fromDirectory = try CommandLineRunner.run(["predict", "bayes"] + arguments, in: work)
        XCTAssertEqual(fromDirectory.status, 0, fromDirectory.err)
        XCTAssertEqual(fromDirectory.out, fromModel.out)
        let lines = fromDirectory.out.split(separator: "\n")
        XCTAssertEqual(lines.first, "Days,Subject,Estimate,Est.Error,Q2.5,Q97.5")
        XCTAssertEqual(lines.count, 7)
        let lmerFromDirectory = try CommandLineRunner.run(["predict", "reml", "--newdata", "nd.csv", "--allow-new-levels",
                                                           "--interval", "confidence"], in: work)
        XCTAssertEqual(lmerFromDirectory.status, 0, lmerFromDirectory.err)
        XCTAssertEqual(lmerFromDirectory.out, lmerFromModel.out)
        XCTAssertEqual(lmerFromDirectory.out.split(separator: "\n").first, "Days,Subject,Estimate,Std.Error,l-2.5%,u-97.5%")

        // Population level: a new subject needs no flag; draws: one row per draw.
        let population = try CommandLineRunner.run(["predict", "bayes", "--newdata", "nd.csv", "--re-formula", "NA", "--json"], in: work)
        XCTAssertEqual(population.status, 0, population.err)
        XCTAssertTrue(population.out.contains("\"prediction\" : \"posterior_epred\"") || population.out.contains("\"prediction\": \"posterior_epred\""), population.out)
        let draws = try CommandLineRunner.run(["predict", "bayes", "--newdata", "nd.csv", "--re-formula", "NA", "--draws"], in: work)
        XCTAssertEqual(draws.out.split(separator: "\n").count, 1 + 2 * 200)

        // effects: the population line and each subject's line, with an SVG.
        let effects = try CommandLineRunner.run(["effects", "bayes", "--effect", "Days", "--plots", "plots"], in: work)
        XCTAssertEqual(effects.status, 0, effects.err)
        XCTAssertEqual(effects.out.split(separator: "\n").first, "Days,estimate__,se__,lower__,upper__")
        XCTAssertEqual(effects.out.split(separator: "\n").count, 101)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("plots/effects.svg").path))
        let byGroup = try CommandLineRunner.run(["effects", "reml", "--effect", "Days", "--by-group", "Subject"], in: work)
        XCTAssertEqual(byGroup.status, 0, byGroup.err)
        XCTAssertEqual(byGroup.out.split(separator: "\n").count, 1 + 18 * 100)
    }

    /// Contrasts and reference levels go into the fit directory: a Bayesian fit with sum contrasts
    /// and a relevelled factor predicts from its directory exactly what the model file predicts,
    /// and the directory's model.txt refits the same model.
    func testContrastsAndReferenceLevelsRoundTrip() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try "data: sleepstudy.csv\nformula: Reaction ~ Days + (1 | Subject)\nfactor: Days\ncontrasts: Days = sum\nreference: Days = 3\nchains: 2\niter: 300\nseed: 4\n"
            .write(to: work.appendingPathComponent("sum.model"), atomically: true, encoding: .utf8)
        let fit = try CommandLineRunner.run(["fit", "sum.model", "--output", "sum"], in: work)
        XCTAssertEqual(fit.status, 0, fit.err)
        XCTAssertTrue(fit.out.contains("Days1 "), fit.out)
        let index = try String(contentsOf: work.appendingPathComponent("sum/fit.json"), encoding: .utf8)
        XCTAssertTrue(index.contains("\"contrasts\""), index)
        XCTAssertTrue(index.contains("\"references\""), index)
        let model = try String(contentsOf: work.appendingPathComponent("sum/model.txt"), encoding: .utf8)
        XCTAssertTrue(model.contains("contrasts: Days = sum\n") && model.contains("reference: Days = 3\n"), model)
        let arguments = ["--newdata", "nd.csv", "--allow-new-levels"]
        let fromModel = try CommandLineRunner.run(["predict", "sum.model"] + arguments, in: work)
        XCTAssertEqual(fromModel.status, 0, fromModel.err)
        let fromDirectory = try CommandLineRunner.run(["predict", "sum"] + arguments, in: work)
        XCTAssertEqual(fromDirectory.status, 0, fromDirectory.err)
        XCTAssertEqual(fromDirectory.out, fromModel.out)
        let refit = try CommandLineRunner.run(["fit", "sum/model.txt"], in: work)
        XCTAssertEqual(refit.status, 0, refit.err)
        XCTAssertEqual(refit.out, fit.out.replacingOccurrences(of: "Data: sleepstudy (", with: "Data: data ("))
    }

    /// lme4's predict(newdata) for terms with fitted parameters (poly(), scale()) and for sum
    /// contrasts (Fixtures/predict_transformed_terms.json, scripts/references/
    /// predict_transformed_terms.R): the new rows are evaluated with the fit's basis, centre and
    /// scale and contrasts. Population level to 1e-9 relative; with the group-level effects to 1e-6
    /// (lme4's optimiser stops short: 4.8e-7 on the correlated-slopes model).
    func testPredictionsOfTransformedTermsMatchLme4() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "predict_transformed_terms", withExtension: "json", subdirectory: "Fixtures"))
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try "Days,Subject\n0,\"308\"\n2.5,\"309\"\n9,\"350\"\n12,\"372\"\n"
            .write(to: work.appendingPathComponent("days.csv"), atomically: true, encoding: .utf8)
        func estimates(_ arguments: [String]) throws -> [Double] {
            let run = try CommandLineRunner.run(["predict", "--lmer"] + arguments, in: work)
            XCTAssertEqual(run.status, 0, run.err)
            let lines = run.out.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            let column = try XCTUnwrap(lines.first?.firstIndex(of: "Estimate"))
            return lines.dropFirst().compactMap { Double($0[column]) }
        }
        let models = try XCTUnwrap(reference["models"] as? [String: [String: Any]])
        for (name, model) in models {
            let formula = try XCTUnwrap(model["formula"] as? String)
            let common = ["--data", "sleepstudy.csv", "--formula", formula, "--newdata", "days.csv"]
            for (key, extra, tolerance) in [("population", ["--re-formula", "NA"], 1e-9), ("conditional", [], 1e-6)] {
                let expected = try XCTUnwrap(model[key] as? [Double])
                let ours = try estimates(common + extra)
                XCTAssertEqual(ours.count, expected.count, "\(name) \(key)")
                for (a, b) in zip(ours, expected) { XCTAssertEqual(a, b, accuracy: tolerance * abs(b), "\(name) \(key)") }
            }
        }
        let cake = try XCTUnwrap(reference["cake_sum"] as? [String: Any])
        let cakeData = try XCTUnwrap(Bundle.module.url(forResource: "cake", withExtension: "csv", subdirectory: "Fixtures"))
        try "recipe,temperature\nA,175\nB,205\nC,225\n".write(to: work.appendingPathComponent("cake-new.csv"), atomically: true, encoding: .utf8)
        let ours = try estimates(["--data", cakeData.path, "--formula", "angle ~ recipe + temperature + (1 | replicate)",
                                  "--factor", "temperature", "--contrasts", "recipe=sum", "--newdata", "cake-new.csv", "--re-formula", "NA"])
        let expected = try XCTUnwrap(cake["population"] as? [Double])
        XCTAssertEqual(ours.count, 3)
        for (a, b) in zip(ours, expected) { XCTAssertEqual(a, b, accuracy: 1e-9 * abs(b), "cake sum contrasts") }
    }

    func testPredictErrorsAreOneLine() throws {
        let work = try workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        XCTAssertEqual(try CommandLineRunner.run(["lmer", "sleep.model", "--output", "reml"], in: work).status, 0)
        let newLevel = try CommandLineRunner.run(["predict", "reml", "--newdata", "nd.csv"], in: work)
        XCTAssertEqual(newLevel.status, 1)
        XCTAssertEqual(newLevel.err, "multilevel predict: nd.csv:5: level 'new' of grouping factor 'Subject' is not in the fit; give --allow-new-levels to predict for new levels\n")
        try "Subject\n\"308\"\n".write(to: work.appendingPathComponent("missing.csv"), atomically: true, encoding: .utf8)
        let missing = try CommandLineRunner.run(["predict", "reml", "--newdata", "missing.csv"], in: work)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.err, "multilevel predict: missing.csv: missing column 'Days' (the model's formula uses it); the data has columns Subject\n")
        let notDirectory = try CommandLineRunner.run(["predict", ".", "--newdata", "nd.csv"], in: work)
        XCTAssertEqual(notDirectory.status, 1)
        XCTAssertTrue(notDirectory.err.contains("not a fit directory"), notDirectory.err)
        let usage = try CommandLineRunner.run(["predict", "reml", "--newdata", "nd.csv", "--type", "mean"], in: work)
        XCTAssertEqual(usage.status, 2)
        // A fit.json of a later format version is refused with one line naming it.
        let index = work.appendingPathComponent("reml/fit.json")
        let text = try String(contentsOf: index, encoding: .utf8).replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2")
            .replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
        try text.write(to: index, atomically: true, encoding: .utf8)
        let version = try CommandLineRunner.run(["predict", "reml", "--newdata", "nd.csv", "--allow-new-levels"], in: work)
        XCTAssertEqual(version.status, 1)
        XCTAssertTrue(version.err.contains("format version 2 is not supported"), version.err)
    }
}
