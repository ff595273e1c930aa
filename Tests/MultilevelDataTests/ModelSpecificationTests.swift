import Foundation
import XCTest
@testable import MultilevelData

final class ModelSpecificationTests: XCTestCase {
    private func parse(_ text: String) throws -> ModelSpecification {
        try ModelSpecification.parse(text, fileName: "m.model")
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        expectError(ModelFileError.self, file: file, line: line) { _ = try self.parse(text) }?.description
    }

    func testAllKeys() throws {
        let s = try parse("""
        # a comment
        data: sleep.csv
        formula: Reaction ~ Days + (Days | Subject)   # trailing comment
        family: gaussian
        prior: b ~ normal(0, 10)
        prior: sd:Subject ~ student_t(3, 0, 50)
        factor: Days
        factor: a, b
        chains: 4
        iter: 2000
        warmup: 1000
        seed: 12345
        sampler: nuts
        adapt_delta: 0.95
        max_treedepth: 12
        """)
        XCTAssertEqual(s.data?.value, "sleep.csv")
        XCTAssertEqual(s.data?.origin, .file("m.model", line: 2))
        XCTAssertEqual(s.formula?.value, "Reaction ~ Days + (Days | Subject)")
        XCTAssertEqual(s.family?.value, "gaussian")
        XCTAssertEqual(s.priors.map(\.value), ["b ~ normal(0, 10)", "sd:Subject ~ student_t(3, 0, 50)"])
        XCTAssertEqual(s.priors.map(\.origin.description), ["m.model:5", "m.model:6"])
        XCTAssertEqual(s.factors.map(\.value), ["Days", "a", "b"])
        XCTAssertEqual(s.chains?.value, 4)
        XCTAssertEqual(s.iterations?.value, 2000)
        XCTAssertEqual(s.warmup?.value, 1000)
        XCTAssertEqual(s.seed?.value, 12345)
        XCTAssertEqual(s.sampler?.value, "nuts")
        XCTAssertEqual(s.adaptDelta?.value, 0.95)
        XCTAssertEqual(s.maxTreedepth?.value, 12)
        XCTAssertEqual(s.maxTreedepth?.origin.description, "m.model:15")
        XCTAssertNoThrow(try s.validate())
    }

    func testCRLFAndBOM() throws {
        let s = try parse("\u{FEFF}data: x.csv\r\nformula: y ~ x\r\n")
        XCTAssertEqual(s.data?.value, "x.csv")
        XCTAssertEqual(s.formula?.origin, .file("m.model", line: 2))
    }

    func testUnknownKeySuggestsNearest() {
        XCTAssertEqual(error("data: x.csv\nformla: y ~ x\n"), "m.model:2: unknown key 'formla'; did you mean 'formula'?")
        XCTAssertEqual(error("adapt_dleta: 0.9"), "m.model:1: unknown key 'adapt_dleta'; did you mean 'adapt_delta'?")
        XCTAssertEqual(try parse("adapt-delta: 0.9").adaptDelta?.value, 0.9)  // '-' is accepted as '_'
    }

    func testUnknownKeyWithoutNearMatch() {
        XCTAssertEqual(error("zzzzzzzz: 1"), "m.model:1: unknown key 'zzzzzzzz'; known keys: data, formula, family, prior, factor, contrasts, reference, ordered, sep, dec, chains, iter, warmup, seed, sampler, adapt_delta, max_treedepth, parameterization, weights")
    }

    func testDuplicateKey() {
        XCTAssertEqual(error("chains: 2\n\nchains: 4\n"), "m.model:3: 'chains' is given twice (first at m.model:1)")
    }

    func testMalformedLinesAndValues() {
        XCTAssertEqual(error("just text"), "m.model:1: expected 'key: value' (for example 'formula: y ~ x + (1 | g)')")
        XCTAssertEqual(error("formula:"), "m.model:1: 'formula' has no value")
        XCTAssertEqual(error("chains: four"), "m.model:1: chains: expected a positive whole number, got 'four'")
        XCTAssertEqual(error("chains: 0"), "m.model:1: chains: expected a positive whole number, got '0'")
        XCTAssertEqual(error("adapt_delta: 1"), "m.model:1: adapt_delta: expected a number strictly between 0 and 1, got '1'")
        XCTAssertEqual(error("seed: -3"), "m.model:1: seed: expected a whole number from 0 to 18446744073709551615, got '-3'")
        XCTAssertEqual(error("warmup: -1"), "m.model:1: warmup: expected a whole number ≥ 0, got '-1'")
    }

    func testWarmupMustBeBelowIter() throws {
        let s = try parse("iter: 100\nwarmup: 100\n")
        XCTAssertEqual(expectError(ModelFileError.self) { try s.validate() }?.description,
                       "m.model:2: warmup (100) must be less than iter (100, m.model:1)")
    }

    func testCommandLineOverrides() throws {
        var s = try parse("chains: 2\nprior: b ~ normal(0, 1)\n")
        try s.set(key: "chains", value: "8", origin: .option("chains"))
        try s.set(key: "prior", value: "sigma ~ exponential(1)", origin: .option("prior"))
        try s.set(key: "adapt-delta", value: "0.9", origin: .option("adapt-delta"))
        XCTAssertEqual(s.chains?.value, 8)
        XCTAssertEqual(s.chains?.origin.description, "option --chains")
        XCTAssertEqual(s.priors.count, 2)
        XCTAssertEqual(s.adaptDelta?.value, 0.9)
        XCTAssertEqual(expectError(ModelFileError.self) { try s.set(key: "max-treedepth", value: "deep", origin: .option("max-treedepth")) }?.description,
                       "option --max-treedepth: expected a positive whole number, got 'deep'")
        XCTAssertEqual(expectError(ModelFileError.self) { try s.set(key: "adapt-delta", value: "1.5", origin: .option("adapt-delta")) }?.description,
                       "option --adapt-delta: expected a number strictly between 0 and 1, got '1.5'")
    }

    func testDataPathResolution() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "y,x\n1,2\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("m.model")
        try "data: d.csv\nformula: y ~ x\n".write(to: model, atomically: true, encoding: .utf8)
        let s = try ModelSpecification.load(url: model)
        XCTAssertEqual(try s.resolvedDataURL().standardizedFileURL.path, dir.appendingPathComponent("d.csv").standardizedFileURL.path)

        try "data: missing.csv\n".write(to: model, atomically: true, encoding: .utf8)
        let missing = expectError(ModelFileError.self) { _ = try ModelSpecification.load(url: model).resolvedDataURL() }
        XCTAssertEqual(missing?.location, "\(model.path):1")
        XCTAssertTrue(missing?.message.hasPrefix("data file 'missing.csv' not found") ?? false)

        try "\ndata: sub\n".write(to: model, atomically: true, encoding: .utf8)
        let directory = expectError(ModelFileError.self) { _ = try ModelSpecification.load(url: model).resolvedDataURL() }
        XCTAssertEqual(directory?.description, "\(model.path):2: data 'sub' is a directory, not a CSV file")
    }

    func testMissingModelFile() {
        let e = expectError(ModelFileError.self) { _ = try ModelSpecification.load(url: URL(fileURLWithPath: "/nonexistent.model")) }
        XCTAssertEqual(e?.description, "/nonexistent.model: no such model file")
    }
}
