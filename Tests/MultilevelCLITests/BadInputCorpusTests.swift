import Foundation
import XCTest

/// The bad-input corpus (issue 10): every case in `Fixtures/corpus/manifest.json` runs the built
/// `multilevel` on deliberately broken input and must fail politely: an exit code from 1 to 127
/// (the one the case names), at most three short lines on stderr containing the text that names the
/// place (file:line, formula column, option), nothing on stdout, no trap or hang, and nothing under
/// an output directory's final names (`chain-K.csv`), and no `--output`, `--plots` or `--predict`
/// directory created by a run that failed, and no raw control character on stderr.
///
/// Case layout: `corpus/shared/*` (small data sets) and `corpus/<case name>/*` (the case's own
/// files) are copied into a fresh working directory; `mkdir` lists directories to create there and
/// `generate` files too large to keep in the repository (a list of `parts`: strings, or
/// `{"repeat": s, "count": n}`). An argument may be such a list of parts too (a formula nested
/// 50 000 deep). A case with `"exit": 0` must simply succeed (input that looks hostile but is valid,
/// or a fit that must warn) and show its expected text on stderr.
final class BadInputCorpusTests: XCTestCase {
    /// One case of the manifest.
    struct Case {
        var name: String
        var arguments: [String]
        var expectedStatus: Int32?
        var expectedError: String?
        var outputDirectory: String?
        var directories: [String]
        var generated: [(file: String, text: String)]
    }

    static let corpusURL: URL? = Bundle.module.url(forResource: "corpus", withExtension: nil, subdirectory: "Fixtures")

    /// Expands a manifest value made of parts into text.
    static func expand(_ value: Any) throws -> String {
        if let text = value as? String { return text }
        guard let parts = value as? [Any] else { throw CorpusError("expected a string or a list of parts: \(value)") }
        var text = ""
        for part in parts {
            if let piece = part as? String {
                text += piece
            } else if let spec = part as? [String: Any], let piece = spec["repeat"] as? String,
                      let count = spec["count"] as? Int {
                text += String(repeating: piece, count: count)
            } else {
                throw CorpusError("bad part \(part)")
            }
        }
        return text
    }

    static func loadCases() throws -> [Case] {
        guard let root = corpusURL else { throw CorpusError("Fixtures/corpus missing from the test bundle") }
        let data = try Data(contentsOf: root.appendingPathComponent("manifest.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = object["cases"] as? [[String: Any]] else { throw CorpusError("manifest.json: expected {\"cases\": [...]}") }
        return try list.map { entry in
            guard let name = entry["name"] as? String, let arguments = entry["args"] as? [Any] else {
                throw CorpusError("manifest.json: a case without name or args: \(entry)")
            }
            let generated = try ((entry["generate"] as? [[String: Any]]) ?? []).map { spec -> (String, String) in
                guard let file = spec["file"] as? String, let parts = spec["parts"] else { throw CorpusError("\(name): bad generate entry") }
                return (file, try expand(parts))
            }
            return Case(name: name, arguments: try arguments.map(expand),
                        expectedStatus: (entry["exit"] as? Int).map(Int32.init),
                        expectedError: entry["stderr"] as? String, outputDirectory: entry["output"] as? String,
                        directories: entry["mkdir"] as? [String] ?? [], generated: generated)
        }
    }

    /// A working directory holding the shared data sets, the case's files and generated ones.
    static func prepare(_ testCase: Case) throws -> URL {
        guard let root = corpusURL else { throw CorpusError("no corpus") }
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "corpus-\(testCase.name)")
        let manager = FileManager.default
        for source in [root.appendingPathComponent("shared"), root.appendingPathComponent(testCase.name)] {
            guard let files = try? manager.contentsOfDirectory(atPath: source.path) else { continue }
            for file in files {
                try manager.copyItem(at: source.appendingPathComponent(file), to: directory.appendingPathComponent(file))
            }
        }
        for name in testCase.directories {
            try manager.createDirectory(at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        for (file, text) in testCase.generated {
            try Data(text.utf8).write(to: directory.appendingPathComponent(file))
        }
        return directory
    }

    /// What is wrong with the run of `testCase`, if anything.
    static func problems(of testCase: Case, _ result: CommandLineRunner.Result, in directory: URL,
                         existingBefore: Set<String> = []) -> [String] {
        var problems: [String] = []
        if result.timedOut { problems.append("did not finish within the timeout") }
        if result.signaled { problems.append("ended by signal \(result.status) (a trap or crash)") }
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: true)
        if testCase.expectedStatus == 0 {
            if result.status != 0 || result.signaled { problems.append("expected success, got exit \(result.status)") }
        } else {
            if !(1...127).contains(result.status) { problems.append("exit \(result.status) is not in 1...127") }
            if let expected = testCase.expectedStatus, expected != result.status {
                problems.append("exit \(result.status), expected \(expected)")
            }
            if !result.out.isEmpty { problems.append("wrote \(result.out.utf8.count) bytes to stdout") }
            if lines.isEmpty { problems.append("no message on stderr") }
            if lines.count > 3 { problems.append("\(lines.count) lines on stderr (at most 3)") }
            if result.err.count > 600 { problems.append("\(result.err.count) characters on stderr (at most 600)") }
        }
        // Input echoed in a message is escaped: no ESC, BEL, NUL… reaches the terminal raw.
        if result.err.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }) {
            problems.append("stderr holds raw control characters")
        }
        if let expected = testCase.expectedError, !result.err.contains(expected) {
            problems.append("stderr does not contain '\(expected)'")
        }
        if let output = testCase.outputDirectory {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(output).path)) ?? []
            let finals = files.filter { $0.hasPrefix("chain-") && $0.hasSuffix(".csv") }
            if !finals.isEmpty { problems.append("left final-named files \(finals) in \(output)") }
        }
        // A rejected run creates none of the directories it was asked to write into (so the same
        // command, corrected, runs again without --force).
        if testCase.expectedStatus != 0 {
            for path in Self.outputPaths(testCase.arguments) where !existingBefore.contains(path) {
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) {
                    problems.append("created '\(path)' although the run failed")
                }
            }
        }
        return problems
    }

    /// The values of the options that name directories a command writes into.
    static func outputPaths(_ arguments: [String]) -> [String] {
        zip(arguments, arguments.dropFirst()).filter { ["--output", "--plots", "--predict"].contains($0.0) }.map(\.1)
    }

    func testEveryCaseFailsPolitely() throws {
        _ = try CommandLineRunner.executable()
        let cases = try Self.loadCases()
        XCTAssertGreaterThanOrEqual(cases.count, 60, "the corpus should hold at least 60 cases")
        XCTAssertEqual(Set(cases.map(\.name)).count, cases.count, "case names must be unique")
        let filter = ProcessInfo.processInfo.environment["MULTILEVEL_CORPUS_FILTER"]
        var failures: [String] = []
        for testCase in cases where filter.map({ testCase.name.contains($0) }) ?? true {
            let directory = try Self.prepare(testCase)
            defer { try? FileManager.default.removeItem(at: directory) }
            let existing = Set(Self.outputPaths(testCase.arguments).filter {
                FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
            })
            let result = try CommandLineRunner.runChecked(testCase.arguments, in: directory, timeout: 60)
            let problems = Self.problems(of: testCase, result, in: directory, existingBefore: existing)
            if !problems.isEmpty {
                let message = result.err.prefix(300).replacingOccurrences(of: "\n", with: "⏎")
                failures.append("\(testCase.name): \(problems.joined(separator: "; ")) — stderr: \(message)")
            }
        }
        for failure in failures { XCTFail(failure) }
    }
}

struct CorpusError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
