import Foundation
import XCTest
import MultilevelMath

/// Issue 19's families everywhere a family can appear (point 4): for beta, cumulative, skew_normal,
/// hurdle_lognormal, the zero-inflated and hurdle counts, exponential and weibull, `fit` with
/// `--output`, `--plots` and `--predict`, then `predict`, `loo` and `compare` on the result, each
/// succeeding; and `bootstrap` refusing in one line with a non-zero exit, except for the zero-inflated counts
/// (their Laplace fit is bootstrapped parametrically).
/// No command may end by a signal. Small simulated data (120 rows, 6 groups) and short chains: the
/// numbers are checked elsewhere (FamilySBCTests, the brms parity tests); here the commands.
final class FamilyCommandsTests: XCTestCase {
    static let families = ["beta", "cumulative", "skew_normal", "hurdle_lognormal", "zero_inflated_poisson",
                           "zero_inflated_negbinomial", "hurdle_poisson", "hurdle_negbinomial", "exponential", "weibull"]

    /// y ~ x + (1 | g) data of `family`: η = 0.3 + 0.5x + u_g.
    static func csv(_ family: String) -> String {
        var rng = Xoshiro256PlusPlus(seed: 19)
        let effects = (0..<6).map { _ in 0.4 * rng.nextNormal() }
        func poisson(_ mean: Double) -> Int {
            var k = 0, p = 1.0
            let limit = exp(-mean)
            while true { p *= rng.nextUniform(); if p <= limit { return k }; k += 1 }
        }
        var text = "y,x,g\n"
        for i in 0..<120 {
            let x = rng.nextNormal(), g = i % 6
            let eta = 0.3 + 0.5 * x + effects[g]
            let y: String
            switch family {
            case "beta": y = "\(rng.nextBeta(10 / (1 + exp(-eta)), 10 / (1 + exp(eta))))"
            case "cumulative":
                let u = rng.nextUniform(), latent = eta + log(u / (1 - u))
                y = "\(1 + [-0.5, 0.7, 1.8].filter { latent > $0 }.count)"
            case "skew_normal": y = "\(eta + abs(rng.nextNormal()))"
            case "hurdle_lognormal": y = rng.nextUniform() < 0.3 ? "0" : "\(exp(eta + 0.5 * rng.nextNormal()))"
            case "zero_inflated_poisson", "zero_inflated_negbinomial":
                y = rng.nextUniform() < 0.3 ? "0" : "\(poisson(exp(eta)))"
            case "hurdle_poisson", "hurdle_negbinomial":
                var count = 0
                while count == 0 { count = poisson(exp(eta)) }
                y = rng.nextUniform() < 0.3 ? "0" : "\(count)"
            default: y = "\(exp(eta) * rng.nextExponential())"
            }
            text += "\(y),\(x),g\(g)\n"
        }
        return text
    }

