import Foundation
import XCTest

/// `multilevel describe` of an ordinal text response given its order (`--ordered`): the response
/// line names each level with its category number, and the JSON lists the levels in order.
final class DescribeOrderedResponseTests: XCTestCase {
    func testDescribeShowsTheOrderedLevels() throws {
        let directory = try CommandLineRunner.temporaryDirectory(prefix: "describeordered")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("ratings.csv")
        try "y,x\nlow,1\nhigh,2\nmid,3\ntop,4\nlow,5\nmid,6\n".write(to: data, atomically: true, encoding: .utf8)
        let arguments = ["describe", "--data", data.path, "--formula", "y ~ x", "--family", "cumulative",
                         "--ordered", "y = low, mid, high, top"]
        let text = try CommandLineRunner.run(arguments)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("ordered: low = 1 < mid = 2 < high = 3 < top = 4"), text.out)
        let json = try CommandLineRunner.run(arguments + ["--json"])
        XCTAssertEqual(json.status, 0, json.err)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any], json.out)
        let response = try XCTUnwrap(object["response"] as? [String: Any], json.out)
        XCTAssertEqual(response["ordered_levels"] as? [String], ["low", "mid", "high", "top"])
    }
}
