import Foundation
import XCTest
@testable import MultilevelData

/// Access to `Tests/MultilevelDataTests/Fixtures` (copied into the test bundle).
enum Fixtures {
    static func url(_ name: String, _ ext: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"),
                      "missing fixture \(name).\(ext)")
    }

    static func table(_ name: String) throws -> DataTable {
        try DataTable.read(contentsOf: url(name, "csv"))
    }

    /// `model_matrices.json`, written by `scripts/references/data_fixtures.R` with R's
    /// `model.matrix`, `qr`, `sort` and `as.character`.
    static func reference() throws -> [String: Any] {
        let data = try Data(contentsOf: url("model_matrices", "json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// Runs `body` expecting an error of type `E`; returns it.
func expectError<E: Error>(_ type: E.Type, file: StaticString = #filePath, line: UInt = #line,
                           _ body: () throws -> Void) -> E? {
    do {
        try body()
        XCTFail("expected \(E.self), got success", file: file, line: line)
    } catch let error as E {
        return error
    } catch {
        XCTFail("expected \(E.self), got \(error)", file: file, line: line)
    }
    return nil
}