    func testEveryCommandWorksOrRefusesInOneLine() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "families")
        defer { try? FileManager.default.removeItem(at: directory) }
        var failures: [String] = []
        for family in Self.families {
            let data = directory.appendingPathComponent("\(family).csv")
            try Self.csv(family).write(to: data, atomically: true, encoding: .utf8)
            let newData = directory.appendingPathComponent("\(family)-new.csv")
            try "x,g\n0.5,g1\n-1,g2\n".write(to: newData, atomically: true, encoding: .utf8)
            let model = ["--data", data.path, "--formula", "y ~ x + (1 | g)", "--family", family]
            let sampling = ["--chains", "2", "--iter", "300", "--seed", "7"]
            let fitDirectory = directory.appendingPathComponent("\(family)-fit").path
            let plots = directory.appendingPathComponent("\(family)-plots").path
            let predictions = directory.appendingPathComponent("\(family)-predict").path
            let runs: [(String, [String])] = [
                ("fit", ["fit"] + model + sampling + ["--output", fitDirectory, "--plots", plots, "--predict", predictions]),
                ("predict", ["predict", fitDirectory, "--newdata", newData.path]),
                ("predict prediction", ["predict", fitDirectory, "--newdata", newData.path, "--type", "prediction"]),
                ("loo", ["loo", fitDirectory]),
                ("compare", ["compare"] + model + sampling),
            ]
            for (name, arguments) in runs {
                let result = try CommandLineRunner.runChecked(arguments, timeout: 300)
                XCTAssertFalse(result.signaled, "\(family) \(name): signal \(result.status): \(result.err)")
                if result.status != 0 {
                    failures.append("\(family) \(name): \(result.err)")
                }
            }
            for file in ["pp_check.svg"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: plots + "/" + file), "\(family): no \(file)")
            }
            XCTAssertTrue(FileManager.default.fileExists(atPath: predictions + "/predictions.csv"), "\(family): no predictions.csv")
            let bootstrap = try CommandLineRunner.runChecked(["bootstrap"] + model + ["--replicates", "10"])
            XCTAssertFalse(bootstrap.signaled, "\(family) bootstrap: \(bootstrap.err)")
            if family.hasPrefix("zero_inflated") {
                XCTAssertEqual(bootstrap.status, 0, "\(family) bootstrap: \(bootstrap.err)")
            } else {
                XCTAssertNotEqual(bootstrap.status, 0, "\(family) bootstrap")
                XCTAssertEqual(bootstrap.err.split(separator: "\n").count, 1, "\(family) bootstrap: \(bootstrap.err)")
            }
        }
        XCTAssertEqual(failures, [], failures.joined(separator: "\n"))
    }

    /// A text rating given its order (`--ordered`, or `ordered:` in a model file) fits exactly as
    /// its integer coding: the same summary, draw for draw; a value not in the list is one line
    /// naming the data file and line, with a non-zero exit.
    func testOrderedTextResponseFitsAsItsIntegerCoding() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "ordered")
        defer { try? FileManager.default.removeItem(at: directory) }
        let integers = Self.csv("cumulative")
        let names = ["1": "low", "2": "mid", "3": "high", "4": "top"]
        let text = integers.split(separator: "\n").enumerated().map { k, line -> String in
            guard k > 0 else { return String(line) }
            let fields = line.split(separator: ",", maxSplits: 1)
            return names[String(fields[0])]! + "," + fields[1]
        }.joined(separator: "\n") + "\n"
        let integerData = directory.appendingPathComponent("ratings.csv")
        let textData = directory.appendingPathComponent("labels.csv")
        try integers.write(to: integerData, atomically: true, encoding: .utf8)
        try text.write(to: textData, atomically: true, encoding: .utf8)
        let common = ["--formula", "y ~ x + (1 | g)", "--family", "cumulative", "--chains", "1", "--iter", "200", "--seed", "5", "--json"]
        let reference = try CommandLineRunner.run(["fit", "--data", integerData.path] + common)
        XCTAssertEqual(reference.status, 0, reference.err)
        // The order as a flag, with an unused level in the middle (dropped, as R drops it).
        let flagged = try CommandLineRunner.run(["fit", "--data", textData.path, "--ordered", "y = low, fair, mid, high, top"] + common)
        XCTAssertEqual(flagged.status, 0, flagged.err)
        func parameters(_ out: String) throws -> String {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let data = try JSONSerialization.data(withJSONObject: try XCTUnwrap(object["parameters"]), options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        XCTAssertEqual(try parameters(flagged.out), try parameters(reference.out))
        XCTAssertTrue(flagged.out.contains("b_Intercept[3]"), flagged.out)
        // The same from a model file's `ordered:` key.
        let modelFile = directory.appendingPathComponent("labels.model")
        try "data: labels.csv\nformula: y ~ x + (1 | g)\nfamily: cumulative\nordered: y = low, mid, high, top\n"
            .write(to: modelFile, atomically: true, encoding: .utf8)
        let fromFile = try CommandLineRunner.run(["fit", modelFile.path, "--chains", "1", "--iter", "200", "--seed", "5", "--json"])
        XCTAssertEqual(fromFile.status, 0, fromFile.err)
        XCTAssertEqual(try parameters(fromFile.out), try parameters(reference.out))
        // A value outside the list.
        let refused = try CommandLineRunner.run(["fit", "--data", textData.path, "--ordered", "y = low, mid, high"] + common)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertFalse(refused.err.contains("\n") && refused.err.split(separator: "\n").count > 1, refused.err)
        XCTAssertTrue(refused.err.contains("labels.csv:"), refused.err)
        XCTAssertTrue(refused.err.contains("'y' is 'top', not one of the levels given to 'ordered: y = low, mid, high'"), refused.err)
        // Without an order the text response is refused in one line.
        let unordered = try CommandLineRunner.run(["fit", "--data", textData.path] + common)
        XCTAssertNotEqual(unordered.status, 0)
        XCTAssertEqual(unordered.err.split(separator: "\n").count, 1, unordered.err)
    }
}
