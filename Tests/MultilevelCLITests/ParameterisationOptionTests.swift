import Foundation
import XCTest

/// `fit --parameterization auto|partial|centered|noncentered` and `--centered GROUPS` (joint NUTS): the
/// automatic rule centres a data-rich term and leaves a sparse one non-centred, the centred terms
/// are named on stderr, the draws' columns do not change, and bad values are usage errors.
final class ParameterisationOptionTests: XCTestCase {
    /// y ~ 1 + (1 | rich) + (1 | sparse): 5 levels of 300 rows (sd 1) and 300 levels of 5 rows
    /// (sd 0.2), σ = 1, written as CSV into a temporary directory.
    func richAndSparseCSV() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parameterisation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        // A fixed linear congruential stream of uniforms, summed to approximate normals.
        var state: UInt64 = 12345
        func normal() -> Double {
            var sum = 0.0
            for _ in 0..<12 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                sum += Double(state >> 11) / Double(1 << 53)
            }
            return sum - 6
        }
        let rich = (0..<5).map { _ in normal() }
        let sparse = (0..<300).map { _ in 0.2 * normal() }
        var text = "y,rich,sparse\n"
        for i in 0..<1500 {
            let y = 0.5 + rich[i % 5] + sparse[i / 5] + normal()
            text += String(format: "%.6f,a%d,b%d\n", y, i % 5, i / 5)
        }
        let url = directory.appendingPathComponent("richsparse.csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A joint-NUTS fit (a gaussian model with two terms would default to the collapsed sampler,
    /// which has no parameterisation) unless `extra` names another sampler.
    func fit(_ extra: [String], data: URL) throws -> (status: Int32, out: String, err: String) {
        try CommandLineRunner.run(["fit", "--data", data.path, "--formula", "y ~ 1 + (1 | rich) + (1 | sparse)",
                                   "--chains", "1", "--iter", "200", "--seed", "4"]
                                  + (extra.contains("--sampler") ? [] : ["--sampler", "nuts"]) + extra)
    }

    func testAutomaticRuleCentresTheDataRichTermOnly() throws {
        let data = try richAndSparseCSV()
        let automatic = try fit([], data: data)
        XCTAssertEqual(automatic.status, 0, automatic.err)
        XCTAssertTrue(automatic.err.contains("multilevel: group-level effects of rich sampled centred"), automatic.err)
        let nonCentred = try fit(["--parameterization", "noncentered"], data: data)
        XCTAssertEqual(nonCentred.status, 0, nonCentred.err)
        XCTAssertFalse(nonCentred.err.contains("sampled centred"), nonCentred.err)
        let both = try fit(["--centered", "rich,sparse", "--json"], data: data)
        XCTAssertEqual(both.status, 0, both.err)
        XCTAssertTrue(both.err.contains("group-level effects of rich, sparse sampled centred"), both.err)
        // Same summary rows whatever the parameterisation.
        func rowNames(_ out: String) -> [String] {
            out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        let centred = try fit(["--parameterization", "centered"], data: data)
        XCTAssertEqual(rowNames(centred.out), rowNames(nonCentred.out))
    }

    func testBadValuesAreUsageErrors() throws {
        let data = try richAndSparseCSV()
        let unknownMode = try fit(["--parameterization", "sideways"], data: data)
        XCTAssertEqual(unknownMode.status, 2)
        XCTAssertEqual(unknownMode.err, "multilevel fit: option --parameterization: expected auto, partial, centered or noncentered, got 'sideways'\n")
        let unknownGroup = try fit(["--centered", "herd"], data: data)
        XCTAssertEqual(unknownGroup.status, 2)
        XCTAssertEqual(unknownGroup.err, "multilevel fit: option --centered: centred group 'herd' is not a grouping factor of the model (its groups: rich, sparse)\n")
        let gibbs = try fit(["--sampler", "gibbs", "--parameterization", "centered"], data: data)
        XCTAssertEqual(gibbs.status, 2)
        XCTAssertEqual(gibbs.err, "multilevel fit: option --parameterization applies to joint NUTS (--sampler nuts), not the gibbs sampler\n")
        let both = try fit(["--centered", "rich", "--parameterization", "auto"], data: data)
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(both.err, "multilevel fit: options --centered and --parameterization: give one of them\n")
        let empty = try fit(["--centered", "rich,"], data: data)
        XCTAssertEqual(empty.status, 2)
        XCTAssertEqual(empty.err, "multilevel fit: option --centered: expected comma-separated grouping factors, got 'rich,'\n")
    }

    /// The model-file key `parameterization`: it sets the mode as the flag does, the flag and
    /// `--centered` override it, other samplers ignore it with a notice, and a bad value is an
    /// error naming the file and line.
    func testModelFileKey() throws {
        let data = try richAndSparseCSV()
        let directory = data.deletingLastPathComponent()
        func model(_ value: String) throws -> String {
            let url = directory.appendingPathComponent("m-\(UUID().uuidString).model")
            try "data: \(data.lastPathComponent)\nformula: y ~ 1 + (1 | rich) + (1 | sparse)\nparameterization: \(value)\nsampler: nuts\n"
                .write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
            try CommandLineRunner.run(["fit"] + arguments + ["--chains", "1", "--iter", "200", "--seed", "4"])
        }
        let fromFile = try run([try model("noncentered")])
        XCTAssertEqual(fromFile.status, 0, fromFile.err)
        XCTAssertFalse(fromFile.err.contains("sampled centred"), fromFile.err)
        let fromFlag = try fit(["--parameterization", "noncentered"], data: data)
        XCTAssertEqual(fromFile.out, fromFlag.out, "the key and the flag give the same fit")
        let overridden = try run([try model("noncentered"), "--parameterization", "auto"])
        XCTAssertTrue(overridden.err.contains("group-level effects of rich sampled centred"), overridden.err)
        let centredGroups = try run([try model("noncentered"), "--centered", "sparse"])
        XCTAssertEqual(centredGroups.status, 0, centredGroups.err)
        XCTAssertTrue(centredGroups.err.contains("group-level effects of sparse sampled centred"), centredGroups.err)
        let file = try model("centered")
        let gibbs = try run([file, "--sampler", "gibbs"])
        XCTAssertEqual(gibbs.status, 0, gibbs.err)
        XCTAssertTrue(gibbs.err.contains("multilevel: parameterization (\(file):3) ignored: it applies to joint NUTS, not the gibbs sampler"),
                      gibbs.err)
        let bad = try model("sideways")
        let badRun = try run([bad])
        XCTAssertEqual(badRun.status, 1)
        XCTAssertEqual(badRun.err, "multilevel fit: \(bad):3: parameterization: expected auto, partial, centered or noncentered, got 'sideways'\n")
    }

    /// `--parameterization partial` (and the model file's `parameterization: partial`) samples
    /// every one-column term partially centred per level and says so on stderr; the automatic
    /// choice, for these two crossed terms, does not; the summary rows are the same; fit.json
    /// records `auto+partial`, which refits read back.
    func testPartialCentringOption() throws {
        let data = try richAndSparseCSV()
        let partial = try fit(["--parameterization", "partial"], data: data)
        XCTAssertEqual(partial.status, 0, partial.err)
        XCTAssertTrue(partial.err.contains("multilevel: group-level effects of rich, sparse partially centred per level"), partial.err)
        let automatic = try fit([], data: data)
        XCTAssertEqual(automatic.status, 0, automatic.err)
        XCTAssertFalse(automatic.err.contains("partially centred"), automatic.err)
        func rowNames(_ out: String) -> [String] {
            out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        XCTAssertEqual(rowNames(partial.out), rowNames(automatic.out))
        let directory = data.deletingLastPathComponent()
        let model = directory.appendingPathComponent("partial.model")
        try "data: \(data.lastPathComponent)\nformula: y ~ 1 + (1 | rich) + (1 | sparse)\nparameterization: partial\nsampler: nuts\n"
            .write(to: model, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("partial-fit")
        let fromFile = try CommandLineRunner.run(["fit", model.path, "--chains", "1", "--iter", "200", "--seed", "4",
                                                  "--output", output.path])
        XCTAssertEqual(fromFile.status, 0, fromFile.err)
        XCTAssertTrue(fromFile.err.contains("partially centred per level"), fromFile.err)
        let index = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("fit.json"))) as? [String: Any])
        let stored = ((index["model"] as? [String: Any])?["settings"] as? [String: Any])?["parameterization"] as? String
        XCTAssertEqual(stored, "auto+partial")
    }

    func testHelpDescribesTheRule() throws {
        let help = try CommandLineRunner.run(["fit", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("--parameterization"), help.out)
        XCTAssertTrue(help.out.contains("--centered"), help.out)
        XCTAssertTrue(help.out.contains("median"), help.out)
    }
}
